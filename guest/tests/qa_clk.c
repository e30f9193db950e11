/* qa_clk: Linux's negative clock ids: the caller's process and thread CPU-time clocks (pid 0 or its own
 * pid/tid), invalid "which" values, clock-device ids; clock_gettime64 and clock_nanosleep_time64 on each.
 * A relative sleep on the caller's own process CPU clock is left out: with one thread asleep that clock
 * never advances, so Linux sleeps forever. */
#include <atoll.h>

static int cpu_id(int pid, int perthread, int which) { return (~pid << 3) | (perthread << 2) | which; }

int main(void) {
  struct timespec64 ts, req = {0, 1};
  int pid = (int)sys_getpid();
  /* ids below -8 name pid 1 and up: another process under qemu, atoll's first one here */
  int ids[] = {-1, -2, -3, -4, -5, -6, -7, -8,
               cpu_id(pid, 0, 2), cpu_id(pid, 1, 2), cpu_id(pid, 0, 1), cpu_id(pid, 1, 0), cpu_id(pid, 0, 3),
               2, 3};
  for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    int c = ids[i];
    int own_process_clock = c == 2 || (c < 0 && (c & 7) != 3 && (c & 4) == 0 && (c & 3) != 3 &&
                                       (~(c >> 3) == 0 || ~(c >> 3) == pid));
    long g = sys_clock_gettime(c, &ts);
    printf("%u: get %ld", i, g);
    if (!own_process_clock) printf(" sleep %ld", sys_clock_nanosleep(c, 0, &req, 0));
    /* PROF and VIRT count in scheduler ticks and may still be 0: even 1 ns absolute could wait forever */
    if (!own_process_clock || c == 2 || (c & 3) == 2) printf(" abs %ld", sys_clock_nanosleep(c, TIMER_ABSTIME, &req, 0));
    /* qemu-user copies the timespec in before Linux would refuse a clock device: EFAULT instead of
     * EOPNOTSUPP there (also for CLOCK_THREAD_CPUTIME_ID), so the bad pointer is tried on the other clocks only */
    if (!(c < 0 && (c & 7) == 3) && c != 3) printf(" badreq %ld", sys_clock_nanosleep(c, TIMER_ABSTIME, (void *)8, 0));
    req.tv_nsec = -1;
    printf(" einval %ld\n", sys_clock_nanosleep(c, TIMER_ABSTIME, &req, 0));
    req.tv_nsec = 1;
  }
  /* CPU time does not run backwards */
  struct timespec64 a, b;
  sys_clock_gettime(-2, &a);
  for (volatile int i = 0; i < 100000; i++) {}
  sys_clock_gettime(-2, &b);
  printf("thread clock monotonic: %d\n", b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
  return 0;
}
