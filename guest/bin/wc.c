/* wc [-lwc] [file...]: newline, word and byte counts, formatted as GNU coreutils' wc prints them: each
 * count right-aligned in a field as wide as the total size of the regular files among the inputs (at least
 * 7 when an input is not a regular file, such as a pipe), separated by one space, then the name; a
 * "total" line for more than one input; a single count of a single input is not padded. No file, or
 * "-": standard input (no name printed for the first). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int show_lines, show_words, show_bytes;
static int width;
static char buf[16384];

static void print(long lines, long words, long bytes, const char *name) {
  const char *sep = "";
  if (show_lines) printf("%s%*ld", sep, width, lines), sep = " ";
  if (show_words) printf("%s%*ld", sep, width, words), sep = " ";
  if (show_bytes) printf("%s%*ld", sep, width, bytes);
  if (name) printf(" %s", name);
  putchar('\n');
}

static int count(int fd, const char *label, long *l, long *w, long *c) {
  int in_word = 0;
  *l = *w = *c = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "wc: %s: %s\n", label, strerror(errno));
      return 1;
    }
    *c += n;
    for (ssize_t i = 0; i < n; i++) {
      unsigned char ch = buf[i];
      if (ch == '\n') ++*l;
      int space = ch == ' ' || (ch >= '\t' && ch <= '\r');
      if (!space && !in_word) ++*w;
      in_word = !space;
    }
  }
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    for (const char *p = argv[i] + 1; *p; p++) {
      if (*p == 'l') show_lines = 1;
      else if (*p == 'w') show_words = 1;
      else if (*p == 'c') show_bytes = 1;
      else {
        fprintf(stderr, "wc: invalid option -- '%c'\n", *p);
        return 1;
      }
    }
  }
  if (!show_lines && !show_words && !show_bytes) show_lines = show_words = show_bytes = 1;
  int nfiles = argc - i;
  char *stdin_only[] = {"-"};
  char **files = nfiles ? argv + i : stdin_only;
  int named = nfiles > 0;
  if (!nfiles) nfiles = 1;

  /* the field width, from the inputs' sizes, as GNU wc computes it */
  unsigned long regular_total = 0;
  int minimum = 1;
  for (int f = 0; f < nfiles; f++) {
    struct stat st;
    int ok = strcmp(files[f], "-") == 0 ? fstat(0, &st) : stat(files[f], &st);
    if (ok < 0) continue;
    if (S_ISREG(st.st_mode)) regular_total += st.st_size;
    else minimum = 7;
  }
  width = 1;
  for (; regular_total >= 10; regular_total /= 10) width++;
  if (width < minimum) width = minimum;
  if (show_lines + show_words + show_bytes == 1 && nfiles == 1) width = 1;

  int status = 0;
  long tl = 0, tw = 0, tc = 0;
  for (int f = 0; f < nfiles; f++) {
    long l, w, c;
    int fd = 0;
    if (strcmp(files[f], "-") != 0 && (fd = open(files[f], O_RDONLY)) < 0) {
      fprintf(stderr, "wc: %s: %s\n", files[f], strerror(errno));
      status = 1;
      continue;
    }
    status |= count(fd, files[f], &l, &w, &c);
    if (fd) close(fd);
    print(l, w, c, named ? files[f] : NULL);
    tl += l, tw += w, tc += c;
  }
  if (nfiles > 1) print(tl, tw, tc, "total");
  return status;
}
