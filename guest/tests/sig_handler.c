/* Handlers: installed with rt_sigaction, run on kill, raise and tgkill, with the signal blocked while they
 * run (unless SA_NODEFER) and the old mask back after; SA_RESETHAND puts SIG_DFL back; a handler may send
 * itself another signal; the old action reads back. Every sa_mask is empty (see atoll.h). */
#include "atoll.h"

static volatile int hits[NSIG + 1];
static volatile int depth, max_depth;

static int blocked(int sig) {
  sigset_t m;
  sys_sigprocmask(SIG_BLOCK, 0, &m);
  return sigismember(&m, sig);
}

static void on_usr1(int sig) {
  hits[sig]++;
  printf("usr1 handler: sig %d, usr1 blocked %d, usr2 blocked %d\n", sig, blocked(SIGUSR1), blocked(SIGUSR2));
}

static void on_usr2(int sig) {
  hits[sig]++;
  printf("usr2 handler: raising SIGUSR1 from inside\n");
  raise(SIGUSR1);
  printf("usr2 handler: back from raise, usr1 hits %d\n", hits[SIGUSR1]);
}

static void nested(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  if (depth < 3) raise(sig); /* SA_NODEFER: runs again at once, nested */
  depth--;
}

static void once(int sig) { printf("once handler for %d\n", sig); }

int main(void) {
  struct k_sigaction act = { (void *)on_usr1, 0, { { 0, 0 } }, 0 }, old;
  printf("install: %ld\n", sys_sigaction(SIGUSR1, &act, 0));
  act.sa_handler = (void *)on_usr2;
  printf("install: %ld\n", sys_sigaction(SIGUSR2, &act, 0));
  printf("kill: %ld\n", sys_kill(sys_getpid(), SIGUSR1));
  printf("raise: %ld\n", raise(SIGUSR1));
  printf("tgkill: %ld\n", sys_tgkill(sys_getpid(), sys_gettid(), SIGUSR1));
  printf("usr1 hits %d, blocked after %d\n", hits[SIGUSR1], blocked(SIGUSR1));
  printf("raise usr2: %ld\n", raise(SIGUSR2));
  printf("usr1 hits %d, usr2 hits %d\n", hits[SIGUSR1], hits[SIGUSR2]);

  act.sa_handler = (void *)nested;
  act.sa_flags = SA_NODEFER;
  sys_sigaction(SIGHUP, &act, 0);
  raise(SIGHUP);
  printf("SA_NODEFER: max depth %d\n", max_depth);

  act.sa_handler = (void *)once;
  act.sa_flags = SA_RESETHAND;
  sys_sigaction(SIGALRM, &act, 0);
  raise(SIGALRM);
  sys_sigaction(SIGALRM, 0, &old);
  printf("SA_RESETHAND: handler now %s\n", old.sa_handler == (void *)SIG_DFL ? "SIG_DFL" : "still set");

  sys_sigaction(SIGUSR1, 0, &old);
  printf("old action of SIGUSR1 is on_usr1: %d, flags %lx\n", old.sa_handler == (void *)on_usr1, old.sa_flags);
  printf("signal(): old handler is on_usr2: %d\n", signal(SIGUSR2, (sighandler_t)SIG_IGN) == on_usr2);
  raise(SIGUSR2);
  printf("ignored SIGUSR2, usr2 hits %d\n", hits[SIGUSR2]);
  return 0;
}
