/* Processes, pipes and signals together: a child streams 320 KiB through a pipe to its parent, which
 * checks every byte and sees EOF when the child exits; a second child writes to a pipe whose reader has
 * gone: with SIGPIPE handled, write returns EPIPE and the handler ran; a third dies of SIGPIPE's default
 * action; SIGCHLD reaches a handler once per child; waitpid reports each status. Prints no pids. */
#include "atoll.h"

static volatile int chld, pipes;
static void on_chld(int sig) { (void)sig; chld++; }
static void on_pipe(int sig) { (void)sig; pipes++; }

static void handle(int sig, void (*fn)(int)) {
  struct k_sigaction a;
  memset(&a, 0, sizeof a);
  a.sa_handler = (void *)fn;
  a.sa_flags = SA_RESTART;
  sys_sigaction(sig, &a, 0);
}

static char buf[8192];
#define TOTAL (320 * 1024)

static void show(const char *what, int st) {
  if ((st & 0x7f) == 0) printf("%s: exited %d\n", what, (st >> 8) & 0xff);
  else printf("%s: killed by signal %d\n", what, st & 0x7f);
}

int main(void) {
  handle(SIGCHLD, on_chld);
  int p[2];
  if (sys_pipe2(p, 0) != 0) return 1;
  long c1 = sys_fork();
  if (c1 == 0) {
    sys_close(p[0]);
    for (int off = 0; off < TOTAL; off += (int)sizeof buf) {
      for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)((off + i) * 7 + 3);
      if (fd_write_all(p[1], buf, sizeof buf) < 0) sys_exit_group(9);
    }
    sys_exit_group(4);
  }
  sys_close(p[1]);
  long got = 0, bad = 0, n;
  while ((n = sys_read(p[0], buf, sizeof buf)) > 0) {
    for (long i = 0; i < n; i++) if (buf[i] != (char)((got + i) * 7 + 3)) bad++;
    got += n;
  }
  printf("read %ld bytes, %ld wrong, then %ld (EOF)\n", got, bad, n);
  sys_close(p[0]);
  int st = 0;
  printf("waitpid first child: %s\n", waitpid(c1, &st, 0) == c1 ? "yes" : "no");
  show("streamer", st);

  int q[2];
  sys_pipe2(q, 0);
  sys_close(q[0]);
  long c2 = sys_fork();
  if (c2 == 0) {
    handle(SIGPIPE, on_pipe);
    long w = sys_write(q[1], "x", 1);
    printf("child write to a pipe without readers: %ld, handler ran %d time(s)\n", w, pipes);
    sys_exit_group(w == -EPIPE ? 0 : 1);
  }
  waitpid(c2, &st, 0);
  show("handled SIGPIPE", st);
  long c3 = sys_fork();
  if (c3 == 0) { sys_write(q[1], "x", 1); sys_exit_group(0); }
  waitpid(c3, &st, 0);
  show("default SIGPIPE", st);
  sys_close(q[1]);
  printf("waitpid with no child left: %ld\n", waitpid(-1, &st, 0));
  printf("SIGCHLD handled %d times\n", chld);
  return 0;
}
