// The one definition of every number shared by the kernel (assembly/), the host (src/) and the guest header
// (guest/include/): errno values, system call numbers, signals, the layout of the machine's shared memory and
// of the blocks in it, and the limits of the machine kernel. scripts/gen-abi.mjs derives assembly/abi.ts,
// assembly/layout.ts, assembly/blocks.ts, assembly/limits.ts, src/machine/abi.ts and
// guest/include/atoll_abi.h from this file (`npm run build:abi`, part of every build); edit here, never there.
//
// A value is a number or an expression (a string) over names defined earlier in this file; expressions use
// only + - * << and parentheses so they mean the same in JavaScript and AssemblyScript. Every constant goes to
// the kernel and the host; `guest` puts it in the C header too (optionally under another name). The generator
// checks the layout (regions in order without overlap, every field inside its block, the `checks` below) and
// the kernel repeats those checks in machineInit; the kernel also exports the table of every value it was
// compiled with, which the host compares with its own when it loads kernel.wasm.

/** A constant: name, value, a one-line description, options { guest, type, hex }. */
const c = (name, value, doc = '', opts = {}) => ({ name, value, doc, ...opts });
/** A field of a block: name, offset, size in bytes (number or expression), description. */
const f = (name, offset, size, doc = '') => ({ name, value: offset, size, doc });
const u32 = (name, offset, doc = '') => f(name, offset, 4, doc ? `u32: ${doc}` : 'u32');
const u64 = (name, offset, doc = '') => f(name, offset, 8, doc ? `u64: ${doc}` : 'u64');
const G = { guest: true };

/** Bumped whenever the kernel's export surface changes; the host refuses a kernel.wasm of another version. */
export const version = { name: 'KERNEL_VERSION', value: 11 };

