/* Signals a process on another node: kill(argv[1], SIGUSR1) after 20 ms, then probes with signal 0 a pid no
 * process has (argv[2]): ESRCH. Prints each result. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: sig_sender <pid> <absent pid>\n"); return 2; }
  pid_t target = (pid_t)atoi(argv[1]), absent = (pid_t)atoi(argv[2]);
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  nanosleep(&ts, 0);
  printf("sender %d: kill(%d, SIGUSR1) = %d\n", (int)getpid(), (int)target, kill(target, SIGUSR1));
  int r = kill(absent, 0);
  printf("kill(%d, 0) = %d (%s)\n", (int)absent, r, r == 0 ? "exists" : errno == ESRCH ? "ESRCH" : strerror(errno));
  return 0;
}
