/* thread_futex: futex_time64 semantics. FUTEX_WAIT returns -EAGAIN at once when the word differs from
 * the expected value, -ETIMEDOUT after (at least) its relative timeout, -EINVAL for a bad timespec or an
 * unaligned word; FUTEX_WAKE returns how many it woke (0 with no waiters); an unmapped word or timeout pointer gives
 * -EFAULT. A waiter blocked in
 * FUTEX_WAIT is woken by another thread's FUTEX_WAKE, for private and for shared futexes; wake of N
 * with more waiters wakes exactly N. */
#include "atoll.h"

#define WAITERS 4

static volatile int word;
static volatile int parked;   /* waiters that announced they are about to wait */
static volatile int released; /* waiters that returned from the wait with 0 */
static volatile int other;    /* a word nobody waits on */

static int waiter(void *arg) {
  int op = (int)(uintptr_t)arg;
  __atomic_fetch_add(&parked, 1, __ATOMIC_SEQ_CST);
  for (;;) {
    long r = sys_futex(&word, op, 0, 0);
    if (word != 0) break; /* the waker set word before waking */
    (void)r;              /* woken spuriously or -EAGAIN raced: wait again while word is 0 */
  }
  __atomic_fetch_add(&released, 1, __ATOMIC_SEQ_CST);
  return 0;
}

/* A thread that cannot be created ends the program at once rather than leaving others waiting for it. */
static void start(struct thread *t, int op) {
  int r = thread_create(t, waiter, (void *)(uintptr_t)op);
  if (r != 0) {
    printf("thread_create failed: %d\n", r);
    sys_exit_group(1);
  }
}

static void wait_until(volatile int *p, int value) {
  while (__atomic_load_n(p, __ATOMIC_SEQ_CST) < value) sys_sched_yield();
}

/* Wake waiters until `want` of them have returned; the wakes that found a waiter add up to want. */
static long wake_all_of(int op, int want) {
  long woken = 0;
  op = (op & FUTEX_PRIVATE_FLAG) | FUTEX_WAKE;
  while (__atomic_load_n(&released, __ATOMIC_SEQ_CST) < want) {
    long r = sys_futex(&word, op, 1, 0);
    if (r < 0) return r;
    woken += r;
    sys_sched_yield();
  }
  return woken;
}

static void round_trip(const char *name, int op) {
  word = 0;
  parked = 0;
  released = 0;
  struct thread t[WAITERS];
  for (int i = 0; i < WAITERS; i++) start(&t[i], op);
  wait_until(&parked, WAITERS);
  word = 1;
  long woken = wake_all_of(op, WAITERS);
  for (int i = 0; i < WAITERS; i++) thread_join(&t[i]);
  printf("%s: %d waiters released, wake counts add up to at most that: %s\n", name, released,
         woken >= 0 && woken <= WAITERS ? "yes" : "no");
}

int main(void) {
  const int priv = FUTEX_WAIT | FUTEX_PRIVATE_FLAG;
  other = 5;
  printf("wait on a mismatched value: %ld (-EAGAIN is %d)\n", sys_futex(&other, priv, 4, 0), -EAGAIN);
  printf("shared wait on a mismatched value: %ld\n", sys_futex(&other, FUTEX_WAIT, 4, 0));
  printf("wake with no waiters: %ld\n", sys_futex(&other, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0));

  struct timespec64 ts = { 0, 20 * 1000 * 1000 }; /* 20 ms */
  int64_t t0 = clock_ns(CLOCK_MONOTONIC);
  long r = sys_futex(&other, priv, 5, &ts);
  int64_t elapsed = clock_ns(CLOCK_MONOTONIC) - t0;
  printf("wait with a 20 ms timeout: %ld (-ETIMEDOUT is %d), lasted at least 20 ms: %s\n", r, -ETIMEDOUT,
         elapsed >= 20 * 1000 * 1000 ? "yes" : "no");
  struct timespec64 zero = { 0, 0 };
  printf("wait with a zero timeout: %ld\n", sys_futex(&other, priv, 5, &zero));
  struct timespec64 bad = { 0, 1000000000 };
  printf("wait with tv_nsec = 1e9: %ld\n", sys_futex(&other, priv, 5, &bad));
  struct timespec64 negative = { -1, 0 };
  printf("wait with a negative tv_sec: %ld\n", sys_futex(&other, priv, 5, &negative));
  printf("wait on an unaligned word: %ld\n", sys_futex((volatile int *)((uintptr_t)&other + 1), priv, 5, &ts));
  printf("wait on an unmapped word: %ld\n", sys_futex((volatile int *)0x00100000u, priv, 0, &ts));
  printf("shared wait on an unmapped word: %ld\n", sys_futex((volatile int *)0x00100000u, FUTEX_WAIT, 0, &ts));
  printf("wait with an unmapped timeout pointer: %ld\n",
         sys_futex(&other, priv, 5, (const struct timespec64 *)0x00100000u));

  round_trip("private wait/wake", priv);
  round_trip("shared wait/wake", FUTEX_WAIT);

  /* wake exactly 1 of several waiters: the count returned is 1 while others still wait */
  word = 0;
  parked = 0;
  released = 0;
  struct thread t[WAITERS];
  for (int i = 0; i < WAITERS; i++) start(&t[i], priv);
  wait_until(&parked, WAITERS);
  word = 1;
  long one;
  do { /* a waiter that announced itself may not be asleep yet: retry until a wake finds one */
    one = sys_futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0);
    if (one == 0) sys_sched_yield();
  } while (one == 0);
  printf("wake 1 of %d waiters returned: %ld\n", WAITERS, one);
  wake_all_of(FUTEX_WAKE | FUTEX_PRIVATE_FLAG, WAITERS);
  for (int i = 0; i < WAITERS; i++) thread_join(&t[i]);
  printf("all released: %d\n", released);
  return 0;
}
