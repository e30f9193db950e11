/* SIG_IGN: ignored signals are discarded (not left pending), even when sent while blocked... until the
 * disposition changes; SIGKILL and SIGSTOP cannot be ignored. */
#include "atoll.h"

int main(void) {
  struct k_sigaction ign = { (void *)SIG_IGN, 0, { { 0, 0 } }, 0 };
  printf("ignore TERM %ld, INT %ld, KILL %ld, STOP %ld\n", sys_sigaction(SIGTERM, &ign, 0),
         sys_sigaction(SIGINT, &ign, 0), sys_sigaction(SIGKILL, &ign, 0), sys_sigaction(SIGSTOP, &ign, 0));
  printf("kill TERM: %ld\n", sys_kill(sys_getpid(), SIGTERM));
  printf("raise INT: %ld\n", raise(SIGINT));
  sigset_t s, p;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sys_sigprocmask(SIG_BLOCK, &s, 0);
  raise(SIGTERM);
  sys_sigpending(&p);
  printf("blocked and ignored TERM pending: %d\n", sigismember(&p, SIGTERM));
  sys_sigprocmask(SIG_UNBLOCK, &s, 0);
  printf("survived\n");
  return 3;
}
