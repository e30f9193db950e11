/* Small conveniences over the raw system calls: clocks in nanoseconds, sleeping, sbrk. The only state
 * is sbrk's cached break. */
#include "atoll.h"

int64_t clock_ns(int clock) {
  struct timespec64 ts;
  if (sys_clock_gettime(clock, &ts) != 0) return 0;
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long sleep_ns(int64_t ns) {
  struct timespec64 req = { ns / 1000000000LL, ns % 1000000000LL };
  return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0);
}

static uintptr_t current_break;

void *sbrk(intptr_t increment) {
  if (current_break == 0) current_break = sys_brk(0);
  uintptr_t old = current_break;
  if (increment == 0) return (void *)old;
  uintptr_t want = old + (uintptr_t)increment;
  if (increment > 0 && want < old) return (void *)-1; /* wrapped around */
  uintptr_t got = sys_brk(want);
  if (got != want) return (void *)-1;
  current_break = got;
  return (void *)old;
}
