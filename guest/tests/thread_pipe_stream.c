/* thread_pipe_stream: 300 KiB through a pipe between two threads, in writes and reads of uneven sizes
 * (each side blocks while the pipe is full or empty); the reader sees every byte in order, then EOF once the
 * writer closed its end. */
#include "atoll.h"

#define TOTAL (300 * 1024)
static int fds[2];
static char wbuf[9000];
static char rbuf[7000];

static int writer(void *arg) {
  (void)arg;
  long sent = 0;
  unsigned size = 1;
  while (sent < TOTAL) {
    long n = TOTAL - sent < (long)size ? TOTAL - sent : (long)size;
    for (long i = 0; i < n; i++) wbuf[i] = (char)((sent + i) * 7 % 251);
    long w = fd_write_all(fds[1], wbuf, (size_t)n);
    if (w != n) { printf("write failed: %s\n", errno_name(w)); return 1; }
    sent += n;
    size = size * 3 % 8999 + 1;
  }
  sys_close(fds[1]);
  return 0;
}

int main(void) {
  if (sys_pipe2(fds, O_CLOEXEC) != 0) { puts("pipe2 failed"); return 1; }
  struct thread t;
  if (thread_create(&t, writer, 0) != 0) { puts("thread_create failed"); return 1; }
  long got = 0, reads = 0, bad = -1;
  unsigned size = 5;
  for (;;) {
    long n = sys_read(fds[0], rbuf, size);
    if (n < 0) { printf("read failed: %s\n", errno_name(n)); return 1; }
    if (n == 0) break;
    for (long i = 0; i < n; i++) if (bad < 0 && rbuf[i] != (char)((got + i) * 7 % 251)) bad = got + i;
    got += n;
    reads++;
    size = size * 5 % 6999 + 1;
  }
  int r = thread_join(&t);
  printf("received %ld bytes, first bad byte %ld, writer %d\n", got, bad, r);
  print_result("read after EOF", sys_read(fds[0], rbuf, 10));
  return reads > 0 ? 0 : 1;
}
