/* thread_sleep: clock_nanosleep blocks only the calling thread. While one thread sleeps 10 ms the first
 * thread keeps running (it sees the sleeper's flag still clear at least once); the sleep lasts at least
 * what was asked. Then SLEEPERS threads sleep 50 ms each at the same time: they overlap, so the whole
 * takes well under SLEEPERS x 50 ms (a kernel that slept the whole process would take at least that). */
#include "atoll.h"

#define SLEEPERS 4
#define NAP_NS (50 * 1000 * 1000LL)

static volatile int woke;

static int short_sleeper(void *arg) {
  (void)arg;
  int64_t t0 = clock_ns(CLOCK_MONOTONIC);
  long r = sleep_ns(10 * 1000 * 1000);
  int64_t slept = clock_ns(CLOCK_MONOTONIC) - t0;
  __atomic_store_n(&woke, 1, __ATOMIC_RELEASE);
  return r == 0 && slept >= 10 * 1000 * 1000;
}

static int napper(void *arg) {
  (void)arg;
  return sleep_ns(NAP_NS) == 0;
}

int main(void) {
  struct thread t;
  int r = thread_create(&t, short_sleeper, 0);
  if (r != 0) {
    printf("thread_create: %d\n", r);
    return 1;
  }
  unsigned spins = 0, seen_clear = 0;
  while (!__atomic_load_n(&woke, __ATOMIC_ACQUIRE)) {
    seen_clear = 1;
    if (++spins % 64 == 0) sys_sched_yield();
  }
  int ok = thread_join(&t);
  printf("sleeping thread: slept at least 10 ms: %s; first thread ran meanwhile: %s\n", ok ? "yes" : "no",
         seen_clear ? "yes" : "no");

  struct thread n[SLEEPERS];
  int64_t t0 = clock_ns(CLOCK_MONOTONIC);
  int started = 0, fine = 0;
  for (int i = 0; i < SLEEPERS; i++) started += thread_create(&n[i], napper, 0) == 0;
  for (int i = 0; i < SLEEPERS; i++) fine += thread_join(&n[i]);
  int64_t elapsed = clock_ns(CLOCK_MONOTONIC) - t0;
  printf("%d threads slept 50 ms each (%d fine); at least 50 ms passed: %s; they overlapped (under %d ms): %s\n",
         started, fine, elapsed >= NAP_NS ? "yes" : "no", SLEEPERS * 50,
         elapsed < SLEEPERS * NAP_NS ? "yes" : "no");
  return 0;
}
