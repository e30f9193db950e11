/* atoll.h: the guest's whole runtime interface. System call wrappers for exactly the Linux RV32 calls
 * Atoll implements (number in a7, arguments in a0..a5, result in a0, a negative errno on failure), the
 * print helpers and the small string library in lib/. Freestanding: no libc, no global state besides
 * what lib/ declares here. */
#ifndef ATOLL_H
#define ATOLL_H

#ifdef ATOLL_NATIVE
/* The host build (make native): the same C compiled for the machine Atoll runs on, as the speed
 * reference of the benchmarks. The C library stands in for the runtime; only what the portable examples
 * (compute, memory) use is provided. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
/* A program break inside one anonymous mapping, so the C library's own malloc (which uses the real
 * break) never collides with the guest's heap. Memory given back is zeroed, as fresh pages are. */
#define ATOLL_NATIVE_HEAP_BYTES (256u << 20)
static uintptr_t atoll_native_base, atoll_native_break;
static inline uintptr_t sys_brk(uintptr_t addr) {
  if (!atoll_native_base) {
    void *p = mmap(0, ATOLL_NATIVE_HEAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    atoll_native_base = atoll_native_break = (uintptr_t)p;
  }
  if (addr >= atoll_native_base && addr <= atoll_native_base + ATOLL_NATIVE_HEAP_BYTES) {
    if (addr < atoll_native_break) memset((void *)addr, 0, atoll_native_break - addr);
    atoll_native_break = addr;
  }
  return atoll_native_break;
}
static inline void *atoll_native_sbrk(intptr_t increment) {
  uintptr_t old = sys_brk(0);
  return sys_brk(old + increment) == old + increment ? (void *)old : (void *)-1;
}
#define sbrk atoll_native_sbrk
#else

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* System call numbers, errno values, signals, the clone and futex flags, the clock ids and the limits a
 * guest can meet (IPC_ENDPOINTS_MAX, IPC_MSG_MAX): generated from abi/defs.mjs, the definitions the kernel
 * and the host are generated from too. Atoll's own calls take numbers in [ATOLL_SYS_BASE, ATOLL_SYS_LIMIT),
 * which Linux never uses, so a guest calling one under qemu-riscv32 gets -ENOSYS. */
#include "atoll_abi.h"

#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

/* The 64-bit timespec of the time64 calls. */
struct timespec64 {
  int64_t tv_sec;
  int64_t tv_nsec; /* the kernel reads only the low 32 bits on RV32 */
};

static inline long atoll_syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
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
#define atoll_syscall0(n) atoll_syscall6((n), 0, 0, 0, 0, 0, 0)
#define atoll_syscall1(n, a) atoll_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define atoll_syscall2(n, a, b) atoll_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define atoll_syscall3(n, a, b, c) atoll_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define atoll_syscall4(n, a, b, c, d) atoll_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* write(2): bytes written or -errno. */
static inline long sys_write(int fd, const void *buf, size_t len) {
  return atoll_syscall3(SYS_write, fd, buf, len);
}
/* exit(2): ends the calling thread (the process when it is the only one). */
static inline __attribute__((noreturn)) void sys_exit(int code) {
  atoll_syscall1(SYS_exit, code);
  __builtin_unreachable();
}
/* exit_group(2): ends the whole process. */
static inline __attribute__((noreturn)) void sys_exit_group(int code) {
  atoll_syscall1(SYS_exit_group, code);
  __builtin_unreachable();
}
/* brk(2), the raw Linux call: returns the new break, or the unchanged old one when it cannot move.
 * sys_brk(0) returns the current break. */
static inline uintptr_t sys_brk(uintptr_t addr) {
  return (uintptr_t)atoll_syscall1(SYS_brk, addr);
}
static inline long sys_getpid(void) { return atoll_syscall0(SYS_getpid); }
/* clock_gettime64: 0 or -errno (-EINVAL for an unknown clock). */
static inline long sys_clock_gettime(int clock, struct timespec64 *ts) {
  return atoll_syscall2(SYS_clock_gettime64, clock, ts);
}
/* clock_nanosleep_time64: 0 or -errno (the raw call returns the error, it does not set errno). */
static inline long sys_clock_nanosleep(int clock, int flags, const struct timespec64 *req,
                                       struct timespec64 *rem) {
  return atoll_syscall4(SYS_clock_nanosleep_time64, clock, flags, req, rem);
}

/* ---- threads: the raw calls (Linux semantics) ---- */

/* gettid(2): the calling thread's id (the process id for the first thread). */
static inline long sys_gettid(void) { return atoll_syscall0(SYS_gettid); }
/* set_tid_address(2): at this thread's exit the kernel stores 0 at tidptr and futex-wakes one waiter
 * there. Returns the caller's tid. */
static inline long sys_set_tid_address(int *tidptr) { return atoll_syscall1(SYS_set_tid_address, tidptr); }
/* sched_yield(2): 0. */
static inline long sys_sched_yield(void) { return atoll_syscall0(SYS_sched_yield); }
/* futex_time64(2) for FUTEX_WAIT / FUTEX_WAKE (optionally | FUTEX_PRIVATE_FLAG). FUTEX_WAIT sleeps while
 * *uaddr == val, at most the relative timeout (NULL: no limit), and returns 0, -EAGAIN (the value
 * differed), -ETIMEDOUT or -EINTR; FUTEX_WAKE wakes up to val waiters and returns how many it woke. */
static inline long sys_futex(volatile int *uaddr, int op, int val, const struct timespec64 *timeout) {
  return atoll_syscall4(SYS_futex_time64, uaddr, op, val, timeout);
}
/* clone(2) through a trampoline (lib/clone.c). The arguments are the RV32 kernel's (flags, stack, ptid,
 * tls, ctid); the child starts on stack_top (rounded down to 16 bytes), calls fn(arg), then exit(2)s
 * with fn's result. Returns the child's tid or -errno in the parent. */
long atoll_clone(unsigned long flags, void *stack_top, int *ptid, void *tls, int *ctid,
                 int (*fn)(void *), void *arg);

/* ---- IPC: synchronous rendezvous between processes of one machine (Atoll's own calls) ----
 * A server registers an endpoint under a 32-bit name (e.g. IPC_NAME('t','i','m','e')) and serves it with
 * ipc_recv / ipc_reply; a client finds it with ipc_lookup and calls it: ipc_call blocks until a server
 * thread has received the request and replied. The kernel copies each message straight between the two
 * processes' memory (at most IPC_MSG_MAX bytes each way). Buffers must be mapped already (touched once
 * if on a fresh stack or heap page), else -EFAULT. */
#define IPC_NAME(a, b, c, d) \
  ((unsigned)(unsigned char)(a) | (unsigned)(unsigned char)(b) << 8 | (unsigned)(unsigned char)(c) << 16 | \
   (unsigned)(unsigned char)(d) << 24)
/* A new endpoint of this process: its id (>= 0), or -EINVAL (name 0), -EADDRINUSE, -ENOSPC (table full). */
static inline long ipc_register(unsigned name) { return atoll_syscall1(SYS_ipc_register, name); }
/* The id of the endpoint registered under name, or -ENOENT (not (yet) registered). */
static inline long ipc_lookup(unsigned name) { return atoll_syscall1(SYS_ipc_lookup, name); }
/* Send req_len bytes and wait for the reply (at most reply_max bytes into reply): the reply's length, or
 * -EBADF (no such endpoint), -EMSGSIZE (a message too long for its buffer), -EFAULT (a bad buffer),
 * -EPIPE (the server's process ended before replying). */
static inline long ipc_call(long ep, const void *req, size_t req_len, void *reply, size_t reply_max) {
  return atoll_syscall6(SYS_ipc_call, ep, (long)req, (long)req_len, (long)reply, (long)reply_max, 0);
}
/* Wait for a request on an endpoint of this process: the client's token (for ipc_reply) with the request
 * in buf and its length in *len; or -EBADF, -EPERM (another process's endpoint), -EFAULT. */
static inline long ipc_recv(long ep, void *buf, size_t buf_max, unsigned *len) {
  return atoll_syscall4(SYS_ipc_recv, ep, buf, buf_max, len);
}
/* Answer the client of token: 0, or -ESRCH (no such client waiting: it died), -EMSGSIZE, -EFAULT. */
static inline long ipc_reply(long token, const void *buf, size_t len) {
  return atoll_syscall3(SYS_ipc_reply, token, buf, len);
}

/* ---- processes: fork, wait, groups and sessions (Linux semantics; lib/proc.c) ---- */

/* fork: clone(SIGCHLD) without CLONE_VM. The child gets a copy-on-write copy of the address space and
 * returns 0; the parent gets the child's pid, or -errno (-EAGAIN: process table full, -ENOMEM). */
static inline long sys_fork(void) { return atoll_syscall6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0); }
/* vfork: the child runs in the parent's memory, on the parent's stack, and the calling thread waits until
 * it execs or exits; the child may only call _exit (sys_exit_group) or execve. (qemu-user forks instead.) */
