/* rt_sigreturn restores what the handler leaves in the ucontext: the registers (callee-saved ones
 * survive a handler that clobbers its own), an edited a0 returned by the interrupted system call, a pc
 * moved elsewhere, and uc_sigmask as the new mask. */
#include "atoll.h"

static volatile int landed;

static void landing(void) {
  landed = 1;
  printf("landed at the new pc\n");
  sys_exit_group(7);
}

static void edit_a0(int sig, siginfo_t *si, void *ctx) {
  (void)sig; (void)si;
  ucontext_t *uc = ctx;
  printf("handler sees a0 = %ld (the kill's result)\n", (long)uc->uc_mcontext.gregs[REG_A0]);
  uc->uc_mcontext.gregs[REG_A0] = 1234;
}

static void set_mask(int sig, siginfo_t *si, void *ctx) {
  (void)sig; (void)si;
  ucontext_t *uc = ctx;
  printf("uc_sigmask has usr2: %d\n", sigismember(&uc->uc_sigmask, SIGUSR2));
  sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static void move_pc(int sig, siginfo_t *si, void *ctx) {
  (void)sig; (void)si;
  ucontext_t *uc = ctx;
  uc->uc_mcontext.gregs[REG_PC] = (unsigned long)landing;
}

static void install(int sig, void *h) {
  struct k_sigaction act = { h, SA_SIGINFO, { { 0, 0 } }, 0 };
  sys_sigaction(sig, &act, 0);
}

int main(void) {
  install(SIGUSR1, (void *)edit_a0);
  long r = sys_kill(sys_getpid(), SIGUSR1);
  printf("kill returned %ld\n", r);

  register long s2 __asm__("s2") = 0x1111;
  register long s11 __asm__("s11") = 0x2222;
  __asm__ volatile("" : "+r"(s2), "+r"(s11));
  r = sys_kill(sys_getpid(), SIGUSR1);
  __asm__ volatile("" : "+r"(s2), "+r"(s11));
  printf("s2 %lx s11 %lx survive\n", s2, s11);

  install(SIGUSR2, (void *)set_mask);
  raise(SIGUSR2);
  sigset_t now;
  sys_sigprocmask(SIG_BLOCK, 0, &now);
  printf("usr2 blocked after return: %d\n", sigismember(&now, SIGUSR2));

  install(SIGTERM, (void *)move_pc);
  raise(SIGTERM);
  printf("not reached\n");
  return 0;
}
