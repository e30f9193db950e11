/* The target of a signal from another node: says its pid, waits for SIGUSR1 (at most 2 s), reports who sent it
 * (si_pid: a pid of the cluster) and exits 0; 1 if none came. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile pid_t from;

static void on_usr1(int sig, siginfo_t *info, void *ctx) {
  (void)sig; (void)ctx;
  from = info->si_pid;
  got = 1;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, 0);
  printf("target %d waiting\n", (int)getpid());
  fflush(stdout);
  for (int i = 0; i < 200 && !got; i++) {
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, 0);
  }
  if (!got) { printf("no signal came\n"); return 1; }
  printf("got SIGUSR1 from pid %d\n", (int)from);
  return 0;
}
