/* stdio over file descriptors: picolibc's tinystdio buffered files (bufio) on read/write/lseek/close.
 * stdin, stdout and stderr are static streams on fds 0, 1, 2: stdout is line-buffered on a terminal and
 * fully buffered otherwise, stderr is line-buffered, and reading stdin first flushes stdout. fopen and
 * fdopen streams are kept on a list so that fflush(NULL) and exit flush them all (picolibc 1.8 keeps no
 * such list, and its fflush(NULL) would dereference NULL). */
#include "linux.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <unistd.h>

#define STDIN_BUF  1024
#define STDOUT_BUF 1024
#define STDERR_BUF 256
#define FILE_BUF   1024

static char in_buf[STDIN_BUF], out_buf[STDOUT_BUF], err_buf[STDERR_BUF];

static ssize_t stdin_read(int fd, void *buf, size_t n) {
  fflush(stdout);
  return read(fd, buf, n);
}

/* fclose on a standard stream flushes it and closes its descriptor; the struct itself is static. */
static int std_close(FILE *f) {
  struct __file_bufio *bf = (struct __file_bufio *)f;
  int r = __bufio_flush(f);
  if (close(bf->fd) < 0) r = EOF;
  return r;
}

#define STD_STREAM(fd_, buf_, read_, rw_, bflags_)                                                   \
  {                                                                                                \
    .xfile = FDEV_SETUP_EXT(__bufio_put, __bufio_get, __bufio_flush, std_close, __bufio_seek,        \
                            __bufio_setvbuf, (rw_) | __SBUF),                                      \
    .fd = (fd_), .dir = 0, .bflags = (bflags_), .pos = 0, .buf = (buf_), .size = sizeof(buf_),     \
    .len = 0, .off = 0, .read = (read_), .write = write, .lseek = lseek, .close = close,            \
  }

static struct __file_bufio std_in = STD_STREAM(0, in_buf, stdin_read, __SRD, 0);
static struct __file_bufio std_out = STD_STREAM(1, out_buf, read, __SWR, 0);
static struct __file_bufio std_err = STD_STREAM(2, err_buf, read, __SWR, __BLBF);

FILE *const stdin = &std_in.xfile.cfile.file;
FILE *const stdout = &std_out.xfile.cfile.file;
FILE *const stderr = &std_err.xfile.cfile.file;

void __libc_stdio_init(void) {
  if (isatty(1)) std_out.bflags |= __BLBF;
}

struct open_file {
  struct __file_bufio bf; /* first: picolibc's __bufio_close frees the FILE pointer it is given */
  struct open_file *next, *prev;
  char buf[FILE_BUF];
};
static struct open_file *open_files;

static int file_close(FILE *f) {
  struct open_file *of = (struct open_file *)f;
  if (of->prev) of->prev->next = of->next;
  else open_files = of->next;
  if (of->next) of->next->prev = of->prev;
  return __bufio_close(f); /* flushes, closes the descriptor (when above 2) and frees of */
}

/* Mode string to stdio flags (__SRD/__SWR) and open flags; 0 and EINVAL for a bad mode. Also used by
 * picolibc's fopen, so the open flags are Linux's (include/sys/fcntl.h). */
int __posix_sflags(const char *mode, int *optr) {
  int ret, o;
  switch (*mode) {
  case 'r': ret = __SRD; o = O_RDONLY; break;
  case 'w': ret = __SWR; o = O_WRONLY | O_CREAT | O_TRUNC; break;
  case 'a': ret = __SWR; o = O_WRONLY | O_CREAT | O_APPEND; break;
  default: errno = EINVAL; return 0;
  }
  while (*++mode) {
    switch (*mode) {
    case '+': ret |= __SRD | __SWR; o = (o & ~O_ACCMODE) | O_RDWR; break;
    case 'x': o |= O_EXCL; break;
    case 'e': o |= O_CLOEXEC; break;
    default: break; /* 'b' and anything else: ignored, as glibc does */
    }
  }
  *optr = o;
  return ret;
}

FILE *fdopen(int fd, const char *mode) {
  int oflags;
  int sf = __posix_sflags(mode, &oflags);
  if (!sf) return NULL;
  struct open_file *of = calloc(1, sizeof *of);
  if (!of) return NULL;
  of->bf = (struct __file_bufio)FDEV_SETUP_BUFIO(fd, of->buf, sizeof of->buf, read, write, lseek, close, sf, 0);
  of->bf.xfile.cfile.close = file_close;
  __bufio_lock_init(&of->bf.xfile.cfile.file);
  of->next = open_files;
  if (open_files) open_files->prev = of;
  open_files = of;
  return &of->bf.xfile.cfile.file;
}

int fflush(FILE *f) {
  if (f) return f->flush ? f->flush(f) : 0;
  int r = 0;
  if (fflush(stdout)) r = EOF;
  if (fflush(stderr)) r = EOF;
  for (struct open_file *of = open_files; of; of = of->next)
    if (fflush(&of->bf.xfile.cfile.file)) r = EOF;
  return r;
}

/* exit() runs the destructors after the atexit handlers: everything written reaches its descriptor. */
__attribute__((destructor)) static void flush_at_exit(void) { fflush(NULL); }