static inline long sys_vfork(void) { return atoll_syscall6(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0); }

/* What waitid reports (the first fields of Linux's siginfo_t for SIGCHLD; the whole struct is 128 bytes). */
struct child_info {
  int si_signo;     /* SIGCHLD, or 0 (WNOHANG with no child ended yet) */
  int si_errno;
  int si_code;      /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
  union {           /* laid out as siginfo_t's (below): si_pid, si_uid and si_status name these fields */
    struct { int si_pid; unsigned si_uid; int si_status; /* the exit status, or the killing signal */ } kill;
    int pad[(SIGINFO_BYTES - 12) / 4];
  } u;
};
/* waitid(2), the raw call (RV32 Linux has no wait4): idtype P_ALL, P_PID or P_PGID; options WEXITED with
 * WNOHANG, WNOWAIT. 0 (info filled) or -errno (-ECHILD: no matching child, -EINVAL). rusage may be NULL. */
static inline long sys_waitid(int idtype, long id, struct child_info *info, int options, void *rusage) {
  return atoll_syscall6(SYS_waitid, idtype, id, (long)info, options, (long)rusage, 0);
}
/* waitpid over waitid: pid > 0, -1 (any child), 0 (the caller's group) or < -1 (group -pid); the status
 * in the classic encoding (W* macros below). The child's pid, 0 (WNOHANG, none ended) or -errno. */
