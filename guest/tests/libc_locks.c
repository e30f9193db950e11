/* Advisory file locks between a parent and its children (each child opens the file itself): POSIX record locks
 * (F_GETLK reports the holder, F_SETLK fails with EAGAIN, F_SETLKW waits for the unlock, a cycle is refused with
 * EDEADLK, any close of the file drops the process's locks), OFD locks (they conflict with POSIX ones, F_OFD_GETLK
 * reports pid -1), flock (apart from fcntl's locks, dropped with the description's last close), and the errors.
 * Run in an empty directory (it makes "lockfile"); under a cluster with --place spread the children run on other
 * nodes and the locks are the global namespace's. Prints no pids. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_NAME "lockfile"

static void nap_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, 0);
}

static int lk(int fd, int cmd, short type, long start, long len) {
  struct flock fl = { type, SEEK_SET, start, len, 0 };
  return fcntl(fd, cmd, &fl);
}

/* F_OFD_* take a struct flock64 (64-bit offsets) on RV32. */
struct flock64 {
  short l_type;
  short l_whence;
  long long l_start;
  long long l_len;
  int l_pid;
};

static int ofd(int fd, int cmd, short type, long start, long len) {
  struct flock64 fl = { type, SEEK_SET, start, len, 0 };
  return fcntl(fd, cmd, &fl);
}

static const char *err(int r) {
  if (r == 0) return "ok";
  switch (errno) {
    case EAGAIN: return "EAGAIN";
    case EDEADLK: return "EDEADLK";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    default: return strerror(errno);
  }
}

