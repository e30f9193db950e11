/* Atoll's spawn: start guest/bin/echo.elf on n2, on the node the placement policy picks, and on a node the
 * cluster does not have; wait for the children and print how each ended (the parent sees them as its own). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_calls.h"

static char *env[] = { 0 };

static int run(const char *node, const char *word) {
  char *argv[] = { "guest/bin/echo.elf", (char *)word, 0 };
  long pid = atoll_spawn(node, "guest/bin/echo.elf", argv, env);
  if (pid < 0) { printf("spawn on %s: %s\n", node ? node : "(placed)", strerror((int)-pid)); return (int)pid; }
  int st = 0;
  long w = waitpid((pid_t)pid, &st, 0);
  printf("spawn on %s: reaped %s, exit %d\n", node ? node : "(placed)", w == pid ? "the child" : "other", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  return 0;
}

int main(void) {
  int ok = run("n2", "hello from a spawned child") == 0;
  ok &= run(0, "placed by the policy") == 0;
  ok &= run("n9", "nowhere") == -EHOSTUNREACH;
  char *bad[] = { "missing.elf", 0 };
  long r = atoll_spawn("n2", "missing.elf", bad, env);
  printf("spawn of a missing program: %s\n", r == -ENOENT ? "ENOENT" : strerror((int)-r));
  return ok && r == -ENOENT ? 0 : 1;
}
