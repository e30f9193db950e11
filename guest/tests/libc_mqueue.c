/* Built with Atoll's C library: POSIX message queues through <mqueue.h> as a program written for glibc
 * calls them. mq_open with attributes and O_EXCL, priorities, mq_getattr and mq_setattr (O_NONBLOCK and
 * EAGAIN), a timed receive that times out, errno for a name without '/', a missing queue, a send on a
 * read-only descriptor and a message too long, a child that sends what the blocked parent receives, and
 * mq_unlink. The queue's name carries the pid (under qemu-riscv32 it is the host's). Prints no pids. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void check(const char *what, long r) {
  if (r < 0) printf("%s: -1 (%s)\n", what, strerror(errno));
  else printf("%s: ok\n", what);
}

int main(void) {
  char name[64];
  snprintf(name, sizeof name, "/atoll-libc-mq-%d", (int)getpid());
  struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 32 };
  mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
  check("mq_open O_CREAT|O_EXCL", q);
  check("mq_open again with O_EXCL", mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr));
  check("mq_open without a leading slash", mq_open("no-slash", O_RDONLY));
  check("mq_open a missing queue", mq_open("/atoll-libc-mq-none", O_RDONLY));
  const char *words[] = { "low", "high", "middle", "high again" };
  unsigned prios[] = { 1, 9, 5, 9 };
  for (int i = 0; i < 4; i++) mq_send(q, words[i], strlen(words[i]), prios[i]);
  struct mq_attr now;
  mq_getattr(q, &now);
  printf("maxmsg %ld msgsize %ld curmsgs %ld flags %ld\n", now.mq_maxmsg, now.mq_msgsize, now.mq_curmsgs, now.mq_flags);
  char buf[32];
  unsigned prio;
  for (ssize_t n; now.mq_curmsgs-- > 0 && (n = mq_receive(q, buf, sizeof buf, &prio)) >= 0;) {
    printf("  %.*s (priority %u)\n", (int)n, buf, prio);
  }
  struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;
  check("mq_setattr O_NONBLOCK", mq_setattr(q, &nb, &old));
  check("mq_receive from the empty queue", mq_receive(q, buf, sizeof buf, &prio));
  check("mq_receive into a short buffer", mq_receive(q, buf, 8, &prio));
  char big[40] = { 0 };
  check("mq_send 40 bytes", mq_send(q, big, sizeof big, 0));
  nb.mq_flags = 0;
  mq_setattr(q, &nb, 0);
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += 20000000;
  if (t.tv_nsec >= 1000000000) t.tv_nsec -= 1000000000, t.tv_sec++;
  check("mq_timedreceive for 20 ms", mq_timedreceive(q, buf, sizeof buf, &prio, &t));
  mqd_t ro = mq_open(name, O_RDONLY);
  check("mq_send on a read-only descriptor", mq_send(ro, "x", 1, 0));
  mq_close(ro);
  pid_t c = fork();
  if (c == 0) {
    struct timespec d = { 0, 30000000 };
    nanosleep(&d, 0);
    _exit(mq_send(q, "from the child", 14, 3) == 0 ? 0 : 1);
  }
  ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
  printf("blocked receive: %.*s (priority %u)\n", (int)(n > 0 ? n : 0), buf, prio);
  int st;
  waitpid(c, &st, 0);
  printf("child exited %d\n", WEXITSTATUS(st));
  check("mq_close", mq_close(q));
  check("mq_unlink", mq_unlink(name));
  check("mq_unlink again", mq_unlink(name));
  return 0;
}
