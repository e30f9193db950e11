// Every limit of the node kernel in one place (as xv6's param.h). The host mirrors these in
// src/machine/layout.ts; each is checked where a caller could exceed it.

/** Harts per node (per-hart blocks and TLBs are laid out for this many). */
export const HARTS_MAX: u32 = 8;
/** Entries per TLB table (read, write and fetch each have this many at most). Power of two. */
export const TLB_ENTRIES_MAX: u32 = 4096;
/** Ways per TLB set. Power of two, at most TLB_ENTRIES_MAX. */
export const TLB_WAYS_MAX: u32 = 16;
/** Default TLB geometry: 256 entries, 4 ways (64 sets). */
export const TLB_ENTRIES_DEFAULT: u32 = 256;
export const TLB_WAYS_DEFAULT: u32 = 4;
/** Guest page size (Sv32). */
export const PAGE_BYTES: u32 = 4096;
/** Largest guest RAM: the Wasm memory is capped at 16384 pages (1 GiB) and RAM starts at RAM_BASE. */
export const RAM_BYTES_MAX: u32 = 0x3F00_0000; // 1008 MiB
/** Smallest guest RAM (a root table, a few tables and pages). */
export const RAM_BYTES_MIN: u32 = 0x0001_0000; // 64 KiB
/** Largest instruction budget for one call of run(). */
export const RUN_BUDGET_MAX: u32 = 0x4000_0000;
/** Processes per node (the process table's size). */
export const PROCS_MAX: u32 = 16;
/** Threads per node, all processes together (the thread table's size; each run queue holds this many). */
export const THREADS_MAX: u32 = 128;
/** Sv32 ASIDs are 9 bits; ASID 0 is the shared fallback once the configured pool is used up. */
export const ASIDS_MAX: u32 = 512;
/** MLFQ levels; level l runs for quantum << l ticks. */
export const MLFQ_LEVELS: u32 = 3;
/** MLFQ boosts every thread back to level 0 after this many timer interrupts (bounded starvation). */
export const MLFQ_BOOST_IRQS: u32 = 32;
/** Kernel log entries buffered per hart (older entries are counted as dropped when the host lags). */
export const KLOG_ENTRIES: u32 = 16;
/** Spins a shootdown requester polls between servicing its own pending shootdowns. */
export const SHOOTDOWN_POLL_SPINS: u32 = 64;
/** IPC endpoints per node (all processes together). */
export const IPC_ENDPOINTS_MAX: u32 = 32;
/** Largest IPC request or reply, in bytes (copied through the kernel in one system call). */
export const IPC_MSG_MAX: u32 = 256;
/**
 * Records in the host-call ring (assembly/hostcall.ts): host calls in flight at once, machine-wide. A caller
 * that finds every record taken blocks (in TS_HOSTCALL, in FIFO order) until one frees; fewer than
 * THREADS_MAX so that the bound can be reached and is tested.
 */
export const RING_ENTRIES: u32 = 32;
