/* mq_native.h: the part of atoll.h that guest/tests/mq_notify.c uses, over the host's C library and Linux's own
 * system calls, so that the same program built for the host (cc -DMQ_NATIVE -Iguest/tests) shows what Linux
 * prints (qemu-riscv32 7.2 does not implement mq_notify). Each call returns its result or -errno, as the
 * guest's raw calls do. Not part of the guest runtime. */
#ifndef MQ_NATIVE_H
#define MQ_NATIVE_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct mq_attr {
  long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
  long mq_reserved_[4];
};

/* Unbuffered, as the guest's printf is: lines come out in the order processes print them. */
__attribute__((constructor)) static void native_unbuffered(void) { setvbuf(stdout, NULL, _IONBF, 0); }

static inline long native_result(long r) { return r < 0 ? -errno : r; }

static inline long sys_mq_open(const char *kname, int oflag, int mode, const struct mq_attr *attr) {
  return native_result(syscall(SYS_mq_open, kname, oflag, mode, attr));
}
static inline long mq_open(const char *name, int oflag, int mode, const struct mq_attr *attr) {
  if (name[0] != '/') return -EINVAL;
  return sys_mq_open(name + 1, oflag, mode, attr);
}
static inline long mq_unlink(const char *name) { return native_result(syscall(SYS_mq_unlink, name + 1)); }
static inline long mq_send(int q, const void *msg, size_t len, unsigned prio) {
  return native_result(syscall(SYS_mq_timedsend, q, msg, len, prio, NULL));
}
static inline long mq_receive(int q, void *buf, size_t len, unsigned *prio) {
  return native_result(syscall(SYS_mq_timedreceive, q, buf, len, prio, NULL));
}
static inline long mq_notify(int q, const struct sigevent *ev) { return native_result(syscall(SYS_mq_notify, q, ev)); }
static inline long mq_getsetattr(int q, const struct mq_attr *n, struct mq_attr *o) {
  return native_result(syscall(SYS_mq_getsetattr, q, n, o));
}

static inline long sys_getpid(void) { return getpid(); }
static inline long sys_fork(void) { return native_result(fork()); }
static inline void sys_exit_group(int code) { _exit(code); }
static inline long sys_close(int fd) { return native_result(close(fd)); }
static inline long sys_dup(int fd) { return native_result(dup(fd)); }
static inline long sys_fcntl(int fd, int cmd, long arg) { return native_result(fcntl(fd, cmd, arg)); }
static inline long sys_read(int fd, void *buf, size_t len) { return native_result(read(fd, buf, len)); }
static inline long sys_llseek(int fd, int64_t off, int64_t *result, int whence) {
  off_t r = lseek(fd, off, whence);
  if (r < 0) return -errno;
  *result = r;
  return 0;
}
static inline long sys_execve(const char *path, char *const argv[], char *const envp[]) {
  return native_result(execve(path, argv, envp));
}
static inline long sys_sigprocmask(int how, const sigset_t *set, sigset_t *old) { return native_result(sigprocmask(how, set, old)); }
static inline long sys_sigpending(sigset_t *set) { return native_result(sigpending(set)); }
static inline long sys_sigsuspend(const sigset_t *mask) { return native_result(sigsuspend(mask)); }
static inline long sleep_ns(int64_t ns) {
  struct timespec t = { ns / 1000000000, ns % 1000000000 };
  return native_result(nanosleep(&t, NULL));
}
static inline sighandler_t sig_install(int sig, sighandler_t handler, unsigned long flags) {
  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  if (flags & SA_SIGINFO) act.sa_sigaction = (void (*)(int, siginfo_t *, void *))(void *)handler;
  else act.sa_handler = handler;
  act.sa_flags = (int)flags;
  if (sigaction(sig, &act, &old) != 0) return SIG_ERR;
  return old.sa_handler;
}
static inline const char *errno_name(long r) {
  switch (-r) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case ENOENT: return "ENOENT";
    case EAGAIN: return "EAGAIN";
    default: return r >= 0 ? "0" : "E?";
  }
}

#endif
