/* mq_fork: message queues between processes, against qemu-riscv32 (the names carry the pid; every queue is
 * unlinked). A receive blocked on the empty queue is woken by a forked sender; a send blocked on the full
 * queue by a receiving child, whose room goes to it; the children use the descriptors fork gave them; a
 * signal interrupts a blocked receive (restarted under SA_RESTART, EINTR without it) and a timed one restarts
 * and then times out at its deadline; a queue unlinked while children hold it still carries their messages;
 * many messages go both ways between two processes. Prints no pids. */
#include "atoll.h"

static char name[40];
static char buf[8192];
static volatile int signals;

static void on_usr1(int sig) { (void)sig; signals++; }

static const char *err(long r) {
  switch (r) {
    case -EMSGSIZE: return "EMSGSIZE";
    case -ETIMEDOUT: return "ETIMEDOUT";
    default: return errno_name(r);
  }
}

static int create(long maxmsg, long msgsize) {
  struct mq_attr a = { 0, maxmsg, msgsize, 0, { 0, 0, 0, 0 } };
  return (int)mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
}

static void reap(long child, const char *what) {
  int st = 0;
  long r = waitpid(child, &st, 0);
  if (r != child || !WIFEXITED(st)) printf("%s: waitpid %ld status %x\n", what, r, st);
  else if (WEXITSTATUS(st) != 0) printf("%s: exited %d\n", what, WEXITSTATUS(st));
}

static int64_t now_ns(void) { return clock_ns(CLOCK_REALTIME); }

static void woken_receiver(void) {
  int q = create(2, 64);
  long c = sys_fork();
  if (c == 0) {
    sleep_ns(50000000); /* the parent is blocked by then */
    sys_exit_group(mq_send(q, "ping", 4, 7) == 0 ? 0 : 1);
  }
  unsigned prio = 0;
  long n = mq_receive(q, buf, sizeof buf, &prio);
  buf[n > 0 ? n : 0] = 0;
  printf("blocked receive woken by the child: %ld \"%s\" priority %u\n", n, buf, prio);
  reap(c, "sender");
  sys_close(q);
  mq_unlink(name);
}

static void woken_sender(void) {
  int q = create(2, 64);
  mq_send(q, "first", 5, 1);
  mq_send(q, "second", 6, 1);
  long c = sys_fork();
  if (c == 0) {
    sleep_ns(50000000);
    long n = mq_receive(q, buf, sizeof buf, 0);
    sys_exit_group(n == 5 && memcmp(buf, "first", 5) == 0 ? 0 : 1);
  }
  long r = mq_send(q, "third", 5, 9);
  printf("blocked send woken by the child's receive: %s\n", err(r));
  reap(c, "receiver");
  for (int i = 0; i < 2; i++) {
    unsigned prio = 0;
    long n = mq_receive(q, buf, sizeof buf, &prio);
    buf[n > 0 ? n : 0] = 0;
    printf("  then \"%s\" at priority %u\n", buf, prio);
  }
  sys_close(q);
  mq_unlink(name);
}

static void interrupted(unsigned long flags, const char *what) {
  int q = create(2, 64);
  sig_install(SIGUSR1, on_usr1, flags);
  signals = 0;
  long parent = sys_getpid();
  long c = sys_fork();
  if (c == 0) {
    sleep_ns(50000000);
    sys_kill(parent, SIGUSR1);
    sleep_ns(50000000);
    sys_exit_group(mq_send(q, "after", 5, 0) == 0 ? 0 : 1);
  }
  long n = mq_receive(q, buf, sizeof buf, 0);
  printf("%s: receive %s, handler ran %d time(s)\n", what, n >= 0 ? "got the message" : err(n), signals);
  reap(c, "signaller");
  if (n < 0) {
    n = mq_receive(q, buf, sizeof buf, 0);
    printf("  the message then: %ld bytes\n", n);
  }
  sys_close(q);
  mq_unlink(name);
}

static void timed_restart(void) {
  int q = create(2, 64);
  sig_install(SIGUSR1, on_usr1, SA_RESTART);
  signals = 0;
  long parent = sys_getpid();
  long c = sys_fork();
  if (c == 0) {
    sleep_ns(30000000);
    sys_kill(parent, SIGUSR1);
    sys_exit_group(0);
  }
  int64_t t0 = now_ns(), deadline = t0 + 150000000;
  struct timespec64 dl = { deadline / 1000000000, deadline % 1000000000 };
  long n = mq_timedreceive(q, buf, sizeof buf, 0, &dl);
  int64_t t1 = now_ns();
  printf("timed receive interrupted under SA_RESTART: %s, handler ran %d time(s), at the deadline: %d\n", err(n), signals, t1 >= deadline);
  reap(c, "signaller");
  sys_close(q);
  mq_unlink(name);
}

static void unlinked_while_held(void) {
  int q = create(4, 32);
  long c1 = sys_fork();
  if (c1 == 0) {
    sleep_ns(20000000);
    long r = mq_send(q, "from a child", 12, 2);
    sys_close(q);
    sys_exit_group(r == 0 ? 0 : 1);
  }
  printf("unlink while a child holds the queue: %s\n", err(mq_unlink(name)));
  printf("  open by name: %s\n", err(mq_open(name, O_RDONLY, 0, 0)));
  long n = mq_receive(q, buf, sizeof buf, 0);
  buf[n > 0 ? n : 0] = 0;
  printf("  the child's message still arrives: \"%s\"\n", buf);
  reap(c1, "child");
  sys_close(q);
}

/* A ping-pong of rounds messages over two queues: the child answers each ping with its number doubled. */
static void ping_pong(int rounds) {
  static char pong_name[48];
  snprintf(pong_name, sizeof pong_name, "%s-pong", name);
  int ping = create(3, 16);
  struct mq_attr a = { 0, 3, 16, 0, { 0, 0, 0, 0 } };
  int pong = (int)mq_open(pong_name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
  long c = sys_fork();
  if (c == 0) {
    int bad = 0;
    for (int i = 0; i < rounds; i++) {
      int v = 0;
      if (mq_receive(ping, buf, sizeof buf, 0) != 4) bad++;
      memcpy(&v, buf, 4);
      v *= 2;
      if (mq_send(pong, &v, 4, (unsigned)(i % 3)) != 0) bad++;
    }
    sys_exit_group(bad);
  }
  long sum = 0, wrong = 0;
  for (int i = 0; i < rounds; i++) {
    int v = i;
    mq_send(ping, &v, 4, 0);
    if (mq_receive(pong, buf, sizeof buf, 0) != 4) wrong++;
    memcpy(&v, buf, 4);
    if (v != 2 * i) wrong++;
    sum += v;
  }
  printf("ping-pong of %d rounds: sum %ld, %ld wrong\n", rounds, sum, wrong);
  reap(c, "ponger");
  sys_close(ping);
  sys_close(pong);
  mq_unlink(name);
  mq_unlink(pong_name);
}

int main(void) {
  snprintf(name, sizeof name, "/atoll-mq-fork-%ld", sys_getpid());
  woken_receiver();
  woken_sender();
  interrupted(SA_RESTART, "signal during a blocked receive, SA_RESTART");
  interrupted(0, "signal during a blocked receive, no SA_RESTART");
  timed_restart();
  unlinked_while_held();
  ping_pong(200);
  return 0;
}