long waitpid(long pid, int *status, int options);
#define WIFEXITED(s)   (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s)    ((s) & 0x7f)
#define WCOREDUMP(s)   (((s) & 0x80) != 0)

static inline long sys_getppid(void) { return atoll_syscall0(SYS_getppid); }
/* setpgid(pid, pgid): 0 or -EINVAL, -ESRCH (not the caller or its child), -EPERM, -EACCES (child exec'd). */
static inline long sys_setpgid(long pid, long pgid) { return atoll_syscall2(SYS_setpgid, pid, pgid); }
static inline long sys_getpgid(long pid) { return atoll_syscall1(SYS_getpgid, pid); }
static inline long sys_getsid(long pid) { return atoll_syscall1(SYS_getsid, pid); }
/* setsid: the new session's id (the caller's pid), or -EPERM when the caller leads a process group. */
static inline long sys_setsid(void) { return atoll_syscall0(SYS_setsid); }

/* ---- memory mappings (lib/proc.c) ----
 * mmap2(2): anonymous private (demand-zero) or MAP_SHARED | MAP_ANONYMOUS (shared with forked children)
 * mappings, MAP_FIXED, PROT_NONE/READ/WRITE/EXEC; file mappings are the host's. Returns the address, or
 * -errno cast to a pointer: test with mmap_failed(). At most VMAS_MAX areas per process. */
