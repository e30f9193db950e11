/* Process groups seen from a process that is not the parent (run with --place spread: each child on another
 * node): child A makes its own group; child B, its sibling, asks getpgid and getsid of A, and of a pid no
 * process has. Prints no pids, so one machine and a cluster print the same. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, 0);
}

int main(void) {
  pid_t sid = getsid(0);
  pid_t a = fork();
  if (a == 0) {
    setpgid(0, 0);
    nap_ms(300);
    _exit(0);
  }
  pid_t b = fork();
  if (b == 0) {
    nap_ms(100);
    pid_t g = getpgid(a);
    printf("B: getpgid(A) is A: %s\n", g == a ? "yes" : "no");
    printf("B: getsid(A) is the parent's session: %s\n", getsid(a) == sid ? "yes" : "no");
    errno = 0;
    long r = getpgid(0x3ffffff0);
    printf("B: getpgid of no process: %ld %s\n", r, errno == ESRCH ? "ESRCH" : "?");
    fflush(stdout);
    _exit(0);
  }
  int st = 0, ok = 1;
  for (int i = 0; i < 2; i++) {
    pid_t w = wait(&st);
    ok &= w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  printf("parent: children ended well: %s\n", ok ? "yes" : "no");
  return ok ? 0 : 1;
}
