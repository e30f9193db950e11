/* Signals over rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, kill and tgkill, with
 * Linux's numbers (include/signal.h). The kernel calls a handler directly and returns from it through its
 * own trampoline (RISC-V has no SA_RESTORER), so the user's function is installed as it is. */
#include "linux.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIGSET_BYTES 8

static int bad_signal(int sig) {
  if (sig < 1 || sig >= NSIG) {
    errno = EINVAL;
    return 1;
  }
  return 0;
}

int sigemptyset(sigset_t *s) { *s = 0; return 0; }
int sigfillset(sigset_t *s) { *s = ~(sigset_t)0; return 0; }
int sigaddset(sigset_t *s, int sig) {
  if (bad_signal(sig)) return -1;
  *s |= (sigset_t)1 << (sig - 1);
  return 0;
}
int sigdelset(sigset_t *s, int sig) {
  if (bad_signal(sig)) return -1;
  *s &= ~((sigset_t)1 << (sig - 1));
  return 0;
}
int sigismember(const sigset_t *s, int sig) {
  if (bad_signal(sig)) return -1;
  return (*s >> (sig - 1)) & 1;
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old) {
  struct linux_sigaction k, ko;
  if (act) {
    k.handler = (void *)act->sa_handler;
    k.flags = (unsigned long)act->sa_flags;
    k.mask = act->sa_mask;
  }
  if (__scr(__sc4(SYS_rt_sigaction, sig, act ? &k : NULL, old ? &ko : NULL, SIGSET_BYTES)) < 0) return -1;
  if (old) {
    old->sa_handler = (void (*)(int))ko.handler;
    old->sa_flags = (int)ko.flags;
    old->sa_mask = ko.mask;
  }
  return 0;
}

/* signal() with BSD semantics, as glibc's: the handler stays installed, interrupted calls restart. */
_sig_func_ptr signal(int sig, _sig_func_ptr handler) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = SA_RESTART;
  if (sigaction(sig, &sa, &old) < 0) return SIG_ERR;
  return old.sa_handler;
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
  return __scr(__sc4(SYS_rt_sigprocmask, how, set, old, SIGSET_BYTES));
}
int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
  long r = __sc4(SYS_rt_sigprocmask, how, set, old, SIGSET_BYTES);
  return r < 0 ? (int)-r : 0;
}
int sigpending(sigset_t *set) { return __scr(__sc2(SYS_rt_sigpending, set, SIGSET_BYTES)); }
int sigsuspend(const sigset_t *mask) { return __scr(__sc2(SYS_rt_sigsuspend, mask, SIGSET_BYTES)); }

int kill(pid_t pid, int sig) { return __scr(__sc2(SYS_kill, pid, sig)); }
int killpg(pid_t pgrp, int sig) {
  if (pgrp < 0) {
    errno = EINVAL;
    return -1;
  }
  return kill(-pgrp, sig);
}

int raise(int sig) {
  long r = __sc3(SYS_tgkill, __sc0(SYS_getpid), __sc0(SYS_gettid), sig);
  if (r == -ENOSYS) r = __sc2(SYS_kill, __sc0(SYS_getpid), sig);
  return __scr(r);
}

/* abort: SIGABRT unblocked and raised; if a handler returns, or the kernel has no signals, the default
 * action is forced; a process still alive after that exits with 128 + SIGABRT. */
void abort(void) {
  sigset_t s = (sigset_t)1 << (SIGABRT - 1);
  sigprocmask(SIG_UNBLOCK, &s, NULL);
  raise(SIGABRT);
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
  for (;;) __sc1(SYS_exit_group, 128 + SIGABRT);
}

static const char *const signal_names[NSIG] = {
  [SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit", [SIGILL] = "Illegal instruction",
  [SIGTRAP] = "Trace/breakpoint trap", [SIGABRT] = "Aborted", [SIGBUS] = "Bus error",
  [SIGFPE] = "Floating point exception", [SIGKILL] = "Killed", [SIGUSR1] = "User defined signal 1",
  [SIGSEGV] = "Segmentation fault", [SIGUSR2] = "User defined signal 2", [SIGPIPE] = "Broken pipe",
  [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated", [SIGSTKFLT] = "Stack fault",
  [SIGCHLD] = "Child exited", [SIGCONT] = "Continued", [SIGSTOP] = "Stopped (signal)",
  [SIGTSTP] = "Stopped", [SIGTTIN] = "Stopped (tty input)", [SIGTTOU] = "Stopped (tty output)",
  [SIGURG] = "Urgent I/O condition", [SIGXCPU] = "CPU time limit exceeded",
  [SIGXFSZ] = "File size limit exceeded", [SIGVTALRM] = "Virtual timer expired",
  [SIGPROF] = "Profiling timer expired", [SIGWINCH] = "Window changed", [SIGIO] = "I/O possible",
  [SIGPWR] = "Power failure", [SIGSYS] = "Bad system call",
};

/* The descriptions glibc's strsignal gives (Linux numbering). */
char *strsignal(int sig) {
  static char buf[40];
  if (sig > 0 && sig < NSIG && signal_names[sig]) return (char *)signal_names[sig];
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) snprintf(buf, sizeof buf, "Real-time signal %d", sig - SIGRTMIN);
  else snprintf(buf, sizeof buf, "Unknown signal %d", sig);
  return buf;
}

void psignal(int sig, const char *s) {
  if (s && *s) fprintf(stderr, "%s: %s\n", s, strsignal(sig));
  else fprintf(stderr, "%s\n", strsignal(sig));
}

void psiginfo(const siginfo_t *si, const char *s) { psignal(si->si_signo, s); }
