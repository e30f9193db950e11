/* mmap_anon: anonymous mappings: private demand-zero memory, munmap (a later touch faults), mprotect
 * (a write to a read-only page faults; PROT_NONE faults on read; back to read-write works and the data is
 * kept), MAP_FIXED, shared mappings that stay shared with a forked child while private ones are copied. */
#include "atoll.h"

static const char *yn(int b) { return b ? "yes" : "no"; }

/* Run fn in a child and report how it ended. */
static void in_child(const char *what, void (*fn)(void *), void *arg) {
  long pid = sys_fork();
  if (pid == 0) { fn(arg); sys_exit_group(0); }
  struct child_info info;
  memset(&info, 0, sizeof info);
  sys_waitid(P_PID, pid, &info, WEXITED, 0);
  printf("%s: %s %d\n", what, info.si_code == CLD_EXITED ? "exited" : "killed by", info.si_status);
}

static void touch_read(void *p) { printf("read %d\n", *(volatile int *)p); }
static void touch_write(void *p) { *(volatile int *)p = 5; }

int main(void) {
  const size_t len = 5 * 4096;
  char *p = sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("private mapping: %s, page-aligned: %s\n", yn(!mmap_failed(p)), yn(((unsigned long)p & 4095) == 0));
  int zero = 1;
  for (size_t i = 0; i < len; i++) if (p[i] != 0) zero = 0;
  printf("zero-filled: %s\n", yn(zero));
  for (size_t i = 0; i < len; i++) p[i] = (char)(i * 7);
  int ok = 1;
  for (size_t i = 0; i < len; i++) if (p[i] != (char)(i * 7)) ok = 0;
  printf("written and read back: %s\n", yn(ok));
  char *q = sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("second mapping apart from the first: %s\n", yn(q + 4096 <= p || q >= p + len));

  /* Private memory is copied for a child; shared memory is not. */
  int *shared = sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared[0] = 1;
  p[0] = 1;
  long pid = sys_fork();
  if (pid == 0) { shared[0] = 2; p[0] = 2; shared[1] = 77; sys_exit_group(0); }
  struct child_info info;
  sys_waitid(P_PID, pid, &info, WEXITED, 0);
  printf("after the child wrote: shared %d %d, private %d\n", shared[0], shared[1], p[0]);

  /* mprotect */
  printf("mprotect read-only: %ld\n", sys_mprotect(p, 4096, PROT_READ));
  in_child("write to a read-only page", touch_write, p);
  in_child("read of a read-only page", touch_read, p);
  printf("mprotect none: %ld\n", sys_mprotect(p + 4096, 4096, PROT_NONE));
  in_child("read of a PROT_NONE page", touch_read, p + 4096);
  printf("mprotect read-write again: %ld %ld\n", sys_mprotect(p, 4096, PROT_READ | PROT_WRITE), sys_mprotect(p + 4096, 4096, PROT_READ | PROT_WRITE));
  p[0] = 9;
  printf("data kept through PROT_NONE: %s, writable again: %s\n", yn(p[4096] == (char)(4096 * 7)), yn(p[0] == 9));

  /* munmap the middle page: its neighbours stay. */
  printf("munmap middle page: %ld\n", sys_munmap(p + 2 * 4096, 4096));
  in_child("touch of the unmapped page", touch_read, p + 2 * 4096);
  printf("neighbours kept: %s %s\n", yn(p[1 * 4096 + 1] == (char)((4096 + 1) * 7)), yn(p[3 * 4096] == (char)(3 * 4096 * 7)));

  /* MAP_FIXED at an address of our choosing, then over part of itself. */
  char *want = (char *)0x40000000;
  char *f = sys_mmap(want, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED where asked: %s\n", yn(f == want));
  f[0] = 1; f[4096] = 2;
  char *g = sys_mmap(want + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED over it: %s, old page zero again: %s, first page kept: %s\n", yn(g == want + 4096), yn(g[0] == 0), yn(f[0] == 1));
  printf("munmap all: %ld %ld %ld %ld\n", sys_munmap(p, len), sys_munmap(q, 4096), sys_munmap(shared, 4096), sys_munmap(f, 2 * 4096));
  printf("munmap of nothing mapped: %ld\n", sys_munmap(want, 4096));
  /* Many small mappings and their release. */
  int made = 0;
  void *many[20];
  for (int i = 0; i < 20; i++) {
    many[i] = sys_mmap(0, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!mmap_failed(many[i])) made++;
  }
  int freed = 0;
  for (int i = 0; i < 20; i++) if (sys_munmap(many[i], 4096) == 0) freed++;
  printf("20 mappings made %d, unmapped %d\n", made, freed);
  return 0;
}
