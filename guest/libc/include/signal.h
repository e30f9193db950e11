/* <signal.h> of Atoll's C library: Linux's signal numbers, flags and structures (asm-generic/signal.h,
 * siginfo.h), so that signal numbers, masks and wait statuses mean what they mean to the kernel and under
 * qemu-riscv32. Replaces picolibc's <signal.h> and <sys/signal.h>, which number signals as BSD does and
 * have no SA_SIGINFO. Implemented in src/signal.c over rt_sigaction, rt_sigprocmask, kill. */
#ifndef _SIGNAL_H_
#define _SIGNAL_H_

#include <sys/cdefs.h>
#include <sys/types.h>
#include <sys/_sigset.h>
#include <sys/_timespec.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _SIGSET_T_DECLARED
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;
#endif
typedef int sig_atomic_t;
typedef void (*_sig_func_ptr)(int);
typedef _sig_func_ptr sighandler_t;
typedef _sig_func_ptr sig_t;

#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGIOT     6
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1    10
#define SIGSEGV    11
#define SIGUSR2    12
#define SIGPIPE    13
#define SIGALRM    14
#define SIGTERM    15
#define SIGSTKFLT  16
#define SIGCHLD    17
#define SIGCONT    18
#define SIGSTOP    19
#define SIGTSTP    20
#define SIGTTIN    21
#define SIGTTOU    22
#define SIGURG     23
#define SIGXCPU    24
#define SIGXFSZ    25
#define SIGVTALRM  26
#define SIGPROF    27
#define SIGWINCH   28
#define SIGIO      29
#define SIGPOLL    SIGIO
#define SIGPWR     30
#define SIGSYS     31
#define SIGRTMIN   32
#define SIGRTMAX   64
#undef NSIG /* atoll_abi.h, which the port's system layer reads, has it as a plain number */
#define NSIG       65
#define _NSIG      65

#undef SIG_DFL /* atoll_abi.h, which the port's system layer reads, has it as a plain number */
#define SIG_DFL ((_sig_func_ptr)0)
#undef SIG_IGN /* atoll_abi.h, which the port's system layer reads, has it as a plain number */
#define SIG_IGN ((_sig_func_ptr)1)
#define SIG_ERR ((_sig_func_ptr)-1)

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#undef SA_RESETHAND /* atoll_abi.h, which the port's system layer reads, has it as a plain number */
#define SA_RESETHAND 0x80000000
#define SA_NOMASK    SA_NODEFER
#define SA_ONESHOT   SA_RESETHAND

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

union sigval {
  int sival_int;
  void *sival_ptr;
};

/* Linux's struct sigevent (64 bytes): what mq_notify is told to do. SIGEV_THREAD is not served by this
 * library (mq_notify answers ENOSYS for it). */
#define SIGEV_SIGNAL 0
#define SIGEV_NONE   1
#define SIGEV_THREAD 2
struct sigevent {
  union sigval sigev_value;
  int sigev_signo;
  int sigev_notify;
  union {
    int __pad[13];
    struct { void (*_function)(union sigval); void *_attribute; } _sigev_thread;
  } _sigev_un;
};
#define sigev_notify_function   _sigev_un._sigev_thread._function
#define sigev_notify_attributes _sigev_un._sigev_thread._attribute

/* Linux's siginfo_t: 128 bytes; si_signo, si_errno, si_code, then a union whose fields depend on the
 * signal (kill/sigqueue: pid, uid, value; SIGCHLD: pid, uid, status, utime, stime; faults: addr). */
typedef struct {
  int si_signo;
  int si_errno;
  int si_code;
  union {
    char __pad[128 - 3 * sizeof(int)];
    struct {
      pid_t __pid;
      unsigned int __uid;
      union {
        union sigval __value;
        struct { int __status; long __utime, __stime; } __chld;
      } __u;
    } __proc;
    struct { void *__addr; } __fault;
  } __si;
} siginfo_t;
#define si_pid    __si.__proc.__pid
#define si_uid    __si.__proc.__uid
#define si_value  __si.__proc.__u.__value
#define si_int    si_value.sival_int
#define si_ptr    si_value.sival_ptr
#define si_status __si.__proc.__u.__chld.__status
#define si_utime  __si.__proc.__u.__chld.__utime
#define si_stime  __si.__proc.__u.__chld.__stime
#define si_addr   __si.__fault.__addr

#define SI_USER    0
#undef SI_KERNEL /* atoll_abi.h, which the port's system layer reads, has it as a plain number */
#define SI_KERNEL  0x80
#define SI_QUEUE   (-1)
#define SI_TIMER   (-2)
#define SI_MESGQ   (-3)
#define SI_ASYNCIO (-4)
#define SI_TKILL   (-6)
#define ILL_ILLOPC 1
#define ILL_ILLOPN 2
#define ILL_ILLADR 3
#define ILL_ILLTRP 4
#define ILL_PRVOPC 5
#define ILL_PRVREG 6
#define ILL_COPROC 7
#define ILL_BADSTK 8
#define FPE_INTDIV 1
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define BUS_OBJERR 3
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_TRAPPED   4
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

struct sigaction {
  union {
    void (*__sa_handler)(int);
    void (*__sa_sigaction)(int, siginfo_t *, void *);
  } __sa_u;
  sigset_t sa_mask;
  int sa_flags;
};
#define sa_handler   __sa_u.__sa_handler
#define sa_sigaction __sa_u.__sa_sigaction

typedef struct {
  void *ss_sp;
  int ss_flags;
  size_t ss_size;
} stack_t;
#define SS_ONSTACK  1
#define SS_DISABLE  2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ    8192

_sig_func_ptr signal(int, _sig_func_ptr);
int raise(int);
int kill(pid_t, int);
int killpg(pid_t, int);
int sigaction(int, const struct sigaction *__restrict, struct sigaction *__restrict);
int sigprocmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int pthread_sigmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int sigpending(sigset_t *);
int sigsuspend(const sigset_t *);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
void psignal(int, const char *);
void psiginfo(const siginfo_t *, const char *);

#ifdef __cplusplus
}
#endif
#endif /* _SIGNAL_H_ */
