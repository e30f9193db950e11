/* Blocking calls a handler interrupts. A helper thread (which blocks the signals itself, so they go to the
 * main thread) signals the main thread while it: sleeps 2 s (-EINTR, the time left in rem), waits on a
 * futex without SA_RESTART (-EINTR), waits on a futex with SA_RESTART (the wait restarts; the helper's
 * wake ends it with 0), waits with a timeout and SA_RESTART (-EINTR: a timed wait is not restarted), and
 * waits in rt_sigsuspend for a signal sent to the whole process (-EINTR). */
#include "atoll.h"

#define MS (1000 * 1000LL)

static volatile int phase, word, handled[NSIG + 1];
static long main_tid;

static void handler(int sig) { handled[sig]++; }

static void wait_phase(int k) {
  while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) != k) sys_sched_yield();
}

static int helper(void *arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigaddset(&s, SIGUSR2);
  sigaddset(&s, SIGHUP);
  sys_sigprocmask(SIG_BLOCK, &s, 0);
  long pid = sys_getpid();
  for (int k = 1; k <= 5; k++) {
    wait_phase(k);
    sleep_ns(50 * MS);
    if (k == 1 || k == 2) sys_tgkill(pid, main_tid, SIGUSR1);
    if (k == 3 || k == 4) sys_tgkill(pid, main_tid, SIGUSR2);
    if (k == 3) {
      sleep_ns(50 * MS);
      __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
      futex_wake(&word, 1);
    }
    if (k == 5) sys_kill(pid, SIGHUP);
  }
  return 0;
}

static void install(int sig, unsigned long flags) {
  struct k_sigaction act = { (void *)handler, flags, { { 0, 0 } }, 0 };
  sys_sigaction(sig, &act, 0);
}

int main(void) {
  main_tid = sys_gettid();
  install(SIGUSR1, 0);
  install(SIGUSR2, SA_RESTART);
  install(SIGHUP, 0);
  struct thread t;
  if (thread_create(&t, helper, 0) != 0) return 1;

  struct timespec64 req = { 2, 0 }, rem = { -1, -1 };
  __atomic_store_n(&phase, 1, __ATOMIC_RELEASE);
  long r = sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
  printf("nanosleep: %ld, handled %d, rem between 1 s and 2 s: %d\n", r, handled[SIGUSR1],
         rem.tv_sec == 1 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000);

  __atomic_store_n(&phase, 2, __ATOMIC_RELEASE);
  r = futex_wait(&word, 0, -1);
  printf("futex wait, no SA_RESTART: %ld, handled %d\n", r, handled[SIGUSR1]);

  __atomic_store_n(&phase, 3, __ATOMIC_RELEASE);
  r = futex_wait(&word, 0, -1);
  printf("futex wait, SA_RESTART: %ld, handled %d, word %d\n", r, handled[SIGUSR2], word);

  word = 0;
  __atomic_store_n(&phase, 4, __ATOMIC_RELEASE);
  r = futex_wait(&word, 0, 2000 * MS);
  printf("timed futex wait, SA_RESTART: %ld, handled %d\n", r, handled[SIGUSR2]);

  sigset_t none;
  sigemptyset(&none);
  __atomic_store_n(&phase, 5, __ATOMIC_RELEASE);
  r = sys_sigsuspend(&none);
  printf("sigsuspend for a process-directed signal: %ld, handled %d\n", r, handled[SIGHUP]);
  thread_join(&t);
  printf("done\n");
  return 0;
}
