/* ls [-a] [path...]: the names in each directory (default "."), sorted byte by byte (the C locale's
 * order), one per line; names starting with '.' only with -a. As GNU ls does, paths that are not
 * directories are printed first, as given, then each directory (both groups sorted); with several paths
 * each directory's names follow a "path:" line, groups separated by a blank line. A path that does not exist is reported as "ls: cannot access 'path': error", status 2. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int all;

static int visible(const struct dirent *e) { return all || e->d_name[0] != '.'; }

static int list(const char *path, int header, int first) {
  struct dirent **names;
  int n = scandir(path, &names, visible, alphasort);
  if (n < 0) {
    fprintf(stderr, "ls: cannot open directory '%s': %s\n", path, strerror(errno));
    return 2;
  }
  if (header) printf("%s%s:\n", first ? "" : "\n", path);
  for (int i = 0; i < n; i++) {
    puts(names[i]->d_name);
    free(names[i]);
  }
  free(names);
  return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  int i = 1, status = 0;
  for (; i < argc && strcmp(argv[i], "-a") == 0; i++) all = 1;
  if (i == argc) return list(".", 0, 1);
  int many = argc - i > 1, nfiles = 0, ndirs = 0;
  char *files[argc], *dirs[argc];
  for (; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) < 0) {
      fprintf(stderr, "ls: cannot access '%s': %s\n", argv[i], strerror(errno));
      status = 2;
    } else if (S_ISDIR(st.st_mode)) {
      dirs[ndirs++] = argv[i];
    } else {
      files[nfiles++] = argv[i];
    }
  }
  qsort(files, nfiles, sizeof files[0], by_name);
  qsort(dirs, ndirs, sizeof dirs[0], by_name);
  for (int f = 0; f < nfiles; f++) puts(files[f]);
  for (int d = 0; d < ndirs; d++) status |= list(dirs[d], many, nfiles == 0 && d == 0);
  return status;
}
