/* A process with a large address space that keeps writing to it at a set rate, for the migration benchmark
 * (bench/migration.ts): it maps PAGES pages and writes a word into each (so every page holds data a move must
 * carry), then for MS milliseconds of its monotonic clock dirties RATE pages per millisecond, round robin over
 * the heap, and ends with a sum over one word of every page (the same wherever it ran).
 *   dirty_heap [pages] [rate] [ms]      (defaults 16384 pages = 64 MiB, 10 pages per ms, 2000 ms) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long mono_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long pages = argc > 1 ? atol(argv[1]) : 16384;
  long rate = argc > 2 ? atol(argv[2]) : 10;
  long ms = argc > 3 ? atol(argv[3]) : 2000;
  unsigned *heap = malloc((size_t)pages * 4096);
  if (heap == NULL) { printf("dirty_heap: no memory for %ld pages\n", pages); return 1; }
  for (long p = 0; p < pages; p++) heap[p * 1024] = (unsigned)p * 2654435761u;
  printf("dirty_heap: %ld pages filled\n", pages);
  fflush(stdout);
  long next = 0, writes = 0;
  long long start = mono_ns(), last = start;
  for (long tick = 0; tick < ms; tick++) {
    for (long i = 0; i < rate; i++) {
      heap[next * 1024 + (tick & 1023)] += 1;
      next = next + 1 == pages ? 0 : next + 1;
      writes++;
    }
    struct timespec nap = { 0, 1000000 };
    nanosleep(&nap, NULL);
    long long now = mono_ns();
    if (now < last) { printf("dirty_heap: CLOCK_MONOTONIC went back\n"); return 1; }
    last = now;
  }
  unsigned sum = 0;
  for (long p = 0; p < pages; p++) for (long w = 0; w < 1024; w++) sum += heap[p * 1024 + w];
  printf("dirty_heap: %ld writes, sum %08x\n", writes, sum);
  return 0;
}
