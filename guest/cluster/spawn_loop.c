/* spawn+wait of guest/bin/true-like work, argv[1] times (default 20), one child at a time on node argv[2]
 * (default n2): the run's virtual time per spawn is a spawn's latency. The child is echo with no words. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_calls.h"

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20, ok = 0;
  const char *node = argc > 2 ? argv[2] : "n2";
  char *args[] = { "guest/bin/echo.elf", 0 }, *env[] = { 0 };
  for (int i = 0; i < n; i++) {
    long c = atoll_spawn(node, "guest/bin/echo.elf", args, env);
    if (c < 0) { printf("spawn %d: %ld\n", i, c); return 1; }
    int st = 0;
    if (waitpid((pid_t)c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
  }
  printf("%d of %d spawned children reaped\n", ok, n);
  return ok == n ? 0 : 1;
}
