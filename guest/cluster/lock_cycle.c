/* A cycle of processes waiting for each other's record locks: the parent forks N children (argv[1], 2..8); child i
 * locks byte i of "cycle.lock", and once every child holds its byte, asks (F_SETLKW) for byte i+1 (the last one for
 * byte 0 when argv[2] is "cycle", for nothing when it is "chain"). A cycle must end with exactly one EDEADLK (its
 * victim lets go and the others get their bytes in turn); a chain with none. Under --place spread the children run
 * on other nodes and the locks are the global namespace's. Prints counts, no pids. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_NAME "cycle.lock"

static int lock_byte(int fd, int cmd, long at) {
  struct flock fl = { F_WRLCK, SEEK_SET, at, 1, 0 };
  return fcntl(fd, cmd, &fl);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  int cycle = argc > 2 ? strcmp(argv[2], "chain") != 0 : 1;
  if (n < 2 || n > 8) { printf("N must be 2..8\n"); return 2; }
  int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { printf("open: %s\n", strerror(errno)); return 1; }
  close(fd);
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
      int f = open(FILE_NAME, O_RDWR);
      if (f < 0 || lock_byte(f, F_SETLK, i) != 0) _exit(10);
      char c = 'h';
      write(held[1], &c, 1);
      read(go[0], &c, 1); /* every child holds its byte */
      int last = i == n - 1;
      if (last && !cycle) _exit(0);
      int r = lock_byte(f, F_SETLKW, (i + 1) % n);
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
  unlink(FILE_NAME);
  return 0;
}
