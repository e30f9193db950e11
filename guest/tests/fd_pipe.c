/* fd_pipe: pipe2 and the descriptor calls on one process: flags, non-blocking EAGAIN, how much a pipe holds
 * for writes of different sizes (Linux packs them into 16 pages), FIONREAD, EOF after the last writer closes,
 * ESPIPE, ENOTTY, dup/dup3/fcntl and their errors, EMFILE; and at the end a write with no reader left, which
 * SIGPIPE kills. */
#include "atoll.h"

static char chunk[70000];
static char back[70000];

static long fill(int w, size_t size) {
  long total = 0;
  for (;;) {
    long n = sys_write(w, chunk, size);
    if (n < 0) {
      printf("  write %u: %s after %ld\n", (unsigned)size, errno_name(n), total);
      return total;
    }
    total += n;
    if ((size_t)n != size) {
      printf("  write %u: short %ld after %ld\n", (unsigned)size, n, total - n);
    }
  }
}

static long drain(int r) {
  long total = 0;
  uint32_t sum = 0;
  for (;;) {
    long n = sys_read(r, back, sizeof back);
    if (n <= 0) {
      printf("  drained %ld (sum %u) then %s\n", total, sum, n == 0 ? "EOF" : errno_name(n));
      return total;
    }
    for (long i = 0; i < n; i++) sum = sum * 31 + (unsigned char)back[i];
    total += n;
  }
}

int main(void) {
  int fds[2];
  for (int i = 0; i < (int)sizeof chunk; i++) chunk[i] = (char)('a' + i % 26);
  for (int i = 4096; i < (int)sizeof chunk; i++) chunk[i] = chunk[i % 4096];
  print_result("pipe2 bad flags", sys_pipe2(fds, 0x12340000));
  print_result("pipe2", sys_pipe2(fds, O_NONBLOCK));
  printf("fds %d %d\n", fds[0], fds[1]);
  print_result("F_GETFL read end", sys_fcntl(fds[0], F_GETFL, 0));
  print_result("F_GETFL write end", sys_fcntl(fds[1], F_GETFL, 0));
  print_result("read empty non-blocking", sys_read(fds[0], back, 10));
  print_result("write abc", sys_write(fds[1], "abc", 3));
  int avail = -1;
  print_result("FIONREAD", sys_ioctl(fds[0], FIONREAD, &avail));
  printf("available %d\n", avail);
  print_result("read", sys_read(fds[0], back, 100));
  print_result("write to read end", sys_write(fds[0], "x", 1));
  print_result("read from write end", sys_read(fds[1], back, 1));
  static const size_t sizes[] = {1, 1000, 4096, 5000, 65536, 70000};
  for (int i = 0; i < 6; i++) {
    printf("size %u:\n", (unsigned)sizes[i]);
    long in = fill(fds[1], sizes[i]);
    long out = drain(fds[0]);
    printf("  held %ld, read %ld\n", in, out);
  }
  int64_t pos;
  print_result("llseek pipe", sys_llseek(fds[0], 0, &pos, SEEK_SET));
  print_result("pread pipe", sys_pread64(fds[0], back, 1, 0));
  print_result("pwrite pipe", sys_pwrite64(fds[1], back, 1, 0));
  print_result("TCGETS pipe", sys_ioctl(fds[0], TCGETS, back));
  print_result("ftruncate pipe", sys_ftruncate64(fds[1], 0));
  print_result("fsync pipe", sys_fsync(fds[1]));
  print_result("getdents pipe", sys_getdents64(fds[0], back, 1000));
  struct statx st;
  print_result("statx pipe", fstatx(fds[0], &st));
  printf("pipe mode type %s nlink %u size %u\n", (st.stx_mode & S_IFMT) == S_IFIFO ? "fifo" : "other", st.stx_nlink, (unsigned)st.stx_size);
  print_result("F_SETFL blocking", sys_fcntl(fds[0], F_SETFL, 0));
  print_result("F_GETFL read end", sys_fcntl(fds[0], F_GETFL, 0));
  print_result("F_SETFL append|nonblock", sys_fcntl(fds[0], F_SETFL, O_APPEND | O_NONBLOCK | O_CREAT));
  print_result("F_GETFL read end", sys_fcntl(fds[0], F_GETFL, 0));
  /* descriptors */
  print_result("close -1", sys_close(-1));
  print_result("close 999", sys_close(999));
  print_result("dup 100", sys_dup(100));
  long d = sys_dup(fds[1]);
  print_result("dup write end", d);
  print_result("write via dup", sys_write((int)d, "xyz", 3));
  print_result("dup3 same", sys_dup3(fds[1], fds[1], 0));
  print_result("dup3 bad flags", sys_dup3(fds[1], 20, 1));
  print_result("dup3 bad old", sys_dup3(99, 20, 0));
  print_result("dup3 new too big", sys_dup3(fds[1], 100000, 0));
  print_result("dup3 cloexec", sys_dup3(fds[1], 20, O_CLOEXEC));
  print_result("F_GETFD 20", sys_fcntl(20, F_GETFD, 0));
  print_result("F_GETFD dup", sys_fcntl((int)d, F_GETFD, 0));
  print_result("F_SETFD 20 0", sys_fcntl(20, F_SETFD, 0));
  print_result("F_GETFD 20", sys_fcntl(20, F_GETFD, 0));
  print_result("F_DUPFD 10", sys_fcntl(fds[1], F_DUPFD, 10));
  print_result("F_DUPFD 10 again", sys_fcntl(fds[1], F_DUPFD, 10));
  print_result("F_DUPFD_CLOEXEC 0", sys_fcntl(fds[1], F_DUPFD_CLOEXEC, 0));
  print_result("F_DUPFD huge", sys_fcntl(fds[1], F_DUPFD, 0x7fffffff));
  print_result("fcntl bad cmd", sys_fcntl(fds[1], 9999, 0));
  print_result("fcntl bad fd", sys_fcntl(500, F_GETFD, 0));
  print_result("read 6 via read end", sys_read(fds[0], back, 6));
  long last = 0;
  int count = 0;
  for (;;) {
    last = sys_dup(0);
    if (last < 0) break;
    count++;
  }
  printf("dup until %s\n", errno_name(last));
  for (int fd = 3; fd < 30000 && count > 0; fd++) {
    if (fd == fds[0] || fd == fds[1]) continue;
    if (sys_close(fd) == 0) count--;
  }
  print_result("dup after closing", sys_dup(0));
  /* EOF: every write end closed */
  sys_close(fds[1]);
  print_result("read with writers left", sys_read(fds[0], back, 10));
  sys_close((int)d);
  for (int fd = 3; fd < 30; fd++) if (fd != fds[0]) sys_close(fd);
  print_result("read after last writer closed", sys_read(fds[0], back, 10));
  /* (qemu-user leaks the two descriptors of a pipe2 whose pointer faults; Linux does not: nothing after this
   * prints a descriptor number) */
  print_result("pipe2 bad pointer", sys_pipe2((int *)0x10, 0));
  /* SIGPIPE */
  print_result("pipe2 again", sys_pipe2(fds, 0));
  sys_close(fds[0]);
  print_result("write count 0 without reader", sys_write(fds[1], "z", 0));
  puts("writing with no reader");
  sys_write(fds[1], "z", 1);
  puts("not reached: SIGPIPE kills");
  return 0;
}
