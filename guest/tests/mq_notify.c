/* mq_notify: notifications of a message queue (qemu-riscv32 7.2 does not implement mq_notify, so this guest is
 * checked against guest/tests/expected/mq_notify.stdout; built for the host with -DMQ_NATIVE, see mq_native.h,
 * it prints the same under the host's Linux kernel, which test/guest/mqueue-native.test.ts checks). A
 * SIGEV_SIGNAL registration fires once, when a message arrives on the empty queue, with si_code SI_MESGQ, the
 * sender's pid and the registration's si_value, and is then gone; not for a message to a queue already holding
 * one, nor for one handed to a blocked receiver; one process at a time (EBUSY), NULL removes only the owner's;
 * SIGEV_NONE; closing any descriptor of the queue removes the closer's registration; a default action kills;
 * the checks of the sigevent; and the descriptor is closed across execve. Prints no pids. */
#ifdef MQ_NATIVE
#include "mq_native.h"
#else
#include "atoll.h"
#endif

static char name[48], ready_name[56];
static char buf[8192];
static volatile int notified;
static volatile int info_code, info_from, info_value, info_signo;
static long sender_pid;

static void on_note(int sig, siginfo_t *si, void *ctx) {
  (void)ctx;
  notified++;
  info_signo = sig;
  info_code = si->si_code;
  info_from = si->si_pid == sender_pid;
  info_value = si->si_value.sival_int;
}

static const char *err(long r) {
  switch (r) {
    case -ENOTSOCK: return "ENOTSOCK";
    default: return errno_name(r);
  }
}
static void show(const char *what, long r) { printf("%s: %s\n", what, err(r)); }

static struct sigevent by_signal(int sig, int value) {
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = sig;
  ev.sigev_value.sival_int = value;
  return ev;
}

/* Where word starts in s, or the end of s (the runtime has no strstr). */
static const char *find(const char *s, const char *word) {
  size_t n = strlen(word);
  for (; *s; s++) if (memcmp(s, word, n) == 0) return s;
  return s;
}

