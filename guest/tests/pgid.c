/* pgid: process groups and sessions: getpgid, setpgid, getsid, setsid with Linux's errors. */
#include "atoll.h"

static void show(const char *what, long r) { printf("%s: %ld\n", what, r); }
static const char *yn(int b) { return b ? "yes" : "no"; }

int main(void) {
  long me = sys_getpid();
  long pg = sys_getpgid(0), sid = sys_getsid(0);
  printf("getpgid(0) == getpgid(me): %s\n", yn(pg == sys_getpgid(me)));
  printf("getsid(0) == getsid(me): %s\n", yn(sid == sys_getsid(me)));
  printf("I lead my group: %s, my session: %s\n", yn(pg == me), yn(sid == me));
  show("getpgid of no process", sys_getpgid(0x3ffffff0));
  show("getsid of no process", sys_getsid(0x3ffffff0));
  show("setpgid(0, -1)", sys_setpgid(0, -1));
  show("setpgid of no process", sys_setpgid(0x3ffffff0, 0));

  long child = sys_fork();
  if (child == 0) {
    long c = sys_getpid();
    printf("child: same group and session as the parent: %s %s\n", yn(sys_getpgid(0) == pg), yn(sys_getsid(0) == sid));
    show("child: setpgid into a group that does not exist", sys_setpgid(0, 0x3ffffff0) == -EPERM ? -EPERM : 0);
    long s = sys_setsid();
    printf("child: setsid returns my pid: %s\n", yn(s == c));
    printf("child: now leads group and session: %s %s\n", yn(sys_getpgid(0) == c), yn(sys_getsid(0) == c));
    show("child: setsid again", sys_setsid());
    show("child: setpgid as a session leader", sys_setpgid(0, 0));
    sys_exit_group(0);
  }
  struct child_info info;
  sys_waitid(P_PID, child, &info, WEXITED, 0);

  long c2 = sys_fork();
  if (c2 == 0) { sleep_ns(30000000); sys_exit_group(0); }
  show("parent: setpgid(child, 0)", sys_setpgid(c2, 0));
  printf("parent: child leads its new group: %s\n", yn(sys_getpgid(c2) == c2));
  printf("parent: child's session is mine: %s\n", yn(sys_getsid(c2) == sid));
  show("parent: setpgid(child, its own group)", sys_setpgid(c2, c2));
  sys_waitid(P_PID, c2, &info, WEXITED, 0);
  show("parent: setpgid of the reaped child", sys_setpgid(c2, 0));

  long s = sys_setsid();
  printf("parent: setsid succeeds (not a group leader): %s\n", yn(s == me));
  printf("parent: now leads: %s %s\n", yn(sys_getpgid(0) == me), yn(sys_getsid(0) == me));
  show("parent: setsid again", sys_setsid());
  return 0;
}
