/* fd_stdin: read standard input to its end in uneven chunks (fd 0 is the host's stdin): bytes, lines and a
 * checksum, the first line echoed; reads after the end return 0; fd 0 is not writable, not a terminal, and
 * statx reports what it is. */
#include "atoll.h"

static char buf[3000];
static char first[200];

int main(void) {
  long total = 0, lines = 0, n;
  uint32_t sum = 0;
  size_t firstlen = 0;
  int infirst = 1;
  size_t sizes[] = {1, 7, 100, 3000, 64};
  for (int i = 0;; i++) {
    n = sys_read(0, buf, sizes[i % 5]);
    if (n <= 0) break;
    for (long j = 0; j < n; j++) {
      sum = sum * 31 + (unsigned char)buf[j];
      if (infirst) {
        if (buf[j] == '\n') infirst = 0;
        else if (firstlen < sizeof first - 1) first[firstlen++] = buf[j];
      }
      if (buf[j] == '\n') lines++;
    }
    total += n;
  }
  print_result("last read", n);
  printf("bytes %ld lines %ld sum %u\n", total, lines, sum);
  printf("first line: %s\n", first);
  print_result("read after end", sys_read(0, buf, 10));
  print_result("read count 0", sys_read(0, buf, 0));
  print_result("write to fd 0", sys_write(0, "x", 1));
  char t[64];
  print_result("TCGETS on fd 0", sys_ioctl(0, TCGETS, t));
  struct statx st;
  print_result("statx fd 0", fstatx(0, &st));
  printf("fd 0 is %s\n", (st.stx_mode & S_IFMT) == S_IFREG ? "a regular file" : (st.stx_mode & S_IFMT) == S_IFIFO ? "a pipe" : "something else");
  print_result("read bad fd", sys_read(77, buf, 1));
  print_result("read negative fd", sys_read(-5, buf, 1));
  return 0;
}
