// The host's mirror of assembly/layout.ts, assembly/blocks.ts and assembly/limits.ts: the addresses of the
// machine's shared memory regions and of the fields in each hart block. Keep in step with those files (a test
// checks the kernel agrees by round-tripping values through its exports).

export const KERNEL_BASE = 0x0010_0000;
export const SCRATCH_BASE = 0x00f0_0000;
export const SCRATCH_BYTES = 0x0010_0000;
export const RAM_BASE = 0x0100_0000;
export const WASM_PAGE_BYTES = 0x1_0000;
/** The kernel module declares at most this many Wasm pages (1 GiB). */
export const WASM_PAGES_MAX = 16384;

export const HARTS_MAX = 8;
export const TLB_ENTRIES_MAX = 4096;
export const TLB_WAYS_MAX = 16;
export const TLB_ENTRIES_DEFAULT = 256;
export const TLB_WAYS_DEFAULT = 4;
export const PAGE_BYTES = 4096;
export const RAM_BYTES_MAX = 0x3f00_0000;
export const RAM_BYTES_MIN = 0x0001_0000;
export const RUN_BUDGET_MAX = 0x4000_0000;

export const NODE_BASE = KERNEL_BASE;
export const N_RAM_BYTES = 4;
export const N_FRAMES_USED = 20;

export const HARTS_BASE = KERNEL_BASE + 0x1000;
export const HART_BYTES = 0x400;
export const H_REGS = 0;
export const H_PC = 128;
export const H_SATP = 132;
export const H_CAUSE = 136;
export const H_TVAL = 140;
export const H_TICK_INSNS = 156;
export const H_INSTRET = 160;
export const H_MTIME = 168;
export const H_MTIMECMP = 176;
export const H_SUBTICK = 184;
export const H_TLB_SETS = 188;
export const H_TLB_WAYS = 192;
export const H_TLB_HITS = 200;
export const H_TLB_MISSES = 208;
export const H_TLB_WALKS = 216;
export const H_TLB_FLUSHES = 224;
export const H_PAGE_FAULTS = 232;
export const H_TIMER_IRQS = 240;
export const H_QUANTUM = 248;

export const TLB_BASE = KERNEL_BASE + 0x10_0000;
export const TLB_TABLE_BYTES = TLB_ENTRIES_MAX * 16;
export const TLB_HART_BYTES = 4 * TLB_TABLE_BYTES;

export function hartBase(hart: number): number {
  return HARTS_BASE + hart * HART_BYTES;
}

// Trap causes (scause encoding) and run() exit reasons, as in assembly/trap.ts.
export const CAUSE = {
  FETCH_MISALIGNED: 0, FETCH_ACCESS: 1, ILLEGAL: 2, BREAKPOINT: 3, LOAD_MISALIGNED: 4, LOAD_ACCESS: 5,
  STORE_MISALIGNED: 6, STORE_ACCESS: 7, ECALL_U: 8, FETCH_PAGE_FAULT: 12, LOAD_PAGE_FAULT: 13,
  STORE_PAGE_FAULT: 15, TIMER_IRQ: 0x8000_0007,
} as const;
export const EXIT_BUDGET = 0;
export const EXIT_TRAP = 1;
export const EXIT_TIMER = 2;
export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_FETCH = 2;

// Sv32 PTE bits and satp.
export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;
export const SATP_SV32 = 0x8000_0000;
export const FRAME_NONE = 0xffff_ffff;

/** User virtual address space: [USER_BASE, USER_END); the stack grows down from USER_END. */
export const USER_BASE = 0x1000;
export const USER_END = 0x8000_0000;
/**
 * PT_LOAD segments may lie anywhere in [USER_BASE, LOAD_END) outside the stack region, as under Linux,
 * whose RV32 user space reaches about 0x9fc0_0000, and qemu-user: programs linked at 0x8000_0000 (the
 * official riscv-tests' address) run. Everything from LOAD_END up stays unmapped.
 */
export const LOAD_END = 0xC000_0000;

