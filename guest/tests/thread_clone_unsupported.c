/* thread_clone_unsupported: flag sets Linux accepts but Atoll does not implement: a fork (SIGCHLD only,
 * no CLONE_VM) and CLONE_VM without the rest of the thread set (a vfork-style shared-memory child).
 * Atoll refuses both with -EINVAL and no child runs. qemu-riscv32 forks for the first, so this guest is
 * checked against its expected output (tests/expected/) rather than against qemu. */
#include "atoll.h"

#define SIGCHLD 17

static char stack[4096] __attribute__((aligned(16)));
static volatile int child_ran;

static int child(void *arg) {
  (void)arg;
  child_ran = 1;
  return 0;
}

int main(void) {
  printf("fork-like clone (SIGCHLD): %ld\n", atoll_clone(SIGCHLD, stack + sizeof stack, 0, 0, 0, child, 0));
  printf("CLONE_VM | SIGCHLD: %ld\n", atoll_clone(CLONE_VM | SIGCHLD, stack + sizeof stack, 0, 0, 0, child, 0));
  for (int i = 0; i < 100; i++) sys_sched_yield();
  printf("no child ran: %s\n", child_ran ? "no" : "yes");
  return 0;
}
