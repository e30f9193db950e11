/* A parent that moves (Atoll's migrate call, or a scripted move) while it has children: one already ended and not
 * yet waited for (a zombie), one asleep, one computing and reporting through a pipe. The children stay where they
 * run; each checks that getppid() still names the parent after the moves. The parent reads the pipe to its end,
 * waits for every child (a move may find it blocked in waitid), and prints each child's status by its index, so
 * the output is the same wherever it and its children run.
 *   family_move [self]      (self: the parent moves itself n1 -> n2 -> n3 -> n1 as it goes) */
#include "raw_calls.h" /* the migrate call's number and methods */
#undef NSIG /* atoll_abi.h's signal numbers are Linux's; <signal.h> has its own names for them */
#undef SIG_DFL
#undef SIG_IGN
#undef SA_RESETHAND
#undef SI_KERNEL
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long atoll_migrate(const char *node, long how) { return mq_ecall(SYS_migrate, (long)node, how, 0, 0, 0); }

static volatile int sigchld;
static void on_chld(int sig) { (void)sig; sigchld++; }

static void nap_ms(long ms) {
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&t, NULL);
}

static void say(int out, const char *line) { write(out, line, strlen(line)); }

#define CHILDREN 3

int main(int argc, char **argv) {
  int self = argc > 1 && strcmp(argv[1], "self") == 0;
  pid_t parent = getpid();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  int p[2];
  if (pipe(p) != 0) { printf("pipe: %s\n", strerror(errno)); return 1; }
  pid_t kids[CHILDREN];
  for (int k = 0; k < CHILDREN; k++) {
    pid_t c = fork();
    if (c < 0) { printf("fork: %s\n", strerror(errno)); return 1; }
    if (c > 0) { kids[k] = c; continue; }
    close(p[0]);
    char line[96];
    if (k == 0) _exit(3); /* ends at once: a zombie when the parent first moves */
    if (k == 1) {
      nap_ms(300);
      snprintf(line, sizeof line, "child 1 asleep: ppid is the parent: %s\n", getppid() == parent ? "yes" : "no");
      say(p[1], line);
      _exit(5);
    }
    unsigned x = 1;
    for (int r = 0; r < 8; r++) {
      for (int i = 0; i < 200000; i++) x = x * 1103515245u + 12345u;
      snprintf(line, sizeof line, "child 2 round %d: %08x\n", r, x);
      say(p[1], line);
      nap_ms(15);
    }
    snprintf(line, sizeof line, "child 2 computed: ppid is the parent: %s\n", getppid() == parent ? "yes" : "no");
    say(p[1], line);
    _exit(7);
  }
  close(p[1]);
  printf("%d children started\n", CHILDREN);
  fflush(stdout);
  nap_ms(20);
  if (self) printf("move to n2: %ld\n", atoll_migrate("n2", ATOLL_MIGRATE_STOP));
  char buf[256];
  ssize_t n;
  int moved = 0;
  while ((n = read(p[0], buf, sizeof buf)) > 0) {
    fwrite(buf, 1, (size_t)n, stdout);
    if (self && !moved) { moved = 1; printf("move to n3: %ld\n", atoll_migrate("n3", ATOLL_MIGRATE_PRECOPY)); }
  }
  fflush(stdout);
  int status[CHILDREN];
  int reaped = 0;
  for (int k = 0; k < CHILDREN; k++) status[k] = -1;
  while (reaped < CHILDREN) {
    int st = 0;
    pid_t w = waitpid(-1, &st, 0);
    if (w < 0) { printf("waitpid: %s\n", strerror(errno)); break; }
    for (int k = 0; k < CHILDREN; k++) if (kids[k] == w) status[k] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    reaped++;
  }
  for (int k = 0; k < CHILDREN; k++) printf("child %d: status %d\n", k, status[k]);
  printf("no more children: %s\n", waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD ? "yes" : "no");
  printf("SIGCHLD seen: %s\n", sigchld > 0 ? "yes" : "no");
  if (self) printf("move to n1: %ld\n", atoll_migrate("n1", ATOLL_MIGRATE_POSTCOPY));
  printf("ppid of the parent: %d\n", (int)getppid());
  return 0;
}
