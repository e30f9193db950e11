/* proc_image: a process captured at a host call and continued on another machine (src/machine/process-image.ts,
 * test/machine/process-image.test.ts). It stops at SYS_test_hook, which only a test's host service answers, with
 * its memory set up (data, bss, stack, heap, private, shared and PROT_NONE mappings), handlers installed and
 * signals pending; the answer says which copy it is. Where nobody serves the hook (atoll run, qemu-riscv32) the
 * call is -ENOSYS: the program says so and ends, so the differential test runs it too.
 *   proc_image [fork]      the hook answers the child's pid in the parent and 0 in the child on the other machine;
 *                          the parent then waits at a second hook until the child has run
 *   proc_image migrate     the hook answers 1 in the moved copy (same pid), 2 in the original, which ends
 *   proc_image cow         a local fork's child stops at the hook with a page still shared copy-on-write;
 *                          0 in its copy elsewhere, 1 in the child itself
 *   proc_image heap <KiB>  KiB of heap touched, then the hook: 0 in a copy, which checks every byte */
#include "atoll.h"

static char data_str[32] = "data-initial";
static char bss_str[32];
static char cow_pages[2][4096] __attribute__((aligned(4096)));
static volatile int usr1_hits, usr2_hits;

struct memory {
  char *heap, *anon, *shared, *parked;
  char stack[32];
};

static long hook(long step) { return atoll_syscall1(SYS_test_hook, step); }

static void set(char *dst, const char *s) { memcpy(dst, s, strlen(s) + 1); }

static void on_usr1(int sig) { (void)sig; usr1_hits++; printf("handler: SIGUSR1 (hit %d)\n", usr1_hits); }
static void on_usr2(int sig) { (void)sig; usr2_hits++; printf("handler: SIGUSR2 (hit %d)\n", usr2_hits); }

static void install(int sig, void (*fn)(int)) {
  struct k_sigaction act = { (void *)fn, 0, { { 0, 0 } }, 0 };
  sys_sigaction(sig, &act, 0);
}

static void mask(int how, int sig) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sys_sigprocmask(how, &s, 0);
}

static int pending(int sig) {
  sigset_t s;
  sys_sigpending(&s);
  return sigismember(&s, sig);
}

/* Heap (two pages), anonymous private (two pages, the second never touched), shared and PROT_NONE mappings,
 * handlers for SIGUSR1 and SIGUSR2. */
static int setup(struct memory *m) {
  m->heap = sbrk(2 * 4096);
  m->anon = sys_mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  m->shared = sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  m->parked = sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m->heap == (void *)-1 || mmap_failed(m->anon) || mmap_failed(m->shared) || mmap_failed(m->parked)) return -1;
  set(m->heap, "heap-initial");
  set(m->heap + 4096, "heap-page-2");
  set(m->anon, "anon-initial");
  set(m->shared, "shared-initial");
  set(m->parked, "parked-initial");
  sys_mprotect(m->parked, 4096, PROT_NONE);
  set(m->stack, "stack-initial");
  install(SIGUSR1, on_usr1);
  install(SIGUSR2, on_usr2);
  return 0;
}

/* Everything written just before the hook. */
static void write_all(struct memory *m, const char *tag) {
  char s[32];
  snprintf(s, sizeof s, "data-%s", tag); set(data_str, s);
  snprintf(s, sizeof s, "bss-%s", tag); set(bss_str, s);
  snprintf(s, sizeof s, "stack-%s", tag); set(m->stack, s);
  snprintf(s, sizeof s, "heap-%s", tag); set(m->heap, s);
  snprintf(s, sizeof s, "anon-%s", tag); set(m->anon, s);
  snprintf(s, sizeof s, "shared-%s", tag); set(m->shared, s);
}

static void show(const char *who, struct memory *m) {
  printf("%s: %s %s %s %s %s %s %s\n", who, data_str, bss_str, m->stack, m->heap, m->heap + 4096, m->anon, m->shared);
}

static int fork_child(struct memory *m) {
  show("child", m);
  printf("child: untouched anon page reads %d, SIGUSR2 pending %d\n", m->anon[4096], pending(SIGUSR2));
  sys_mprotect(m->parked, 4096, PROT_READ);
  printf("child: parked page %s\n", m->parked);
  write_all(m, "child-wrote");
  show("child", m);
  sys_kill(sys_getpid(), SIGUSR1);
  mask(SIG_UNBLOCK, SIGUSR2);
  printf("child: SIGUSR2 hits after unblocking %d\n", usr2_hits);
  printf("child: pid %ld ppid %ld\n", sys_getpid(), sys_getppid());
  return 7;
}