static inline void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long pgoff) {
  return (void *)atoll_syscall6(SYS_mmap2, (long)addr, (long)len, prot, flags, fd, pgoff);
}
static inline int mmap_failed(void *p) { return (unsigned long)p >= (unsigned long)-4095; }
static inline long sys_munmap(void *addr, size_t len) { return atoll_syscall2(SYS_munmap, addr, len); }
static inline long sys_mprotect(void *addr, size_t len, int prot) { return atoll_syscall3(SYS_mprotect, addr, len, prot); }
/* ---- descriptors, pipes and files: the raw calls (Linux RV32 semantics, lib/fs.c for helpers) ----
 * Every call returns its result or -errno. 64-bit offsets and lengths travel in two registers, low word
 * first (pread64/pwrite64: a3 low, a4 high; ftruncate64: a1 low, a2 high); llseek takes the offset high
 * word first and writes the new position through a pointer. */
struct iovec {
  void *iov_base;
  size_t iov_len;
};
struct statx_timestamp {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t __reserved;
};
struct statx {
  uint32_t stx_mask;
  uint32_t stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink;
  uint32_t stx_uid;
  uint32_t stx_gid;
  uint16_t stx_mode;
  uint16_t __spare0;
  uint64_t stx_ino;
  uint64_t stx_size;
  uint64_t stx_blocks;
  uint64_t stx_attributes_mask;
  struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor;
  uint32_t stx_dev_major, stx_dev_minor;
  uint64_t stx_mnt_id;
  uint32_t stx_dio_mem_align, stx_dio_offset_align;
  uint64_t __spare3[12];
};
/* One record of getdents64; d_reclen bytes long (8-aligned), d_name NUL-terminated. */
struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  uint16_t d_reclen;
  uint8_t d_type;
  char d_name[];
};

static inline long sys_read(int fd, void *buf, size_t len) { return atoll_syscall3(SYS_read, fd, buf, len); }
static inline long sys_readv(int fd, const struct iovec *iov, int n) { return atoll_syscall3(SYS_readv, fd, iov, n); }
static inline long sys_writev(int fd, const struct iovec *iov, int n) { return atoll_syscall3(SYS_writev, fd, iov, n); }
static inline long sys_pread64(int fd, void *buf, size_t len, int64_t off) {
  return atoll_syscall6(SYS_pread64, fd, (long)buf, (long)len, (long)(uint32_t)off, (long)(off >> 32), 0);
}
static inline long sys_pwrite64(int fd, const void *buf, size_t len, int64_t off) {
  return atoll_syscall6(SYS_pwrite64, fd, (long)buf, (long)len, (long)(uint32_t)off, (long)(off >> 32), 0);
}
static inline long sys_close(int fd) { return atoll_syscall1(SYS_close, fd); }
static inline long sys_dup(int fd) { return atoll_syscall1(SYS_dup, fd); }
static inline long sys_dup3(int oldfd, int newfd, int flags) { return atoll_syscall3(SYS_dup3, oldfd, newfd, flags); }
static inline long sys_fcntl(int fd, int cmd, long arg) { return atoll_syscall3(SYS_fcntl64, fd, cmd, arg); }
static inline long sys_pipe2(int fds[2], int flags) { return atoll_syscall2(SYS_pipe2, fds, flags); }
static inline long sys_ioctl(int fd, unsigned long req, void *arg) { return atoll_syscall3(SYS_ioctl, fd, req, arg); }
static inline long sys_openat(int dirfd, const char *path, int flags, int mode) {
  return atoll_syscall4(SYS_openat, dirfd, path, flags, mode);
}
static inline long sys_open(const char *path, int flags, int mode) { return sys_openat(AT_FDCWD, path, flags, mode); }
static inline long sys_llseek(int fd, int64_t off, int64_t *result, int whence) {
  return atoll_syscall6(SYS_llseek, fd, (long)(off >> 32), (long)(uint32_t)off, (long)result, whence, 0);
}
static inline long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *st) {
  return atoll_syscall6(SYS_statx, dirfd, (long)path, flags, (long)mask, (long)st, 0);
}
static inline long sys_getdents64(int fd, void *buf, size_t len) { return atoll_syscall3(SYS_getdents64, fd, buf, len); }
static inline long sys_mkdirat(int dirfd, const char *path, int mode) { return atoll_syscall3(SYS_mkdirat, dirfd, path, mode); }
static inline long sys_unlinkat(int dirfd, const char *path, int flags) { return atoll_syscall3(SYS_unlinkat, dirfd, path, flags); }
static inline long sys_renameat2(int olddir, const char *oldp, int newdir, const char *newp, unsigned flags) {
  return atoll_syscall6(SYS_renameat2, olddir, (long)oldp, newdir, (long)newp, (long)flags, 0);
}
static inline long sys_ftruncate64(int fd, int64_t len) {
  return atoll_syscall3(SYS_ftruncate64, fd, (long)(uint32_t)len, (long)(len >> 32));
}
static inline long sys_fsync(int fd) { return atoll_syscall1(SYS_fsync, fd); }
static inline long sys_faccessat(int dirfd, const char *path, int mode) { return atoll_syscall3(SYS_faccessat, dirfd, path, mode); }
static inline long sys_faccessat2(int dirfd, const char *path, int mode, int flags) {
  return atoll_syscall4(SYS_faccessat2, dirfd, path, mode, flags);
}
static inline long sys_readlinkat(int dirfd, const char *path, char *buf, size_t len) {
  return atoll_syscall4(SYS_readlinkat, dirfd, path, buf, len);
}
static inline long sys_symlinkat(const char *target, int dirfd, const char *path) {
  return atoll_syscall3(SYS_symlinkat, target, dirfd, path);
}
static inline long sys_linkat(int olddir, const char *oldp, int newdir, const char *newp, int flags) {
  return atoll_syscall6(SYS_linkat, olddir, (long)oldp, newdir, (long)newp, flags, 0);
}
static inline long sys_getcwd(char *buf, size_t len) { return atoll_syscall2(SYS_getcwd, buf, len); }
static inline long sys_chdir(const char *path) { return atoll_syscall1(SYS_chdir, path); }
static inline long sys_fchdir(int fd) { return atoll_syscall1(SYS_fchdir, fd); }
static inline long sys_umask(int mask) { return atoll_syscall1(SYS_umask, mask); }
static inline long sys_execve(const char *path, char *const argv[], char *const envp[]) {
  return atoll_syscall3(SYS_execve, path, argv, envp);
}

