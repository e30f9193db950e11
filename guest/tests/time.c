/* time: the clocks. CLOCK_MONOTONIC never goes backwards across many reads, nanoseconds stay in
 * [0, 1e9), a sleep of N ns lasts at least N ns on that clock, an unknown clock is -EINVAL, a bad
 * sleep request is -EINVAL, and an absolute sleep to a past time returns at once. Only comparisons are
 * printed, never times. */
#include "atoll.h"

int main(void) {
  struct timespec64 ts;
  printf("monotonic: %ld\n", sys_clock_gettime(CLOCK_MONOTONIC, &ts));
  printf("realtime: %ld\n", sys_clock_gettime(CLOCK_REALTIME, &ts));
  printf("realtime nsec in range: %s\n", ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000 ? "yes" : "no");
  printf("unknown clock 999: %ld\n", sys_clock_gettime(999, &ts));

  int64_t prev = clock_ns(CLOCK_MONOTONIC);
  int backwards = 0, in_range = 1;
  for (int i = 0; i < 10000; i++) {
    sys_clock_gettime(CLOCK_MONOTONIC, &ts);
    if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) in_range = 0;
    int64_t now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
    if (now < prev) backwards++;
    prev = now;
  }
  printf("10000 reads: backwards steps %d, nsec always in range: %s\n", backwards, in_range ? "yes" : "no");

  int64_t before = clock_ns(CLOCK_MONOTONIC);
  long r = sleep_ns(20000000); /* 20 ms */
  int64_t slept = clock_ns(CLOCK_MONOTONIC) - before;
  printf("sleep 20 ms: result %ld, lasted at least 20 ms: %s\n", r, slept >= 20000000 ? "yes" : "no");

  before = clock_ns(CLOCK_MONOTONIC);
  struct timespec64 req = { 0, 1500000 }; /* 1.5 ms */
  struct timespec64 rem = { 99, 99 };
  r = sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
  slept = clock_ns(CLOCK_MONOTONIC) - before;
  printf("sleep 1.5 ms: result %ld, lasted at least 1.5 ms: %s\n", r, slept >= 1500000 ? "yes" : "no");

  struct timespec64 bad = { 0, 1000000000 };
  printf("sleep with tv_nsec = 1e9: %ld\n", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, 0));
  struct timespec64 negative = { -1, 0 };
  printf("sleep with tv_sec = -1: %ld\n", sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &negative, 0));

  sys_clock_gettime(CLOCK_MONOTONIC, &ts);
  struct timespec64 past = { ts.tv_sec > 0 ? ts.tv_sec - 1 : 0, 0 };
  printf("absolute sleep to the past: %ld\n", sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, 0));

  sys_clock_gettime(CLOCK_MONOTONIC, &ts);
  int64_t target = ts.tv_sec * 1000000000LL + ts.tv_nsec + 5000000; /* now + 5 ms */
  struct timespec64 abs = { target / 1000000000LL, target % 1000000000LL };
  r = sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0);
  printf("absolute sleep 5 ms ahead: result %ld, woke at or after the target: %s\n", r,
         clock_ns(CLOCK_MONOTONIC) >= target ? "yes" : "no");
  return 0;
}
