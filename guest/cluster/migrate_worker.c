/* A memory-busy worker that can be moved between nodes while it runs (atoll cluster run with a `migrate` fault):
 * the parent forks the worker and reads its reports through a pipe made before the fork; the worker fills a heap
 * of PAGES pages, and each round rewrites it, sums it, checks that its pid and its CLOCK_MONOTONIC never change
 * for the worse, sleeps a little and reports. Its output is the same wherever it runs (it never prints a node or
 * a time), so a run with a move prints exactly what a run without one prints.
 *   migrate_worker [rounds] [pages]      (defaults 40 and 256: 1 MiB) */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A line to the pipe (one write: whole lines, as PIPE_BUF keeps them). */
static void say(int out, const char *fmt, ...) {
  char line[160];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0) write(out, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
}

static int worker(int out, int rounds, int pages) {
  pid_t me = getpid();
  unsigned *heap = malloc((size_t)pages * 4096);
  if (heap == NULL) { say(out, "worker: no memory for %d pages\n", pages); return 1; }
  size_t words = (size_t)pages * 1024;
  long long last = mono_ns();
  int bad = 0;
  for (int r = 0; r < rounds; r++) {
    unsigned sum = 0;
    for (size_t i = 0; i < words; i++) heap[i] = (unsigned)(i * 2654435761u) + (unsigned)r * 40503u;
    for (size_t i = 0; i < words; i++) sum += heap[i];
    long long now = mono_ns();
    if (now < last) { say(out, "round %d: CLOCK_MONOTONIC went back by %lld ns\n", r, last - now); bad = 1; }
    last = now;
    if (getpid() != me) { say(out, "round %d: pid changed\n", r); bad = 1; }
    struct timespec nap = { 0, 2000000 }; /* 2 ms: a sleep a move must keep */
    nanosleep(&nap, NULL);
    long long after = mono_ns();
    if (after - now < 2000000) { say(out, "round %d: the 2 ms sleep lasted %lld ns\n", r, after - now); bad = 1; }
    last = after;
    say(out, "round %d sum %08x\n", r, sum);
  }
  free(heap);
  say(out, "worker done: pid kept, monotonic time never went back: %s\n", bad ? "NO" : "yes");
  return bad;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 40;
  int pages = argc > 2 ? atoi(argv[2]) : 256;
  int p[2];
  if (pipe(p) != 0) { printf("pipe: %s\n", strerror(errno)); return 1; }
  pid_t c = fork();
  if (c < 0) { printf("fork: %s\n", strerror(errno)); return 1; }
  if (c == 0) {
    close(p[0]);
    int r = worker(p[1], rounds, pages);
    close(p[1]);
    _exit(r);
  }
  close(p[1]);
  printf("worker started\n");
  fflush(stdout);
  char buf[512];
  ssize_t n;
  size_t total = 0;
  while ((n = read(p[0], buf, sizeof buf)) > 0) {
    fwrite(buf, 1, (size_t)n, stdout);
    total += (size_t)n;
  }
  fflush(stdout);
  int st = 0;
  pid_t w = waitpid(c, &st, 0);
  printf("pipe: EOF after %u bytes (%d); worker reaped: %s, status %d\n", (unsigned)total, (int)n, w == c ? "yes" : "no",
         WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  return w == c && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