static int reap(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void say(const char *who, const char *what, const char *r) {
  printf("%s: %s: %s\n", who, what, r);
  fflush(stdout);
}

static void tell(int fd) { char c = 1; write(fd, &c, 1); }
static void hear(int fd) { char c; read(fd, &c, 1); }

int main(void) {
  int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { printf("open: %s\n", strerror(errno)); return 1; }
  char block[100];
  memset(block, 'x', sizeof block);
  write(fd, block, sizeof block);
  pid_t me = getpid();

  say("parent", "write lock on 0..10", err(lk(fd, F_SETLK, F_WRLCK, 0, 10)));
  struct flock q = { F_WRLCK, SEEK_SET, 0, 10, 0 };
  fcntl(fd, F_GETLK, &q);
  say("parent", "F_GETLK over its own lock", q.l_type == F_UNLCK ? "unlocked" : "locked");

  int go[2], back[2];
  pipe(go);
  pipe(back);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    int f = open(FILE_NAME, O_RDWR);
    struct flock g = { F_WRLCK, SEEK_SET, 0, 10, 0 };
    fcntl(f, F_GETLK, &g);
    printf("child: F_GETLK sees a %s lock of %ld bytes at %ld, held by the parent: %s\n", g.l_type == F_WRLCK ? "write" : "other",
           (long)g.l_len, (long)g.l_start, g.l_pid == me ? "yes" : "no");
    say("child", "write lock on 5..15", err(lk(f, F_SETLK, F_WRLCK, 5, 10)));
    say("child", "read lock on 20..30", err(lk(f, F_SETLK, F_RDLCK, 20, 10)));
    say("child", "flock LOCK_EX|LOCK_NB (apart from fcntl's locks)", err(flock(f, LOCK_EX | LOCK_NB)));
    tell(back[1]);
    /* F_SETLKW waits for the parent's unlock (the parent prints after this line: one order under every runner). */
    say("child", "F_SETLKW on 0..10 after the parent's unlock", err(lk(f, F_SETLKW, F_WRLCK, 0, 10)));
    tell(back[1]);
    /* A cycle: the child holds 0..10 and waits for 90..100, which the parent holds. */
    hear(go[0]);
    tell(back[1]);
    say("child", "F_SETLKW on 90..100 (the parent then asks for 0..10)", err(lk(f, F_SETLKW, F_WRLCK, 90, 10)));
    tell(back[1]);
    _exit(0);
  }
  hear(back[0]);
  nap_ms(100);
  say("parent", "write lock on 90..100", err(lk(fd, F_SETLK, F_WRLCK, 90, 10)));
  int r = lk(fd, F_SETLK, F_UNLCK, 0, 10);
  hear(back[0]); /* the child has its lock, and said so */
  say("parent", "unlock 0..10", err(r));
  tell(go[1]);
  hear(back[0]);
  nap_ms(100);
  say("parent", "F_SETLKW on 0..10 (the child waits for the parent)", err(lk(fd, F_SETLKW, F_WRLCK, 0, 10)));
  r = lk(fd, F_SETLK, F_UNLCK, 90, 10);
  hear(back[0]);
  say("parent", "unlock 90..100", err(r));
  printf("child ended: %d\n", reap(c));

  /* OFD locks conflict with POSIX locks; F_OFD_GETLK reports pid -1. */
  say("parent", "OFD write lock on 50..60", err(ofd(fd, F_OFD_SETLK, F_WRLCK, 50, 10)));
  fflush(stdout);
  c = fork();
  if (c == 0) {
    int f = open(FILE_NAME, O_RDWR);
    say("child", "POSIX write lock on 55..56", err(lk(f, F_SETLK, F_WRLCK, 55, 1)));
    struct flock64 g = { F_RDLCK, SEEK_SET, 50, 1, 0 };
    fcntl(f, F_OFD_GETLK, &g);
    printf("child: F_OFD_GETLK: %s, pid %d\n", g.l_type == F_WRLCK ? "write" : "other", (int)g.l_pid);
    fflush(stdout);
    _exit(0);
  }
  printf("child ended: %d\n", reap(c));
  say("parent", "OFD unlock", err(ofd(fd, F_OFD_SETLK, F_UNLCK, 50, 10)));

  /* flock: exclusive against another description, dropped when the description's last descriptor closes. */
  int f2 = open(FILE_NAME, O_RDONLY);
  say("parent", "flock LOCK_EX on a second description", err(flock(f2, LOCK_EX)));
  fflush(stdout);
  c = fork();
  if (c == 0) {
    close(f2); /* the parent's description stays open there: its flock stays */
    int f = open(FILE_NAME, O_RDONLY);
    say("child", "flock LOCK_SH|LOCK_NB", err(flock(f, LOCK_SH | LOCK_NB)));
    tell(back[1]);
    hear(go[0]);
    say("child", "flock LOCK_EX|LOCK_NB after the parent's close", err(flock(f, LOCK_EX | LOCK_NB)));
    _exit(0);
  }
  hear(back[0]);
  close(f2);
  tell(go[1]);
  printf("child ended: %d\n", reap(c));

  /* Any close of the file drops the process's POSIX locks. */
  say("parent", "write lock on 0..100", err(lk(fd, F_SETLK, F_WRLCK, 0, 100)));
  int f3 = open(FILE_NAME, O_RDONLY);
  close(f3);
  fflush(stdout);
  c = fork();
  if (c == 0) {
    int f = open(FILE_NAME, O_RDWR);
    say("child", "write lock on 0..100 after the parent closed another descriptor", err(lk(f, F_SETLK, F_WRLCK, 0, 100)));
    _exit(0);
  }
  printf("child ended: %d\n", reap(c));

  /* Errors. */
  int ro = open(FILE_NAME, O_RDONLY);
  say("parent", "l_type 7", err(lk(fd, F_SETLK, 7, 0, 1)));
  say("parent", "write lock on a read-only descriptor", err(lk(ro, F_SETLK, F_WRLCK, 0, 1)));
  struct flock64 bad = { F_WRLCK, SEEK_SET, 0, 1, 42 };
  say("parent", "OFD lock with l_pid 42", err(fcntl(fd, F_OFD_SETLK, &bad)));
  say("parent", "a bad pointer", err(fcntl(fd, F_SETLK, (struct flock *)8)));
  say("parent", "flock(fd, LOCK_SH | LOCK_EX)", err(flock(fd, LOCK_SH | LOCK_EX)));
  say("parent", "flock(fd, 99) (LOCK_MAND: ignored)", err(flock(fd, 99)));
  say("parent", "flock of a closed descriptor", err(flock(77, LOCK_EX)));
  say("parent", "F_GETLK with F_UNLCK", err(lk(fd, F_GETLK, F_UNLCK, 0, 1)));
  say("parent", "a range before the start of the file", err(lk(fd, F_SETLK, F_RDLCK, 0, -5)));
  unlink(FILE_NAME);
  return 0;
}
