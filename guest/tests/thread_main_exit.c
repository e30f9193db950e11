/* thread_main_exit: the first thread registers a clear-tid word with set_tid_address and leaves with
 * exit (93), not exit_group. The process lives on: the second thread sees the kernel clear that word
 * (waiting for it with FUTEX_WAIT), prints, and ends the process with exit(0) as the last thread. */
#include "atoll.h"

static volatile int main_alive;
static volatile int started;

static int survivor(void *arg) {
  (void)arg;
  __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
  for (;;) {
    int v = main_alive;
    if (v == 0) break;
    sys_futex(&main_alive, FUTEX_WAIT, v, 0); /* shared: the kernel's clear-tid wake is shared */
  }
  puts("second thread: the first thread's tid word was cleared; the process is still alive");
  sys_exit(0);
}

int main(void) {
  main_alive = (int)sys_gettid();
  long r = sys_set_tid_address((int *)&main_alive);
  printf("set_tid_address returned the tid: %s\n", r == main_alive ? "yes" : "no");
  static struct thread t; /* static: main's stack frame is gone once it exits */
  int c = thread_create(&t, survivor, 0);
  if (c != 0) {
    printf("thread_create failed: %d\n", c);
    return 1;
  }
  while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST)) sys_sched_yield();
  puts("first thread: leaving with exit(0)");
  sys_exit(0);
}
