// Which committed guests need the kernel's threads (clone, futex, gettid, set_tid_address, sched_yield) or
// processes (fork, waitid),
// and how each is run. Shared by the plain differential test (which leaves these out: they need
// `--harts`-era atoll) and the threads differential test (which runs them in every hart mode).
// Paths are relative to guest/.

/** Multi-threaded guests that must match qemu-riscv32 exactly (stdout, exit status, and stderr unless listed below). */
export const THREADED_GUESTS: readonly string[] = [
  'examples/threads-counter.elf',
  'examples/futex-handoff.elf',
  'examples/lock-fairness.elf',
  'examples/preempt.elf',
  'tests/thread_clone_join.elf',
  'tests/thread_clone_raw.elf',
  'tests/thread_ids.elf',
  'tests/thread_futex.elf',
  'tests/thread_yield.elf',
  'tests/thread_sleep.elf',
  'tests/thread_regs.elf',
  'tests/thread_spinlock.elf',
  'tests/thread_exit.elf',
  'tests/thread_exit_group.elf',
  'tests/thread_main_exit.elf',
  'tests/thread_clone_flags.elf',
  'tests/qa_thread_mix.elf',
  'tests/qa_thread_edge.elf',
  'tests/qa_futex_requeue.elf',
  'tests/qa_futex_ops.elf',
  // processes: fork, copy-on-write, waitid, groups (run on every hart mode: forked children run beside
  // their parents on other harts)
  'tests/fork_cow.elf',
  'tests/fork_tree.elf',
  'tests/waitid_errs.elf',
  'tests/pgid.elf',
  'tests/clone_fork_flags.elf',
  'tests/mmap_anon.elf',
  'tests/mmap_errno.elf',
  'tests/thread_pipe_stream.elf',
  'tests/sig_eintr_thread.elf',
  // fork, a 320 KiB pipe stream, SIGPIPE handled and by default, SIGCHLD: children beside parents on other harts
  'tests/proc_pipeline.elf',
  // a pipe read the host holds beside a sleeping child: an idle machine's time still passes, and the reader's
  // clock is not behind the write that woke it, on any hart
  'tests/fd_pipe_sleep.elf',
  // POSIX message queues, served by the host: timeouts on the virtual clock of idle and busy harts, and
  // between processes a blocked receive or send woken by a child, EINTR and SA_RESTART, unlink while open
  'tests/mq_basic.elf',
  'tests/mq_fork.elf',
  // the same through the C library's <mqueue.h>, as a program written for glibc calls it
  'tests/libc_mqueue.elf',
];

/**
 * Guests whose output differs from qemu-riscv32 by design; each is checked against
 * guest/tests/expected/<name>.stdout and <name>.status instead.
 */
export const ATOLL_ONLY_GUESTS: readonly string[] = [
  // qemu-riscv32 7.2 does not implement mq_notify (ENOSYS); the expected output is what the host's Linux
  // kernel prints for the same program (test/guest/mqueue-native.test.ts)
  'tests/mq_notify.elf',
];

/** Guests whose stderr reports scheduling-dependent figures (lock wins), so stderr is not compared. */
export const STDERR_VARIES: ReadonlySet<string> = new Set(['examples/lock-fairness.elf']);

/** Smaller workloads than the defaults, to keep the suite fast on one emulated hart. */
export const THREADED_ARGS: Readonly<Record<string, readonly string[]>> = {
  'examples/threads-counter.elf': ['5000'],
  'examples/futex-handoff.elf': ['500'],
  'examples/lock-fairness.elf': ['600'],
  'examples/preempt.elf': ['50000'],
  'tests/qa_thread_edge.elf': ['w'],
  // its ticket lock convoys under qemu-user when the host's CPUs are busy (seconds per run at 3000 rounds)
  'tests/thread_spinlock.elf': ['500'],
};

/** Guests left out of the plain (single-hart, pre-threads) differential test. */
export const NEEDS_THREADS: ReadonlySet<string> = new Set([...THREADED_GUESTS, ...ATOLL_ONLY_GUESTS]);