/* lib/fs.c: the errno's name ("ENOENT"; "E?" for one not listed; "0" for a result >= 0), for tests that print
 * what a call returned; print_result prints "<what>: <result or errno name>\n". */
const char *errno_name(long result);
void print_result(const char *what, long result);
/* Write all len bytes (looping over short writes): len, or the first -errno. */
long fd_write_all(int fd, const void *buf, size_t len);
/* Read until len bytes or end of input: the bytes read, or the first -errno. */
long fd_read_full(int fd, void *buf, size_t len);
/* statx of a descriptor (AT_EMPTY_PATH). */
long fstatx(int fd, struct statx *st);
/* ---- signals: the raw Linux RV32 calls and their structures (lib/signal.c adds the sigset helpers) ----
 * Numbers, SA_* flags, SIG_* values and si_code values come from atoll_abi.h. A handler gets (sig,
 * siginfo_t *, ucontext_t *) and returns through the kernel (no restorer on RISC-V); it may edit
 * uc_mcontext (e.g. advance gregs[REG_PC] past a faulting instruction) before returning. */
typedef struct { unsigned long sig[2]; } sigset_t; /* NSIG bits: signal n is bit n - 1 */
typedef void (*sighandler_t)(int);
/* The Linux kernel's struct sigaction on RISC-V (no sa_restorer); sa_handler may be SIG_DFL or SIG_IGN.
 * qemu-riscv32 7.2 reads a 20-byte struct instead (an sa_restorer word at offset 8, sa_mask at 12) and
 * writes 20 bytes of oact: the trailing word keeps that write inside the struct, and a non-empty sa_mask
 * reaches qemu shifted by a word (leave it empty in programs compared with qemu). */
