/* thread_exit_group: exit_group (94) from a thread ends the whole process at once, the first thread
 * included (it is blocked in FUTEX_WAIT on a word nobody will wake), with that thread's status. */
#include "atoll.h"

static volatile int never;

static int ender(void *arg) {
  (void)arg;
  puts("second thread: calling exit_group(9)");
  sys_exit_group(9);
}

int main(void) {
  struct thread t;
  puts("first thread: starting a thread, then waiting forever");
  int r = thread_create(&t, ender, 0);
  if (r != 0) {
    printf("thread_create failed: %d\n", r);
    return 1;
  }
  for (;;) futex_wait(&never, 0, -1);
}
