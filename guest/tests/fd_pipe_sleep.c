/* fd_pipe_sleep: a read of an empty pipe waits (the host holds it) while the only other thread of the machine
 * sleeps: the child sleeps 30 ms, then writes. An idle machine lets virtual time pass to the sleeper's
 * deadline even while the host holds the read, since a pipe's wait ends only by a guest's call; the reader
 * sees the data and at least 30 ms gone. Then the same with the parent sleeping between two reads. */
#include "atoll.h"

int main(void) {
  int p[2];
  if (sys_pipe2(p, 0) != 0) return 1;
  int64_t t0 = clock_ns(CLOCK_MONOTONIC);
  long c = sys_fork();
  if (c == 0) {
    sleep_ns(30000000);
    sys_write(p[1], "late", 4);
    sleep_ns(30000000);
    sys_write(p[1], "later", 5);
    sys_exit_group(0);
  }
  char buf[16];
  long n = sys_read(p[0], buf, sizeof buf);
  int64_t t1 = clock_ns(CLOCK_MONOTONIC);
  printf("read %ld bytes after at least 30 ms: %d\n", n, t1 - t0 >= 30000000);
  n = sys_read(p[0], buf, sizeof buf);
  int64_t t2 = clock_ns(CLOCK_MONOTONIC);
  printf("read %ld bytes after at least 60 ms: %d\n", n, t2 - t0 >= 60000000);
  int st = 0;
  printf("child: %s, status %d\n", waitpid(c, &st, 0) == c ? "reaped" : "lost", st);
  return 0;
}
