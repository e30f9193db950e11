/* Built with Atoll's C library (picolibc, guest/libc): printf with floats, snprintf, malloc/free and
 * realloc, qsort, strtol and strtod, errno and strerror, then a file in the current directory written
 * with fopen/fprintf/fclose, read back with fopen/fgets and fseek, stat'ed and removed. Prints only
 * deterministic results. Needs openat, statx, llseek and unlinkat from the kernel/host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_value(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int main(void) {
  printf("floats: %.3f %e %g %g %8.2f|%-8.1f|\n", 3.14159265, 12345.678, 0.0001, 1e20, -2.5, 7.25);
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%05d|%x|%s|%c", 42, 0xbeef, "str", 'z');
  printf("snprintf: %s (%d)\n", buf, n);
  const char *long_text = n > 0 ? "truncated output" : "";
  size_t small = 8;
  n = snprintf(buf, small, "%s", long_text);
  printf("snprintf truncated: %s (%d)\n", buf, n);

  int *v = malloc(1000 * sizeof *v);
  unsigned seed = 12345;
  for (int i = 0; i < 1000; i++) v[i] = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 10000;
  qsort(v, 1000, sizeof *v, by_value);
  int sorted = 1;
  for (int i = 1; i < 1000; i++) sorted &= v[i - 1] <= v[i];
  printf("qsort: sorted=%d first=%d last=%d\n", sorted, v[0], v[999]);
  v = realloc(v, 100000 * sizeof *v);
  for (int i = 0; i < 100000; i++) v[i] = i;
  long long sum = 0;
  for (int i = 0; i < 100000; i++) sum += v[i];
  printf("realloc: sum=%lld\n", sum);
  free(v);

  char *end;
  printf("strtol: %ld %ld %ld\n", strtol("-1234xyz", &end, 10), strtol("ff", NULL, 16), strtol("0777", NULL, 0));
  printf("strtol rest: %s\n", end);
  errno = 0;
  strtol("99999999999999999999", NULL, 10);
  printf("strtol overflow: errno=%d (%s)\n", errno, strerror(errno));
  printf("strtod: %.4f\n", strtod("2.71828e1", NULL));

  const char *name = "libc_stdio.tmp";
  FILE *f = fopen(name, "w");
  if (!f) {
    printf("fopen w: %s\n", strerror(errno));
    return 1;
  }
  for (int i = 1; i <= 5; i++) fprintf(f, "line %d: %d squared is %d, half is %.1f\n", i, i, i * i, i / 2.0);
  if (fclose(f) != 0) printf("fclose: %s\n", strerror(errno));
  struct stat st;
  if (stat(name, &st) == 0) printf("stat: size=%ld regular=%d\n", (long)st.st_size, S_ISREG(st.st_mode));
  else printf("stat: %s\n", strerror(errno));

  f = fopen(name, "r");
  if (!f) {
    printf("fopen r: %s\n", strerror(errno));
    return 1;
  }
  char line[128];
  int lines = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    if (lines == 3) printf("line 3 read back: %s", line);
  }
  printf("lines read: %d, eof=%d\n", lines, feof(f) != 0);
  fseek(f, 5, SEEK_SET);
  printf("after fseek(5): %c, ftell=%ld\n", fgetc(f), ftell(f));
  fclose(f);

  f = fopen(name, "a");
  fputs("appended\n", f);
  fclose(f);
  f = fopen(name, "r");
  int last_len = 0;
  while (fgets(line, sizeof line, f)) last_len = (int)strlen(line);
  fclose(f);
  printf("append: last line %d bytes\n", last_len);

  printf("unlink: %d\n", unlink(name));
  printf("fopen missing: %s, errno=%d (%s)\n", fopen(name, "r") ? "opened" : "NULL", errno, strerror(errno));
  fprintf(stderr, "stderr works\n");
  return 0;
}
