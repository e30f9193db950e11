/* preempt: THREADS CPU-bound threads that never yield and never make a blocking call until they are
 * done. Each first announces itself and then busy-waits, without a system call, until all THREADS have
 * announced: on a single hart that can only finish if the timer preempts the spinner so the others get
 * to run. Then each computes a checksum over WORK iterations (a xorshift walk), again without yielding.
 * Run it as several processes (`atoll run preempt.elf preempt.elf`) for processes' worth of work.
 * The output (the checksums, and that all met) is deterministic. Argument: WORK (default 200000). */
#include "atoll.h"

#define THREADS 4

static volatile int arrived;
static unsigned work = 200000;

static uint32_t crunch(uint32_t seed) {
  uint32_t x = seed * 2654435761u + 1;
  uint32_t sum = 0;
  for (unsigned i = 0; i < work; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    sum += x ^ i;
  }
  return sum;
}

static int spinner(void *arg) {
  unsigned me = (unsigned)(uintptr_t)arg;
  __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < THREADS) { } /* no yield: only preemption helps */
  return (int)crunch(me + 1);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    work = 0;
    for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++) work = work * 10 + (unsigned)(*s - '0');
  }
  struct thread t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    if (thread_create(&t[i], spinner, (void *)(uintptr_t)i) != 0) {
      puts("thread_create failed");
      return 1;
    }
  }
  uint32_t all = 0;
  for (int i = 0; i < THREADS; i++) {
    uint32_t sum = (uint32_t)thread_join(&t[i]);
    printf("thread %d: %u iterations, checksum %08x\n", i, work, sum);
    all ^= sum;
  }
  printf("all %d threads met at the spin barrier; combined checksum %08x\n", arrived, all);
  return 0;
}