// ---- the machine kernel (assembly/blocks.ts: kernel fields of the hart block and the kernel tables) ----
export const PROCS_MAX = 16;
export const THREADS_MAX = 128;
export const ASIDS_MAX = 512;
export const KLOG_ENTRIES = 16;
export const H_CUR = 252;
export const H_SWITCHES = 264;
export const H_IDLE = 272;
export const H_ASID_FLUSHES = 280;
export const H_SHOOTDOWNS = 296;
export const H_KLOG_HEAD = 312;
export const H_KLOG_TAIL = 316;
export const H_KLOG = 320;
export const H_SYSCALLS_KERNEL = 840;
export const H_SYSCALLS_HOST = 848;
export const H_PREEMPTIONS = 856;
export const H_KLOG_DROPPED = 864;
export const KT_BASE = TLB_BASE + HARTS_MAX * TLB_HART_BYTES;
export const LOCK_SCHED = KT_BASE;
export const LOCK_PROC = KT_BASE + 64;
export const LOCK_FRAME = KT_BASE + 128;
export const KS = KT_BASE + 256;
export const KS_THREADED = 4;
export const KS_RQ_GEN = 20;
export const KS_LIVE_PROCS = 36;
export const KS_EVENTS = 48;
export const KS_LIVE_THREADS = 52;
export const KS_OOM_KILLS = 56;
export const KS_TREC_COUNT = 88;
export const PROC_BASE = KT_BASE + 0x1000;
export const PROC_BYTES = 128;
export const P = {
  STATE: 0, PID: 4, ROOT: 8, SATP: 12, ASID: 16, THREADS: 20, EXIT: 24, BRK_START: 28, BRK: 32, BRK_MAX: 36,
  SIGNAL: 40, CAUSE: 44, TVAL: 48, PC: 52, STACK_LOW: 56, INSTRET: 64, SWITCHES: 72, FRAMES: 80,
  THREADS_CREATED: 88, REPORTED: 92, SYSCALLS: 96, PAGE_FAULTS: 104,
} as const;
export const PROC_STATE = { FREE: 0, LIVE: 1, DYING: 2, DEAD: 3 } as const;
/** P.CAUSE of a kill that is not a CPU trap. */
export const KILL_OOM = 0x100;
export const KILL_DEADLOCK = 0x101;
export const KILL_HOST = 0x200; // + signal: the host killed it (SIGPIPE)
export const THREAD_BASE = KT_BASE + 0x2000;
export const THREAD_BYTES = 256;
export const TREC_BASE = THREAD_BASE + THREADS_MAX * THREAD_BYTES;
export const TREC_ENTRIES = 256;
export const TREC_BYTES = 32;
export const EXIT_IDLE = 3;
export const EXIT_ENDED = 4;
export const EXIT_HOSTCALL = 5;
// The host-call ring (assembly/blocks.ts, assembly/hostcall.ts): a header of counters, then the records.
export const RING_ENTRIES = 32;
export const IPC_BASE = TREC_BASE + TREC_ENTRIES * TREC_BYTES;
export const IPC_ENDPOINTS_MAX = 32;
export const IPC_EP_BYTES = 32;
export const RING_BASE = IPC_BASE + IPC_ENDPOINTS_MAX * IPC_EP_BYTES;
export const RING = {
  POSTED: 0, DONE: 4, REAPED: 8, BUSY: 12, THREADS: 16, WAITERS: 20, WAIT_SEQ: 24, FULL_WAITS: 28, BUSY_PEAK: 32,
  LATE: 36,
} as const;
export const RING_RECORDS = RING_BASE + 64;
export const RING_RECORD_BYTES = 96;
export const R = {
  STATE: 0, ID: 4, THREAD: 8, TID: 12, PID: 16, PROC: 20, NR: 24, SATP: 28, ARGS: 32, HART: 56, SIGNAL: 60,
  MTIME: 64, RESULT: 72,
} as const;
export const RING_STATE = { FREE: 0, POSTED: 1, TAKEN: 2, DONE: 3 } as const;
/** Thread state of a caller waiting for the host. */
export const TS_HOSTCALL = 8;
export const KLOG = { CLONE_FLAGS: 1, OOM: 2, FUTEX_OP: 3, DEADLOCK: 4 } as const;
export const SCHED_POLICY = { rr: 0, mlfq: 1 } as const;
export const SPINLOCK_ACQUISITIONS = 8;
export const SPINLOCK_SPINS = 16;