// ---------------------------------------------------------------------------------------------------------
// Plain constants, grouped by the generated kernel file they land in (the host gets all in src/machine/abi.ts).
export const groups = [
  {
    id: 'limits', kernel: 'limits', title: 'limits of the machine kernel (as xv6\'s param.h)',
    entries: [
      c('HARTS_MAX', 8, 'Harts per machine (per-hart blocks and TLBs are laid out for this many).'),
      c('TLB_ENTRIES_MAX', 4096, 'Entries per TLB table (read, write and fetch each have this many at most). Power of two.'),
      c('TLB_WAYS_MAX', 16, 'Ways per TLB set. Power of two, at most TLB_ENTRIES_MAX.'),
      c('TLB_ENTRIES_DEFAULT', 256, 'Default TLB geometry: 256 entries, 4 ways (64 sets).'),
      c('TLB_WAYS_DEFAULT', 4),
      c('PAGE_BYTES', 4096, 'Guest page size (Sv32).'),
      c('RAM_BYTES_MAX', 0x3F00_0000, 'Largest guest RAM (1008 MiB): the Wasm memory is capped at WASM_PAGES_MAX pages (1 GiB) and RAM starts at RAM_BASE.', { hex: true }),
      c('RAM_BYTES_MIN', 0x0001_0000, 'Smallest guest RAM (64 KiB: a root table, a few tables and pages).', { hex: true }),
      c('RUN_BUDGET_MAX', 0x4000_0000, 'Largest instruction budget for one call of run().', { hex: true }),
      c('PROCS_MAX', 64, 'Processes per machine (the process table\'s size): live ones, zombies not yet reaped, and the slots of the processes the host loaded, which stay DEAD for the host to read.'),
      c('VMAS_MAX', 32, 'mmap areas (VMAs) per process; a call that would need more fails with ENOMEM (Linux: vm.max_map_count).', G),
      c('FRAMES_MAX', 0x3_F000, 'Frames of the largest RAM (RAM_BYTES_MAX / PAGE_BYTES): the frame reference counts are laid out for this many.', { hex: true }),
      c('PEV_ENTRIES', 64, 'Records in the process-event ring (fork events for the host); a fork that finds it full is handed to the host, which drains it and answers -ERESTARTNOINTR.'),
      c('THREADS_MAX', 128, 'Threads per machine, all processes together (the thread table\'s size; each run queue holds this many).'),
      c('ASIDS_MAX', 512, 'Sv32 ASIDs are 9 bits; ASID 0 is the shared fallback while every ASID of the configured pool is held by a live process. An ended process\'s ASID is reused after one TLB flush of every hart.'),
      c('MLFQ_LEVELS', 3, 'MLFQ levels; level l runs for quantum << l ticks.'),
      c('MLFQ_BOOST_IRQS', 32, 'MLFQ boosts every thread back to level 0 after this many timer interrupts (bounded starvation).'),
      c('KLOG_ENTRIES', 16, 'Kernel log entries buffered per hart (older entries are counted as dropped when the host lags).'),
      c('SHOOTDOWN_POLL_SPINS', 64, 'Spins a shootdown requester polls between servicing its own pending shootdowns.'),
      c('IPC_ENDPOINTS_MAX', 32, 'IPC endpoints per machine (all processes together).', G),
      c('IPC_MSG_MAX', 256, 'Largest IPC request or reply, in bytes (copied through the kernel in one system call).', G),
      c('IPC_SLOT_BITS', 5, 'Low bits of an endpoint id that name its slot: 1 << IPC_SLOT_BITS == IPC_ENDPOINTS_MAX.'),
      c('IPC_GEN_BITS', 24, 'Bits of the registration count above the slot in an endpoint id (ids stay positive as a C long).'),
      c('IPC_TOKEN_SLOT_BITS', 7, 'Low bits of a reply token that name the client thread: 1 << IPC_TOKEN_SLOT_BITS == THREADS_MAX.'),
      c('IPC_TOKEN_TID_BITS', 24, 'Bits of the client tid above the thread index in a reply token.'),
      c('BATCH_PAGES', 32, 'Pages brk unmaps per batch before one shootdown frees their frames.'),
      c('TREC_ENTRIES', 256, 'Records of ended threads kept for the host (a ring; older ones are overwritten).'),
      c('WALK_RETRIES_MAX', 16, 'Page-table walks retried when another hart changed a PTE under the walk (A/D update race).'),
      c('TIMEBASE_HZ_DEFAULT', 10_000_000, 'mtime ticks per second unless the host sets another timebase (10 MHz).'),
      c('RING_ENTRIES', 32, 'Records in the host-call ring (assembly/hostcall.ts): host calls in flight at once, machine-wide. A caller that finds every record taken blocks (in TS_HOSTCALL, in FIFO order) until one frees; fewer than THREADS_MAX so that the bound can be reached and is tested.'),
    ],
  },
  {
    id: 'errno', kernel: 'abi', title: 'errno values (Linux numbering); a failing call returns -E...',
    entries: [
      c('EPERM', 1, '', G), c('ENOENT', 2, '', G), c('ESRCH', 3, '', G), c('EINTR', 4, '', G), c('EIO', 5, '', G),
      c('ENXIO', 6, '', G), c('E2BIG', 7, '', G), c('ENOEXEC', 8, '', G), c('EBADF', 9, '', G), c('ECHILD', 10, '', G),
      c('EAGAIN', 11, '', G), c('ENOMEM', 12, '', G), c('EACCES', 13, '', G), c('EFAULT', 14, '', G), c('EBUSY', 16, '', G),
      c('EEXIST', 17, '', G), c('EXDEV', 18, '', G), c('ENODEV', 19, '', G), c('ENOTDIR', 20, '', G), c('EISDIR', 21, '', G),
      c('EINVAL', 22, '', G), c('ENFILE', 23, '', G), c('EMFILE', 24, '', G), c('ENOTTY', 25, '', G), c('ETXTBSY', 26, '', G),
      c('EFBIG', 27, '', G), c('ENOSPC', 28, '', G), c('ESPIPE', 29, '', G), c('EROFS', 30, '', G), c('EMLINK', 31, '', G),
      c('EPIPE', 32, '', G), c('ERANGE', 34, '', G), c('ENAMETOOLONG', 36, '', G), c('ENOSYS', 38, '', G),
      c('ENOTEMPTY', 39, '', G), c('ELOOP', 40, '', G), c('EOVERFLOW', 75, '', G), c('EMSGSIZE', 90, '', G),
      c('ENOTSUP', 95, '', G), c('EADDRINUSE', 98, '', G), c('ETIMEDOUT', 110, '', G),
    ],
  },
  {
    // Kernel names NR_<NAME>; the guest header's SYS_<name>; the host's SYS.<name>.
    id: 'syscalls', kernel: 'abi', title: 'system call numbers (a7): Linux RV32 (asm-generic/unistd.h), then Atoll\'s own',
    syscalls: true,
    entries: [
      c('getcwd', 17), c('dup', 23), c('dup3', 24), c('fcntl64', 25), c('ioctl', 29), c('mkdirat', 34), c('unlinkat', 35),
      c('symlinkat', 36), c('linkat', 37), c('ftruncate64', 46), c('faccessat', 48), c('chdir', 49), c('fchdir', 50),
      c('openat', 56), c('close', 57), c('pipe2', 59), c('getdents64', 61), c('llseek', 62), c('read', 63),
      c('write', 64), c('readv', 65), c('writev', 66), c('pread64', 67), c('pwrite64', 68), c('readlinkat', 78), c('fsync', 82),
      c('fdatasync', 83), c('exit', 93), c('exit_group', 94), c('waitid', 95), c('set_tid_address', 96), c('sched_yield', 124),
      c('setpgid', 154), c('getpgid', 155), c('getsid', 156), c('setsid', 157), c('umask', 166),
      c('getpid', 172), c('getppid', 173), c('gettid', 178), c('brk', 214), c('munmap', 215), c('clone', 220),
      c('execve', 221), c('mmap2', 222), c('mprotect', 226), c('renameat2', 276), c('statx', 291), c('clock_gettime64', 403),
      c('faccessat2', 439),
      c('clock_nanosleep_time64', 407), c('futex_time64', 422),
      c('kill', 129), c('tkill', 130), c('tgkill', 131), c('rt_sigsuspend', 133), c('rt_sigaction', 134),
      c('rt_sigprocmask', 135), c('rt_sigpending', 136), c('rt_sigreturn', 139),
      // Atoll's own calls take numbers in [ATOLL_SYS_BASE, ATOLL_SYS_LIMIT), which Linux never uses (a guest
      // calling one under qemu-riscv32 gets -ENOSYS). IPC between the processes of one machine:
      c('ipc_register', 'ATOLL_SYS_BASE + 0', 'synchronous rendezvous message passing (docs/kernel.md)'),
      c('ipc_lookup', 'ATOLL_SYS_BASE + 1'), c('ipc_call', 'ATOLL_SYS_BASE + 2'), c('ipc_recv', 'ATOLL_SYS_BASE + 3'),
      c('ipc_reply', 'ATOLL_SYS_BASE + 4'),
      // Served by nobody by default (-ENOSYS): a test registers a host service for it (System.serve) to stop a
      // guest at a known point, e.g. to capture its process image there (test/machine/process-image.test.ts).
      c('test_hook', 'ATOLL_SYS_LIMIT - 1'),
    ],
    before: [
      c('ATOLL_SYS_BASE', 0x4000_0000, 'First number of Atoll\'s own system calls.', { ...G, hex: true }),
      c('ATOLL_SYS_LIMIT', 0x4001_0000, 'One past the last number of Atoll\'s own system calls.', { ...G, hex: true }),
    ],
  },
  {
    id: 'signals', kernel: 'abi', title: 'signals (Linux numbering, asm-generic/signal.h; assembly/signal.ts)',
    entries: [
      c('SIGHUP', 1, '', G), c('SIGINT', 2, '', G), c('SIGQUIT', 3, '', G), c('SIGILL', 4, '', G), c('SIGTRAP', 5, '', G),
      c('SIGABRT', 6, '', G), c('SIGBUS', 7, '', G), c('SIGFPE', 8, '', G), c('SIGKILL', 9, '', G), c('SIGUSR1', 10, '', G),
      c('SIGSEGV', 11, '', G), c('SIGUSR2', 12, '', G), c('SIGPIPE', 13, '', G), c('SIGALRM', 14, '', G), c('SIGTERM', 15, '', G),
      c('SIGSTKFLT', 16, '', G), c('SIGCHLD', 17, '', G), c('SIGCONT', 18, '', G), c('SIGSTOP', 19, '', G), c('SIGTSTP', 20, '', G),
      c('SIGTTIN', 21, '', G), c('SIGTTOU', 22, '', G), c('SIGURG', 23, '', G), c('SIGXCPU', 24, '', G), c('SIGXFSZ', 25, '', G),
      c('SIGVTALRM', 26, '', G), c('SIGPROF', 27, '', G), c('SIGWINCH', 28, '', G), c('SIGIO', 29, '', G), c('SIGPWR', 30, '', G),
      c('SIGSYS', 31, '', G),
      c('SIGRTMIN', 32, 'First real-time signal (the kernel\'s; C libraries keep a few for themselves).', G),
      c('NSIG', 64, 'Signals are 1..NSIG; a sigset_t is NSIG bits (8 bytes on RV32).', G),
      c('SIGSET_BYTES', 8, 'sizeof(sigset_t) the rt_sig* calls require (sigsetsize).', G),
      c('SIG_DFL', 0, 'sa_handler values.', G), c('SIG_IGN', 1, '', G),
      c('SIG_BLOCK', 0, 'rt_sigprocmask how.', G), c('SIG_UNBLOCK', 1, '', G), c('SIG_SETMASK', 2, '', G),
      c('SA_NOCLDSTOP', 1, 'sa_flags (RISC-V has no SA_RESTORER).', { ...G, hex: true }), c('SA_NOCLDWAIT', 2, '', { ...G, hex: true }),
      c('SA_SIGINFO', 4, '', { ...G, hex: true }), c('SA_ONSTACK', 0x0800_0000, '', { ...G, hex: true }),
      c('SA_RESTART', 0x1000_0000, '', { ...G, hex: true }), c('SA_NODEFER', 0x4000_0000, '', { ...G, hex: true }),
      c('SA_RESETHAND', 0x8000_0000, '', { ...G, hex: true }),
      c('SI_USER', 0, 'si_code values: kill.', G), c('SI_KERNEL', 0x80, 'sent by the kernel', G),
      c('SI_TKILL', -6, 'tkill and tgkill', { ...G, type: 'i32' }),
      c('ILL_ILLOPC', 1, 'SIGILL: illegal opcode', G), c('TRAP_BRKPT', 1, 'SIGTRAP: breakpoint', G),
      c('BUS_ADRALN', 1, 'SIGBUS: misaligned address', G),
      c('SEGV_MAPERR', 1, 'SIGSEGV: nothing mapped at the address', G), c('SEGV_ACCERR', 2, 'SIGSEGV: mapped without the permission', G),
      c('CLD_EXITED', 1, 'SIGCHLD si_code: the child exited', G), c('CLD_KILLED', 2, 'killed by a signal', G),
      c('CLD_DUMPED', 3, 'killed by a signal whose default action dumps core', G),
      c('SS_DISABLE', 2, 'uc_stack.ss_flags: no alternate signal stack (sigaltstack is not served).', G),
      c('ERESTARTSYS', 512, 'Kernel-internal results of an interrupted call (never seen by a guest): restart under SA_RESTART, else -EINTR. A host call may answer -ERESTARTSYS when its R_CANCEL is set.'),
      c('ERESTARTNOINTR', 513, 'always restart (the ecall runs again)'),
      c('ERESTARTNOHAND', 514, '-EINTR when a handler runs, else restart'),
      c('SIGINFO_BYTES', 128, 'The RISC-V rt_sigframe (Linux arch/riscv/kernel/signal.c, qemu linux-user/riscv/signal.c): siginfo_t, then the ucontext.', G),
      c('UC_SIGMASK', 20, 'Offsets in the ucontext: uc_flags 0, uc_link 4, uc_stack (ss_sp, ss_flags, ss_size) 8, uc_sigmask 20, 120 unused bytes, uc_mcontext 16-aligned.', G),
      c('UC_MCONTEXT', 160, 'uc_mcontext: sc_regs (pc, then x1..x31: 32 words), then the FP state (32 x u64 and fcsr, as qemu reserves it; zeroed).', G),
      c('UCONTEXT_BYTES', 560, 'The ucontext as qemu-riscv32 7.2 lays it out (16-aligned); Linux reserves a larger FP area (528 bytes) and its frame is 944 bytes.', G),
      c('SIGFRAME_BYTES', 'SIGINFO_BYTES + UCONTEXT_BYTES', 'The frame a handler finds at its sp (the old sp less this, rounded down to 16).', G),
      c('SIGTRAMP_VA', 0xFFFF_F000, 'Return address of every handler: a page never mapped (above LOAD_END); a fetch there is rt_sigreturn, the kernel\'s trampoline (RISC-V has no SA_RESTORER).', { ...G, hex: true }),
    ],
  },
  {
    id: 'linux', kernel: 'abi', title: 'flags and ids of the Linux calls served (linux/sched.h, linux/futex.h, linux/time.h)',
    entries: [
      c('CLONE_VM', 0x100, '', { ...G, hex: true }), c('CLONE_FS', 0x200, '', { ...G, hex: true }),
      c('CLONE_FILES', 0x400, '', { ...G, hex: true }), c('CLONE_SIGHAND', 0x800, '', { ...G, hex: true }),
      c('CLONE_VFORK', 0x4000, '', { ...G, hex: true }), c('CLONE_PARENT', 0x8000, '', { ...G, hex: true }),
      c('CLONE_THREAD', 0x1_0000, '', { ...G, hex: true }), c('CLONE_SYSVSEM', 0x4_0000, '', { ...G, hex: true }),
      c('CLONE_SETTLS', 0x8_0000, '', { ...G, hex: true }), c('CLONE_PARENT_SETTID', 0x10_0000, '', { ...G, hex: true }),
      c('CLONE_CHILD_CLEARTID', 0x20_0000, '', { ...G, hex: true }), c('CLONE_CHILD_SETTID', 0x100_0000, '', { ...G, hex: true }),
      c('CLONE_THREAD_FLAGS', 'CLONE_VM + CLONE_FS + CLONE_FILES + CLONE_SIGHAND + CLONE_THREAD + CLONE_SYSVSEM',
        'The flag set of a thread (what glibc\'s and musl\'s pthread_create pass, minus the tid/TLS options); every thread clone carries it.', { ...G, hex: true }),
      c('FUTEX_WAIT', 0, '', G), c('FUTEX_WAKE', 1, '', G), c('FUTEX_REQUEUE', 3), c('FUTEX_CMP_REQUEUE', 4),
      c('FUTEX_WAKE_OP', 5), c('FUTEX_WAIT_BITSET', 9), c('FUTEX_WAKE_BITSET', 10),
      c('FUTEX_PRIVATE_FLAG', 128, '', G), c('FUTEX_CLOCK_REALTIME', 256),
      c('CLOCK_REALTIME', 0, '', G), c('CLOCK_MONOTONIC', 1, '', G), c('CLOCK_PROCESS_CPUTIME_ID', 2),
      c('CLOCK_THREAD_CPUTIME_ID', 3), c('CLOCK_MONOTONIC_RAW', 4), c('CLOCK_REALTIME_COARSE', 5),
      c('CLOCK_MONOTONIC_COARSE', 6), c('CLOCK_BOOTTIME', 7), c('CLOCK_REALTIME_ALARM', 8), c('CLOCK_BOOTTIME_ALARM', 9),
      c('CLOCK_TAI', 11), c('TIMER_ABSTIME', 1, '', G),
      c('CSIGNAL', 0xFF, 'The low byte of clone\'s flags: the signal the parent gets when the child ends (a fork passes SIGCHLD).', { ...G, hex: true }),
      // waitid (linux/wait.h): id types, options, and the si_code of the child's end.
      c('IDTYPE_ALL', 0, 'waitid id types (P_ALL, P_PID, P_PGID, P_PIDFD in C).', { guest: 'P_ALL' }),
      c('IDTYPE_PID', 1, '', { guest: 'P_PID' }), c('IDTYPE_PGID', 2, '', { guest: 'P_PGID' }), c('IDTYPE_PIDFD', 3, '', { guest: 'P_PIDFD' }),
      c('WNOHANG', 1, '', G), c('WSTOPPED', 2, '', G), c('WEXITED', 4, '', G), c('WCONTINUED', 8, '', G),
      c('WNOWAIT', 0x0100_0000, '', { ...G, hex: true }), c('WNOTHREAD', 0x2000_0000, '__WNOTHREAD', { guest: '__WNOTHREAD', hex: true }),
      c('WALL', 0x4000_0000, '__WALL', { guest: '__WALL', hex: true }), c('WCLONE', 0x8000_0000, '__WCLONE', { guest: '__WCLONE', hex: true }),
      // mmap2 / mprotect (asm-generic/mman-common.h)
      c('PROT_NONE', 0, '', G), c('PROT_READ', 1, '', G), c('PROT_WRITE', 2, '', G), c('PROT_EXEC', 4, '', G),
      c('PROT_GROWSDOWN', 0x0100_0000, '', { ...G, hex: true }), c('PROT_GROWSUP', 0x0200_0000, '', { ...G, hex: true }),
      c('MAP_SHARED', 1, '', G), c('MAP_PRIVATE', 2, '', G), c('MAP_SHARED_VALIDATE', 3, '', G), c('MAP_TYPE', 0xF, '', { ...G, hex: true }),
      c('MAP_FIXED', 0x10, '', { ...G, hex: true }), c('MAP_ANONYMOUS', 0x20, '', { ...G, hex: true }),
      c('MAP_NORESERVE', 0x4000, '', { ...G, hex: true }), c('MAP_POPULATE', 0x8000, '', { ...G, hex: true }),
      c('MAP_FIXED_NOREPLACE', 0x10_0000, '', { ...G, hex: true }),
      c('MMAP_GAP', 0x10_0000, 'Bytes kept unmapped between the top of the mmap area and the stack region below USER_END (1 MiB).', { hex: true }),
    ],
  },
  {
    id: 'files', kernel: 'abi', title: 'flags of the descriptor and file calls (asm-generic/fcntl.h, linux/fcntl.h, linux/stat.h)',
    entries: [
      c('O_ACCMODE', 3, '', G), c('O_RDONLY', 0, '', G), c('O_WRONLY', 1, '', G), c('O_RDWR', 2, '', G),
      c('O_CREAT', 0x40, '', { ...G, hex: true }), c('O_EXCL', 0x80, '', { ...G, hex: true }), c('O_NOCTTY', 0x100, '', { ...G, hex: true }),
      c('O_TRUNC', 0x200, '', { ...G, hex: true }), c('O_APPEND', 0x400, '', { ...G, hex: true }), c('O_NONBLOCK', 0x800, '', { ...G, hex: true }),
      c('O_DSYNC', 0x1000, '', { ...G, hex: true }), c('O_ASYNC', 0x2000, '', { ...G, hex: true }), c('O_DIRECT', 0x4000, '', { ...G, hex: true }),
      c('O_LARGEFILE', 0x8000, '', { ...G, hex: true }), c('O_DIRECTORY', 0x1_0000, '', { ...G, hex: true }),
      c('O_NOFOLLOW', 0x2_0000, '', { ...G, hex: true }), c('O_NOATIME', 0x4_0000, '', { ...G, hex: true }),
      c('O_CLOEXEC', 0x8_0000, '', { ...G, hex: true }), c('O_SYNC', 0x10_1000, '', { ...G, hex: true }),
      c('O_PATH', 0x20_0000, '', { ...G, hex: true }), c('O_TMPFILE', 0x41_0000, '', { ...G, hex: true }),
      c('AT_FDCWD', -100, 'The dirfd meaning the current directory.', { ...G, type: 'i32' }),
      c('AT_SYMLINK_NOFOLLOW', 0x100, '', { ...G, hex: true }), c('AT_EACCESS', 0x200, '', { ...G, hex: true }),
      c('AT_REMOVEDIR', 0x200, '', { ...G, hex: true }), c('AT_SYMLINK_FOLLOW', 0x400, '', { ...G, hex: true }),
      c('AT_EMPTY_PATH', 0x1000, '', { ...G, hex: true }), c('AT_STATX_SYNC_TYPE', 0x6000, '', { ...G, hex: true }),
      c('RENAME_NOREPLACE', 1, '', G), c('RENAME_EXCHANGE', 2, '', G), c('RENAME_WHITEOUT', 4, '', G),
      c('F_DUPFD', 0, '', G), c('F_GETFD', 1, '', G), c('F_SETFD', 2, '', G), c('F_GETFL', 3, '', G), c('F_SETFL', 4, '', G),
      c('F_DUPFD_CLOEXEC', 1030, '', G), c('FD_CLOEXEC', 1, '', G),
      c('SEEK_SET', 0, '', G), c('SEEK_CUR', 1, '', G), c('SEEK_END', 2, '', G),
      c('F_OK', 0, '', G), c('X_OK', 1, '', G), c('W_OK', 2, '', G), c('R_OK', 4, '', G),
      c('S_IFMT', 0xF000, '', { ...G, hex: true }), c('S_IFIFO', 0x1000, '', { ...G, hex: true }), c('S_IFCHR', 0x2000, '', { ...G, hex: true }),
      c('S_IFDIR', 0x4000, '', { ...G, hex: true }), c('S_IFBLK', 0x6000, '', { ...G, hex: true }), c('S_IFREG', 0x8000, '', { ...G, hex: true }),
      c('S_IFLNK', 0xA000, '', { ...G, hex: true }), c('S_IFSOCK', 0xC000, '', { ...G, hex: true }),
      c('DT_UNKNOWN', 0, '', G), c('DT_FIFO', 1, '', G), c('DT_CHR', 2, '', G), c('DT_DIR', 4, '', G), c('DT_BLK', 6, '', G),
      c('DT_REG', 8, '', G), c('DT_LNK', 10, '', G), c('DT_SOCK', 12, '', G),
      c('STATX_BASIC_STATS', 0x7FF, '', { ...G, hex: true }), c('STATX_BTIME', 0x800, '', { ...G, hex: true }),
      c('TCGETS', 0x5401, '', { ...G, hex: true }), c('FIONREAD', 0x541B, '', { ...G, hex: true }),
      c('PATH_MAX', 4096, 'Longest path a call takes, with its NUL.', G), c('NAME_MAX', 255, 'Longest name of one path component.', G),
      c('PIPE_BUF', 4096, 'Writes to a pipe of at most this many bytes are atomic.', G),
      c('PIPE_BYTES', 65536, 'A pipe\'s buffer (Linux\'s default: 16 pages).', G),
      c('FDS_MAX', 1024, 'Descriptors per process (Linux\'s default RLIMIT_NOFILE soft limit): EMFILE beyond.', G),
      c('SYMLINKS_MAX', 40, 'Symbolic links followed while resolving one path (Linux\'s MAXSYMLINKS): ELOOP beyond.', G),
    ],
  },
  {
    id: 'machine', kernel: 'abi', title: 'what the kernel and the host tell each other: trap causes, run() and dispatch() exits, states, reasons',
    entries: [
      // Trap causes (RISC-V scause encoding); the host's CAUSE object.
      c('CAUSE_FETCH_MISALIGNED', 0), c('CAUSE_FETCH_ACCESS', 1), c('CAUSE_ILLEGAL', 2), c('CAUSE_BREAKPOINT', 3),
      c('CAUSE_LOAD_MISALIGNED', 4), c('CAUSE_LOAD_ACCESS', 5), c('CAUSE_STORE_MISALIGNED', 6), c('CAUSE_STORE_ACCESS', 7),
      c('CAUSE_ECALL_U', 8), c('CAUSE_FETCH_PAGE_FAULT', 12), c('CAUSE_LOAD_PAGE_FAULT', 13), c('CAUSE_STORE_PAGE_FAULT', 15),
      c('CAUSE_TIMER_IRQ', 0x8000_0007, 'Interrupt bit | machine timer interrupt.', { hex: true }),
      c('EXIT_BUDGET', 0, 'run()/dispatch(): the instruction budget is used up.'),
      c('EXIT_TRAP', 1, 'run(): a trap (H_CAUSE); dispatch(): a hart index out of range.'),
      c('EXIT_TIMER', 2, 'run(): the timer fired.'),
      c('EXIT_IDLE', 3, 'dispatch() found no thread to run on this hart.'),
      c('EXIT_ENDED', 4, 'dispatch() saw a process end (the host reports it).'),
      c('EXIT_HOSTCALL', 5, 'dispatch() posted a host call into the ring (assembly/hostcall.ts): the host may serve it now.'),
      c('PARK_NONE', 0, 'hostcallResume results. The hart had no thread parked in a host call.'),
      c('PARK_RESUMED', 1, 'answered: the caller goes on on this hart'),
      c('PARK_LEFT', 2, 'not answered yet (switched out), or killed by its answer: the hart is free'),
      c('PARK_ENDED', 3, 'answered with a signal, and the process ended'),
      c('TS_HOSTCALL', 8, 'Thread state (T_STATE; the others are kernel-only, in assembly/thread.ts) of a caller waiting for the host.'),
      c('RS_FREE', 0, 'Host-call record states (R_STATE). FREE -> POSTED (kernel, under SCHED) -> TAKEN (a host server, compare-and-swap) -> DONE (the host wrote the answer) -> FREE (kernel, under SCHED).'),
      c('RS_POSTED', 1), c('RS_TAKEN', 2), c('RS_DONE', 3),
      c('ACC_READ', 0, 'Access kinds, also the index of a TLB table.'), c('ACC_WRITE', 1), c('ACC_FETCH', 2),
      c('PTE_V', 1, 'Sv32 PTE bits.'), c('PTE_R', 2), c('PTE_W', 4), c('PTE_X', 8), c('PTE_U', 16), c('PTE_G', 32),
      c('PTE_A', 64), c('PTE_D', 128),
      c('PTE_COW', 0x100, 'PTE software bit (RSW, bit 8): a private page shared copy-on-write after a fork, mapped without W; a store fault copies it (or takes it over when its frame\'s count is one).', { hex: true }),
      c('PTE_SHARED', 0x200, 'PTE software bit (RSW, bit 9): a page of a MAP_SHARED mapping, which a fork shares as it is (never copy-on-write).', { hex: true }),
      c('SATP_MODE_SV32', 0x8000_0000, 'satp MODE bit (Sv32); ASID in bits 30..22, root PPN in bits 21..0.', { hex: true }),
      c('SATP_ASID_SHIFT', 22),
      c('FRAME_NONE', 0xFFFF_FFFF, 'No frame (frameAlloc failed), no thread, no process.', { hex: true }),
      c('PROC_FREE', 0, 'Process states (P_STATE).'), c('PROC_LIVE', 1), c('PROC_DYING', 2),
      c('PROC_DEAD', 3, 'ended, memory freed; a process the host loaded (or a reaped-by-nobody orphan) keeps its slot in this state for the host to read'),
      c('PROC_ZOMBIE', 4, 'ended, memory freed, exit status kept until its parent reaps it with waitid (then FREE)'),
      c('PEV_FORK', 1, 'Process-event kinds (PE_KIND): a fork or vfork made process PE_PID as a child of PE_PARENT_PID (PE_FLAGS: clone\'s flags).'),
      c('RA_NONE', 0, 'Host answer actions (R_ACTION). Just the result.'),
      c('RA_EXEC', 1, 'execve succeeded: the host wrote the new image into the caller\'s P_EXEC_* fields; the kernel commits it.'),
      c('KILL_OOM', 0x100, 'P_CAUSE of a process killed because a page fault could not be served (no frames).', { hex: true }),
      c('KILL_DEADLOCK', 0x101, 'P_CAUSE of a process killed because every thread was blocked forever.', { hex: true }),
      c('KILL_HOST', 0x200, 'P_CAUSE base of a process the host killed: KILL_HOST + signal (e.g. SIGPIPE).', { hex: true }),
      c('KILL_SIGNAL', 0x300, 'P_CAUSE base of a process ended by the default action of a signal sent by kill, tkill or tgkill: KILL_SIGNAL + signal.', { hex: true }),
      c('KLOG_CLONE_FLAGS', 1, 'Kernel log codes. clone with an unsupported flag set: arg = the flags.'),
      c('KLOG_OOM', 2, 'a page fault could not be served: arg = the faulting address'),
      c('KLOG_FUTEX_OP', 3, 'an unsupported futex operation: arg = op'),
      c('KLOG_DEADLOCK', 4, 'every live thread is blocked with no deadline: arg = threads'),
      c('KLOG_ENTRY_BYTES', 16, 'A kernel log entry: code, pid, tid, arg (u32 each).'),
      c('SCHED_RR', 0, 'Scheduling policies (kernelStart).'), c('SCHED_MLFQ', 1),
      c('LOCK_TAS', 0, 'Spinlock kinds.'), c('LOCK_TTAS', 1), c('LOCK_TICKET', 2), c('LOCK_NONE', 3),
      c('INIT_OK', 0, 'machineInit results.', { type: 'i32' }),
      c('INIT_BAD_RAM', -1, 'RAM size outside RAM_BYTES_MIN..RAM_BYTES_MAX or not a multiple of PAGE_BYTES.', { type: 'i32' }),
      c('INIT_MEMORY_TOO_SMALL', -2, 'The Wasm memory ends before RAM_BASE + ram_bytes.', { type: 'i32' }),
      c('INIT_STATIC_DATA_TOO_BIG', -3, 'AssemblyScript\'s static data reaches past KERNEL_BASE.', { type: 'i32' }),
      c('INIT_BAD_HARTS', -4, 'harts outside 1..HARTS_MAX.', { type: 'i32' }),
      c('INIT_LAYOUT_OVERLAP', -5, 'A region of the layout reaches into the next one.', { type: 'i32' }),
      c('INIT_FIELD_OUTSIDE_BLOCK', -6, 'A field of a block ends past the block\'s size.', { type: 'i32' }),
      c('INIT_BAD_BIT_WIDTH', -7, 'A bit width does not match the limit it encodes.', { type: 'i32' }),
    ],
  },
  {
    id: 'pimg', kernel: 'abi', title: 'process images: the kernel\'s answers to the host that captures and restores them (assembly/procimage.ts)',
    entries: [
      c('PIMG_TABLE_FULL', 'FRAME_NONE', 'procImageCreate: no free process slot.', { hex: true }),
      c('PIMG_PID_IN_USE', 0xFFFF_FFFE, 'procImageCreate: the pid asked for names a process (live, dying or a zombie) or a thread of this machine.', { hex: true }),
      c('PIMG_NO_MEMORY', 0xFFFF_FFFD, 'procImageCreate: no frame for the root table.', { hex: true }),
      c('PIMG_PROC_OK', 0, 'procImageProcState: a live process with an address space of its own.'),
      c('PIMG_PROC_NOT_LIVE', 1, 'procImageProcState: free, dying or ended.'),
      c('PIMG_PROC_SHARED_VM', 2, 'procImageProcState: a vfork child, running in its parent\'s address space.'),
      c('PIMG_THREAD_FREE', 0, 'procImageThreadState: no thread in the slot.'),
      c('PIMG_THREAD_USER', 1, 'running or runnable in user mode: pc and registers are its own (in the hart block while it is on a hart: T_HART).'),
      c('PIMG_THREAD_HOSTCALL', 2, 'waiting for the host (TS_HOSTCALL): pc on its ecall, a0..a7 those of the call.'),
      c('PIMG_THREAD_BLOCKED', 3, 'blocked in the kernel (futex, sleep, waitid, IPC, vfork): not capturable.'),
      c('PIMG_THREAD_UNSETTLED', 4, 'woken by a signal and not yet back in user mode (an interrupted call to settle, a mask to restore), or leaving after an exec: not capturable until it has run.'),
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// The memory layout: regions in address order (assembly/layout.ts) and the blocks inside the kernel's area
// (assembly/blocks.ts).
export const regions = {
  kernel: 'layout', title: 'the fixed layout of a machine\'s shared memory',
  entries: [
    c('KERNEL_BASE', 0x0010_0000, 'Start of the kernel control blocks (1 MiB); AssemblyScript\'s static data sits below and must stay read-only.', { hex: true }),
    c('SCRATCH_BASE', 0x00F0_0000, 'Scratch for host measurements: benchmark locks and counters (15 MiB).', { hex: true }),
    c('SCRATCH_BYTES', 0x0010_0000, '', { hex: true }),
    c('RAM_BASE', 0x0100_0000, 'The guest\'s physical RAM (physical address 0 of the guest) starts here (16 MiB).', { hex: true }),
    c('WASM_PAGE_BYTES', 0x1_0000, '', { hex: true }),
    c('WASM_PAGES_MAX', 16384, 'The kernel module declares at most this many Wasm pages (1 GiB; asconfig.json maximumMemory).'),
    c('USER_BASE', 0x1000, 'User virtual address space: [USER_BASE, USER_END); the stack grows down from USER_END.', { hex: true }),
    c('USER_END', 0x8000_0000, '', { hex: true }),
    c('LOAD_END', 0xC000_0000, 'PT_LOAD segments may lie anywhere in [USER_BASE, LOAD_END) outside the stack region, as under Linux (RV32 user space reaches about 0x9fc0_0000) and qemu-user.', { hex: true }),
  ],
};

/** Blocks: a base, a size, fields; `count` copies (an array with an address helper) when given. */
export const blocks = [
  {
    id: 'machine', title: 'machine header', base: c('MACHINE_BASE', 'KERNEL_BASE'), size: c('MACHINE_BYTES', 0x1000, '', { hex: true }),
    consts: [c('MACHINE_MAGIC', 0x4C4C_4F54, '"TOLL"', { hex: true })],
    fields: [
      u32('M_MAGIC', 0),
      u32('M_RAM_BYTES', 4, 'guest physical RAM size'),
      u32('M_HARTS', 8, 'harts initialised'),
      u32('M_FRAME_NEXT', 12, 'bump pointer (physical) of the frame allocator'),
      u32('M_FRAME_FREE', 16, 'head of the free-frame list (physical + 1; 0 = empty)'),
      u32('M_FRAMES_USED', 20, 'frames handed out and not freed'),
    ],
  },
  {
    id: 'hart', title: 'per-hart block', base: c('HARTS_BASE', 'MACHINE_BASE + MACHINE_BYTES'), size: c('HART_BYTES', 0x400, '', { hex: true }),
    count: 'HARTS_MAX', helper: 'hartBase', param: 'hart',
    fields: [
      f('H_REGS', 0, 128, '32 x u32 (x0 kept zero)'),
      u32('H_PC', 128),
      u32('H_SATP', 132, 'Sv32 satp (MODE bit 31, ASID bits 30..22, PPN bits 21..0)'),
      u32('H_CAUSE', 136, 'cause of the last trap (RISC-V scause encoding)'),
      u32('H_TVAL', 140, 'faulting address or instruction bits'),
      u32('H_RESV_ADDR', 144, 'host address of the LR reservation'),
      u32('H_RESV_VALID', 148, '1 when a reservation is held'),
      u32('H_RESV_VALUE', 152, 'the value LR read'),
      u32('H_TICK_INSNS', 156, 'instructions per mtime tick (clock rate / timebase)'),
      u64('H_INSTRET', 160, 'instructions retired'),
      u64('H_MTIME', 168, 'timer ticks'),
      u64('H_MTIMECMP', 176, 'the timer fires when mtime >= mtimecmp (all ones: disarmed)'),
      u32('H_SUBTICK', 184, 'instructions retired into the current tick'),
      u32('H_TLB_SETS', 188),
      u32('H_TLB_WAYS', 192),
      u32('H_RESV_VA', 196, 'virtual address of the LR reservation'),
      u64('H_TLB_HITS', 200), u64('H_TLB_MISSES', 208), u64('H_TLB_WALKS', 216), u64('H_TLB_FLUSHES', 224),
      u64('H_PAGE_FAULTS', 232), u64('H_TIMER_IRQS', 240),
      u32('H_QUANTUM', 248, 'ticks between timer interrupts the dispatcher arms (0: none)'),
      // Kernel fields (assembly/sched.ts, shootdown.ts, klog.ts)
      u32('H_CUR', 252, 'thread index + 1 running on this hart (0: none)'),
      u32('H_LAST', 256, 'thread index + 1 that ran last (a switch is counted when it changes)'),
      u64('H_SWITCHES', 264, 'context switches (a different thread switched in)'),
      u64('H_IDLE', 272, 'times the hart found nothing to run'),
      u64('H_ASID_FLUSHES', 280, 'TLB flushes forced by a process without its own ASID'),
      u32('H_SHOOT_REQ', 288, 'shootdown requests posted to this hart (generation)'),
      u32('H_SHOOT_ACK', 292, 'the last generation this hart served'),
      u64('H_SHOOTDOWNS', 296, 'shootdowns this hart served (each flushes its TLB)'),
      u64('H_SLICE_INSTRET', 304, 'instret when the current thread was switched in'),
      u32('H_KLOG_HEAD', 312, 'kernel log entries written (ring index = head % KLOG_ENTRIES)'),
      u32('H_KLOG_TAIL', 316, 'entries taken by the host'),
      f('H_KLOG', 320, 'KLOG_ENTRIES * KLOG_ENTRY_BYTES', 'KLOG_ENTRIES x 16 bytes: code, pid, tid, arg'),
      u64('H_SYSCALLS_KERNEL', 840, 'system calls served in the kernel'),
      u64('H_SYSCALLS_HOST', 848, 'system calls handed to the host'),
      u64('H_PREEMPTIONS', 856, 'timer interrupts that switched to another thread'),
      u32('H_KLOG_DROPPED', 864, 'log entries overwritten before the host took them'),
      f('H_SCRATCH', 872, 16, '16 bytes: the kernel\'s copy-in buffer (timespecs)'),
      f('H_BATCH', 888, 'BATCH_PAGES * 4', 'BATCH_PAGES x u32: frames unmapped, freed after the shootdown'),
    ],
  },
  {
    id: 'tlbentry', title: 'a TLB entry', base: null, size: c('TLB_ENTRY_BYTES', 16),
    fields: [
      u32('E_TAG', 0, 'page | alignment bits (0) | asid << 3; TLB_TAG_INVALID when empty'),
      u32('E_ADDEND', 4, 'host offset of the page minus its virtual address'),
      u32('E_FLAGS', 8, 'TLBF_*'),
    ],
  },
  {
    // Three tables (read, write, fetch; ACC_*), each way-major: way w of set s is at table + (w * sets + s) * 16.
    id: 'tlb', title: 'per-hart TLB', base: c('TLB_BASE', 'KERNEL_BASE + 0x10_0000'),
    size: c('TLB_HART_BYTES', '4 * TLB_TABLE_BYTES'), count: 'HARTS_MAX', helper: 'tlbBase', param: 'hart',
    consts: [
      c('TLB_TABLE_BYTES', 'TLB_ENTRIES_MAX * TLB_ENTRY_BYTES', '', { hex: true }),
      c('TLBF_GLOBAL', 1, 'E_FLAGS bits.'), c('TLBF_SUPER', 2),
      c('TLB_TAG_INVALID', 4, 'Bit 2 of a lookup key is never set (no access is 8 bytes), so this tag never matches.'),
    ],
    fields: [],
  },
  {
    id: 'spinlock', title: 'a spinlock (assembly/spinlock.ts)', base: null, size: c('SPINLOCK_BYTES', 32),
    fields: [
      u32('SPINLOCK_WORD', 0, 'the lock word (TAS/TTAS) or next ticket (TICKET)'),
      u32('SPINLOCK_OWNER', 4, 'serving ticket (TICKET)'),
      u64('SPINLOCK_ACQUISITIONS', 8), u64('SPINLOCK_SPINS', 16),
    ],
  },
  {
    // Locks, 64 bytes apart (a cache line each). Order when nesting: PROC, then SCHED, then FRAME.
    id: 'locks', title: 'kernel tables (after the TLBs): locks', base: c('KT_BASE', 'TLB_BASE + HARTS_MAX * TLB_HART_BYTES', '', { hex: true }),
    size: c('LOCKS_BYTES', 256), absolute: true,
    after: [c('KERNEL_BLOCKS_END', 'KT_BASE', 'End of the hart blocks and TLBs.', { hex: true })],
    fields: [
      f('LOCK_SCHED', 'KT_BASE', 'SPINLOCK_BYTES', 'run queues, thread states, futex waits, sleepers, IPC'),
      f('LOCK_PROC', 'KT_BASE + 64', 'SPINLOCK_BYTES', 'process table, ASIDs, ids, address-space changes'),
      f('LOCK_FRAME', 'KT_BASE + 128', 'SPINLOCK_BYTES', 'the frame allocator'),
    ],
  },
  {
    id: 'ks', title: 'scheduler and kernel state', base: c('KS', 'KT_BASE + LOCKS_BYTES', '', { hex: true }), size: c('KS_BYTES', 256),
    fields: [
      u32('KS_ON', 0, '1 once kernelStart ran (dispatch schedules threads)'),
      u32('KS_THREADED', 4, '1 when harts run on their own worker threads'),
      u32('KS_POLICY', 8, 'SCHED_RR or SCHED_MLFQ'),
      u32('KS_LOCK_KIND', 12, 'spinlock kind of the kernel locks'),
      u32('KS_NEXT_ID', 16, 'next pid/tid'),
      u32('KS_RQ_GEN', 20, 'bumped at every enqueue (idle workers wait on it)'),
      u32('KS_ASID_LIMIT', 24, 'ASIDs 1..limit-1 are handed out; later processes share ASID 0'),
      u32('KS_ASID_NEXT', 28),
      u32('KS_SLEEPERS', 32, 'threads blocked with a deadline'),
      u32('KS_LIVE_PROCS', 36),
      u32('KS_IRQS', 40, 'timer interrupts since the last MLFQ boost'),
      u32('KS_RUNNABLE', 44, 'threads in run queues'),
      u32('KS_EVENTS', 48, 'processes ended (the host reports them)'),
      u32('KS_LIVE_THREADS', 52),
      u32('KS_OOM_KILLS', 56),
      u64('KS_WAIT_SEQ', 64, 'futex waits so far (wake order)'),
      u64('KS_REALTIME_NS', 72, 'CLOCK_REALTIME at virtual time 0'),
      u32('KS_TIMEBASE_HZ', 80, 'mtime ticks per second'),
      u32('KS_TREC_COUNT', 88, 'thread records written (ring index = count % TREC_ENTRIES)'),
      u32('KS_INIT', 92, 'process index + 1 of the node\'s first process (the first the host loaded): orphans are reparented to it'),
      u32('KS_FORKS', 96, 'forks and vforks so far'),
      u32('KS_ZOMBIES', 100, 'processes ended and not yet reaped'),
      u32('KS_COW_COPIES', 104, 'copy-on-write faults that copied a page'),
      u32('KS_COW_REUSES', 108, 'copy-on-write faults that took over a frame no one else shared'),
      u32('KS_ASID_RECYCLES', 112, 'times the ended processes\' ASIDs were made reusable (one TLB flush of every hart each)'),
      u32('KS_HOST_TIME', 116, '1: the host keeps every hart\'s mtime (kernelSetHostTime); an idle machine never jumps to a deadline'),
    ],
  },
  {
    id: 'rq', title: 'run queues (MLFQ_LEVELS of them)', base: c('RQ_BASE', 'KS + KS_BYTES', '', { hex: true }),
    size: c('RQ_BYTES', '16 + THREADS_MAX * 4'), count: 'MLFQ_LEVELS',
    fields: [
      u32('RQ_HEAD', 0), u32('RQ_COUNT', 4),
      f('RQ_SLOTS', 16, 'THREADS_MAX * 4', 'THREADS_MAX u32 thread indexes (a ring)'),
    ],
  },
  {
    id: 'proc', title: 'process table', base: c('PROC_BASE', 'KT_BASE + 0x1000', '', { hex: true }), size: c('PROC_BYTES', 256),
    count: 'PROCS_MAX',
    fields: [
      u32('P_STATE', 0, 'PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD'),
      u32('P_PID', 4), u32('P_ROOT', 8, 'physical address of the root table'), u32('P_SATP', 12), u32('P_ASID', 16),
      u32('P_THREADS', 20, 'live threads'), u32('P_EXIT', 24, 'exit status (low 8 bits) when it exited'),
      u32('P_BRK_START', 28), u32('P_BRK', 32), u32('P_BRK_MAX', 36),
      u32('P_SIGNAL', 40, 'killing signal (0: exited)'), u32('P_CAUSE', 44, 'trap cause that killed it, or a KILL_* reason'),
      u32('P_TVAL', 48), u32('P_PC', 52), u32('P_STACK_LOW', 56),
      u64('P_INSTRET', 64, 'instructions retired by its threads'), u64('P_SWITCHES', 72, 'context switches into its threads'),
      u32('P_FRAMES', 80, 'user frames (pages and tables) it holds'), u32('P_FRAMES_PEAK', 84),
      u32('P_THREADS_CREATED', 88), u32('P_REPORTED', 92, 'the host reported its end'),
      u64('P_SYSCALLS', 96), u64('P_PAGE_FAULTS', 104, 'demand-zero faults served'),
      u32('P_PARENT', 112, 'parent\'s process index + 1 (0: none: loaded by the host, or an orphan with no first process left)'),
      u32('P_PPID', 116, 'parent\'s pid (0: none)'),
      u32('P_PGID', 120, 'process group id (0 for the host\'s group: a loaded process is not a group or session leader, as a program a shell started)'),
      u32('P_SID', 124, 'session id (0: the host\'s session)'),
      u32('P_EXIT_SIGNAL', 128, 'signal the parent gets when it ends (clone\'s low byte; SIGCHLD)'),
      u32('P_FLAGS', 132, 'PF_* (assembly/proc.ts): loaded by the host, has exec\'d, a vfork child'),
      u32('P_VFORK_WAITER', 136, 'thread index + 1 of the vfork parent blocked until this child execs or ends'),
      u32('P_VMAS', 140, 'VMAs in use (its VMA table is vmaTable(p))'),
      u32('P_EXEC_ROOT', 144, 'execve: the new image\'s root table (the host builds it; the kernel commits on RA_EXEC)'),
      u32('P_EXEC_PC', 148, 'execve: entry point'), u32('P_EXEC_SP', 152, 'execve: initial stack pointer'),
      u32('P_EXEC_BRK', 156, 'execve: start of the heap'), u32('P_EXEC_BRK_MAX', 160, 'execve: heap limit'),
      u32('P_EXEC_STACK_LOW', 164, 'execve: lowest address of the stack region'),
      u64('P_COW_FAULTS', 168, 'copy-on-write faults served'),
      u32('P_OLD_ROOT', 176, 'execve: root page number + 1 of the replaced images still in use by threads leaving (P_DOOMED), a list (exit.ts); 0: none'),
      u32('P_OLD_ASID', 180, 'execve: the replaced address space\'s ASID'),
      u32('P_DOOMED', 184, 'execve: threads of the old image still to leave (T_DOOMED)'),
    ],
  },
  {
    id: 'thread', title: 'thread table', base: c('THREAD_BASE', 'PROC_BASE + PROCS_MAX * PROC_BYTES', '', { hex: true }), size: c('THREAD_BYTES', 256),
    count: 'THREADS_MAX',
    fields: [
      f('T_REGS', 0, 128, '32 x u32'), u32('T_PC', 128), u32('T_STATE', 132, 'TS_*'), u32('T_TID', 136),
      u32('T_PROC', 140, 'process index'),
      u32('T_CLEAR_TID', 144, 'user address cleared and futex-woken at exit (0: none)'),
      u32('T_FUTEX_KEY', 148, 'physical address waited on'),
      u64('T_DEADLINE', 152, 'mtime ticks (all ones: none)'), u64('T_SWITCHES', 160),
      u32('T_HART', 168, 'hart running it + 1 (0: none)'), u32('T_LEVEL', 172, 'MLFQ level'),
      u64('T_LAST_MTIME', 176, 'mtime when it last left a hart'), u64('T_INSTRET', 184),
      u64('T_PREEMPTED', 192, 'times preempted by the timer'), u64('T_WAIT_SEQ', 200, 'order of its futex wait'),
      u32('T_FUTEX_SPACE', 208, 'process index + 1 of a private futex wait, 0 for a shared one'),
      // IPC (assembly/ipc.ts): a client blocked in ipc_call, or a server blocked in ipc_recv.
      u32('T_IPC_EP', 212, 'endpoint index'),
      u32('T_IPC_BUF', 216, 'client: request address; server: receive buffer address'),
      u32('T_IPC_LEN', 220, 'client: request length; server: receive buffer size'),
      u32('T_IPC_RBUF', 224, 'client: reply buffer address; server: address of the length word'),
      u32('T_IPC_RMAX', 228, 'client: reply buffer size'),
      u32('T_IPC_NEXT', 232, 'next thread index + 1 in its endpoint\'s queue (0: last)'),
      // Host calls (assembly/hostcall.ts): a thread in TS_HOSTCALL.
      u32('T_HC_SLOT', 236, 'ring record index + 1 of its request (0: waiting for a free record)'),
      u32('T_HC_WAIT', 240, 'its place among the threads waiting for a record (RING_WAIT_SEQ)'),
      u32('T_DOOMED', 244, '1: another thread of its process exec\'d; it leaves at its next pass through the kernel'),
    ],
  },
  {
    // Records of ended threads (their final counters), a ring the host reads for per-thread statistics.
    id: 'trec', title: 'records of ended threads', base: c('TREC_BASE', 'THREAD_BASE + THREADS_MAX * THREAD_BYTES', '', { hex: true }),
    size: c('TREC_BYTES', 32), count: 'TREC_ENTRIES',
    fields: [u32('TR_TID', 0), u32('TR_PID', 4), u64('TR_SWITCHES', 8), u64('TR_INSTRET', 16), u32('TR_PREEMPTED', 24)],
  },
  {
    // IPC endpoints (assembly/ipc.ts), under the SCHED lock.
    id: 'ipc', title: 'IPC endpoints', base: c('IPC_BASE', 'TREC_BASE + TREC_ENTRIES * TREC_BYTES', '', { hex: true }),
    size: c('IPC_EP_BYTES', 32), count: 'IPC_ENDPOINTS_MAX',
    fields: [
      u32('EP_NAME', 0, 'the name it was registered under (0: free slot)'),
      u32('EP_OWNER', 4, 'owning process index + 1'),
      u64('EP_CALLS', 8, 'requests delivered'),
      u32('EP_GEN', 16, 'registrations of this slot so far (part of the endpoint id)'),
      u32('EP_SEND_HEAD', 20, 'oldest client waiting for a receiver (thread index + 1; 0: none)'),
      u32('EP_SEND_TAIL', 24, 'newest such client'),
      u32('EP_RECV_HEAD', 28, 'server threads waiting for a request, newest first (a stack)'),
    ],
  },
  {
    // The host-call ring (assembly/hostcall.ts, src/machine/hostcall.ts): a header line of counters, then
    // RING_ENTRIES records. The host never takes a kernel lock: every word it touches it reads and writes
    // with atomics.
    id: 'ring', title: 'host-call ring header', base: c('RING_BASE', 'IPC_BASE + IPC_ENDPOINTS_MAX * IPC_EP_BYTES', '', { hex: true }),
    size: c('RING_HEADER_BYTES', 64),
    fields: [
      u32('RING_POSTED', 0, 'requests posted so far (the last request id)'),
      u32('RING_DONE', 4, 'answers the host has written so far (host: atomic add)'),
      u32('RING_REAPED', 8, 'answers the kernel has consumed'),
      u32('RING_BUSY', 12, 'records not FREE'),
      u32('RING_THREADS', 16, 'threads in TS_HOSTCALL (posted or waiting for a record)'),
      u32('RING_WAITERS', 20, 'threads waiting for a free record'),
      u32('RING_WAIT_SEQ', 24, 'waits for a record so far (their FIFO order)'),
      u32('RING_FULL_WAITS', 28, 'calls that found every record taken'),
      u32('RING_BUSY_PEAK', 32, 'most records in use at once'),
      u32('RING_LATE', 36, 'answers reaped after their thread left the hart'),
    ],
  },
  {
    id: 'ringrec', title: 'host-call ring records', base: c('RING_RECORDS', 'RING_BASE + RING_HEADER_BYTES', '', { hex: true }),
    size: c('RING_RECORD_BYTES', 96), count: 'RING_ENTRIES', helper: 'ringRecord', param: 'slot',
    fields: [
      u32('R_STATE', 0, 'RS_FREE, RS_POSTED, RS_TAKEN, RS_DONE'),
      u32('R_ID', 4, 'request id (RING_POSTED after the post; never 0)'),
      u32('R_THREAD', 8, 'thread index of the caller'),
      u32('R_TID', 12), u32('R_PID', 16),
      u32('R_PROC', 20, 'process index'),
      u32('R_NR', 24, 'system call number (a7)'),
      u32('R_SATP', 28, 'the caller\'s satp, for copies through its page tables'),
      f('R_ARGS', 32, 24, '6 x u32: a0..a5'),
      u32('R_HART', 56, 'hart that posted it'),
      u32('R_SIGNAL', 60, 'host\'s answer: 0, or a signal that kills the caller\'s process'),
      u64('R_MTIME', 64, 'the hart\'s mtime at the ecall'),
      u32('R_RESULT', 72, 'host\'s answer: a0 (negative errno on failure)'),
      u32('R_CANCEL', 76, 'kernel: 1 when the caller should stop waiting (a signal to deliver, its process dying); zeroed at the post'),
      u32('R_ACTION', 80, 'host\'s answer: RA_NONE, or RA_EXEC (commit the image in the caller\'s P_EXEC_* fields)'),
    ],
  },
  {
    // mmap areas (assembly/vma.ts): VMAS_MAX per process, sorted by address, under the PROC lock.
    id: 'vma', title: 'VMA tables (one per process)', base: c('VMA_BASE', 'RING_RECORDS + RING_ENTRIES * RING_RECORD_BYTES', '', { hex: true }),
    size: c('VMA_TABLE_BYTES', 'VMAS_MAX * VMA_BYTES'), count: 'PROCS_MAX', helper: 'vmaTable', param: 'p',
    consts: [c('VMA_BYTES', 16, 'One VMA: [V_START, V_END), V_PROT (PROT_*), V_FLAGS (MAP_SHARED or MAP_PRIVATE).')],
    fields: [],
  },
  {
    id: 'vmarec', title: 'a VMA', base: null, size: c('VMA_RECORD_BYTES', 'VMA_BYTES'),
    fields: [u32('V_START', 0), u32('V_END', 4), u32('V_PROT', 8), u32('V_FLAGS', 12)],
  },
  {
    // Process events for the host (assembly/fork.ts posts, the host consumes): the host learns of a fork
    // before it serves any later call.
    id: 'pev', title: 'process-event ring', base: c('PEV_BASE', 'VMA_BASE + PROCS_MAX * VMA_TABLE_BYTES', '', { hex: true }),
    size: c('PEV_HEADER_BYTES', 64),
    fields: [
      u32('PEV_HEAD', 0, 'events written so far (record index = head % PEV_ENTRIES); the kernel writes, under the PROC lock'),
      u32('PEV_TAIL', 4, 'events the host consumed (host: atomic store)'),
    ],
  },
  {
    id: 'pevrec', title: 'process-event records', base: c('PEV_RECORDS', 'PEV_BASE + PEV_HEADER_BYTES', '', { hex: true }),
    size: c('PEV_RECORD_BYTES', 16), count: 'PEV_ENTRIES', helper: 'pevRecord', param: 'slot',
    fields: [u32('PE_KIND', 0, 'PEV_*'), u32('PE_PID', 4), u32('PE_PARENT_PID', 8), u32('PE_FLAGS', 12)],
  },
  {
    // ASIDs of ended processes (assembly/asid.ts): FREED until one flush of every hart makes them READY.
    id: 'asid', title: 'ASID bitmaps', base: c('ASID_BASE', 'PEV_RECORDS + PEV_ENTRIES * PEV_RECORD_BYTES', '', { hex: true }),
    size: c('ASID_BYTES', 128),
    fields: [
      f('ASID_FREED', 0, 64, 'ASIDS_MAX bits: ended processes\' ASIDs, not yet flushed'),
      f('ASID_READY', 64, 64, 'ASIDS_MAX bits: flushed everywhere, free to hand out'),
    ],
  },
  {
    // Signal state of each process (assembly/signal.ts), under the SCHED lock: dispositions, the pending set
    // shared by its threads, and the siginfo of each pending signal (one instance per signal: real-time
    // signals do not queue more than one).
    id: 'sigproc', title: 'signal state per process', base: c('SIGPROC_BASE', 'ASID_BASE + ASID_BYTES', '', { hex: true }),
    size: c('SIGPROC_BYTES', 2112), count: 'PROCS_MAX', helper: 'sigProcBase', param: 'p',
    consts: [
      c('SIGACT_BYTES', 16, 'A disposition: ACT_HANDLER, ACT_FLAGS, ACT_MASK (the struct sigaction of the RISC-V kernel ABI).'),
      c('ACT_HANDLER', 0), c('ACT_FLAGS', 4), c('ACT_MASK', 8, 'u64'),
      c('SIGREC_BYTES', 16, 'The siginfo of a pending signal: SIGREC_CODE (si_code), SIGREC_PID (si_pid), SIGREC_ADDR (si_addr, or si_status for SIGCHLD), SIGREC_CAUSE (the P_CAUSE its default action kills with).'),
      c('SIGREC_CODE', 0), c('SIGREC_PID', 4), c('SIGREC_ADDR', 8), c('SIGREC_CAUSE', 12),
    ],
    fields: [
      u64('SP_PENDING', 0, 'process-directed signals pending (bit n-1: signal n)'),
      f('SP_ACTIONS', 64, 'NSIG * SIGACT_BYTES', 'NSIG dispositions, signal n at (n - 1) * SIGACT_BYTES'),
      f('SP_INFO', '64 + NSIG * SIGACT_BYTES', 'NSIG * SIGREC_BYTES', 'siginfo of the pending process-directed signals'),
    ],
  },
  {
    id: 'sigthread', title: 'signal state per thread', base: c('SIGTHREAD_BASE', 'SIGPROC_BASE + PROCS_MAX * SIGPROC_BYTES', '', { hex: true }),
    size: c('SIGTHREAD_BYTES', 1088), count: 'THREADS_MAX', helper: 'sigThreadBase', param: 't',
    fields: [
      u64('ST_BLOCKED', 0, 'blocked signals'),
      u64('ST_PENDING', 8, 'thread-directed signals pending'),
      u64('ST_SAVED', 16, 'the mask rt_sigsuspend replaced (ST_FLAGS has STF_SAVED)'),
      u32('ST_FLAGS', 24, 'STF_* (assembly/signal.ts)'),
      u32('ST_ORIG_A0', 28, 'a0 at the last ecall (a restarted call runs with it again)'),
      u32('ST_RESTART', 32, 'ERESTART* code of the interrupted call it returns from (0: none)'),
      f('ST_INFO', 64, 'NSIG * SIGREC_BYTES', 'siginfo of the pending thread-directed signals'),
    ],
  },
  {
    // One u32 reference count per frame of RAM (assembly/frames.ts), under the FRAME lock: page tables and
    // mappings that hold the frame. A frame is free when its count is zero.
    id: 'framerefs', title: 'frame reference counts', base: c('FRAME_REFS', 'KT_BASE + 0x10_0000', '', { hex: true }),
    size: c('FRAME_REF_BYTES', 4), count: 'FRAMES_MAX',
    fields: [],
    after: [c('KT_END', 'FRAME_REFS + FRAMES_MAX * FRAME_REF_BYTES', 'End of the kernel tables.', { hex: true })],
  },
];

/**
 * The regions of shared memory in address order: [name, base, bytes]. Each must end at or before the next
 * begins; the generator checks it and so does machineInit (INIT_LAYOUT_OVERLAP).
 */
export const layoutOrder = [
  ['machine header', 'MACHINE_BASE', 'MACHINE_BYTES'],
  ['hart blocks', 'HARTS_BASE', 'HARTS_MAX * HART_BYTES'],
  ['TLBs', 'TLB_BASE', 'HARTS_MAX * TLB_HART_BYTES'],
  ['kernel locks', 'KT_BASE', 'LOCKS_BYTES'],
  ['kernel state', 'KS', 'KS_BYTES'],
  ['run queues', 'RQ_BASE', 'MLFQ_LEVELS * RQ_BYTES'],
  ['process table', 'PROC_BASE', 'PROCS_MAX * PROC_BYTES'],
  ['thread table', 'THREAD_BASE', 'THREADS_MAX * THREAD_BYTES'],
  ['thread records', 'TREC_BASE', 'TREC_ENTRIES * TREC_BYTES'],
  ['IPC endpoints', 'IPC_BASE', 'IPC_ENDPOINTS_MAX * IPC_EP_BYTES'],
  ['host-call ring header', 'RING_BASE', 'RING_HEADER_BYTES'],
  ['host-call ring records', 'RING_RECORDS', 'RING_ENTRIES * RING_RECORD_BYTES'],
  ['VMA tables', 'VMA_BASE', 'PROCS_MAX * VMA_TABLE_BYTES'],
  ['process-event ring header', 'PEV_BASE', 'PEV_HEADER_BYTES'],
  ['process-event records', 'PEV_RECORDS', 'PEV_ENTRIES * PEV_RECORD_BYTES'],
  ['ASID bitmaps', 'ASID_BASE', 'ASID_BYTES'],
  ['process signal state', 'SIGPROC_BASE', 'PROCS_MAX * SIGPROC_BYTES'],
  ['thread signal state', 'SIGTHREAD_BASE', 'THREADS_MAX * SIGTHREAD_BYTES'],
  ['frame reference counts', 'FRAME_REFS', 'FRAMES_MAX * FRAME_REF_BYTES'],
  ['scratch', 'SCRATCH_BASE', 'SCRATCH_BYTES'],
  ['RAM', 'RAM_BASE', '0'],
];

/**
 * Bit widths and the limits they encode: [expression that must hold, why]. Checked by the generator and by
 * machineInit (INIT_BAD_BIT_WIDTH). Expressions use + - * << == <= only.
 */
export const checks = [
  ['(1 << IPC_SLOT_BITS) == IPC_ENDPOINTS_MAX', 'an endpoint id\'s slot bits name every endpoint slot'],
  ['IPC_SLOT_BITS + IPC_GEN_BITS <= 31', 'endpoint ids stay positive as a C long'],
  ['(1 << IPC_TOKEN_SLOT_BITS) == THREADS_MAX', 'a reply token\'s slot bits name every thread'],
  ['IPC_TOKEN_SLOT_BITS + IPC_TOKEN_TID_BITS <= 31', 'reply tokens stay positive as a C long'],
  ['ASIDS_MAX == (1 << (32 - 1 - SATP_ASID_SHIFT))', 'satp holds a 9-bit ASID (bits 30..22)'],
  ['ASIDS_MAX * 8 <= PAGE_BYTES', 'a TLB tag keeps asid << 3 below the page number'],
  ['TLB_WAYS_MAX <= TLB_ENTRIES_MAX', 'a TLB set has at most all entries'],
  ['HARTS_MAX * TLB_HART_BYTES == KT_BASE - TLB_BASE', 'the TLBs end where the kernel tables start'],
  ['RAM_BASE + RAM_BYTES_MAX <= WASM_PAGES_MAX * WASM_PAGE_BYTES', 'the largest RAM fits the largest Wasm memory'],
  ['USER_BASE <= USER_END', 'the user address space is not empty'],
  ['USER_END <= LOAD_END', 'the stack lies below the end of loadable segments'],
  ['RING_ENTRIES + 1 <= THREADS_MAX', 'the host-call ring can be full while callers still wait for a record'],
  ['FRAMES_MAX * PAGE_BYTES == RAM_BYTES_MAX', 'a reference count for every frame of the largest RAM'],
  ['ASIDS_MAX <= 64 * 8', 'an ASID bitmap holds every ASID'],
];
