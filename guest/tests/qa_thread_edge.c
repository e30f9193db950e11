/* qa_thread_edge: how a threaded process ends and how many threads it can churn through, chosen by
 * argv[1]: 'g' a thread calls exit_group(77) while the main thread sleeps in FUTEX_WAIT with no timeout;
 * 'm' the main thread calls exit(3) (only itself) and the last worker exit(9)s after printing;
 * 'w' 4 waves of 40 threads each (more than the 128-thread table in total), all joined;
 * 't' a FUTEX_WAIT timeout while another thread spins, then a wake that finds the waiter gone;
 * 'f' a thread faults while the main thread waits to join it. */
#include <atoll.h>

static volatile int never;
static int grouper(void *arg) { (void)arg; puts("thread: exit_group(77)"); sys_exit_group(77); }
static int late(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) { sleep_ns(1000000); printf("worker still here %d\n", i); }
  sys_exit(9);
}
static volatile int hits;
static int tiny(void *arg) { __atomic_fetch_add(&hits, (int)(intptr_t)arg, __ATOMIC_SEQ_CST); return (int)(intptr_t)arg; }
static int faulter(void *arg) { puts("thread: faulting"); return *(volatile int *)arg; }
static volatile int spin_stop;
static int spinner(void *arg) { (void)arg; while (!spin_stop) {} return 1; }

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  static struct thread t[40];
  switch (argv[1][0]) {
    case 'g':
      thread_create(&t[0], grouper, 0);
      sys_futex(&never, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, 0);
      puts("main woke: wrong");
      return 1;
    case 'm':
      thread_create(&t[0], late, 0);
      puts("main: exit(3)");
      sys_exit(3);
    case 'w': {
      long sum = 0;
      for (int wave = 0; wave < 4; wave++) {
        for (int i = 0; i < 40; i++)
          if (thread_create(&t[i], tiny, (void *)(intptr_t)(i + 1)) != 0) { printf("wave %d thread %d failed\n", wave, i); return 1; }
        for (int i = 0; i < 40; i++) sum += thread_join(&t[i]);
      }
      printf("sum %ld hits %d\n", sum, hits);
      return 0;
    }
    case 'f': /* a fault in a thread kills the whole process, main included */
      thread_create(&t[0], faulter, 0);
      thread_join(&t[0]);
      puts("main after join: wrong");
      return 1;
    case 't': {
      thread_create(&t[0], spinner, 0);
      volatile int word = 1;
      struct timespec64 ts = {0, 2000000};
      long r = sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 1, &ts);
      printf("timed out: %ld\n", r);
      printf("wake after: %ld\n", sys_futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, 0));
      spin_stop = 1;
      printf("joined %d\n", thread_join(&t[0]));
      return 0;
    }
  }
  return 2;
}
