/* mq_basic: POSIX message queues in one process, against qemu-riscv32 (whose queues are the host's: the names
 * carry the pid and every queue is unlinked). The names mq_open refuses (EACCES, ENOENT, ENAMETOOLONG), the
 * attributes it refuses (EINVAL) and its defaults, O_CREAT|O_EXCL, the access modes (EBADF in the wrong
 * direction), priorities (highest first, FIFO within one), EMSGSIZE both ways, O_NONBLOCK and EAGAIN,
 * mq_getsetattr, timeouts (ETIMEDOUT, EINVAL for a bad timespec), bad pointers (EFAULT), the descriptor's
 * flags (always close-on-exec), read and lseek of it, dup, close, and unlink while open. */
#include "atoll.h"

static char name[40];
static char buf[8192];

static const char *err(long r) {
  switch (r) {
    case -EMSGSIZE: return "EMSGSIZE";
    case -ETIMEDOUT: return "ETIMEDOUT";
    default: return errno_name(r);
  }
}
static void show(const char *what, long r) {
  if (r >= 0) printf("%s: %ld\n", what, r);
  else printf("%s: %s\n", what, err(r));
}

static void attrs(const char *what, int q) {
  struct mq_attr a;
  memset(&a, 0, sizeof a);
  long r = mq_getsetattr(q, 0, &a);
  /* qemu-riscv32 writes only the four fields (Linux writes the reserved words too, as zeros) */
  printf("%s: %s flags %lx maxmsg %ld msgsize %ld curmsgs %ld\n", what, err(r), a.mq_flags, a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

static struct timespec64 in_ns(int64_t ns) {
  struct timespec64 t;
  sys_clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += ns;
  t.tv_sec += t.tv_nsec / 1000000000;
  t.tv_nsec %= 1000000000;
  return t;
}

static void names(void) {
  char longname[300];
  show("open without a leading slash", mq_open("nothing", O_RDONLY, 0, 0));
  show("open \"/\" (the empty name)", mq_open("/", O_RDONLY, 0, 0));
  show("open a name with a slash", mq_open("/a/b", O_CREAT | O_RDWR, 0600, 0));
  show("open \"/.\"", mq_open("/.", O_CREAT | O_RDWR, 0600, 0));
  show("open \"/..\"", mq_open("/..", O_RDONLY, 0, 0));
  longname[0] = '/';
  memset(longname + 1, 'q', 255);
  longname[256] = 0;
  show("open a 255-byte name that does not exist", mq_open(longname, O_RDONLY, 0, 0));
  longname[256] = 'q';
  longname[257] = 0;
  show("open a 256-byte name", mq_open(longname, O_RDONLY, 0, 0));
  show("open a bad name pointer", sys_mq_open((const char *)8, O_RDONLY, 0, 0));
  show("open a missing queue", mq_open(name, O_RDONLY, 0, 0));
  show("unlink a missing queue", mq_unlink(name));
  show("unlink a bad name pointer", atoll_syscall1(SYS_mq_unlink, 8));
}

static void refused_attributes(void) {
  struct mq_attr a = { 0, 0, 64, 0, { 0, 0, 0, 0 } };
  show("create with maxmsg 0", mq_open(name, O_CREAT | O_RDWR, 0600, &a));
  a.mq_maxmsg = -1;
  show("create with maxmsg -1", mq_open(name, O_CREAT | O_RDWR, 0600, &a));
  a.mq_maxmsg = 4;
  a.mq_msgsize = 0;
  show("create with msgsize 0", mq_open(name, O_CREAT | O_RDWR, 0600, &a));
  a.mq_maxmsg = 100000; /* above every limit, even a privileged process's */
  a.mq_msgsize = 64;
  show("create with maxmsg 100000", mq_open(name, O_CREAT | O_RDWR, 0600, &a));
  a.mq_maxmsg = 4;
  a.mq_msgsize = 20 << 20;
  show("create with msgsize 20 MiB", mq_open(name, O_CREAT | O_RDWR, 0600, &a));
  show("create with a bad attr pointer", mq_open(name, O_CREAT | O_RDWR, 0600, (struct mq_attr *)8));
}

static void defaults_and_flags(void) {
  long q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, 0);
  show("create with the default attributes", q >= 0 ? 0 : q);
  attrs("  attributes", (int)q);
  printf("  F_GETFD %ld (close-on-exec without O_CLOEXEC) F_GETFL %lx\n", sys_fcntl((int)q, F_GETFD, 0), sys_fcntl((int)q, F_GETFL, 0));
  show("create it again with O_EXCL", mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, 0));
  long again = mq_open(name, O_CREAT | O_RDWR, 0600, 0);
  show("open it again with O_CREAT", again >= 0 ? 0 : again);
  long nb = mq_open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0, 0);
  printf("  O_RDONLY|O_NONBLOCK|O_CLOEXEC: F_GETFL %lx\n", sys_fcntl((int)nb, F_GETFL, 0));
  attrs("  its attributes", (int)nb);
  sys_close((int)again);
  sys_close((int)nb);
  sys_close((int)q);
  show("unlink", mq_unlink(name));
}

