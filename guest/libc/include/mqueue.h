/* <mqueue.h> of Atoll's C library: POSIX message queues over Linux's RV32 calls (mq_open, mq_unlink,
 * mq_timedsend_time64, mq_timedreceive_time64, mq_notify, mq_getsetattr), as glibc wraps them: a name must
 * start with '/' (EINVAL), the kernel gets it without. picolibc has no such header. Implemented in
 * src/mqueue.c; mq_notify serves SIGEV_SIGNAL and SIGEV_NONE (SIGEV_THREAD: ENOSYS). */
#ifndef _ATOLLC_MQUEUE_H
#define _ATOLLC_MQUEUE_H

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int mqd_t;

struct mq_attr {
  long mq_flags;   /* 0 or O_NONBLOCK */
  long mq_maxmsg;  /* messages the queue holds */
  long mq_msgsize; /* bytes per message */
  long mq_curmsgs; /* messages queued now */
  long __reserved[4];
};

mqd_t mq_open(const char *name, int oflag, ...);
int mq_close(mqd_t mq);
int mq_unlink(const char *name);
int mq_send(mqd_t mq, const char *msg, size_t len, unsigned prio);
int mq_timedsend(mqd_t mq, const char *msg, size_t len, unsigned prio, const struct timespec *abs_timeout);
ssize_t mq_receive(mqd_t mq, char *buf, size_t len, unsigned *prio);
ssize_t mq_timedreceive(mqd_t mq, char *buf, size_t len, unsigned *prio, const struct timespec *abs_timeout);
int mq_notify(mqd_t mq, const struct sigevent *sev);
int mq_getattr(mqd_t mq, struct mq_attr *attr);
int mq_setattr(mqd_t mq, const struct mq_attr *new_attr, struct mq_attr *old_attr);

#ifdef __cplusplus
}
#endif
#endif
