/* Files shared across nodes (run with --place spread: each child on another node, the files in the cluster's
 * global namespace). A writer child makes data/shared/config.txt and ends; the parent then reads what it wrote.
 * A reader child opens the file and waits; the parent unlinks it; the reader still reads it through its
 * descriptor. Three children append lines to data/log at once; the parent counts them, all there. Relative
 * paths: run it in an empty directory (as under qemu-riscv32) or at the cluster's root. Prints no pids or
 * inode numbers, so one machine and a cluster print the same. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONFIG "data/shared/config.txt"
#define LOG "data/log"

static void nap_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, 0);
}

static int reap(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static long slurp(const char *path, char *buf, long size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  long n = read(fd, buf, size - 1);
  close(fd);
  if (n >= 0) buf[n] = 0;
  return n;
}

int main(void) {
  char buf[512];
  if (mkdir("data", 0755) != 0 || mkdir("data/shared", 0755) != 0) { printf("mkdir: %s\n", strerror(errno)); return 1; }

  fflush(stdout);
  pid_t w = fork();
  if (w == 0) {
    int fd = open(CONFIG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) _exit(2);
    const char *text = "speed=3\nheading=north\n";
    if (write(fd, text, strlen(text)) != (long)strlen(text)) _exit(3);
    if (fsync(fd) != 0) _exit(4);
    close(fd);
    _exit(0);
  }
  printf("writer ended: %d\n", reap(w));
  long n = slurp(CONFIG, buf, sizeof buf);
  printf("parent reads %ld bytes: %s", n, n > 0 ? buf : "\n");
  struct stat st;
  if (stat(CONFIG, &st) == 0) printf("stat: size %ld, regular %s, mode %o\n", (long)st.st_size, S_ISREG(st.st_mode) ? "yes" : "no", (unsigned)(st.st_mode & 0777));
  printf("mkdir of an existing directory: %s\n", mkdir("data", 0755) == 0 ? "made" : errno == EEXIST ? "EEXIST" : strerror(errno));

  int ready[2];
  if (pipe(ready) != 0) return 1;
  fflush(stdout);
  pid_t r = fork();
  if (r == 0) {
    close(ready[0]);
    int fd = open(CONFIG, O_RDONLY);
    char c = fd >= 0 ? 'y' : 'n';
    write(ready[1], &c, 1);
    close(ready[1]);
    nap_ms(300); /* meanwhile the parent unlinks the file */
    char b[64] = { 0 };
    long k = fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 ? read(fd, b, 7) : -1;
    printf("reader, after the unlink: %ld bytes: %.7s\n", k, b);
    fflush(stdout);
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  read(ready[0], &c, 1);
  close(ready[0]);
  printf("reader opened it: %c\n", c);
  printf("unlink: %s\n", unlink(CONFIG) == 0 ? "ok" : strerror(errno));
  printf("open after the unlink: %s\n", open(CONFIG, O_RDONLY) < 0 && errno == ENOENT ? "ENOENT" : "?");
  printf("reader ended: %d\n", reap(r));

  pid_t a[3];
  fflush(stdout);
  for (int i = 0; i < 3; i++) {
    a[i] = fork();
    if (a[i] == 0) {
      int fd = open(LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd < 0) _exit(2);
      for (int k = 0; k < 4; k++) {
        char line[32];
        int len = snprintf(line, sizeof line, "child %d line %d\n", i, k);
        if (write(fd, line, len) != len) _exit(3);
      }
      close(fd);
      _exit(0);
    }
  }
  int ok = 1;
  for (int i = 0; i < 3; i++) ok &= reap(a[i]) == 0;
  n = slurp(LOG, buf, sizeof buf);
  int lines = 0;
  for (long i = 0; i < n; i++) lines += buf[i] == '\n';
  printf("appenders ended well: %s; the log has %d lines of %d bytes\n", ok ? "yes" : "no", lines, (int)n);
  printf("rename: %s\n", rename(LOG, "data/log.old") == 0 ? "ok" : strerror(errno));
  printf("rmdir of a non-empty directory: %s\n", rmdir("data") == 0 ? "removed" : errno == ENOTEMPTY ? "ENOTEMPTY" : strerror(errno));
  unlink("data/log.old");
  rmdir("data/shared");
  printf("rmdir at the end: %s\n", rmdir("data") == 0 ? "ok" : strerror(errno));
  return 0;
}
