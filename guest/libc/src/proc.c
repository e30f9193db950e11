/* Processes, memory and time: fork (clone with SIGCHLD), execve and the exec family, waitpid and wait
 * over waitid, the ids, sbrk over brk, clock_gettime, nanosleep and sleep over the time64 calls. */
#include "linux.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

pid_t fork(void) {
  /* clone(flags = exit signal SIGCHLD, no new stack, no tids, no tls): the child resumes here with a0 = 0 */
  return __scr(__sc5(SYS_clone, LINUX_SIGCHLD, 0, 0, 0, 0));
}

pid_t vfork(void) { return fork(); }

/* Where the kernel cannot run the file (ENOEXEC) and the environment names an interpreter in
 * ATOLL_EXEC_INTERP (an absolute path), the program is run as "interp -0 argv[0] path argv[1]...".
 * That is for qemu-riscv32 without binfmt_misc: its execve hands a RISC-V file to the host's kernel,
 * which refuses it, so ATOLL_EXEC_INTERP=/usr/bin/qemu-riscv32 lets a guest under qemu start others.
 * Atoll's execve and Linux with binfmt_misc run the file themselves and never get here. */
static const char *env_value(char *const envp[], const char *name) {
  size_t n = strlen(name);
  for (; envp && *envp; envp++)
    if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=') return *envp + n + 1;
  return NULL;
}

int execve(const char *path, char *const argv[], char *const envp[]) {
  long r = __sc3(SYS_execve, path, argv, envp);
  const char *interp;
  if (r == -ENOEXEC && (interp = env_value(envp, "ATOLL_EXEC_INTERP")) && interp[0] == '/') {
    int argc = 0;
    while (argv[argc]) argc++;
    const char *args[argc + 5];
    args[0] = interp;
    args[1] = "-0";
    args[2] = argc ? argv[0] : path;
    args[3] = path;
    for (int i = 1; i <= argc; i++) args[3 + i] = argv[i];
    if (argc == 0) args[4] = NULL;
    if (__sc3(SYS_execve, interp, args, envp) < 0) r = -ENOEXEC;
  }
  return __scr(r);
}
int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

/* A name without '/' is looked for in each directory of PATH (default /bin:/usr/bin), as POSIX says;
 * EACCES from any candidate is kept when none runs. */
int execvpe(const char *file, char *const argv[], char *const envp[]) {
  if (!*file) {
    errno = ENOENT;
    return -1;
  }
  if (strchr(file, '/')) return execve(file, argv, envp);
  const char *path = getenv("PATH");
  if (!path) path = "/bin:/usr/bin";
  size_t flen = strlen(file);
  int seen_eacces = 0;
  char buf[PATH_MAX];
  for (const char *p = path;; p++) {
    const char *end = strchr(p, ':');
    size_t dlen = end ? (size_t)(end - p) : strlen(p);
    if (dlen + flen + 2 <= sizeof buf) {
      memcpy(buf, p, dlen);
      size_t at = dlen;
      if (dlen && buf[dlen - 1] != '/') buf[at++] = '/';
      if (!dlen) buf[at++] = '.', buf[at++] = '/';
      memcpy(buf + at, file, flen + 1);
      execve(buf, argv, envp);
      if (errno == EACCES) seen_eacces = 1;
      else if (errno != ENOENT && errno != ENOTDIR) return -1;
    }
    if (!end) break;
    p = end;
  }
  errno = seen_eacces ? EACCES : ENOENT;
  return -1;
}
int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

/* execl and friends: the variadic list gathered into an argv on the stack. */
#include <stdarg.h>
#define GATHER(arg0, last)                                    \
  va_list ap;                                                 \
  int n = 1;                                                  \
  va_start(ap, arg0);                                         \
  while (va_arg(ap, char *)) n++;                             \
  va_end(ap);                                                 \
  char *argv[n + 1];                                          \
  argv[0] = (char *)(arg0);                                   \
  va_start(ap, arg0);                                         \
  for (int i = 1; i <= n; i++) argv[i] = va_arg(ap, char *);  \
  last;                                                       \
  va_end(ap)

int execl(const char *path, const char *arg0, ...) {
  GATHER(arg0, (void)0);
  return execve(path, argv, environ);
}
int execlp(const char *file, const char *arg0, ...) {
  GATHER(arg0, (void)0);
  return execvp(file, argv);
}
int execle(const char *path, const char *arg0, ...) {
  char *const *envp;
  GATHER(arg0, envp = va_arg(ap, char *const *));
  return execve(path, argv, envp);
}

/* waitpid over waitid (RV32 Linux has no wait4): the status is built the way Linux's wait4 reports it
 * (exit code << 8; the signal, | 0x80 when it dumped core; 0x7f | signal << 8 when stopped). */