static int fork_parent(struct memory *m, long child) {
  printf("parent: child %ld\n", child);
  write_all(m, "parent-wrote");
  hook(2); /* answered once the child has run */
  show("parent", m);
  mask(SIG_UNBLOCK, SIGUSR2);
  printf("parent: SIGUSR2 hits after unblocking %d\n", usr2_hits);
  return 0;
}

static int fork_mode(void) {
  struct memory m;
  if (setup(&m) < 0) { printf("setup failed\n"); return 1; }
  mask(SIG_BLOCK, SIGUSR2);
  raise(SIGUSR2); /* blocked and pending: a fork's child does not inherit it */
  write_all(&m, "before-call");
  long r = hook(1);
  if (r == -ENOSYS) { printf("hook: ENOSYS (no host service)\n"); return 0; }
  return r == 0 ? fork_child(&m) : fork_parent(&m, r);
}

static int migrate_mode(void) {
  struct memory m;
  if (setup(&m) < 0) { printf("setup failed\n"); return 1; }
  mask(SIG_BLOCK, SIGUSR1);
  mask(SIG_BLOCK, SIGUSR2);
  raise(SIGUSR2);                  /* pending on the thread */
  sys_kill(sys_getpid(), SIGUSR1); /* pending on the process */
  long before = sys_getpid();
  write_all(&m, "before-call");
  long r = hook(1);
  if (r == -ENOSYS) { printf("hook: ENOSYS (no host service)\n"); return 0; }
  if (r != 1) return 0; /* the original, after the move */
  printf("moved: same pid %s, SIGUSR1 pending %d, SIGUSR2 pending %d\n", sys_getpid() == before ? "yes" : "no",
         pending(SIGUSR1), pending(SIGUSR2));
  show("moved", &m);
  mask(SIG_UNBLOCK, SIGUSR1);
  mask(SIG_UNBLOCK, SIGUSR2);
  printf("moved: hits SIGUSR1 %d SIGUSR2 %d\n", usr1_hits, usr2_hits);
  return 5;
}

static int cow_mode(void) {
  set(cow_pages[0], "cow-shared-page");
  set(cow_pages[1], "cow-before-fork");
  long pid = sys_fork();
  if (pid < 0) { printf("fork failed: %ld\n", pid); return 1; }
  if (pid == 0) {
    set(cow_pages[1], "cow-child-wrote"); /* its own copy of this page now; page 0 stays shared */
    long r = hook(3);
    if (r == -ENOSYS) { printf("child: hook ENOSYS (no host service)\n"); return 0; }
    printf("%s: page 0 %s, page 1 %s\n", r == 0 ? "copy" : "child", cow_pages[0], cow_pages[1]);
    return r == 0 ? 9 : 0;
  }
  struct child_info info;
  memset(&info, 0, sizeof info);
  sys_waitid(P_PID, pid, &info, WEXITED, 0);
  printf("parent: child status %d; page 0 %s, page 1 %s\n", info.si_status, cow_pages[0], cow_pages[1]);
  return 0;
}

static unsigned parse(const char *s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0');
  return v;
}

static int heap_mode(unsigned kib) {
  unsigned pages = kib / 4;
  unsigned char *h = sbrk((intptr_t)pages * 4096);
  if (h == (void *)-1) { printf("sbrk failed\n"); return 1; }
  for (unsigned p = 0; p < pages; p++) memset(h + p * 4096, (int)(p % 251) + 1, 4096);
  long r = hook(4);
  if (r == -ENOSYS) { printf("hook: ENOSYS (no host service)\n"); return 0; }
  unsigned bad = 0;
  for (unsigned p = 0; p < pages; p++)
    for (unsigned i = 0; i < 4096; i++) bad += h[p * 4096 + i] != (unsigned char)(p % 251 + 1);
  printf("%s: %u KiB of heap, %u bytes differ\n", r == 0 ? "copy" : "original", kib, bad);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "fork";
  if (strcmp(mode, "fork") == 0) return fork_mode();
  if (strcmp(mode, "migrate") == 0) return migrate_mode();
  if (strcmp(mode, "cow") == 0) return cow_mode();
  if (strcmp(mode, "heap") == 0 && argc > 2) return heap_mode(parse(argv[2]));
  printf("usage: proc_image [fork | migrate | cow | heap <KiB>]\n");
  return 2;
}