struct k_sigaction {
  void *sa_handler;        /* void (*)(int), or void (*)(int, siginfo_t *, void *) with SA_SIGINFO */
  unsigned long sa_flags;
  sigset_t sa_mask;
  unsigned long qemu_pad_; /* not read by the kernel */
};
union sigval {
  int sival_int;
  void *sival_ptr;
};
typedef struct {
  int si_signo, si_errno, si_code;
  union {
    struct { int si_pid; unsigned si_uid; int si_status; } kill; /* kill, tkill, SIGCHLD */
    struct { int si_pid; unsigned si_uid; union sigval si_value; } rt; /* SI_MESGQ, SI_QUEUE */
    void *si_addr;                                                 /* SIGSEGV, SIGBUS, SIGILL, SIGTRAP */
    int pad[29];
  } u;
} siginfo_t; /* SIGINFO_BYTES */
/* The names of siginfo_t's (and struct child_info's) union members, as C libraries spell them. */
#define si_pid u.kill.si_pid
#define si_uid u.kill.si_uid
#define si_status u.kill.si_status
#define si_addr u.si_addr
#define si_value u.rt.si_value
typedef struct { void *ss_sp; int ss_flags; size_t ss_size; } stack_t;
#define REG_PC 0 /* gregs[0] is the pc, gregs[n] is xn for n = 1..31 */
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
typedef struct {
  unsigned long gregs[32];
  unsigned long long fpregs[32]; /* the FP state qemu reserves (zero here: the hart has no F or D) */
  unsigned fcsr;
} __attribute__((aligned(16))) mcontext_t;
typedef struct ucontext {
  unsigned long uc_flags;
  struct ucontext *uc_link;
  stack_t uc_stack;
  sigset_t uc_sigmask;
  unsigned char unused_[1024 / 8 - sizeof(sigset_t)];
  mcontext_t uc_mcontext;
} ucontext_t; /* UCONTEXT_BYTES; uc_mcontext at UC_MCONTEXT */

/* rt_sigaction(2): 0 or -errno (-EINVAL for a bad signal, SIGKILL or SIGSTOP; -EFAULT). */
static inline long sys_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *oact) {
  return atoll_syscall4(SYS_rt_sigaction, sig, act, oact, SIGSET_BYTES);
}
/* rt_sigprocmask(2): how is SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK; set or oset may be NULL. */
static inline long sys_sigprocmask(int how, const sigset_t *set, sigset_t *oset) {
  return atoll_syscall4(SYS_rt_sigprocmask, how, set, oset, SIGSET_BYTES);
}
/* rt_sigpending(2): the blocked signals that are pending. */
static inline long sys_sigpending(sigset_t *set) { return atoll_syscall2(SYS_rt_sigpending, set, SIGSET_BYTES); }
/* rt_sigsuspend(2): waits with mask until a handler has run; returns -EINTR. */
static inline long sys_sigsuspend(const sigset_t *mask) { return atoll_syscall2(SYS_rt_sigsuspend, mask, SIGSET_BYTES); }
/* kill(2): pid > 0 a process, 0 the caller's group, -1 every other process, < -1 a group; sig 0 checks. */
static inline long sys_kill(long pid, int sig) { return atoll_syscall2(SYS_kill, pid, sig); }
static inline long sys_tkill(long tid, int sig) { return atoll_syscall2(SYS_tkill, tid, sig); }
static inline long sys_tgkill(long tgid, long tid, int sig) { return atoll_syscall3(SYS_tgkill, tgid, tid, sig); }

/* ---- POSIX message queues: the raw Linux RV32 calls (served by the host, src/machine/mqueue.ts) ----
 * A queue descriptor is a file descriptor (close, dup and fork work on it; it is always close-on-exec,
 * as on Linux). Every call returns its result or -errno. */
