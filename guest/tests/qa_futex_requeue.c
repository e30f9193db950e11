/* qa_futex_requeue: three threads wait on word A; FUTEX_CMP_REQUEUE wakes one and moves the others to
 * word B, where a FUTEX_WAKE reaches them; then FUTEX_WAKE_OP wakes a waiter on A and, its comparison
 * passing, one on B. Waiters that had not blocked yet are caught by retrying, so only the outcome is
 * printed: every thread woke exactly once and the words hold what the operations left. */
#include <atoll.h>

#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
static volatile int A, B, ready, woke;
static long futex6(volatile int *u, int op, int val, long val2, volatile int *u2, int val3) {
  return atoll_syscall6(SYS_futex_time64, (long)u, op, val, val2, (long)u2, val3);
}
static int waiter(void *arg) {
  volatile int *w = arg;
  __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
  futex6(w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0);
  __atomic_fetch_add(&woke, 1, __ATOMIC_SEQ_CST);
  return 0;
}

int main(void) {
  struct thread t[5];
  for (int i = 0; i < 3; i++) thread_create(&t[i], waiter, (void *)&A);
  while (ready < 3) sys_sched_yield();
  sleep_ns(20000000);
  long r = futex6(&A, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 2, &B, 1);
  printf("cmp_requeue with a stale value: %ld\n", r);
  int rounds = 0;
  while (woke < 3 && rounds < 1000) {
    futex6(&A, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 2, &B, 0);
    sleep_ns(1000000);
    futex6(&B, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, 0, 0, 0);
    sleep_ns(1000000);
    rounds++;
  }
  for (int i = 0; i < 3; i++) thread_join(&t[i]);
  printf("requeue: %d woke\n", woke);
  ready = 0; woke = 0;
  thread_create(&t[3], waiter, (void *)&A);
  thread_create(&t[4], waiter, (void *)&B);
  while (ready < 2) sys_sched_yield();
  sleep_ns(20000000);
  /* B += 5, wake 1 on A; wake 1 on B if the old B was 0 (it was) */
  int op = (1 << 28) | (0 << 24) | (5 << 12) | 0;
  long n = futex6(&A, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, &B, op);
  while (woke < 2) { futex6(&A, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0); futex6(&B, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0); sleep_ns(1000000); }
  thread_join(&t[3]); thread_join(&t[4]);
  printf("wake_op: %d woke, first call woke at most 2: %d, B = %d\n", woke, n >= 0 && n <= 2, B);
  return 0;
}
