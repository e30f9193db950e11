/* A parent waits for a child that sleeps for ever (run with --place spread, and a fault that crashes the child's
 * node): the child's end reaches the parent as a kill by SIGKILL. Prints where the child ran (its getppid check)
 * and how waitpid saw it end. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  pid_t me = getpid();
  pid_t c = fork();
  if (c < 0) { perror("fork"); return 1; }
  if (c == 0) {
    printf("child %d of %d sleeping\n", (int)getpid(), (int)getppid());
    fflush(stdout);
    for (;;) {
      struct timespec ts = { 1, 0 };
      nanosleep(&ts, 0);
    }
  }
  int st = 0;
  pid_t w = waitpid(c, &st, 0);
  printf("parent %d: waitpid = %s, %s %d\n", (int)me, w == c ? "the child" : "other", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 1;
}
