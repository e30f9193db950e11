/* A process that moves itself (Atoll's migrate call) around a cluster of three nodes, by each method, and checks
 * what a move must keep: its pid, its heap, an open file's offset and a CLOCK_MONOTONIC that never goes back. It
 * also asks for moves that cannot happen and prints their errors. Its output never names a node or a time, so it
 * is the same wherever it runs.
 *   migrate_self [pages]      (default 16) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "raw_calls.h" /* Linux's numbers and flags (O_CREAT, ...) from atoll_abi.h, so not <fcntl.h> */

int open(const char *path, int flags, ...);

static long long mono_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long atoll_migrate(const char *node, long how) { return mq_ecall(SYS_migrate, (long)node, how, 0, 0, 0); }

static const char *err(long r) { return r == 0 ? "0" : strerror((int)-r); }

int main(int argc, char **argv) {
  int pages = argc > 1 ? atoi(argv[1]) : 16;
  pid_t me = getpid();
  unsigned *heap = malloc((size_t)pages * 4096);
  if (heap == NULL) { printf("no memory for %d pages\n", pages); return 1; }
  size_t words = (size_t)pages * 1024;
  for (size_t i = 0; i < words; i++) heap[i] = (unsigned)(i * 2654435761u);
  int fd = open("/tmp/migrate_self.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
  if (fd < 0) { printf("open: %s\n", strerror(errno)); return 1; }
  static const struct { const char *node; long how; const char *name; } moves[] = {
    { "n2", ATOLL_MIGRATE_STOP, "stop" }, { "n3", ATOLL_MIGRATE_PRECOPY, "precopy" }, { "n1", ATOLL_MIGRATE_POSTCOPY, "postcopy" },
  };
  long long last = mono_ns();
  int bad = 0;
  for (unsigned k = 0; k < sizeof moves / sizeof moves[0]; k++) {
    char line[64];
    int n = snprintf(line, sizeof line, "before move %u\n", k);
    if (write(fd, line, (size_t)n) != n) bad = 1;
    long r = atoll_migrate(moves[k].node, moves[k].how);
    printf("move %u by %s: %s\n", k, moves[k].name, err(r));
    /* Where it is now, again: nothing to do. */
    printf("again to the same node: %s\n", err(atoll_migrate(moves[k].node, moves[k].how)));
    long long now = mono_ns();
    if (now < last) { printf("move %u: CLOCK_MONOTONIC went back by %lld ns\n", k, last - now); bad = 1; }
    last = now;
    if (getpid() != me) { printf("move %u: pid changed\n", k); bad = 1; }
    unsigned sum = 0;
    for (size_t i = 0; i < words; i++) { sum += heap[i]; heap[i] += k; }
    printf("move %u: heap sum %08x\n", k, sum);
  }
  printf("no such node: %s\n", err(atoll_migrate("n9", ATOLL_MIGRATE_STOP)));
  printf("a bad how: %s\n", err(atoll_migrate("n2", 7)));
  printf("a bad pointer: %s\n", err(atoll_migrate((const char *)16, ATOLL_MIGRATE_STOP)));
  off_t off = lseek(fd, 0, SEEK_CUR);
  printf("file offset after three moves: %ld\n", (long)off);
  close(fd);
  printf("pid kept, monotonic time never went back: %s\n", bad ? "NO" : "yes");
  return bad;
}
