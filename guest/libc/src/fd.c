/* Descriptors and files: the POSIX calls over openat, read, write, close, llseek, dup3, fcntl64,
 * pipe2, ioctl, statx, mkdirat, unlinkat, renameat2, getcwd, chdir, ftruncate64, fsync, faccessat, flock.
 * Every wrapper returns -1 with errno set (Linux's number) when the kernel answers -errno. */
#include "linux.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t n) { return __scr(__sc3(SYS_read, fd, buf, n)); }
ssize_t write(int fd, const void *buf, size_t n) { return __scr(__sc3(SYS_write, fd, buf, n)); }
int close(int fd) { return __scr(__sc1(SYS_close, fd)); }

int openat(int dirfd, const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  return __scr(__sc4(SYS_openat, dirfd, path, flags | LINUX_O_LARGEFILE, mode));
}

int open(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  return openat(AT_FDCWD, path, flags, mode);
}

int creat(const char *path, mode_t mode) { return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode); }

off_t lseek(int fd, off_t off, int whence) {
  int64_t result;
  long hi = off < 0 ? -1 : 0;
  if (__scr(__sc5(SYS_llseek, fd, hi, off, &result, whence)) < 0) return -1;
  if (result > LONG_MAX) {
    errno = EOVERFLOW;
    return -1;
  }
  return (off_t)result;
}

int dup(int fd) { return __scr(__sc1(SYS_dup, fd)); }

int dup3(int fd, int fd2, int flags) { return __scr(__sc3(SYS_dup3, fd, fd2, flags)); }

/* dup3 refuses fd == fd2 (EINVAL); dup2 then only checks that fd is open, as Linux's dup2 does. */
int dup2(int fd, int fd2) {
  if (fd == fd2) return __scr(__sc3(SYS_fcntl64, fd, F_GETFD, 0)) < 0 ? -1 : fd2;
  return dup3(fd, fd2, 0);
}

int flock(int fd, int op) {
  return __scr(__sc2(SYS_flock, fd, op));
}

int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  long arg = va_arg(ap, long);
  va_end(ap);
  return __scr(__sc3(SYS_fcntl64, fd, cmd, arg));
}

int pipe2(int fds[2], int flags) { return __scr(__sc2(SYS_pipe2, fds, flags)); }
int pipe(int fds[2]) { return pipe2(fds, 0); }

int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  return __scr(__sc3(SYS_ioctl, fd, req, arg));
}

int isatty(int fd) {
  unsigned char termios[64]; /* struct termios: 36 bytes on Linux RV32 */
  return __scr(__sc3(SYS_ioctl, fd, LINUX_TCGETS, termios)) == 0;
}

static int fill_stat(const struct linux_statx *x, struct stat *st) {
  memset(st, 0, sizeof *st);
  if (x->stx_size > (uint64_t)LONG_MAX) {
    errno = EOVERFLOW;
    return -1;
  }
  st->st_dev = (dev_t)((x->stx_dev_major << 8) | (x->stx_dev_minor & 0xff));
  st->st_ino = (ino_t)x->stx_ino;
  st->st_mode = x->stx_mode;
  st->st_nlink = x->stx_nlink;
  st->st_uid = x->stx_uid;
  st->st_gid = x->stx_gid;
  st->st_rdev = (dev_t)((x->stx_rdev_major << 8) | (x->stx_rdev_minor & 0xff));
  st->st_size = (off_t)x->stx_size;
  st->st_blksize = x->stx_blksize;
  st->st_blocks = (blkcnt_t)x->stx_blocks;
  st->st_atim.tv_sec = x->stx_atime.tv_sec;
  st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
  st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
  st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
  st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
  st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
  return 0;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags) {
  struct linux_statx x;
  if (__scr(__sc5(SYS_statx, dirfd, path, flags, LINUX_STATX_BASIC_STATS, &x)) < 0) return -1;
  return fill_stat(&x, st);
}
int stat(const char *path, struct stat *st) { return fstatat(AT_FDCWD, path, st, 0); }
int lstat(const char *path, struct stat *st) { return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }
int fstat(int fd, struct stat *st) { return fstatat(fd, "", st, AT_EMPTY_PATH); }

int mkdirat(int dirfd, const char *path, mode_t mode) { return __scr(__sc3(SYS_mkdirat, dirfd, path, mode)); }
int mkdir(const char *path, mode_t mode) { return mkdirat(AT_FDCWD, path, mode); }
int unlinkat(int dirfd, const char *path, int flags) { return __scr(__sc3(SYS_unlinkat, dirfd, path, flags)); }
int unlink(const char *path) { return unlinkat(AT_FDCWD, path, 0); }
int rmdir(const char *path) { return unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }
int remove(const char *path) {
  if (unlink(path) == 0) return 0;
  if (errno != EISDIR) return -1;
  return rmdir(path);
}
int renameat(int olddir, const char *oldpath, int newdir, const char *newpath) {
  return __scr(__sc5(SYS_renameat2, olddir, oldpath, newdir, newpath, 0));
}
int rename(const char *oldpath, const char *newpath) { return renameat(AT_FDCWD, oldpath, AT_FDCWD, newpath); }

int faccessat(int dirfd, const char *path, int mode, int flags) {
  (void)flags;
  return __scr(__sc3(SYS_faccessat, dirfd, path, mode));
}
int access(const char *path, int mode) { return faccessat(AT_FDCWD, path, mode, 0); }

int chdir(const char *path) { return __scr(__sc1(SYS_chdir, path)); }

/* getcwd(NULL, 0) allocates, as glibc's does. */
char *getcwd(char *buf, size_t size) {
  char *mine = NULL;
  if (buf == NULL) {
    size = size ? size : PATH_MAX;
    buf = mine = malloc(size);
    if (!buf) return NULL;
  } else if (size == 0) {
    errno = EINVAL;
    return NULL;
  }
  if (__scr(__sc2(SYS_getcwd, buf, size)) < 0) {
    free(mine);
    return NULL;
  }
  return buf;
}

int ftruncate(int fd, off_t len) {
  /* ftruncate64 on RV32: the 64-bit length as two words, low then high (a1, a2), as musl passes it */
  return __scr(__sc3(SYS_ftruncate64, fd, len, len < 0 ? -1 : 0));
}
int fsync(int fd) { return __scr(__sc1(SYS_fsync, fd)); }
