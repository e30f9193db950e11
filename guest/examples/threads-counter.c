/* threads-counter: THREADS threads each add 1 to a shared counter ROUNDS times, every increment a plain
 * load-add-store inside an amoswap spinlock. Without the lock increments would be lost whenever two
 * harts (or a preemption) interleave; with it the total is exact. Argument: rounds per thread
 * (default 20000). Output is deterministic. */
#include "atoll.h"

#define THREADS 4

static spinlock_t lock = SPINLOCK_INIT;
static volatile unsigned counter;
static volatile unsigned last_writer_check; /* each holder stamps its index; must read back unchanged */
static unsigned rounds = 20000;
static volatile int violations;

static int worker(void *arg) {
  unsigned me = (unsigned)(uintptr_t)arg;
  unsigned mine = 0;
  for (unsigned i = 0; i < rounds; i++) {
    spin_lock(&lock);
    last_writer_check = me;
    unsigned v = counter;
    counter = v + 1;
    if (last_writer_check != me) violations++;
    spin_unlock(&lock);
    mine++;
  }
  return (int)mine;
}

static unsigned parse(const char *s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0');
  return v;
}

int main(int argc, char **argv) {
  if (argc > 1) rounds = parse(argv[1]);
  struct thread t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    int r = thread_create(&t[i], worker, (void *)(uintptr_t)i);
    if (r != 0) {
      printf("thread_create failed: %d\n", r);
      return 1;
    }
  }
  unsigned sum = 0;
  for (int i = 0; i < THREADS; i++) {
    int done = thread_join(&t[i]);
    printf("thread %d did %d increments\n", i, done);
    sum += (unsigned)done;
  }
  printf("counter = %u (expected %u): %s\n", counter, THREADS * rounds,
         counter == THREADS * rounds && sum == counter ? "exact" : "LOST UPDATES");
  printf("mutual exclusion violations: %d\n", violations);
  return counter == THREADS * rounds && violations == 0 ? 0 : 1;
}
