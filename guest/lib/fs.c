/* Helpers over the descriptor and file calls: errno names for tests that print results, loops over short
 * reads and writes, statx of a descriptor. No state. */
#include "atoll.h"

static const struct { int e; const char *name; } NAMES[] = {
  {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"}, {EINTR, "EINTR"}, {EIO, "EIO"}, {ENXIO, "ENXIO"},
  {E2BIG, "E2BIG"}, {ENOEXEC, "ENOEXEC"}, {EBADF, "EBADF"}, {ECHILD, "ECHILD"}, {EAGAIN, "EAGAIN"},
  {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"}, {EEXIST, "EEXIST"},
  {EXDEV, "EXDEV"}, {ENODEV, "ENODEV"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"}, {EINVAL, "EINVAL"},
  {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"}, {ENOTTY, "ENOTTY"}, {ETXTBSY, "ETXTBSY"}, {EFBIG, "EFBIG"},
  {ENOSPC, "ENOSPC"}, {ESPIPE, "ESPIPE"}, {EROFS, "EROFS"}, {EMLINK, "EMLINK"}, {EPIPE, "EPIPE"},
  {ERANGE, "ERANGE"}, {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOSYS, "ENOSYS"}, {ENOTEMPTY, "ENOTEMPTY"},
  {ELOOP, "ELOOP"}, {EOVERFLOW, "EOVERFLOW"}, {ENOTSUP, "EOPNOTSUPP"},
};

const char *errno_name(long result) {
  if (result >= 0) return "0";
  for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
    if (NAMES[i].e == -result) return NAMES[i].name;
  }
  return "E?";
}

void print_result(const char *what, long result) {
  if (result >= 0) printf("%s: %ld\n", what, result);
  else printf("%s: %s\n", what, errno_name(result));
}

long fd_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  size_t done = 0;
  while (done < len) {
    long n = sys_write(fd, p + done, len - done);
    if (n < 0) return n;
    done += (size_t)n;
  }
  return (long)done;
}

long fd_read_full(int fd, void *buf, size_t len) {
  char *p = buf;
  size_t done = 0;
  while (done < len) {
    long n = sys_read(fd, p + done, len - done);
    if (n < 0) return n;
    if (n == 0) break;
    done += (size_t)n;
  }
  return (long)done;
}

long fstatx(int fd, struct statx *st) {
  return sys_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, st);
}
