/* qa_futex_ops: the futex operations a threads library may try besides WAIT and WAKE, on a word nobody
 * waits on, with their Linux results: WAIT_BITSET/WAKE_BITSET (and a zero bitset), REQUEUE, CMP_REQUEUE
 * (value mismatch), WAKE_OP, unknown operations, FUTEX_CLOCK_REALTIME on plain WAIT. (WAIT_REQUEUE_PI
 * is left out: on a word nobody holds it waits forever.) REQUEUE, CMP_REQUEUE and WAKE_OP are not
 * served by atoll (-ENOSYS, docs/qa.md), so this program is checked against its expected output. */
#include <atoll.h>

static long futex6(volatile int *uaddr, int op, int val, long val2, volatile int *uaddr2, int val3) {
  return atoll_syscall6(SYS_futex_time64, (long)uaddr, op, val, val2, (long)uaddr2, val3);
}

int main(void) {
  static volatile int w = 3, w2 = 4;
  struct timespec64 past = {0, 1};
  struct timespec64 soon = {0, 1000};
  printf("WAIT_BITSET abs past: %ld\n", futex6(&w, 9 | 128, 3, (long)&past, 0, -1));
  printf("WAIT_BITSET mismatch: %ld\n", futex6(&w, 9 | 128, 4, (long)&past, 0, -1));
  printf("WAIT_BITSET bitset 0: %ld\n", futex6(&w, 9 | 128, 3, (long)&past, 0, 0));
  printf("WAKE_BITSET: %ld\n", futex6(&w, 10 | 128, 1, 0, 0, -1));
  printf("WAKE_BITSET bitset 0: %ld\n", futex6(&w, 10 | 128, 1, 0, 0, 0));
  printf("REQUEUE: %ld\n", futex6(&w, 3 | 128, 1, 1, &w2, 0));
  printf("CMP_REQUEUE match: %ld\n", futex6(&w, 4 | 128, 1, 1, &w2, 3));
  printf("CMP_REQUEUE mismatch: %ld\n", futex6(&w, 4 | 128, 1, 1, &w2, 9));
  printf("WAKE_OP: %ld w2=%d\n", futex6(&w, 5 | 128, 1, 1, &w2, (1 << 28) | (0 << 24) | (7 << 12) | 0), w2);
  printf("WAIT with CLOCK_REALTIME: %ld\n", futex6(&w, 0 | 128 | 256, 3, (long)&soon, 0, 0));
  printf("op 14: %ld\n", futex6(&w, 14 | 128, 3, 0, 0, 0));
  printf("op 99: %ld\n", futex6(&w, 99, 3, 0, 0, 0));
  printf("WAKE negative count: %ld\n", futex6(&w, 1 | 128, -1, 0, 0, 0));
  return 0;
}
