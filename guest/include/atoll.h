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

/* ---- Linux RV32 system call numbers (asm-generic/unistd.h) ---- */
#define SYS_write                  64
#define SYS_exit                   93
#define SYS_exit_group             94
#define SYS_getpid                172
#define SYS_brk                   214
#define SYS_clock_gettime64       403
#define SYS_clock_nanosleep_time64 407

/* Atoll's own system calls (RPC, message queues, distributed locks, DSM, the global namespace,
 * migration) will take numbers in [ATOLL_SYS_BASE, ATOLL_SYS_LIMIT). Linux never uses this range,
 * so a guest calling one under qemu-riscv32 gets -ENOSYS. None is defined yet. */
#define ATOLL_SYS_BASE  0x40000000
#define ATOLL_SYS_LIMIT 0x40010000

/* errno values a guest may see (Linux numbering). */
#define EPERM   1
#define EINTR   4
#define EBADF   9
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define TIMER_ABSTIME   1

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
