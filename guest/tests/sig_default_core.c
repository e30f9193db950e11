/* A blocked SIGQUIT waits pending; unblocking it runs its default action (core: the process ends with
 * 128 + 3). SIGCHLD, SIGURG and SIGWINCH are ignored by default; SIGCONT too when nothing is stopped. */
#include "atoll.h"

int main(void) {
  raise(SIGCHLD);
  raise(SIGURG);
  raise(SIGWINCH);
  raise(SIGCONT);
  printf("survived the default-ignored signals\n");
  sigset_t q;
  sigemptyset(&q);
  sigaddset(&q, SIGQUIT);
  sys_sigprocmask(SIG_BLOCK, &q, 0);
  sys_tgkill(sys_getpid(), sys_gettid(), SIGQUIT);
  printf("SIGQUIT pending while blocked\n");
  sys_sigprocmask(SIG_UNBLOCK, &q, 0);
  printf("not reached\n");
  return 0;
}
