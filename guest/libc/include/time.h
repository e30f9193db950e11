/* <time.h> of Atoll's C library: picolibc's, with Linux's clock ids and TIMER_ABSTIME (linux/time.h),
 * which the port passes to clock_gettime64 and clock_nanosleep_time64 unchanged, and the POSIX clock
 * calls declared. picolibc numbers its clocks differently and leaves CLOCK_MONOTONIC out. */
#ifndef _ATOLLC_TIME_H
#define _ATOLLC_TIME_H
#include_next <time.h>
#undef CLOCK_REALTIME
#undef CLOCK_MONOTONIC
#undef CLOCK_PROCESS_CPUTIME_ID
#undef CLOCK_THREAD_CPUTIME_ID
#undef CLOCK_MONOTONIC_RAW
#undef CLOCK_REALTIME_COARSE
#undef CLOCK_MONOTONIC_COARSE
#undef CLOCK_BOOTTIME
#undef TIMER_ABSTIME
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

/* The POSIX clock calls (picolibc declares them only for RTEMS and Cygwin). */
#ifdef __cplusplus
extern "C" {
#endif
int clock_gettime(clockid_t, struct timespec *);
int clock_getres(clockid_t, struct timespec *);
int nanosleep(const struct timespec *, struct timespec *);
int clock_nanosleep(clockid_t, int, const struct timespec *, struct timespec *);
#ifdef __cplusplus
}
#endif
#endif
