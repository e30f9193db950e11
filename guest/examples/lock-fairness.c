/* lock-fairness: THREADS threads compete for a lock until it has been taken TOTAL times, once with the
 * test-and-set (amoswap) spinlock, once with the ticket lock. Both are safe: the shared total is exact
 * (stdout, deterministic). Only the ticket lock is fair: it serves waiters in arrival order, while
 * test-and-set lets whichever thread swaps first win, so the releasing thread often takes the lock right
 * back and others can starve. How often each thread won depends on the interleaving, so those counts,
 * and the spread between the luckiest and unluckiest thread, go to stderr. Argument: TOTAL (default
 * 3000). */
#include "atoll.h"

#define THREADS 3

static spinlock_t tas = SPINLOCK_INIT;
static ticketlock_t ticket = TICKETLOCK_INIT;
static int use_ticket;
static volatile unsigned total;
static unsigned limit = 3000;
static unsigned wins[THREADS];
static volatile int overlap; /* set if two threads were ever inside at once */
static volatile int inside;
static volatile int ready; /* contenders start together once all exist */

static void acquire(void) { if (use_ticket) ticket_lock(&ticket); else spin_lock(&tas); }
static void release(void) { if (use_ticket) ticket_unlock(&ticket); else spin_unlock(&tas); }

static int contender(void *arg) {
  unsigned me = (unsigned)(uintptr_t)arg;
  __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < THREADS) sys_sched_yield();
  for (;;) {
    acquire();
    if (inside++ != 0) overlap = 1;
    int done = total >= limit;
    if (!done) {
      total = total + 1;
      wins[me]++;
    }
    inside--;
    release();
    if (done) return 0;
    for (volatile int w = 0; w < 20; w++) { } /* a little work outside the lock */
  }
}

static void round_of(const char *name) {
  total = 0;
  ready = 0;
  for (int i = 0; i < THREADS; i++) wins[i] = 0;
  struct thread t[THREADS];
  for (int i = 0; i < THREADS; i++) thread_create(&t[i], contender, (void *)(uintptr_t)i);
  for (int i = 0; i < THREADS; i++) thread_join(&t[i]);
  unsigned sum = 0, lo = ~0u, hi = 0;
  eprintf("%s wins:", name);
  for (int i = 0; i < THREADS; i++) {
    sum += wins[i];
    if (wins[i] < lo) lo = wins[i];
    if (wins[i] > hi) hi = wins[i];
    eprintf(" t%d=%u", i, wins[i]);
  }
  eprintf(" (most/least %u/%u)\n", hi, lo);
  printf("%s: total %u of %u, wins add up: %s, exclusive: %s\n", name, total, limit,
         sum == total ? "yes" : "no", overlap ? "no" : "yes");
}

int main(int argc, char **argv) {
  if (argc > 1) {
    limit = 0;
    for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++) limit = limit * 10 + (unsigned)(*s - '0');
  }
  use_ticket = 0;
  round_of("test-and-set");
  use_ticket = 1;
  round_of("ticket");
  return overlap ? 1 : 0;
}
