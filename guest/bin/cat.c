/* cat [file...]: copies each file (standard input for none or for "-") to standard output. A file that
 * cannot be read is reported as "cat: name: error" and the exit status becomes 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[16384];

static int copy(int fd, const char *name) {
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
      return 1;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "cat: write error: %s\n", strerror(errno));
        return 1;
      }
      off += w;
    }
  }
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) return copy(0, "-");
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      status |= copy(0, "-");
      continue;
    }
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    status |= copy(fd, argv[i]);
    close(fd);
  }
  return status;
}