struct mq_attr {
  long mq_flags;   /* 0 or O_NONBLOCK (the descriptor's) */
  long mq_maxmsg;  /* 1..MQ_MAXMSG_MAX messages */
  long mq_msgsize; /* 1..MQ_MSGSIZE_MAX bytes per message */
  long mq_curmsgs; /* messages queued now */
  long mq_reserved_[4];
}; /* MQ_ATTR_BYTES */
struct sigevent {
  union sigval sigev_value; /* the handler's si_value */
  int sigev_signo;
  int sigev_notify;         /* SIGEV_SIGNAL, SIGEV_NONE (SIGEV_THREAD is a C library's business) */
  int sigev_pad_[13];
}; /* SIGEVENT_BYTES */
/* mq_open(2) as the kernel takes it: the name without its leading '/'. NULL attr: the default attributes. */
static inline long sys_mq_open(const char *kname, int oflag, int mode, const struct mq_attr *attr) {
  return atoll_syscall4(SYS_mq_open, kname, oflag, mode, attr);
}
/* mq_open(3) as glibc's: name must start with '/' (else -EINVAL) and the kernel gets name + 1.
 * qemu-riscv32 7.2 reads the name from one byte before the pointer it is given, counting on exactly this. */
static inline long mq_open(const char *name, int oflag, int mode, const struct mq_attr *attr) {
  if (name[0] != '/') return -EINVAL;
  return sys_mq_open(name + 1, oflag, mode, attr);
}
static inline long mq_unlink(const char *name) {
  if (name[0] != '/') return -EINVAL;
  return atoll_syscall1(SYS_mq_unlink, name + 1);
}
/* Send len bytes at priority prio (< MQ_PRIO_MAX); waits while the queue is full until abs_timeout on
 * CLOCK_REALTIME (NULL: no limit): 0, or -EAGAIN (O_NONBLOCK), -ETIMEDOUT, -EMSGSIZE, -EBADF, -EINTR. */
static inline long mq_timedsend(int mq, const void *msg, size_t len, unsigned prio, const struct timespec64 *abs_timeout) {
  return atoll_syscall6(SYS_mq_timedsend_time64, mq, (long)msg, (long)len, (long)prio, (long)abs_timeout, 0);
}
/* Receive the oldest message of the highest priority into buf (len >= mq_msgsize, else -EMSGSIZE): its
 * length, its priority in *prio when prio is not NULL; waits while the queue is empty as mq_timedsend does. */
static inline long mq_timedreceive(int mq, void *buf, size_t len, unsigned *prio, const struct timespec64 *abs_timeout) {
  return atoll_syscall6(SYS_mq_timedreceive_time64, mq, (long)buf, (long)len, (long)prio, (long)abs_timeout, 0);
}
static inline long mq_send(int mq, const void *msg, size_t len, unsigned prio) { return mq_timedsend(mq, msg, len, prio, 0); }
static inline long mq_receive(int mq, void *buf, size_t len, unsigned *prio) { return mq_timedreceive(mq, buf, len, prio, 0); }
/* Ask for a notification when a message arrives on the empty queue (one process at a time: -EBUSY);
 * NULL: cancel this process's registration. */
static inline long mq_notify(int mq, const struct sigevent *sev) { return atoll_syscall2(SYS_mq_notify, mq, sev); }
/* mq_getsetattr(2): the attributes into old (may be NULL); new (may be NULL) sets only O_NONBLOCK. */
static inline long mq_getsetattr(int mq, const struct mq_attr *new_attr, struct mq_attr *old_attr) {
  return atoll_syscall3(SYS_mq_getsetattr, mq, new_attr, old_attr);
}

int sigemptyset(sigset_t *s);
int sigfillset(sigset_t *s);
int sigaddset(sigset_t *s, int sig);    /* 0, or -1 for a signal outside 1..NSIG */
int sigdelset(sigset_t *s, int sig);
int sigismember(const sigset_t *s, int sig);
/* Install handler for sig with flags and an empty mask; the old handler, or (sighandler_t)-1 on error. */
sighandler_t sig_install(int sig, sighandler_t handler, unsigned long flags);
/* signal(2) as glibc's: SA_RESTART, the handler stays installed. */
sighandler_t signal(int sig, sighandler_t handler);
/* tgkill(getpid(), gettid(), sig): 0 or -errno. */
long raise(int sig);

/* Convenience: FUTEX_WAIT|PRIVATE with a timeout in nanoseconds (negative: none); FUTEX_WAKE|PRIVATE. */
long futex_wait(volatile int *uaddr, int val, int64_t timeout_ns);
long futex_wake(volatile int *uaddr, int count);

