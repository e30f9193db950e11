/* siginfo_t of sent signals: kill gives SI_USER with the sender's pid and uid, tgkill and tkill SI_TKILL;
 * without SA_SIGINFO the handler still gets the frame. The ucontext holds the mask before the handler. */
#include "atoll.h"

static long me;

static void info(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  printf("sig %d signo %d code %d errno %d pid is mine %d uid %u usr2 in uc_sigmask %d\n", sig, si->si_signo,
         si->si_code, si->si_errno, si->si_pid == me, si->si_uid, sigismember(&uc->uc_sigmask, SIGUSR2));
}

int main(void) {
  me = sys_getpid();
  struct k_sigaction act = { (void *)info, SA_SIGINFO, { { 0, 0 } }, 0 };
  sys_sigaction(SIGUSR1, &act, 0);
  sys_sigaction(SIGRTMIN + 2, &act, 0);
  sys_kill(me, SIGUSR1);
  sys_tgkill(me, sys_gettid(), SIGUSR1);
  sys_tkill(sys_gettid(), SIGUSR1);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  sys_sigprocmask(SIG_BLOCK, &s, 0);
  sys_kill(me, SIGRTMIN + 2);
  act.sa_flags = 0;
  sys_sigaction(SIGUSR1, &act, 0);
  sys_kill(me, SIGUSR1);
  return 0;
}