/* The registration read(2) of the descriptor reports: "NOTIFY:<kind> SIGNO:<signal>", and whose it is. */
static void registration(const char *what, int q, long owner) {
  int64_t pos;
  sys_llseek(q, 0, &pos, SEEK_SET);
  long n = sys_read(q, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  const char *kind = find(buf, "NOTIFY:"), *pid = find(buf, "NOTIFY_PID:");
  long who = 0;
  for (const char *p = pid + (*pid ? 11 : 0); *p >= '0' && *p <= '9'; p++) who = who * 10 + (*p - '0');
  char fields[26];
  memcpy(fields, kind, 25); /* "NOTIFY:<kind> SIGNO:<signal>" and their padding */
  fields[25] = 0;
  printf("%s: %s owner %s\n", what, fields, who == 0 ? "none" : who == owner ? "as expected" : "another");
}

/* Deliver what is pending and blocked: SIGUSR1 and SIGUSR2 are blocked outside this. */
static void take_signals(void) {
  sigset_t none, pending;
  sys_sigpending(&pending);
  if (!sigismember(&pending, SIGUSR1) && !sigismember(&pending, SIGUSR2)) return;
  sigemptyset(&none);
  sys_sigsuspend(&none);
}

static void report(const char *what) {
  take_signals();
  if (notified == 0) printf("%s: no notification\n", what);
  else printf("%s: %d notification(s), signal %d, SI_MESGQ %d, from the sender %d, value %d\n", what, notified,
              info_signo, info_code == SI_MESGQ, info_from, info_value);
  notified = 0;
}

static long reap(long c) {
  int st = 0;
  waitpid(c, &st, 0);
  return st;
}

/* A child that sends one message to q (after a pause) and exits. */
static void child_sends(int q, const char *text) {
  long c = sys_fork();
  if (c == 0) {
    sleep_ns(20000000);
    sys_exit_group(mq_send(q, text, strlen(text), 1) == 0 ? 0 : 1);
  }
  sender_pid = c;
  reap(c);
}

static int open_queue(const char *n, int flags) {
  struct mq_attr a = { 0, 4, 64, 0, { 0, 0, 0, 0 } };
  return (int)mq_open(n, O_CREAT | O_RDWR | flags, 0600, &a);
}

static void fires_once(int q) {
  long me = sys_getpid();
  struct sigevent ev = by_signal(SIGUSR1, 4242);
  show("register SIGUSR1", mq_notify(q, &ev));
  registration("  registered", q, me);
  child_sends(q, "one");
  report("a child sends to the empty queue");
  registration("  after it fired", q, me);
  child_sends(q, "two");
  report("a second message, no registration");
  ev = by_signal(SIGUSR2, 7);
  show("register SIGUSR2 with a message queued", mq_notify(q, &ev));
  child_sends(q, "three");
  report("a message to a queue that is not empty");
  while (mq_receive(q, buf, sizeof buf, 0) >= 0) {}
  child_sends(q, "four");
  report("the queue emptied, then a message");
  mq_receive(q, buf, sizeof buf, 0);
}

static void one_owner(int q) {
  long me = sys_getpid();
  struct sigevent ev = by_signal(SIGUSR1, 1);
  mq_notify(q, &ev);
  long c = sys_fork();
  if (c == 0) {
    struct sigevent mine = by_signal(SIGUSR2, 2);
    long busy = mq_notify(q, &mine), none = mq_notify(q, 0);
    sys_exit_group((busy == -EBUSY ? 0 : 1) | (none == 0 ? 0 : 2));
  }
  long st = reap(c);
  printf("a child registers while the parent is registered: %s, and its NULL returns 0: %s\n",
         (WEXITSTATUS(st) & 1) == 0 ? "EBUSY" : "not EBUSY", (WEXITSTATUS(st) & 2) == 0 ? "yes" : "no");
  registration("  the parent's registration stays", q, me);
  show("register again in the parent, still registered", mq_notify(q, &ev));
  show("remove it with NULL", mq_notify(q, 0));
  registration("  removed", q, me);
  show("NULL again", mq_notify(q, 0));
}

static void receiver_waiting(int q) {
  long me = sys_getpid();
  long c = sys_fork();
  if (c == 0) {
    long n = mq_receive(q, buf, sizeof buf, 0);
    sys_exit_group(n == 5 ? 0 : 1);
  }
  struct sigevent ev = by_signal(SIGUSR1, 3);
  mq_notify(q, &ev);
  sleep_ns(50000000); /* the child is blocked in its receive by then */
  sender_pid = me;
  mq_send(q, "taken", 5, 0);
  long st = reap(c);
  printf("a blocked receiver took the message: %s\n", WEXITSTATUS(st) == 0 ? "yes" : "no");
  report("  the registered parent");
  registration("  its registration", q, me);
  mq_notify(q, 0);
}

static void sigev_none(int q) {
  long me = sys_getpid();
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_NONE;
  show("register SIGEV_NONE", mq_notify(q, &ev));
  registration("  registered", q, me);
  child_sends(q, "quiet");
  report("a message arrives");
  registration("  after it", q, me);
  mq_receive(q, buf, sizeof buf, 0);
  ev = by_signal(0, 9);
  show("register SIGEV_SIGNAL with signal 0", mq_notify(q, &ev));
  registration("  registered", q, me);
  child_sends(q, "zero");
  report("a message arrives");
  registration("  after it", q, me);
  mq_receive(q, buf, sizeof buf, 0);
}

static void closing(int q) {
  long me = sys_getpid();
  struct sigevent ev = by_signal(SIGUSR1, 5);
  mq_notify(q, &ev);
  long c = sys_fork();
  if (c == 0) {
    sys_close(q);
    sys_exit_group(0);
  }
  reap(c);
  registration("a child closes its copy of the descriptor", q, me);
  int d = (int)sys_dup(q);
  sys_close(d);
  registration("the parent closes a dup of it", q, me);
}

static void killed_by_default(void) {
  int q = open_queue(name, 0), ready = open_queue(ready_name, 0);
  long c = sys_fork();
  if (c == 0) {
    struct sigevent ev = by_signal(SIGTERM, 0);
    mq_notify(q, &ev);
    mq_send(ready, "r", 1, 0);
    for (;;) sleep_ns(1000000000);
  }
  mq_receive(ready, buf, sizeof buf, 0);
  mq_send(q, "die", 3, 0);
  long st = reap(c);
  printf("a registered child whose SIGTERM is default: killed by signal %ld\n", WIFSIGNALED(st) ? (long)WTERMSIG(st) : -1L);
  sys_close(q);
  sys_close(ready);
  mq_unlink(ready_name);
}

static void refused(int q) {
  struct sigevent ev = by_signal(SIGUSR1, 0);
  ev.sigev_notify = 3;
  show("sigev_notify 3", mq_notify(q, &ev));
  show("sigev_notify 3 on a closed descriptor", mq_notify(99, &ev));
  ev = by_signal(65, 0);
  show("SIGEV_SIGNAL with signal 65", mq_notify(q, &ev));
  ev = by_signal(SIGUSR1, 0);
  show("on a closed descriptor", mq_notify(99, &ev));
  show("on stdout", mq_notify(1, &ev));
  show("with a bad sigevent pointer", mq_notify(q, (const struct sigevent *)8));
  static char cookie[32];
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_signo = q;
  ev.sigev_value.sival_ptr = cookie;
  show("SIGEV_THREAD with the queue as its socket", mq_notify(q, &ev));
  ev.sigev_signo = 99;
  show("SIGEV_THREAD with a closed descriptor", mq_notify(q, &ev));
  ev.sigev_value.sival_ptr = (void *)8;
  show("SIGEV_THREAD with a bad cookie", mq_notify(q, &ev));
}

/* After execve: the queue descriptor is gone, a dup whose close-on-exec flag was cleared is still a queue. */
static int after_exec(const char *fd_text, const char *dup_text) {
  int fd = 0, d = 0;
  for (const char *p = fd_text; *p; p++) fd = fd * 10 + (*p - '0');
  for (const char *p = dup_text; *p; p++) d = d * 10 + (*p - '0');
  struct mq_attr a;
  show("after execve, the queue's descriptor", sys_fcntl(fd, F_GETFD, 0));
  show("  the dup without close-on-exec, mq_getsetattr", mq_getsetattr(d, 0, &a));
  printf("  its maxmsg %ld msgsize %ld\n", a.mq_maxmsg, a.mq_msgsize);
  sys_close(d);
  return 0;
}

static void exec_self(const char *self, int q) {
  int d = (int)sys_dup(q);
  sys_fcntl(d, F_SETFD, 0);
  static char fd_text[12], dup_text[12];
  snprintf(fd_text, sizeof fd_text, "%d", q);
  snprintf(dup_text, sizeof dup_text, "%d", d);
  char *argv[] = { (char *)self, "after-exec", fd_text, dup_text, 0 };
  char *envp[] = { 0 };
  long c = sys_fork();
  if (c == 0) {
    sys_execve(self, argv, envp);
    sys_exit_group(127);
  }
  long st = reap(c);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) printf("the exec'd child: status %lx\n", st);
  sys_close(d);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "after-exec") == 0) return after_exec(argv[2], argv[3]);
  long me = sys_getpid();
  snprintf(name, sizeof name, "/atoll-mq-notify-%ld", me);
  snprintf(ready_name, sizeof ready_name, "/atoll-mq-notify-%ld-ready", me);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGUSR2);
  sys_sigprocmask(SIG_BLOCK, &block, 0);
  sig_install(SIGUSR1, (sighandler_t)(void *)on_note, SA_SIGINFO);
  sig_install(SIGUSR2, (sighandler_t)(void *)on_note, SA_SIGINFO);
  int q = open_queue(name, O_NONBLOCK);
  fires_once(q);
  sys_fcntl(q, F_SETFL, 0);
  one_owner(q);
  receiver_waiting(q);
  sigev_none(q);
  closing(q);
  refused(q);
  exec_self(argv[0], q);
  sys_close(q);
  mq_unlink(name);
  killed_by_default();
  mq_unlink(name);
  return 0;
}
