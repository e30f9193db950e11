/* pbench: the emulated side of the process benchmarks (bench/process.ts), lmbench's lat_proc, lat_pipe and
 * bw_pipe as a guest. argv[1] picks the work, argv[2] the count N:
 *   fork      N times: fork, the child exits at once, the parent waits for it (waitid)
 *   exec      N times: fork, the child execs argv[3] with the argument "true", the parent waits
 *   true      exit 0 at once (what `exec` runs)
 *   pingpong  a byte to a child and back over two pipes, N round trips
 *   bw        N KiB from a child through one pipe in 64 KiB writes; the parent reads to EOF
 * Uses the raw Linux system calls only, so the same ELF runs under qemu-riscv32. Prints nothing; exits 0
 * when every step succeeded. */
#include "atoll.h"

#define NR_close 57
#define NR_pipe2 59
#define NR_read 63
#define NR_waitid 95
#define NR_clone 220
#define NR_execve 221
#define SIGCHLD 17
#define P_PID 1
#define WEXITED 4

static long atoi_(const char *s) { long v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }
static long fork_(void) { return atoll_syscall6(NR_clone, SIGCHLD, 0, 0, 0, 0, 0); }

/* Wait for child pid; 0 when it exited with status 0. siginfo_t is 128 bytes; si_code at offset 8, si_status at offset 20. */
static int reap(long pid) {
  int info[32];
  for (int i = 0; i < 32; i++) info[i] = 0;
  if (atoll_syscall6(NR_waitid, P_PID, pid, (long)info, WEXITED, 0, 0) != 0) return 1;
  return info[2] != 1 || info[5] != 0; /* si_code CLD_EXITED, si_status 0 */
}

static char buf[65536];

int main(int argc, char **argv, char **envp) {
  if (argc < 2) return 2;
  const char *m = argv[1];
  long n = argc > 2 ? atoi_(argv[2]) : 0;
  if (!strcmp(m, "true")) return 0;
  if (!strcmp(m, "fork")) {
    for (long i = 0; i < n; i++) {
      long pid = fork_();
      if (pid == 0) sys_exit_group(0);
      if (pid < 0 || reap(pid)) return 1;
    }
    return 0;
  }
  if (!strcmp(m, "exec")) {
    if (argc < 4) return 2;
    char *args[] = {argv[3], "true", 0};
    for (long i = 0; i < n; i++) {
      long pid = fork_();
      if (pid == 0) { atoll_syscall3(NR_execve, argv[3], args, envp); sys_exit_group(127); }
      if (pid < 0 || reap(pid)) return 1;
    }
    return 0;
  }
  if (!strcmp(m, "pingpong")) {
    int there[2], back[2];
    if (atoll_syscall2(NR_pipe2, there, 0) != 0 || atoll_syscall2(NR_pipe2, back, 0) != 0) return 1;
    long pid = fork_();
    if (pid < 0) return 1;
    char c = 'p';
    if (pid == 0) {
      for (long i = 0; i < n; i++) {
        if (atoll_syscall3(NR_read, there[0], &c, 1) != 1 || sys_write(back[1], &c, 1) != 1) sys_exit_group(1);
      }
      sys_exit_group(0);
    }
    for (long i = 0; i < n; i++) {
      if (sys_write(there[1], &c, 1) != 1 || atoll_syscall3(NR_read, back[0], &c, 1) != 1) return 1;
    }
    return reap(pid);
  }
  if (!strcmp(m, "bw")) {
    int p[2];
    if (atoll_syscall2(NR_pipe2, p, 0) != 0) return 1;
    long pid = fork_();
    if (pid < 0) return 1;
    if (pid == 0) {
      atoll_syscall1(NR_close, p[0]);
      for (long i = 0; i < n; i += 64) {
        long want = n - i < 64 ? (n - i) * 1024 : (long)sizeof buf;
        for (long off = 0; off < want;) {
          long w = sys_write(p[1], buf + off, want - off);
          if (w <= 0) sys_exit_group(1);
          off += w;
        }
      }
      sys_exit_group(0);
    }
    atoll_syscall1(NR_close, p[1]);
    long got = 0;
    for (;;) {
      long r = atoll_syscall3(NR_read, p[0], buf, sizeof buf);
      if (r < 0) return 1;
      if (r == 0) break;
      got += r;
    }
    return got != n * 1024 || reap(pid);
  }
  return 2;
}
