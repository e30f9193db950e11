/* Standard input that is a file (the differential runs give one): statx reports a regular file, llseek
 * moves the read position (SEEK_SET, SEEK_CUR, SEEK_END) and a seek before the start is EINVAL, as
 * qemu-user gives it on the host's descriptor. */
#include "atoll.h"

static char buf[64];

static void show_read(const char *what, long n) {
  printf("%s: %ld bytes [", what, n);
  if (n > 0) fd_write_all(1, buf, (size_t)n);
  printf("]\n");
}

static long seek(long off, int whence, long long *at) {
  return atoll_syscall6(SYS_llseek, 0, (long)(off < 0 ? -1 : 0), off, (long)at, whence, 0);
}

int main(void) {
  struct statx sx;
  long r = atoll_syscall6(SYS_statx, 0, (long)"", AT_EMPTY_PATH, STATX_BASIC_STATS, (long)&sx, 0);
  printf("statx: %ld, regular file: %s, size > 8: %s\n", r, (sx.stx_mode & S_IFMT) == S_IFREG ? "yes" : "no", sx.stx_size > 8 ? "yes" : "no");
  long long at = -1;
  show_read("first read", sys_read(0, buf, 6));
  r = seek(0, SEEK_CUR, &at);
  printf("SEEK_CUR 0: %ld at %lld\n", r, at);
  r = seek(2, SEEK_SET, &at);
  printf("SEEK_SET 2: %ld at %lld\n", r, at);
  show_read("read", sys_read(0, buf, 5));
  r = seek(-3, SEEK_CUR, &at);
  printf("SEEK_CUR -3: %ld at %lld\n", r, at);
  show_read("read", sys_read(0, buf, 3));
  r = seek(-4, SEEK_END, &at);
  printf("SEEK_END -4: %ld at %lld\n", r, at == (long long)sx.stx_size - 4 ? 1LL : 0LL);
  show_read("read to the end", sys_read(0, buf, sizeof buf));
  show_read("at the end", sys_read(0, buf, sizeof buf));
  r = seek(-1, SEEK_SET, &at);
  printf("SEEK_SET -1: %ld\n", r);
  r = seek(0, 7, &at);
  printf("whence 7: %ld\n", r);
  return 0;
}
