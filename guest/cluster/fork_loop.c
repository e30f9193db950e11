/* fork+exit+wait, argv[1] times (default 20), one child at a time: under --place spread each child runs on
 * another node, so the run's virtual time per fork is a remote fork's latency. Exits 0 when every child was
 * reaped with status 7. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20, ok = 0;
  for (int i = 0; i < n; i++) {
    pid_t c = fork();
    if (c < 0) { perror("fork"); return 1; }
    if (c == 0) _exit(7);
    int st = 0;
    if (waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 7) ok++;
  }
  printf("%d of %d children reaped with status 7\n", ok, n);
  return ok == n ? 0 : 1;
}
