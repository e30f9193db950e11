/* kbench: the emulated side of the kernel benchmarks (bench/kernel-emulated.ts). argv[1] picks the work,
 * argv[2] the count N:
 *   loop    N iterations of the loop alone (the overhead subtracted from the others)
 *   getpid  N system calls the kernel serves (an ecall round trip inside the kernel)
 *   clock   N clock_gettime64 calls, which the kernel hands to the host
 *   yield1  N sched_yield on one thread (no switch: the same thread runs again)
 *   yield2  two threads of one process yield N times each on one hart (2N context switches)
 *   daemon  N requests from a client thread to a daemon thread (futex hand-off both ways), each served
 *           with getpid by the daemon
 * Prints nothing; the host times the run and reads the kernel's counters. */
#include "kt.h"

static int atoi_(const char *s) { int v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }
static volatile int sink, ctid;
static volatile int req, rep; /* request and reply sequence numbers: the futex words */
static char stack[8192] __attribute__((aligned(16)));
static int count;

static int yielder(void *arg) {
  (void)arg;
  for (int i = 0; i < count; i++) atoll_syscall0(124);
  return 0;
}

static int daemon_(void *arg) {
  (void)arg;
  for (int i = 1; i <= count; i++) {
    while (__atomic_load_n(&req, __ATOMIC_ACQUIRE) < i) kt_futex(&req, FUTEX_WAIT | FUTEX_PRIVATE, i - 1, 0);
    sink = (int)sys_getpid();
    __atomic_store_n(&rep, i, __ATOMIC_RELEASE);
    kt_futex(&rep, FUTEX_WAKE | FUTEX_PRIVATE, 1, 0);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  const char *m = argv[1];
  count = atoi_(argv[2]);
  if (!strcmp(m, "loop")) { for (int i = 0; i < count; i++) sink = i; }
  else if (!strcmp(m, "getpid")) { for (int i = 0; i < count; i++) sink = (int)sys_getpid(); }
  else if (!strcmp(m, "clock")) { struct timespec64 t; for (int i = 0; i < count; i++) sink = (int)sys_clock_gettime(1, &t); }
  else if (!strcmp(m, "yield1")) { for (int i = 0; i < count; i++) sink = (int)atoll_syscall0(124); }
  else if (!strcmp(m, "yield2")) { ctid = -1; kt_clone(yielder, stack + sizeof stack, 0, &ctid, KT_CLONE_FLAGS); yielder(0); kt_join(&ctid); }
  else if (!strcmp(m, "daemon")) {
    ctid = -1;
    kt_clone(daemon_, stack + sizeof stack, 0, &ctid, KT_CLONE_FLAGS);
    for (int i = 1; i <= count; i++) {
      __atomic_store_n(&req, i, __ATOMIC_RELEASE);
      kt_futex(&req, FUTEX_WAKE | FUTEX_PRIVATE, 1, 0);
      while (__atomic_load_n(&rep, __ATOMIC_ACQUIRE) < i) kt_futex(&rep, FUTEX_WAIT | FUTEX_PRIVATE, i - 1, 0);
    }
    kt_join(&ctid);
  } else return 2;
  return 0;
}
