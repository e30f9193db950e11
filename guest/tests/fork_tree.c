/* fork_tree: three levels of processes. Each of 4 children forks 3 grandchildren and waits for them, then
 * exits with the sum of their statuses; the parent collects every child with waitid(P_ALL) until ECHILD.
 * Also a fork loop of 40 short-lived children, reaped one by one, and orphans: a child that exits before
 * its own child, which is then reparented (getppid changes; under Linux to init or a subreaper, on Atoll
 * to the node's first process). */
#include "atoll.h"

static int reap_all(int *count) {
  int sum = 0;
  struct child_info info;
  for (;;) {
    long r = sys_waitid(P_ALL, 0, &info, WEXITED, 0);
    if (r == -ECHILD) break;
    if (r < 0) { printf("waitid: %ld\n", r); break; }
    sum += info.si_status;
    (*count)++;
  }
  return sum;
}

int main(void) {
  for (int c = 0; c < 4; c++) {
    long pid = sys_fork();
    if (pid == 0) {
      for (int g = 0; g < 3; g++) {
        long gp = sys_fork();
        if (gp == 0) sys_exit_group(c * 3 + g);
      }
      int n = 0;
      int sum = reap_all(&n);
      sys_exit_group(n == 3 ? sum : 100);
    }
  }
  int n = 0;
  int sum = reap_all(&n);
  printf("children %d, sum of their statuses %d (expected %d)\n", n, sum, 3 * (0 + 1 + 2 + 3) * 3 + 4 * 3);
  int ok = 0;
  for (int i = 0; i < 40; i++) {
    long pid = sys_fork();
    if (pid == 0) sys_exit_group(i & 0xff);
    if (pid < 0) { printf("fork %d failed: %ld\n", i, pid); break; }
    struct child_info info;
    if (sys_waitid(P_PID, pid, &info, WEXITED, 0) == 0 && info.si_status == i && info.si_code == CLD_EXITED) ok++;
  }
  printf("fork loop: %d of 40 reaped with their status\n", ok);
  /* An orphan: the middle process exits at once; the grandchild waits until it has been reparented. */
  long mid = sys_fork();
  if (mid == 0) {
    long mine = sys_getpid();
    long g = sys_fork();
    if (g == 0) {
      int moved = 0;
      for (int i = 0; i < 2000 && !moved; i++) {
        if (sys_getppid() != mine) moved = 1;
        else sleep_ns(1000000);
      }
      printf("orphan: reparented: %s, away from the middle process: %s\n", moved ? "yes" : "no", sys_getppid() != mine ? "yes" : "no");
      sys_exit_group(0);
    }
    sys_exit_group(0);
  }
  struct child_info info;
  sys_waitid(P_PID, mid, &info, WEXITED, 0);
  sleep_ns(300000000); /* the orphan reports first */
  printf("middle process reaped: status %d, was a child: %s\n", info.si_status, info.si_pid == mid ? "yes" : "no");
  return 0;
}
