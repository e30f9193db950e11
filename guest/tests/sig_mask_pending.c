/* Blocked signals stay pending (rt_sigpending shows them) until unblocked, then run lowest first; SIGKILL
 * and SIGSTOP cannot be blocked; setting SIG_IGN discards a pending signal; rt_sigsuspend waits with a
 * temporary mask, returns -EINTR after the handler and puts the old mask back. */
#include "atoll.h"

static char order[32];
static volatile int n;

static void handler(int sig) { order[n++] = (char)('A' + sig - 1); order[n] = 0; }

static void show_pending(const char *when) {
  sigset_t p;
  long r = sys_sigpending(&p);
  printf("%s: sigpending %ld: usr1 %d usr2 %d term %d hup %d\n", when, r, sigismember(&p, SIGUSR1),
         sigismember(&p, SIGUSR2), sigismember(&p, SIGTERM), sigismember(&p, SIGHUP));
}

int main(void) {
  struct k_sigaction act = { (void *)handler, 0, { { 0, 0 } }, 0 };
  int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGHUP };
  for (int i = 0; i < 4; i++) sys_sigaction(sigs[i], &act, 0);
  sigset_t block, old;
  sigemptyset(&block);
  for (int i = 0; i < 4; i++) sigaddset(&block, sigs[i]);
  sigaddset(&block, SIGKILL);
  sigaddset(&block, SIGSTOP);
  printf("block: %ld\n", sys_sigprocmask(SIG_BLOCK, &block, &old));
  sigset_t now;
  sys_sigprocmask(SIG_BLOCK, 0, &now);
  printf("kill blocked %d, stop blocked %d, usr1 blocked %d\n", sigismember(&now, SIGKILL), sigismember(&now, SIGSTOP),
         sigismember(&now, SIGUSR1));
  show_pending("before");
  raise(SIGUSR2);
  raise(SIGTERM);
  raise(SIGUSR1);
  raise(SIGUSR1); /* a second instance merges into the first */
  raise(SIGHUP);
  show_pending("after raising");
  printf("handlers so far: '%s'\n", order);
  act.sa_handler = (void *)SIG_IGN;
  sys_sigaction(SIGHUP, &act, 0); /* discards the pending SIGHUP */
  show_pending("after SIG_IGN of hup");
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, SIGUSR2);
  sys_sigprocmask(SIG_UNBLOCK, &one, 0);
  printf("after unblocking usr2: '%s'\n", order);
  printf("setmask old: %ld\n", sys_sigprocmask(SIG_SETMASK, &old, 0));
  printf("after unblocking all: '%s'\n", order);
  show_pending("end");

  /* rt_sigsuspend: block usr1, raise it, then wait with an empty mask */
  sigemptyset(&one);
  sigaddset(&one, SIGUSR1);
  sys_sigprocmask(SIG_BLOCK, &one, 0);
  raise(SIGUSR1);
  sigset_t empty;
  sigemptyset(&empty);
  n = 0;
  long r = sys_sigsuspend(&empty);
  sys_sigprocmask(SIG_BLOCK, 0, &now);
  printf("sigsuspend: %ld, handlers '%s', usr1 blocked again %d\n", r, order, sigismember(&now, SIGUSR1));
  return 0;
}
