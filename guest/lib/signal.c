/* Signal sets and the small conveniences over rt_sigaction and tgkill declared in atoll.h. No state. */
#include "atoll.h"

int sigemptyset(sigset_t *s) { s->sig[0] = s->sig[1] = 0; return 0; }
int sigfillset(sigset_t *s) { s->sig[0] = s->sig[1] = ~0ul; return 0; }

static int bad(int sig) { return sig < 1 || sig > NSIG; }

int sigaddset(sigset_t *s, int sig) {
  if (bad(sig)) return -1;
  s->sig[(sig - 1) / 32] |= 1ul << ((sig - 1) % 32);
  return 0;
}
int sigdelset(sigset_t *s, int sig) {
  if (bad(sig)) return -1;
  s->sig[(sig - 1) / 32] &= ~(1ul << ((sig - 1) % 32));
  return 0;
}
int sigismember(const sigset_t *s, int sig) {
  if (bad(sig)) return -1;
  return (s->sig[(sig - 1) / 32] >> ((sig - 1) % 32)) & 1;
}

sighandler_t sig_install(int sig, sighandler_t handler, unsigned long flags) {
  struct k_sigaction act = { (void *)handler, flags, { { 0, 0 } }, 0 }, old;
  if (sys_sigaction(sig, &act, &old) != 0) return (sighandler_t)-1;
  return (sighandler_t)old.sa_handler;
}

sighandler_t signal(int sig, sighandler_t handler) { return sig_install(sig, handler, SA_RESTART); }

long raise(int sig) { return sys_tgkill(sys_getpid(), sys_gettid(), sig); }
