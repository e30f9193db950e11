/* clone_fork_flags: clone's flag sets for a new process, as Linux (and qemu-user) take them: a fork is
 * clone without CLONE_VM with SIGCHLD in the low byte (here with a new stack, on which the child runs fn
 * and exits); another exit signal, CLONE_VM without the thread flags or CLONE_VFORK, and thread-only flags
 * without CLONE_VM are -EINVAL, and no child runs for them. */
#include "atoll.h"

static char stack[4096] __attribute__((aligned(16)));
static volatile int child_ran;

static int child(void *arg) {
  child_ran = 1;
  return (int)(long)arg;
}

static void try(const char *name, unsigned long flags) {
  printf("%s: %ld\n", name, atoll_clone(flags, stack + sizeof stack, 0, 0, 0, child, 0));
}

int main(void) {
  long pid = atoll_clone(SIGCHLD, stack + sizeof stack, 0, 0, 0, child, (void *)23);
  printf("fork-like clone (SIGCHLD) made a child: %s\n", pid > 0 ? "yes" : "no");
  struct child_info info;
  long r = sys_waitid(P_PID, pid, &info, WEXITED, 0);
  printf("its status: %ld %d; its write reached the parent: %s\n", r, info.si_status, child_ran ? "yes" : "no");
  try("CLONE_VM | SIGCHLD", CLONE_VM | SIGCHLD);
  try("exit signal 0", 0);
  try("exit signal 10", 10);
  try("CLONE_FS | SIGCHLD", CLONE_FS | SIGCHLD);
  try("CLONE_SIGHAND | SIGCHLD", CLONE_SIGHAND | SIGCHLD);
  printf("no other child: %s\n", sys_waitid(P_ALL, 0, &info, WEXITED | WNOHANG, 0) == -ECHILD ? "yes" : "no");
  return 0;
}
