/* The signal calls' error paths: bad sigsetsize, signal numbers out of range, SIGKILL and SIGSTOP
 * handlers, bad pointers, bad how, unknown pids and tids; each prints its result. */
#include "atoll.h"

#define BAD ((void *)16) /* below any mapping */
#define SHOW(expr) printf("%-52s %ld\n", #expr, (long)(expr))

static void on_usr1(int sig) { (void)sig; }

int main(void) {
  struct k_sigaction act = { (void *)on_usr1, 0, { { 0, 0 } }, 0 }, old;
  sigset_t set;
  sigemptyset(&set);
  long pid = sys_getpid(), tid = sys_gettid();
  SHOW(atoll_syscall4(SYS_rt_sigaction, SIGUSR1, &act, 0, 4));
  SHOW(atoll_syscall4(SYS_rt_sigaction, SIGUSR1, &act, 0, 16));
  SHOW(atoll_syscall4(SYS_rt_sigaction, SIGUSR1, 0, &old, 0));
  SHOW(sys_sigaction(0, &act, 0));
  SHOW(sys_sigaction(65, &act, 0));
  SHOW(sys_sigaction(-1, &act, 0));
  SHOW(sys_sigaction(0, 0, &old));
  SHOW(sys_sigaction(SIGKILL, &act, 0));
  SHOW(sys_sigaction(SIGSTOP, &act, 0));
  SHOW(sys_sigaction(SIGKILL, 0, &old));
  SHOW(sys_sigaction(SIGUSR1, BAD, 0));
  SHOW(sys_sigaction(0, BAD, 0));
  SHOW(sys_sigaction(SIGUSR1, 0, BAD));
  SHOW(sys_sigaction(SIGUSR1, &act, 0));
  SHOW(sys_sigaction(SIGUSR1, 0, &old));
  SHOW(old.sa_handler == (void *)on_usr1);
  act.sa_flags = SA_RESTART | SA_SIGINFO;
  sigfillset(&act.sa_mask);
  SHOW(sys_sigaction(SIGUSR2, &act, 0));
  SHOW(sys_sigaction(SIGUSR2, 0, &old));
  printf("flags %lx mask %lx %lx\n", old.sa_flags, old.sa_mask.sig[0], old.sa_mask.sig[1]);
  SHOW(atoll_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 4));
  SHOW(sys_sigprocmask(3, &set, 0));
  SHOW(sys_sigprocmask(3, 0, 0));
  SHOW(sys_sigprocmask(SIG_BLOCK, BAD, 0));
  SHOW(sys_sigprocmask(3, BAD, 0));
  SHOW(sys_sigprocmask(SIG_BLOCK, 0, BAD));
  sigfillset(&set);
  SHOW(sys_sigprocmask(SIG_SETMASK, &set, 0));
  SHOW(sys_sigprocmask(SIG_SETMASK, 0, &set));
  /* qemu keeps signals 63 and 64 for itself (they never block there): not printed */
  printf("blocked %lx %lx\n", set.sig[0], set.sig[1] & 0x3fffffff);
  sigemptyset(&set);
  SHOW(sys_sigprocmask(SIG_SETMASK, &set, 0));
  SHOW(atoll_syscall2(SYS_rt_sigpending, &set, 9));
  SHOW(atoll_syscall2(SYS_rt_sigpending, &set, 4));
  SHOW(atoll_syscall2(SYS_rt_sigpending, &set, 0));
  SHOW(sys_sigpending(BAD));
  SHOW(atoll_syscall2(SYS_rt_sigsuspend, &set, 4));
  SHOW(sys_sigsuspend(BAD));
  SHOW(sys_kill(pid, 0));
  SHOW(sys_kill(pid, 65));
  SHOW(sys_kill(pid, -1));
  SHOW(sys_kill(0x7ffffff0, 0));
  SHOW(sys_kill(0x7ffffff0, 65));
  SHOW(sys_kill(-0x7ffffff0, SIGUSR1));
  SHOW(sys_tkill(0, SIGUSR1));
  SHOW(sys_tkill(-5, SIGUSR1));
  SHOW(sys_tkill(tid, 0));
  SHOW(sys_tkill(tid, 65));
  SHOW(sys_tkill(0x7ffffff0, 0));
  SHOW(sys_tgkill(0, tid, SIGUSR1));
  SHOW(sys_tgkill(pid, 0, SIGUSR1));
  SHOW(sys_tgkill(pid, tid, 0));
  SHOW(sys_tgkill(pid, tid, 65));
  SHOW(sys_tgkill(pid + 1, tid, 0));
  SHOW(sys_tgkill(0x7ffffff0, tid, 0));
  SHOW(atoll_syscall2(SYS_rt_sigreturn + 1000, 0, 0) == -ENOSYS);
  return 0;
}