static void directions(void) {
  struct mq_attr a = { 0, 4, 64, 0, { 0, 0, 0, 0 } };
  long w = mq_open(name, O_CREAT | O_WRONLY, 0600, &a);
  long r = mq_open(name, O_RDONLY, 0, 0);
  show("receive on a write-only descriptor", mq_receive((int)w, buf, sizeof buf, 0));
  show("send on a read-only descriptor", mq_send((int)r, "x", 1, 0));
  show("send on stdout", mq_send(1, "x", 1, 0));
  show("receive on a closed descriptor", mq_receive(99, buf, sizeof buf, 0));
  show("read(2) of the write-only descriptor", sys_read((int)w, buf, 10));
  show("write(2) of the write-only descriptor", sys_write((int)w, "x", 1));
  show("write(2) of the read-only descriptor", sys_write((int)r, "x", 1));
  show("send 65 bytes to a 64-byte queue", mq_send((int)w, buf, 65, 0));
  show("receive into 63 bytes", mq_receive((int)r, buf, 63, 0));
  show("send at priority MQ_PRIO_MAX", mq_send((int)w, "x", 1, MQ_PRIO_MAX));
  show("send at priority MQ_PRIO_MAX to a closed descriptor", mq_send(99, "x", 1, MQ_PRIO_MAX));
  show("send from a bad pointer", mq_send((int)w, (const void *)8, 4, 0));
  sys_close((int)w);
  sys_close((int)r);
  mq_unlink(name);
}

