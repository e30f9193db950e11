/* The port's view of the Linux RV32 system call interface: the raw ecall (number in a7, arguments in
 * a0..a5, result in a0, -errno on failure), the call numbers and the kernel structures it fills.
 * Numbers come from guest/include/atoll_abi.h (generated from abi/defs.mjs) where it has them; the
 * others below are Linux's values (asm-generic/unistd.h, linux/stat.h, linux/wait.h), used only until
 * atoll_abi.h carries them (each is defined only if that header has not). Internal to the port. */
#ifndef ATOLLC_LINUX_H
#define ATOLLC_LINUX_H

#include <stdint.h>
#include "atoll_abi.h"

/* ---- Linux's system call numbers (asm-generic/unistd.h, RV32) not (yet) in atoll_abi.h ---- */
#ifndef SYS_getcwd
#define SYS_getcwd 17
#endif
#ifndef SYS_dup
#define SYS_dup 23
#endif
#ifndef SYS_dup3
#define SYS_dup3 24
#endif
#ifndef SYS_fcntl64
#define SYS_fcntl64 25
#endif
#ifndef SYS_ioctl
#define SYS_ioctl 29
#endif
#ifndef SYS_mkdirat
#define SYS_mkdirat 34
#endif
#ifndef SYS_unlinkat
#define SYS_unlinkat 35
#endif
#ifndef SYS_ftruncate64
#define SYS_ftruncate64 46
#endif
#ifndef SYS_faccessat
#define SYS_faccessat 48
#endif
#ifndef SYS_chdir
#define SYS_chdir 49
#endif
#ifndef SYS_openat
#define SYS_openat 56
#endif
#ifndef SYS_close
#define SYS_close 57
#endif
#ifndef SYS_pipe2
#define SYS_pipe2 59
#endif
#ifndef SYS_getdents64
#define SYS_getdents64 61
#endif
#ifndef SYS_llseek
#define SYS_llseek 62
#endif
#ifndef SYS_read
#define SYS_read 63
#endif
#ifndef SYS_fsync
#define SYS_fsync 82
#endif
#ifndef SYS_waitid
#define SYS_waitid 95
#endif
#ifndef SYS_kill
#define SYS_kill 129
#endif
#ifndef SYS_tgkill
#define SYS_tgkill 131
#endif
#ifndef SYS_rt_sigsuspend
#define SYS_rt_sigsuspend 133
#endif
#ifndef SYS_rt_sigaction
#define SYS_rt_sigaction 134
#endif
#ifndef SYS_rt_sigprocmask
#define SYS_rt_sigprocmask 135
#endif
#ifndef SYS_rt_sigpending
#define SYS_rt_sigpending 136
#endif
#ifndef SYS_setpgid
#define SYS_setpgid 154
#endif
#ifndef SYS_getpgid
#define SYS_getpgid 155
#endif
#ifndef SYS_getsid
#define SYS_getsid 156
#endif
#ifndef SYS_setsid
#define SYS_setsid 157
#endif
#ifndef SYS_getppid
#define SYS_getppid 173
#endif
#ifndef SYS_getuid
#define SYS_getuid 174
#endif
#ifndef SYS_geteuid
#define SYS_geteuid 175
#endif
#ifndef SYS_getgid
#define SYS_getgid 176
#endif
#ifndef SYS_getegid
#define SYS_getegid 177
#endif
#ifndef SYS_execve
#define SYS_execve 221
#endif
#ifndef SYS_renameat2
#define SYS_renameat2 276
#endif
#ifndef SYS_clock_getres_time64
#define SYS_clock_getres_time64 406
#endif
#ifndef SYS_statx
#define SYS_statx 291
#endif

/* ---- Linux's flag values the port passes to those calls ---- */
#define LINUX_AT_FDCWD          (-100)
#define LINUX_AT_REMOVEDIR      0x200
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EMPTY_PATH     0x1000
#define LINUX_O_LARGEFILE       0100000 /* what glibc and musl add on 32-bit targets */
#define LINUX_STATX_BASIC_STATS 0x7ff
#define LINUX_TCGETS            0x5401
#define LINUX_P_ALL             0
#define LINUX_P_PID             1
#define LINUX_P_PGID            2
#define LINUX_WNOHANG           1
#define LINUX_WEXITED           4
#define LINUX_SIGCHLD           17
#define LINUX_CLD_EXITED        1
#define LINUX_CLD_KILLED        2
#define LINUX_CLD_DUMPED        3
#define LINUX_CLD_STOPPED       5
#define LINUX_CLD_CONTINUED     6

/* struct statx (linux/stat.h): 256 bytes. */
struct linux_statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t reserved; };
struct linux_statx {
  uint32_t stx_mask, stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink, stx_uid, stx_gid;
  uint16_t stx_mode, pad0;
  uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
  struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
  uint64_t spare[14];
};

/* The kernel's struct sigaction on RISC-V (no sa_restorer: the kernel provides the return path). */
struct linux_sigaction {
  void *handler;
  unsigned long flags;
  uint64_t mask;
};

static inline long __sc6(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a3 __asm__("a3") = a3;
  register long r_a4 __asm__("a4") = a4;
  register long r_a5 __asm__("a5") = a5;
  register long r_a7 __asm__("a7") = n;
  __asm__ volatile("ecall"
                   : "+r"(r_a0)
                   : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                   : "memory");
  return r_a0;
}
#define __sc0(n) __sc6((n), 0, 0, 0, 0, 0, 0)
#define __sc1(n, a) __sc6((n), (long)(a), 0, 0, 0, 0, 0)
#define __sc2(n, a, b) __sc6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define __sc3(n, a, b, c) __sc6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define __sc4(n, a, b, c, d) __sc6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define __sc5(n, a, b, c, d, e) __sc6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* A raw result turned into the C convention: -1 with errno set for -4095..-1, else the value. */
long __syscall_ret(long r);
#define __scr(call) __syscall_ret(call)

#endif /* ATOLLC_LINUX_H */
