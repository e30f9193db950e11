/* An orphan whose parent's node goes down (run with --place spread and a fault that crashes the parent's node).
 * `orphan parent`: forks a child (placed on another node) and sleeps for ever. The child watches getppid: when it
 * changes it prints the new parent and exits 7. `orphan init`, the first process of the child's node, waits up
 * to 10 s for a child to reap (the orphan, adopted) and prints how it ended. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, 0);
}

static int parent(void) {
  pid_t c = fork();
  if (c < 0) { perror("fork"); return 1; }
  if (c == 0) {
    pid_t first = getppid();
    printf("child: parent %d\n", (int)first);
    fflush(stdout);
    for (int i = 0; i < 200; i++) {
      nap_ms(50);
      pid_t now = getppid();
      if (now != first) {
        printf("child: new parent %d\n", (int)now);
        fflush(stdout);
        _exit(7);
      }
    }
    printf("child: parent never changed\n");
    fflush(stdout);
    _exit(1);
  }
  for (;;) nap_ms(1000);
}

static int init(void) {
  printf("init: pid %d\n", (int)getpid());
  fflush(stdout);
  for (int i = 0; i < 200; i++) {
    int st = 0;
    pid_t w = waitpid(-1, &st, WNOHANG);
    if (w > 0) {
      printf("init: reaped %d, %s %d\n", (int)w, WIFEXITED(st) ? "exited" : "killed by signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
      return 0;
    }
    nap_ms(50);
  }
  printf("init: nothing to reap\n");
  return 1;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "parent") == 0) return parent();
  if (argc > 1 && strcmp(argv[1], "init") == 0) return init();
  fprintf(stderr, "usage: orphan parent|init\n");
  return 2;
}
