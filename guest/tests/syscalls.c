/* syscalls: the system call interface itself. write returns the byte count (also for a zero-length
 * write and to stderr), a bad buffer is -EFAULT and a descriptor that is not open -EBADF, getpid is positive and stable, an unknown call (including Atoll's reserved
 * range) returns -ENOSYS and leaves the process running, argv ends with NULL, envp follows it. */
#include "atoll.h"

int main(int argc, char **argv, char **envp) {
  long n = sys_write(STDOUT_FILENO, "write returns its length\n", 25);
  printf("write result: %ld\n", n);
  printf("zero-length write: %ld\n", sys_write(STDOUT_FILENO, "", 0));
  printf("stderr write result: %ld\n", sys_write(STDERR_FILENO, "to stderr\n", 10));
  printf("write from an unmapped buffer: %ld\n", sys_write(STDOUT_FILENO, (const void *)0x10, 5));
  printf("write to fd 7 (not open): %ld\n", sys_write(7, "x", 1));
  printf("write to fd -1: %ld\n", sys_write(-1, "x", 1));
  printf("clock_gettime into an unmapped buffer: %ld\n", sys_clock_gettime(CLOCK_MONOTONIC, (struct timespec64 *)0x10));
  long pid = sys_getpid();
  printf("getpid positive: %s, stable: %s\n", pid > 0 ? "yes" : "no", sys_getpid() == pid ? "yes" : "no");
  printf("unknown syscall 4000: %ld\n", atoll_syscall0(4000));
  printf("unknown syscall 0x%x (atoll range): %ld\n", ATOLL_SYS_LIMIT - 1, atoll_syscall0(ATOLL_SYS_LIMIT - 1));
  printf("argc %d, argv[argc] is NULL: %s\n", argc, argv[argc] == 0 ? "yes" : "no");
  printf("envp follows argv: %s\n", envp == argv + argc + 1 ? "yes" : "no");
  printf("still running after the unknown calls\n");
  return 3; /* a distinctive exit code */
}
