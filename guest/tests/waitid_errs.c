/* waitid_errs: waitid's errors and options as Linux gives them: ECHILD with no child, EINVAL for bad
 * options and id types, WNOHANG with a child still running, WNOWAIT (the child stays waitable), P_PGID,
 * a child killed by a signal (si_code and si_status), and waitpid over waitid. */
#include "atoll.h"

static struct child_info info;

static void show(const char *what, long r) {
  printf("%s: %ld\n", what, r);
}

int main(void) {
  show("no child, P_ALL", sys_waitid(P_ALL, 0, &info, WEXITED, 0));
  show("no child, WNOHANG", sys_waitid(P_ALL, 0, &info, WEXITED | WNOHANG, 0));
  show("options 0", sys_waitid(P_ALL, 0, &info, 0, 0));
  show("unknown option bit", sys_waitid(P_ALL, 0, &info, WEXITED | 0x100, 0));
  show("idtype 7", sys_waitid(7, 0, &info, WEXITED, 0));
  show("P_PID 0", sys_waitid(P_PID, 0, &info, WEXITED, 0));
  show("P_PID -5", sys_waitid(P_PID, -5, &info, WEXITED, 0));
  show("P_PGID -1", sys_waitid(P_PGID, -1, &info, WEXITED, 0));

  long slow = sys_fork();
  if (slow == 0) { sleep_ns(50000000); sys_exit_group(5); }
  memset(&info, 0x55, sizeof info);
  info.si_pid = 0;
  long r = sys_waitid(P_PID, slow, &info, WEXITED | WNOHANG, 0);
  printf("WNOHANG, child running: %ld, si_pid %d\n", r, info.si_pid);
  show("P_PID of a pid that is no child", sys_waitid(P_PID, 0x3ffffff0, &info, WEXITED, 0));
  memset(&info, 0, sizeof info);
  r = sys_waitid(P_PID, slow, &info, WEXITED | WNOWAIT, 0);
  printf("WNOWAIT: %ld code %d status %d\n", r, info.si_code, info.si_status);
  memset(&info, 0, sizeof info);
  r = sys_waitid(P_ALL, 0, &info, WEXITED, 0);
  printf("then reaped: %ld code %d status %d same child %s\n", r, info.si_code, info.si_status, info.si_pid == slow ? "yes" : "no");
  show("now none left", sys_waitid(P_ALL, 0, &info, WEXITED, 0));

  /* A child killed by SIGSEGV. */
  long bad = sys_fork();
  if (bad == 0) { *(volatile int *)8 = 1; sys_exit_group(0); }
  memset(&info, 0, sizeof info);
  r = sys_waitid(P_ALL, 0, &info, WEXITED, 0);
  printf("segv child: %ld signo %d code %d status %d\n", r, info.si_signo, info.si_code, info.si_status);

  /* P_PGID: a child in its own group is found through the group, not through the caller's. */
  long grp = sys_fork();
  if (grp == 0) {
    sys_setpgid(0, 0);
    sleep_ns(20000000);
    sys_exit_group(9);
  }
  sys_setpgid(grp, grp); /* either side may win the race: both set the same group */
  memset(&info, 0, sizeof info);
  r = sys_waitid(P_PGID, grp, &info, WEXITED, 0);
  printf("P_PGID of the child's group: %ld status %d\n", r, info.si_status);

  /* waitpid over waitid. */
  long w = sys_fork();
  if (w == 0) sys_exit_group(42);
  int status = 0;
  long got = waitpid(w, &status, 0);
  printf("waitpid: same pid %s exited %d status %d\n", got == w ? "yes" : "no", WIFEXITED(status), WEXITSTATUS(status));
  w = sys_fork();
  if (w == 0) { __asm__ volatile("unimp"); }
  got = waitpid(-1, &status, 0);
  printf("waitpid, SIGILL child: signaled %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));
  show("waitpid, none", waitpid(-1, &status, 0));
  /* A bad infop faults only when there is something to report. */
  w = sys_fork();
  if (w == 0) sys_exit_group(1);
  show("bad infop", sys_waitid(P_PID, w, (struct child_info *)16, WEXITED, 0));
  show("after the bad infop", sys_waitid(P_ALL, 0, &info, WEXITED | WNOHANG, 0));
  return 0;
}