static void priorities(void) {
  struct mq_attr a = { 0, 8, 64, 0, { 0, 0, 0, 0 } };
  int q = (int)mq_open(name, O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a);
  static const struct { const char *text; unsigned prio; } sent[] = {
    { "low-1", 1 }, { "high-1", 9 }, { "zero", 0 }, { "low-2", 1 }, { "top", MQ_PRIO_MAX - 1 }, { "high-2", 9 }, { "", 5 },
  };
  for (unsigned i = 0; i < sizeof sent / sizeof sent[0]; i++) mq_send(q, sent[i].text, strlen(sent[i].text), sent[i].prio);
  attrs("seven queued", q);
  long n = sys_read(q, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("read(2): %ld: %s", n, buf);
  int64_t pos = -1;
  show("llseek back to 0", sys_llseek(q, 0, &pos, SEEK_SET));
  show("read 6 bytes", sys_read(q, buf, 6));
  sys_llseek(q, 0, &pos, SEEK_END);
  printf("SEEK_END is at %ld\n", (long)pos);
  for (;;) {
    unsigned prio = 0;
    n = mq_receive(q, buf, sizeof buf, &prio);
    if (n < 0) { show("receive from the empty queue (O_NONBLOCK)", n); break; }
    buf[n] = 0;
    printf("  got \"%s\" (%ld bytes) at priority %u\n", buf, n, prio);
  }
  for (int i = 0; i < 8; i++) mq_send(q, "fill", 4, 3);
  show("send to the full queue (O_NONBLOCK)", mq_send(q, "more", 4, 3));
  struct mq_attr set = { 0, 0, 0, 0, { 0, 0, 0, 0 } }, old;
  show("mq_getsetattr: clear O_NONBLOCK", mq_getsetattr(q, &set, &old));
  printf("  old flags %lx\n", old.mq_flags);
  attrs("  now", q);
  struct timespec64 t0, t1;
  sys_clock_gettime(CLOCK_REALTIME, &t0);
  struct timespec64 dl = in_ns(30000000);
  show("timed send to the full queue (30 ms)", mq_timedsend(q, "more", 4, 3, &dl));
  sys_clock_gettime(CLOCK_REALTIME, &t1);
  printf("  waited at least 30 ms: %d, now past the deadline: %d\n",
         (t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec) >= 30000000,
         t1.tv_sec > dl.tv_sec || (t1.tv_sec == dl.tv_sec && t1.tv_nsec >= dl.tv_nsec));
  struct timespec64 bad = { 0, 1000000000 };
  show("timed receive with tv_nsec 1e9 (a message waiting)", mq_timedreceive(q, buf, sizeof buf, 0, &bad));
  bad.tv_sec = -1;
  bad.tv_nsec = 0;
  show("timed send with tv_sec -1", mq_timedsend(q, "x", 1, 0, &bad));
  show("timed send with a bad timespec pointer", mq_timedsend(q, "x", 1, 0, (const struct timespec64 *)8));
  set.mq_flags = O_NONBLOCK | O_APPEND;
  show("mq_getsetattr with O_APPEND", mq_getsetattr(q, &set, 0));
  show("mq_getsetattr of stdout", mq_getsetattr(1, 0, &old));
  while (mq_timedreceive(q, buf, sizeof buf, 0, &(struct timespec64){ 0, 0 }) >= 0) {}
  attrs("drained with an expired timeout", q);
  struct timespec64 past = { 0, 0 };
  show("timed receive from the empty queue, deadline long past", mq_timedreceive(q, buf, sizeof buf, 0, &past));
  mq_send(q, "lost", 4, 0);
  show("receive into a bad buffer", mq_receive(q, (void *)8, sizeof buf, 0));
  attrs("  the message is gone", q);
  sys_clock_gettime(CLOCK_REALTIME, &t0);
  dl = in_ns(40000000);
  show("timed receive from the empty queue (40 ms)", mq_timedreceive(q, buf, sizeof buf, 0, &dl));
  sys_clock_gettime(CLOCK_REALTIME, &t1);
  printf("  waited at least 40 ms: %d\n", (t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec) >= 40000000);
  sys_close(q);
  mq_unlink(name);
}

static void descriptors(void) {
  struct mq_attr a = { 0, 2, 16, 0, { 0, 0, 0, 0 } };
  int q = (int)mq_open(name, O_CREAT | O_RDWR, 0600, &a);
  int d = (int)sys_dup(q);
  printf("dup: F_GETFD %ld\n", sys_fcntl(d, F_GETFD, 0));
  show("send through the dup", mq_send(d, "via dup", 7, 2));
  sys_close(d);
  show("send through the closed dup", mq_send(d, "x", 1, 0));
  show("fcntl F_SETFL O_NONBLOCK", sys_fcntl(q, F_SETFL, O_NONBLOCK));
  attrs("  then", q);
  show("unlink while open", mq_unlink(name));
  show("open it by name", mq_open(name, O_RDONLY, 0, 0));
  int fresh = (int)mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
  show("create a new queue of that name", fresh >= 0 ? 0 : fresh);
  attrs("  the new one", fresh);
  long n = mq_receive(q, buf, sizeof buf, 0);
  buf[n > 0 ? n : 0] = 0;
  printf("the unlinked queue still gives \"%s\"\n", buf);
  show("it is empty now", mq_receive(q, buf, sizeof buf, 0));
  sys_close(q);
  sys_close(fresh);
  show("unlink the new one", mq_unlink(name));
}

int main(void) {
  long me = sys_getpid();
  snprintf(name, sizeof name, "/atoll-mq-basic-%ld", me);
  names();
  refused_attributes();
  defaults_and_flags();
  directions();
  priorities();
  descriptors();
  show("first free descriptor", sys_dup(0));
  return 0;
}
