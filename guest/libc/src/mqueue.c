/* POSIX message queues over Linux's RV32 calls, as glibc wraps them: mq_open and mq_unlink take the name with
 * its leading '/' and pass the rest to the kernel (qemu-riscv32 reads the name from one byte before the
 * pointer, counting on that), the timeouts go as 64-bit timespecs, mq_getattr and mq_setattr are
 * mq_getsetattr. SIGEV_THREAD needs a helper thread and a netlink socket, which this library does not have:
 * mq_notify answers ENOSYS for it. */
#include "linux.h" /* first: the headers below take over some of atoll_abi.h's plain numbers */
#include <errno.h>
#include <mqueue.h>
#include <stdarg.h>
#include <unistd.h>

struct ts64 { int64_t sec; int64_t nsec; };

mqd_t mq_open(const char *name, int oflag, ...) {
  if (name[0] != '/') {
    errno = EINVAL;
    return -1;
  }
  mode_t mode = 0;
  struct mq_attr *attr = 0;
  if (oflag & O_CREAT) {
    va_list ap;
    va_start(ap, oflag);
    mode = va_arg(ap, mode_t);
    attr = va_arg(ap, struct mq_attr *);
    va_end(ap);
  }
  return (mqd_t)__scr(__sc4(SYS_mq_open, name + 1, oflag, mode, attr));
}

int mq_close(mqd_t mq) { return close(mq); }

int mq_unlink(const char *name) {
  if (name[0] != '/') {
    errno = EINVAL;
    return -1;
  }
  long r = __sc1(SYS_mq_unlink, name + 1);
  return (int)__scr(r == -EPERM ? -EACCES : r); /* mq_unlink reports EACCES where unlink would say EPERM */
}

int mq_timedsend(mqd_t mq, const char *msg, size_t len, unsigned prio, const struct timespec *abs_timeout) {
  struct ts64 t;
  if (abs_timeout) t.sec = abs_timeout->tv_sec, t.nsec = abs_timeout->tv_nsec;
  return (int)__scr(__sc5(SYS_mq_timedsend_time64, mq, msg, len, prio, abs_timeout ? &t : 0));
}

int mq_send(mqd_t mq, const char *msg, size_t len, unsigned prio) { return mq_timedsend(mq, msg, len, prio, 0); }

ssize_t mq_timedreceive(mqd_t mq, char *buf, size_t len, unsigned *prio, const struct timespec *abs_timeout) {
  struct ts64 t;
  if (abs_timeout) t.sec = abs_timeout->tv_sec, t.nsec = abs_timeout->tv_nsec;
  return (ssize_t)__scr(__sc5(SYS_mq_timedreceive_time64, mq, buf, len, prio, abs_timeout ? &t : 0));
}

ssize_t mq_receive(mqd_t mq, char *buf, size_t len, unsigned *prio) { return mq_timedreceive(mq, buf, len, prio, 0); }

int mq_notify(mqd_t mq, const struct sigevent *sev) {
  if (sev && sev->sigev_notify == SIGEV_THREAD) {
    errno = ENOSYS;
    return -1;
  }
  return (int)__scr(__sc2(SYS_mq_notify, mq, sev));
}

int mq_getattr(mqd_t mq, struct mq_attr *attr) { return (int)__scr(__sc3(SYS_mq_getsetattr, mq, 0, attr)); }

int mq_setattr(mqd_t mq, const struct mq_attr *new_attr, struct mq_attr *old_attr) {
  return (int)__scr(__sc3(SYS_mq_getsetattr, mq, new_attr, old_attr));
}
