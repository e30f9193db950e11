/* thread_exit: exit (93) in a thread ends only that thread: the others go on, its child_tid is cleared,
 * and the process's status is the one main returns, not the thread's. */
#include "atoll.h"

static volatile int after_exit;

static int quitter(void *arg) {
  (void)arg;
  sys_exit(77); /* this thread only */
  after_exit = 1;
  return 0;
}

int main(void) {
  struct thread t;
  thread_create(&t, quitter, 0);
  thread_join(&t);
  printf("thread exited with exit(77); child_tid cleared: %s, code after exit ran: %s\n",
         t.tid == 0 ? "yes" : "no", after_exit ? "yes" : "no");
  struct thread more[3];
  for (int i = 0; i < 3; i++) thread_create(&more[i], quitter, 0);
  for (int i = 0; i < 3; i++) thread_join(&more[i]);
  puts("three more exited; the first thread is still running");
  return 5;
}
