/* Built with Atoll's C library: the POSIX wrappers of the port. Directories (mkdir, chdir, getcwd,
 * rename, opendir/readdir, rmdir) in the current directory, descriptors (open, dup, dup2 of a descriptor
 * onto itself, lseek, pipe, fcntl), fork with a pipe between parent and child, waitpid with exit
 * statuses and WNOHANG, a child killed by a signal, sigaction with a handler run by raise, sigprocmask
 * keeping a signal pending, and errno from failing calls. Prints only deterministic results. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on_usr1(int sig) { got = sig; }

int main(void) {
  /* directories */
  const char *d = "libc_posix.dir";
  printf("mkdir: %d\n", mkdir(d, 0755));
  printf("mkdir again: %d errno=%s\n", mkdir(d, 0755), strerror(errno));
  char before[256], after[256];
  if (!getcwd(before, sizeof before) || chdir(d) < 0 || !getcwd(after, sizeof after)) {
    printf("getcwd/chdir: %s\n", strerror(errno));
    return 1;
  }
  printf("chdir: 0\n");
  printf("getcwd: last part %s, under the old one: %d\n", strrchr(after, '/') + 1,
         strncmp(after, before, strlen(before)) == 0);
  int fd = open("a", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  printf("write: %ld\n", (long)write(fd, "0123456789", 10));
  close(fd);
  printf("rename: %d\n", rename("a", "b"));
  printf("open old name: %d errno=%d\n", open("a", O_RDONLY), errno);
  printf("open O_EXCL: %d errno=%d\n", open("b", O_WRONLY | O_CREAT | O_EXCL, 0644), errno);
  DIR *dir = opendir(".");
  if (!dir) {
    printf("opendir: %s\n", strerror(errno));
    return 1;
  }
  int entries = 0, saw_b = 0;
  for (struct dirent *e; (e = readdir(dir));) entries++, saw_b |= strcmp(e->d_name, "b") == 0;
  closedir(dir);
  printf("readdir: %d entries, b %s\n", entries, saw_b ? "found" : "missing");

  /* descriptors */
  fd = open("b", O_RDONLY);
  printf("lseek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
  printf("lseek 4: %ld\n", (long)lseek(fd, 4, SEEK_SET));
  int fd2 = dup(fd);
  char c = 0;
  read(fd2, &c, 1);
  printf("dup shares the offset: %c\n", c);
  printf("dup2 onto itself: %d\n", dup2(fd, fd) == fd);
  printf("dup2 closed fd: %d errno=%d\n", dup2(99, 98), errno);
  printf("fcntl F_GETFD: %d\n", fcntl(fd, F_GETFD));
  printf("isatty(file): %d errno=%d\n", isatty(fd), errno);
  close(fd2);
  close(fd);
  printf("read closed fd: %ld errno=%d\n", (long)read(fd, &c, 1), errno);
  unlink("b");
  chdir("..");
  printf("rmdir: %d\n", rmdir(d));
  printf("rmdir missing: %d errno=%d\n", rmdir(d), errno);

  /* processes */
  int p[2];
  if (pipe(p) < 0) {
    printf("pipe: %s\n", strerror(errno));
    return 1;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    printf("fork: %s\n", strerror(errno));
    return 1;
  }
  if (pid == 0) {
    close(p[0]);
    char msg[64];
    int n = snprintf(msg, sizeof msg, "child: parent matches=%d", getppid() > 0);
    write(p[1], msg, n);
    _exit(7);
  }
  close(p[1]);
  char buf[64] = {0};
  ssize_t n, total = 0;
  while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  close(p[0]);
  printf("from the pipe: %s\n", buf);
  int status;
  printf("waitpid: %d\n", waitpid(pid, &status, 0) == pid);
  printf("exited=%d status=%d\n", WIFEXITED(status), WEXITSTATUS(status));
  printf("waitpid no child: %d errno=%d\n", waitpid(-1, &status, WNOHANG), errno);

  pid = fork();
  if (pid < 0) {
    printf("fork: %s\n", strerror(errno));
    return 1;
  }
  if (pid == 0) {
    struct timespec t = {5, 0};
    nanosleep(&t, NULL);
    _exit(0);
  }
  printf("WNOHANG while running: %d\n", waitpid(pid, &status, WNOHANG));
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  printf("signaled=%d sig=%d\n", WIFSIGNALED(status), WTERMSIG(status));

  /* signals */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  printf("sigaction: %d\n", sigaction(SIGUSR1, &sa, NULL));
  raise(SIGUSR1);
  printf("handler ran for signal %d\n", got);
  sigset_t block, pending;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, NULL);
  got = 0;
  raise(SIGUSR1);
  sigpending(&pending);
  printf("blocked: got=%d pending=%d\n", got, sigismember(&pending, SIGUSR1));
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  printf("unblocked: got=%d\n", got);
  printf("kill bad signal: %d errno=%d\n", kill(getpid(), 999), errno);
  printf("signal(SIGUSR2) old is default: %d\n", signal(SIGUSR2, SIG_IGN) == SIG_DFL);
  return 0;
}
