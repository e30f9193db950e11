/* fork across a cluster (run with --place spread): children report their pid and ppid and exit with a status
 * the parent checks with waitpid; one writes through a pipe made before the fork (the parent reads to EOF);
 * one sleeps until the parent kills it with SIGTERM. Only Linux calls, so under one machine it behaves the same. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILDREN 3

static void sleep_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, 0);
}

int main(void) {
  pid_t me = getpid();
  printf("parent %d\n", (int)me);
  fflush(stdout);
  int ok = 1;
  pid_t kids[CHILDREN];
  for (int i = 0; i < CHILDREN; i++) {
    pid_t c = fork();
    if (c < 0) { printf("fork %d failed: %s\n", i, strerror(errno)); return 1; }
    if (c == 0) {
      printf("child %d: ppid is the parent: %s\n", i, getppid() == me ? "yes" : "no");
      fflush(stdout);
      _exit(10 + i);
    }
    kids[i] = c;
  }
  for (int i = 0; i < CHILDREN; i++) {
    int st = 0;
    pid_t w = waitpid(kids[i], &st, 0);
    int good = w == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 10 + i;
    printf("child %d: reaped %s, status %d\n", i, w == kids[i] ? "yes" : "no", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    ok &= good;
  }
  int p[2];
  if (pipe(p) != 0) { printf("pipe: %s\n", strerror(errno)); return 1; }
  pid_t writer = fork();
  if (writer == 0) {
    close(p[0]);
    const char *msg = "through a pipe made before the fork\n";
    for (int k = 0; k < 3; k++) write(p[1], msg, strlen(msg));
    _exit(0);
  }
  close(p[1]);
  char buf[256];
  size_t total = 0;
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) total += (size_t)n;
  printf("pipe: read %u bytes, then EOF (%d)\n", (unsigned)total, (int)n);
  ok &= total == 3 * strlen("through a pipe made before the fork\n") && n == 0;
  int st = 0;
  ok &= waitpid(writer, &st, 0) == writer && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  pid_t sleeper = fork();
  if (sleeper == 0) {
    for (;;) sleep_ms(1000);
  }
  sleep_ms(50);
  printf("kill(sleeper, SIGTERM) = %d\n", kill(sleeper, SIGTERM));
  ok &= waitpid(sleeper, &st, 0) == sleeper && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
  printf("sleeper ended by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  printf("%s\n", ok ? "all as on one machine" : "SOMETHING DIFFERED");
  return ok ? 0 : 1;
}
