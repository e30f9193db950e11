/* Synchronous faults go to SA_SIGINFO handlers with si_code and si_addr as Linux gives them: a load from
 * an unmapped page (SEGV_MAPERR), a store to the program's text (SEGV_ACCERR), an illegal instruction
 * (ILL_ILLOPC, si_addr = pc), ebreak (TRAP_BRKPT), a misaligned atomic (BUS_ADRALN). Each handler skips
 * the faulting instruction by advancing the saved pc in uc_mcontext; the program then goes on. */
#include "atoll.h"

static volatile unsigned long fault_pc;

static void handler(int sig, siginfo_t *si, void *ctx) {
  (void)sig;
  ucontext_t *uc = ctx;
  fault_pc = uc->uc_mcontext.gregs[REG_PC];
  printf("sig %d code %d errno %d addr %p\n", si->si_signo, si->si_code, si->si_errno, si->si_addr);
  uc->uc_mcontext.gregs[REG_PC] += 4;
}

static void install(int sig) {
  struct k_sigaction act = { (void *)handler, SA_SIGINFO, { { 0, 0 } }, 0 };
  sys_sigaction(sig, &act, 0);
}

extern char skip_ill[], skip_brk[];

int main(void) {
  install(SIGSEGV);
  install(SIGILL);
  install(SIGTRAP);
  install(SIGBUS);
  volatile int *nowhere = (volatile int *)0x10;
  int v = *nowhere;
  (void)v;
  printf("after the load\n");
  volatile unsigned *text = (volatile unsigned *)(void *)main;
  *text = 0;
  printf("after the store to text\n");
  __asm__ volatile("skip_ill: .word 0xffffffff" ::: "memory");
  printf("after the illegal instruction: pc matches %d\n", fault_pc == (unsigned long)skip_ill);
  __asm__ volatile("skip_brk: ebreak" ::: "memory");
  printf("after ebreak: pc matches %d\n", fault_pc == (unsigned long)skip_brk);
  static int words[2];
  volatile int *odd = (volatile int *)((char *)words + 2);
  int old;
  __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(odd), "r"(1) : "memory");
  printf("after the misaligned amo\n");
  /* A handler for SIGSEGV that returns without fixing anything: blocked inside, the second fault kills. */
  return 0;
}
