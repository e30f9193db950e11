/* Raw calls for the cluster programs: POSIX message queues (Linux RV32 numbers), Atoll's spawn and its IPC
 * endpoints (cluster-wide names in a cluster: docs/ssi.md). The numbers
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
static inline long ecall6(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
  register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2, r3 __asm__("a3") = a3;
  register long r4 __asm__("a4") = a4, r5 __asm__("a5") = a5, r7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7) : "memory");
  return r0;
}
#define IPC_NAME4(s) ((unsigned)(unsigned char)(s)[0] | (unsigned)(unsigned char)(s)[1] << 8 | \
                      (unsigned)(unsigned char)(s)[2] << 16 | (unsigned)(unsigned char)(s)[3] << 24)
static inline long ipc_register_(unsigned name) { return ecall6(SYS_ipc_register, name, 0, 0, 0, 0, 0); }
static inline long ipc_lookup_(unsigned name) { return ecall6(SYS_ipc_lookup, name, 0, 0, 0, 0, 0); }
/* timeout_ms: how long a call to an endpoint on another node waits for its reply (0: the default, 5 s). */
static inline long ipc_call_(long ep, const void *req, unsigned long n, void *reply, unsigned long max, unsigned timeout_ms) {
  return ecall6(SYS_ipc_call, ep, (long)req, (long)n, (long)reply, (long)max, (long)timeout_ms);
}
static inline long ipc_recv_(long ep, void *buf, unsigned long max, unsigned *len) { return ecall6(SYS_ipc_recv, ep, (long)buf, (long)max, (long)len, 0, 0); }
static inline long ipc_reply_(long token, const void *buf, unsigned long n) { return ecall6(SYS_ipc_reply, token, (long)buf, (long)n, 0, 0, 0); }
#endif
