/* futex-handoff: a producer and a consumer hand ITEMS values through a 4-slot ring guarded by the futex
 * mutex, with "not full" and "not empty" condition variables; then two threads take strict turns
 * (ping, pong) under the same mutex and one condition. Sleeping waiters use FUTEX_WAIT, so nothing spins.
 * Every printed line is the same under any interleaving: the consumer checks the values arrive in order,
 * and the turn-taking is forced by the predicate. Argument: item count (default 2000). */
#include "atoll.h"

#define SLOTS 4
#define TURNS 8

static mutex_t lock = MUTEX_INIT;
static cond_t not_full = COND_INIT, not_empty = COND_INIT;
static unsigned ring[SLOTS];
static unsigned head, tail, count; /* guarded by lock */
static unsigned items = 2000;

static int producer(void *arg) {
  (void)arg;
  for (unsigned i = 1; i <= items; i++) {
    mutex_lock(&lock);
    while (count == SLOTS) cond_wait(&not_full, &lock);
    ring[tail] = i * 2654435761u; /* value i, scrambled so the checksum depends on every item */
    tail = (tail + 1) % SLOTS;
    count++;
    cond_signal(&not_empty);
    mutex_unlock(&lock);
  }
  return 0;
}

static unsigned out_of_order;

static int consumer(void *arg) {
  (void)arg;
  uint32_t checksum = 0;
  for (unsigned i = 1; i <= items; i++) {
    mutex_lock(&lock);
    while (count == 0) cond_wait(&not_empty, &lock);
    unsigned v = ring[head];
    head = (head + 1) % SLOTS;
    count--;
    cond_signal(&not_full);
    mutex_unlock(&lock);
    if (v != i * 2654435761u) out_of_order++;
    checksum = (checksum << 5 | checksum >> 27) ^ v;
  }
  return (int)checksum;
}

static cond_t turn_changed = COND_INIT;
static int turn; /* 0: ping's turn, 1: pong's; guarded by lock */
static char trace[2 * TURNS + 1];
static unsigned trace_len;

static int player(void *arg) {
  int me = (int)(uintptr_t)arg;
  for (int i = 0; i < TURNS; i++) {
    mutex_lock(&lock);
    while (turn != me) cond_wait(&turn_changed, &lock);
    trace[trace_len++] = me ? 'o' : 'i';
    turn = !me;
    cond_broadcast(&turn_changed);
    mutex_unlock(&lock);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) {
    items = 0;
    for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++) items = items * 10 + (unsigned)(*s - '0');
  }
  struct thread p, c;
  if (thread_create(&c, consumer, 0) != 0 || thread_create(&p, producer, 0) != 0) {
    puts("thread_create failed");
    return 1;
  }
  thread_join(&p);
  uint32_t checksum = (uint32_t)thread_join(&c);
  printf("handed over %u items through %d slots, %u out of order, checksum %08x\n", items, SLOTS,
         out_of_order, checksum);

  struct thread a, b;
  if (thread_create(&b, player, (void *)1) != 0 || thread_create(&a, player, (void *)0) != 0) {
    puts("thread_create failed");
    return 1;
  }
  thread_join(&a);
  thread_join(&b);
  printf("turns: %s\n", trace);
  printf("mutex state after all threads: %d\n", lock.state);
  return out_of_order == 0 ? 0 : 1;
}