pid_t waitpid(pid_t pid, int *status, int options) {
  siginfo_t info;
  int idtype = LINUX_P_PID;
  long id = pid;
  if (pid == -1) idtype = LINUX_P_ALL, id = 0;
  else if (pid == 0) idtype = LINUX_P_PGID, id = 0;
  else if (pid < -1) idtype = LINUX_P_PGID, id = -pid;
  int flags = LINUX_WEXITED | (options & WNOHANG ? LINUX_WNOHANG : 0) | (options & WUNTRACED ? 2 : 0);
  memset(&info, 0, sizeof info);
  if (__scr(__sc5(SYS_waitid, idtype, id, &info, flags, 0)) < 0) return -1;
  if (info.si_pid == 0) return 0; /* WNOHANG and no child has changed state */
  if (status) {
    int s = info.si_status;
    switch (info.si_code) {
    case LINUX_CLD_EXITED: *status = (s & 0xff) << 8; break;
    case LINUX_CLD_KILLED: *status = s & 0x7f; break;
    case LINUX_CLD_DUMPED: *status = (s & 0x7f) | 0x80; break;
    case LINUX_CLD_CONTINUED: *status = 0xffff; break;
    default: *status = ((s & 0xff) << 8) | 0x7f; break; /* stopped or trapped */
    }
  }
  return info.si_pid;
}
pid_t wait(int *status) { return waitpid(-1, status, 0); }

pid_t getpid(void) { return __sc0(SYS_getpid); }
pid_t getppid(void) { return __sc0(SYS_getppid); }
uid_t getuid(void) { return __sc0(SYS_getuid); }
uid_t geteuid(void) { return __sc0(SYS_geteuid); }
gid_t getgid(void) { return __sc0(SYS_getgid); }
gid_t getegid(void) { return __sc0(SYS_getegid); }
int setpgid(pid_t pid, pid_t pgid) { return __scr(__sc2(SYS_setpgid, pid, pgid)); }
pid_t getpgid(pid_t pid) { return __scr(__sc1(SYS_getpgid, pid)); }
pid_t getpgrp(void) { return getpgid(0); }
pid_t setsid(void) { return __scr(__sc0(SYS_setsid)); }
pid_t getsid(pid_t pid) { return __scr(__sc1(SYS_getsid, pid)); }

/* The program break: brk answers the new break, or the old one when it cannot move. */
static uintptr_t cur_brk;
void *sbrk(ptrdiff_t incr) {
  if (!cur_brk) cur_brk = (uintptr_t)__sc1(SYS_brk, 0);
  uintptr_t old = cur_brk;
  if (incr == 0) return (void *)old;
  uintptr_t want = old + incr;
  if ((incr > 0 && want < old) || (incr < 0 && want > old)) goto fail;
  uintptr_t got = (uintptr_t)__sc1(SYS_brk, want);
  if (got != want) goto fail;
  cur_brk = want;
  return (void *)old;
fail:
  errno = ENOMEM;
  return (void *)-1;
}
int brk(void *addr) {
  uintptr_t got = (uintptr_t)__sc1(SYS_brk, addr);
  if (got != (uintptr_t)addr) {
    errno = ENOMEM;
    return -1;
  }
  cur_brk = got;
  return 0;
}

struct ts64 { int64_t sec; int64_t nsec; };

int clock_gettime(clockid_t clock, struct timespec *ts) {
  struct ts64 t;
  if (__scr(__sc2(SYS_clock_gettime64, clock, &t)) < 0) return -1;
  ts->tv_sec = t.sec;
  ts->tv_nsec = (long)t.nsec;
  return 0;
}

int clock_getres(clockid_t clock, struct timespec *ts) {
  struct ts64 t;
  if (__scr(__sc2(SYS_clock_getres_time64, clock, &t)) < 0) return -1;
  if (ts) {
    ts->tv_sec = t.sec;
    ts->tv_nsec = (long)t.nsec;
  }
  return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) < 0) return -1;
  if (tv) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return 0;
}

/* times: process time is measured as time since the first call (no rusage call on this kernel). */
clock_t times(struct tms *buf) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) return (clock_t)-1;
  clock_t t = (clock_t)(ts.tv_sec * CLOCKS_PER_SEC + ts.tv_nsec / (1000000000 / CLOCKS_PER_SEC));
  if (buf) buf->tms_utime = t, buf->tms_stime = 0, buf->tms_cutime = 0, buf->tms_cstime = 0;
  return t;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem) {
  struct ts64 r = {req->tv_sec, req->tv_nsec}, left = {0, 0};
  long e = __sc4(SYS_clock_nanosleep_time64, clock, flags, &r, &left);
  if (e == -EINTR && rem && !(flags & TIMER_ABSTIME)) {
    rem->tv_sec = left.sec;
    rem->tv_nsec = (long)left.nsec;
  }
  return (int)-e; /* clock_nanosleep returns the error itself */
}

int nanosleep(const struct timespec *req, struct timespec *rem) {
  int e = clock_nanosleep(CLOCK_REALTIME, 0, req, rem);
  if (e) {
    errno = e;
    return -1;
  }
  return 0;
}

unsigned sleep(unsigned s) {
  struct timespec req = {s, 0}, rem = {0, 0};
  if (nanosleep(&req, &rem) < 0) return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
  return 0;
}

int usleep(useconds_t us) {
  struct timespec req = {us / 1000000, (long)(us % 1000000) * 1000};
  return nanosleep(&req, NULL);
}
