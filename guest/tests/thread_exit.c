/* thread_exit: exit (93) in a thread ends only that thread: the others go on, its child_tid is cleared,
 * and the process's status is the one main returns, not the thread's. */
#include "atoll.h"

static volatile int after_exit;
static volatile int ran;

static int quitter(void *arg) {
  (void)arg;
  __atomic_fetch_add(&ran, 1, __ATOMIC_SEQ_CST);
  sys_exit(77); /* this thread only */
  after_exit = 1;
  return 0;
}

int main(void) {
  struct thread t;
  printf("thread_create: %d\n", thread_create(&t, quitter, 0));
  thread_join(&t);
  printf("thread ran and exited with exit(77); ran: %d, child_tid cleared: %s, code after exit ran: %s\n",
         ran, t.tid == 0 ? "yes" : "no", after_exit ? "yes" : "no");
  struct thread more[3];
  int made = 0;
  for (int i = 0; i < 3; i++) made += thread_create(&more[i], quitter, 0) == 0;
  for (int i = 0; i < 3; i++) thread_join(&more[i]);
  printf("%d more ran and exited (ran: %d); the first thread is still running\n", made, ran);
  return 5;
}
