/* A ring of processes waiting for each other's record locks on N files (argv[1], 2..8), so that in a cluster the
 * files' locks are kept by N different nodes' managers: the parent creates ring.0 .. ring.N-1 and forks N
 * children; child i write-locks ring.i, and once every child holds its file, asks (F_SETLKW) for ring.i+1 (the
 * last one for ring.0 when argv[2] is "cycle", for nothing when it is "chain"). A child refused with EDEADLK
 * lets go (it exits); a granted one exits too. Prints counts, no pids. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void name(char *buf, int i) { snprintf(buf, 16, "ring.%d", i); }

static int lock_file(int fd, int cmd) {
  struct flock fl = { F_WRLCK, SEEK_SET, 0, 1, 0 };
  return fcntl(fd, cmd, &fl);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  int cycle = argc > 2 ? strcmp(argv[2], "chain") != 0 : 1;
  if (n < 2 || n > 8) { printf("N must be 2..8\n"); return 2; }
  char buf[16];
  for (int i = 0; i < n; i++) {
    name(buf, i);
    int fd = open(buf, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { printf("open: %s\n", strerror(errno)); return 1; }
    close(fd);
  }
  int held[2], go[2];
  pipe(held);
  pipe(go);
  pid_t kids[8];
  fflush(stdout);
  for (int i = 0; i < n; i++) {
    kids[i] = fork();
    if (kids[i] == 0) {
      close(held[0]);
      close(go[1]);
      name(buf, i);
      int mine = open(buf, O_RDWR);
      name(buf, (i + 1) % n);
      int next = open(buf, O_RDWR);
      if (mine < 0 || next < 0 || lock_file(mine, F_SETLK) != 0) _exit(10);
      char c = 'h';
      write(held[1], &c, 1);
      read(go[0], &c, 1); /* every child holds its file */
      if (i == n - 1 && !cycle) _exit(0);
      int r = lock_file(next, F_SETLKW);
      _exit(r == 0 ? 0 : errno == EDEADLK ? 35 : 11);
    }
  }
  close(held[1]);
  close(go[0]);
  for (int i = 0; i < n; i++) { char c; read(held[0], &c, 1); }
  for (int i = 0; i < n; i++) { char c = 'g'; write(go[1], &c, 1); }
  int deadlocks = 0, granted = 0, other = 0;
  for (int i = 0; i < n; i++) {
    int st = 0;
    waitpid(kids[i], &st, 0);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (code == 35) deadlocks++;
    else if (code == 0) granted++;
    else other++;
  }
  printf("%s of %d: EDEADLK %d, granted or done %d, other %d\n", cycle ? "cycle" : "chain", n, deadlocks, granted, other);
  for (int i = 0; i < n; i++) { name(buf, i); unlink(buf); }
  return 0;
}