/* ---- the threads library (lib/thread.c) ----
 * thread_create starts fn(arg) on a new thread with its own stack (THREAD_STACK_BYTES, from the program
 * break, recycled after join) and TLS block (tp points at its struct thread). thread_join waits, with
 * FUTEX_WAIT, until the kernel clears the child tid at the thread's exit and returns fn's result. At most
 * THREADS_MAX threads may be alive at once. The struct is the caller's and must outlive the join. */
#define THREAD_STACK_BYTES (64u << 10)
#define THREADS_MAX 64
struct thread {
  volatile int tid;  /* set by the kernel before the child runs (PARENT_SETTID), cleared at its exit */
  int id;            /* the clone result, kept after the exit */
  int (*fn)(void *);
  void *arg;
  int result;
  void *stack;       /* lowest address of the stack block */
};
/* 0, or -errno (-EAGAIN: THREADS_MAX reached, -ENOMEM: no memory for a stack, or clone's error). */
int thread_create(struct thread *t, int (*fn)(void *), void *arg);
/* fn's result. */
int thread_join(struct thread *t);
/* The calling thread's struct thread (NULL on the first thread, which was not made by thread_create). */
struct thread *thread_self(void);

/* Test-and-set spinlock (amoswap.w.aq to take, amoswap.w.rl to release). Waiters spin on a plain load
 * and call sched_yield after SPIN_YIELD_AFTER tries, so a single hart still makes progress quickly. */
#define SPIN_YIELD_AFTER 64
typedef struct { volatile int locked; } spinlock_t;
#define SPINLOCK_INIT {0}
void spin_lock(spinlock_t *l);
int spin_trylock(spinlock_t *l); /* 1 if taken */
void spin_unlock(spinlock_t *l);

/* Ticket lock: amoadd.w takes a ticket, the holder of `serving` runs; FIFO among waiters. */
typedef struct { volatile int next; volatile int serving; } ticketlock_t;
#define TICKETLOCK_INIT {0, 0}
void ticket_lock(ticketlock_t *l);
void ticket_unlock(ticketlock_t *l);

/* Futex mutex, Drepper's three states ("Futexes Are Tricky", mutex 3): 0 free, 1 locked, 2 locked with
 * possible waiters; unlock makes a system call only in state 2. */
typedef struct { volatile int state; } mutex_t;
#define MUTEX_INIT {0}
void mutex_lock(mutex_t *m);
int mutex_trylock(mutex_t *m); /* 1 if taken */
void mutex_unlock(mutex_t *m);

/* Condition variable: a sequence number waiters sleep on. cond_wait may return spuriously: always
 * wait in a loop over the predicate. cond_timedwait returns -ETIMEDOUT when the time ran out. */
typedef struct { volatile int seq; } cond_t;
#define COND_INIT {0}
void cond_wait(cond_t *c, mutex_t *m);
long cond_timedwait(cond_t *c, mutex_t *m, int64_t timeout_ns);
void cond_signal(cond_t *c);
void cond_broadcast(cond_t *c);

/* Nanoseconds of a clock as one 64-bit number (0 if the call fails). */
int64_t clock_ns(int clock);
/* Sleep on CLOCK_MONOTONIC for ns nanoseconds; 0 or -errno. */
long sleep_ns(int64_t ns);
/* sbrk on top of sys_brk: the old break, or (void *)-1 when the break cannot grow. */
void *sbrk(intptr_t increment);

/* ---- printing (lib/print.c); all return bytes written or -errno ---- */
long puts(const char *s);          /* s and a newline to stdout */
long eputs(const char *s);         /* s and a newline to stderr */
long print_str(const char *s);     /* s without a newline */
long print_dec(int64_t v);
long print_udec(uint64_t v);
long print_hex(uint32_t v);        /* 0x and 8 hex digits */
/* printf to stdout: %d %i %u %x %X %o %c %s %p %%, the l and ll length modifiers, a field width,
 * the 0 and - flags. Output longer than 1 KiB per call is cut. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- lib/string.c ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif /* ATOLL_NATIVE */
#endif
