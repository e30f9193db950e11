/* Directories over getdents64: opendir reads records into a buffer in the DIR, readdir hands them out
 * one by one (the record is struct dirent itself, include/sys/dirent.h). */
#include "linux.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR_BUF 4096

struct __dirstream {
  int fd;
  int pos, len;
  char buf[DIR_BUF] __attribute__((aligned(8)));
};

DIR *fdopendir(int fd) {
  DIR *d = malloc(sizeof *d);
  if (!d) return NULL;
  d->fd = fd;
  d->pos = d->len = 0;
  return d;
}

DIR *opendir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return NULL;
  DIR *d = fdopendir(fd);
  if (!d) close(fd);
  return d;
}

struct dirent *readdir(DIR *d) {
  if (d->pos >= d->len) {
    long n = __sc3(SYS_getdents64, d->fd, d->buf, DIR_BUF);
    if (n <= 0) {
      if (n < 0) errno = (int)-n;
      return NULL; /* end of directory: errno unchanged */
    }
    d->len = (int)n;
    d->pos = 0;
  }
  struct dirent *e = (struct dirent *)(d->buf + d->pos);
  d->pos += e->d_reclen;
  return e;
}

void rewinddir(DIR *d) {
  lseek(d->fd, 0, SEEK_SET);
  d->pos = d->len = 0;
}

int dirfd(DIR *d) { return d->fd; }

int closedir(DIR *d) {
  int r = close(d->fd);
  free(d);
  return r;
}

int alphasort(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

int scandir(const char *path, struct dirent ***list, int (*keep)(const struct dirent *),
            int (*cmp)(const struct dirent **, const struct dirent **)) {
  DIR *d = opendir(path);
  if (!d) return -1;
  struct dirent **v = NULL, *e;
  size_t n = 0, cap = 0;
  while ((e = readdir(d))) {
    if (keep && !keep(e)) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      struct dirent **nv = realloc(v, cap * sizeof *v);
      if (!nv) goto fail;
      v = nv;
    }
    size_t size = offsetof(struct dirent, d_name) + strlen(e->d_name) + 1;
    if (!(v[n] = malloc(size))) goto fail;
    memcpy(v[n++], e, size);
  }
  closedir(d);
  if (cmp) qsort(v, n, sizeof *v, (int (*)(const void *, const void *))cmp);
  *list = v;
  return (int)n;
fail:
  while (n) free(v[--n]);
  free(v);
  closedir(d);
  errno = ENOMEM;
  return -1;
}
