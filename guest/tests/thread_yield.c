/* thread_yield: sched_yield returns 0, from the first thread and from others. Two threads then take
 * strict turns through a shared word, each waiting for its turn with sched_yield only (no futex), so
 * the trace is forced whatever the scheduler does. */
#include "atoll.h"

#define TURNS 10

static volatile int turn;
static char trace[2 * TURNS + 1];
static volatile long child_yield = -1;

static int player(void *arg) {
  int me = (int)(uintptr_t)arg;
  if (me == 1) child_yield = sys_sched_yield();
  for (int i = 0; i < TURNS; i++) {
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != me) sys_sched_yield();
    trace[2 * i + me] = me ? 'B' : 'A';
    __atomic_store_n(&turn, !me, __ATOMIC_RELEASE);
  }
  return 0;
}

int main(void) {
  printf("sched_yield alone: %ld\n", sys_sched_yield());
  long many = 0;
  for (int i = 0; i < 100; i++) many |= sys_sched_yield();
  printf("100 more yields: %ld\n", many);
  struct thread a, b;
  thread_create(&b, player, (void *)1);
  thread_create(&a, player, (void *)0);
  thread_join(&a);
  thread_join(&b);
  printf("sched_yield in another thread: %ld\n", child_yield);
  printf("turns: %s\n", trace);
  return 0;
}
