/* thread_clone_flags: clone refuses flag sets that do not make a thread the way the threads library
 * does, with -EINVAL and no child: CLONE_THREAD without CLONE_SIGHAND, CLONE_SIGHAND without CLONE_VM,
 * and the thread flag set plus CLONE_VFORK. (A plain fork or CLONE_VM alone are left out: Linux allows
 * them; atoll does not implement them.) */
#include "atoll.h"

static char stack[4096] __attribute__((aligned(16)));
static volatile int child_ran;

static int child(void *arg) {
  (void)arg;
  child_ran = 1;
  return 0;
}

static void try(const char *name, unsigned long flags) {
  long r = atoll_clone(flags, stack + sizeof stack, 0, 0, 0, child, 0);
  printf("%s: %ld\n", name, r);
}

int main(void) {
  try("CLONE_THREAD without CLONE_SIGHAND", CLONE_VM | CLONE_THREAD);
  try("CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND);
  try("thread flags + CLONE_VFORK", CLONE_THREAD_FLAGS | CLONE_VFORK);
  try("CLONE_THREAD alone", CLONE_THREAD);
  for (int i = 0; i < 100; i++) sys_sched_yield();
  printf("no child ran: %s\n", child_ran ? "no" : "yes");
  return 0;
}
