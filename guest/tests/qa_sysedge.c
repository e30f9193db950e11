/* qa_sysedge: system call edge cases a Linux process can observe: zero-length and bad-fd writes,
 * writes from bad pointers, clock ids, nanosleep argument checks, unknown calls. */
#include <atoll.h>

static void show(const char *what, long r) { printf("%s = %ld\n", what, r); }

int main(void) {
  static const char msg[] = "hello\n";
  show("write(1, msg, 0)", sys_write(1, msg, 0));
  show("write(1, NULL, 0)", sys_write(1, 0, 0));
  show("write(-1, msg, 1)", sys_write(-1, msg, 1));
  show("write(1000, msg, 1)", sys_write(1000, msg, 1));
  show("write(0x7fffffff, msg, 1)", sys_write(0x7fffffff, msg, 1));
  show("write(1, NULL, 1)", sys_write(1, 0, 1));
  show("write(1, 0x10, 5)", sys_write(1, (void *)0x10, 5));
  show("write(1, kernel, 5)", sys_write(1, (void *)0xc0000000u, 5));
  show("write(1, msg, 6)", sys_write(1, msg, 6));
  show("write(2, msg, 3)", sys_write(2, msg, 3));
  sys_write(2, "\n", 1);
  /* a buffer that ends where the mapping ends: the break */
  char *brk0 = (char *)sys_brk(0);
  char *top = (char *)sys_brk((uintptr_t)brk0 + 4096);
  show("brk grew", top == brk0 + 4096);
  memset(top - 8, 'z', 8);
  show("write(1, top-8, 8)", sys_write(1, top - 8, 8));
  sys_write(1, "\n", 1);
  struct timespec64 ts;
  for (int c = -3; c <= 12; c++) {
    long r = sys_clock_gettime(c, &ts);
    printf("clock_gettime(%d) = %ld\n", c, r);
  }
  show("clock_gettime(MONO, NULL)", sys_clock_gettime(CLOCK_MONOTONIC, 0));
  show("clock_gettime(MONO, 0x10)", sys_clock_gettime(CLOCK_MONOTONIC, (void *)0x10));
  show("clock_gettime(MONO, rodata)", sys_clock_gettime(CLOCK_MONOTONIC, (void *)msg));
  struct timespec64 req;
  req.tv_sec = 0; req.tv_nsec = -1;
  show("nanosleep nsec=-1", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0));
  req.tv_sec = 0; req.tv_nsec = 1000000000;
  show("nanosleep nsec=1e9", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0));
  req.tv_sec = -1; req.tv_nsec = 0;
  show("nanosleep sec=-1", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0));
  req.tv_sec = 0; req.tv_nsec = 999999999;
  show("nanosleep bad clock 5", sys_clock_nanosleep(5, 0, &req, 0));
  show("nanosleep bad clock -1", sys_clock_nanosleep(-1, 0, &req, 0));
  show("nanosleep clock 77", sys_clock_nanosleep(77, 0, &req, 0));
  req.tv_sec = 0; req.tv_nsec = 1000;
  show("nanosleep REALTIME 1us", sys_clock_nanosleep(CLOCK_REALTIME, 0, &req, 0));
  show("nanosleep MONO 1us", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0));
  show("nanosleep abs past", sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, 0));
  show("nanosleep flags 2", sys_clock_nanosleep(CLOCK_MONOTONIC, 2, &req, 0));
  show("nanosleep req NULL", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, 0, 0));
  show("nanosleep req 0x10", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, (void *)0x10, 0));
  struct timespec64 rem = {7, 7};
  req.tv_sec = 0; req.tv_nsec = 10;
  show("nanosleep with rem", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem));
  printf("rem untouched: %d %d\n", (int)rem.tv_sec, (int)rem.tv_nsec);
  req.tv_sec = 0; req.tv_nsec = 0;
  show("nanosleep zero", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0));
  /* tv_nsec's high word is ignored on a 32-bit kernel (compat), only its low 32 bits count */
  show("unknown 1234", atoll_syscall0(1234));
  show("unknown 113", atoll_syscall0(113));
  show("unknown 101", atoll_syscall0(101));
  show("unknown -1", atoll_syscall0(-1));
  show("unknown 0x4000ffff", atoll_syscall0(0x4000ffff)); /* in Atoll's range, not assigned */
  show("getpid>0", sys_getpid() > 0);
  show("gettid==getpid", sys_gettid() == sys_getpid());
  return 0;
}
