/* Raw calls for the cluster programs: POSIX message queues (Linux RV32 numbers) and Atoll's spawn. The numbers
 * come from atoll_abi.h, generated from abi/defs.mjs. Each returns the result or -errno. */
#ifndef RAW_CALLS_H
#define RAW_CALLS_H
#include "../include/atoll_abi.h"

struct mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, mq_reserved_[4]; };
struct timespec64_ { long long tv_sec; long long tv_nsec; };

static inline long mq_ecall(long n, long a0, long a1, long a2, long a3, long a4) {
  register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2, r3 __asm__("a3") = a3;
  register long r4 __asm__("a4") = a4, r7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r7) : "memory");
  return r0;
}
/* name starts with '/': the kernel gets name + 1, as glibc passes it. */
static inline long mq_open_(const char *name, int oflag, int mode, const struct mq_attr *a) { return mq_ecall(SYS_mq_open, (long)(name + 1), oflag, mode, (long)a, 0); }
static inline long mq_unlink_(const char *name) { return mq_ecall(SYS_mq_unlink, (long)(name + 1), 0, 0, 0, 0); }
static inline long mq_send_(int q, const void *m, unsigned long n, unsigned prio) { return mq_ecall(SYS_mq_timedsend_time64, q, (long)m, (long)n, prio, 0); }
static inline long mq_receive_(int q, void *b, unsigned long n, unsigned *prio, const struct timespec64_ *t) { return mq_ecall(SYS_mq_timedreceive_time64, q, (long)b, (long)n, (long)prio, (long)t); }
/* Atoll's spawn: start path with argv and envp on node ("n2"; NULL: where the placement policy says) as a
 * child of the caller: its pid, or -errno. */
static inline long atoll_spawn(const char *node, const char *path, char *const argv[], char *const envp[]) {
  return mq_ecall(SYS_spawn, (long)node, (long)path, (long)argv, (long)envp, 0);
}
#endif
