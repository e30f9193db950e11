// The kernel control blocks inside [KERNEL_BASE, SCRATCH_BASE): the node header, one block per hart and
// one TLB per hart. All hart state lives here, never in module globals, so one kernel instance can step any
// hart and several instances (one per worker thread) can share the memory. Mirrored in src/machine/layout.ts.
import { KERNEL_BASE } from './layout';
import { HARTS_MAX, TLB_ENTRIES_MAX, THREADS_MAX, IPC_ENDPOINTS_MAX, RING_ENTRIES } from './limits';

// ---- node header ----------------------------------------------------------------------------------
export const NODE_BASE: u32 = KERNEL_BASE;
export const NODE_MAGIC: u32 = 0x4C4C4F54; // "TOLL"
export const N_MAGIC: u32 = 0; // u32
export const N_RAM_BYTES: u32 = 4; // u32: guest physical RAM size
export const N_HARTS: u32 = 8; // u32: harts initialised
export const N_FRAME_NEXT: u32 = 12; // u32: bump pointer (physical) of the frame allocator
export const N_FRAME_FREE: u32 = 16; // u32: head of the free-frame list (physical + 1; 0 = empty)
export const N_FRAMES_USED: u32 = 20; // u32: frames handed out and not freed

// ---- per-hart block -------------------------------------------------------------------------------
export const HARTS_BASE: u32 = KERNEL_BASE + 0x1000;
export const HART_BYTES: u32 = 0x400;
export const H_REGS: u32 = 0; // 32 x u32 (x0 kept zero)
export const H_PC: u32 = 128; // u32
export const H_SATP: u32 = 132; // u32: Sv32 satp (MODE bit 31, ASID bits 30..22, PPN bits 21..0)
export const H_CAUSE: u32 = 136; // u32: cause of the last trap (RISC-V scause encoding)
export const H_TVAL: u32 = 140; // u32: faulting address or instruction bits
export const H_RESV_ADDR: u32 = 144; // u32: host address of the LR reservation
export const H_RESV_VALID: u32 = 148; // u32: 1 when a reservation is held
export const H_RESV_VALUE: u32 = 152; // u32: the value LR read
export const H_TICK_INSNS: u32 = 156; // u32: instructions per mtime tick (clock rate / timebase)
export const H_INSTRET: u32 = 160; // u64: instructions retired
export const H_MTIME: u32 = 168; // u64: timer ticks
export const H_MTIMECMP: u32 = 176; // u64: the timer fires when mtime >= mtimecmp (all ones: disarmed)
export const H_SUBTICK: u32 = 184; // u32: instructions retired into the current tick
export const H_TLB_SETS: u32 = 188; // u32
export const H_TLB_WAYS: u32 = 192; // u32
export const H_RESV_VA: u32 = 196; // u32: virtual address of the LR reservation
export const H_TLB_HITS: u32 = 200; // u64
export const H_TLB_MISSES: u32 = 208; // u64
export const H_TLB_WALKS: u32 = 216; // u64
export const H_TLB_FLUSHES: u32 = 224; // u64
export const H_PAGE_FAULTS: u32 = 232; // u64
export const H_TIMER_IRQS: u32 = 240; // u64
export const H_QUANTUM: u32 = 248; // u32: ticks between timer interrupts the dispatcher arms (0: none)
// Kernel fields (assembly/sched.ts, switch.ts, shootdown.ts, klog.ts)
export const H_CUR: u32 = 252; // u32: thread index + 1 running on this hart (0: none)
export const H_LAST: u32 = 256; // u32: thread index + 1 that ran last (a switch is counted when it changes)
export const H_SWITCHES: u32 = 264; // u64: context switches (a different thread switched in)
export const H_IDLE: u32 = 272; // u64: times the hart found nothing to run
export const H_ASID_FLUSHES: u32 = 280; // u64: TLB flushes forced by a process without its own ASID
export const H_SHOOT_REQ: u32 = 288; // u32: shootdown requests posted to this hart (generation)
export const H_SHOOT_ACK: u32 = 292; // u32: the last generation this hart served
export const H_SHOOTDOWNS: u32 = 296; // u64: shootdowns this hart served (each flushes its TLB)
export const H_SLICE_INSTRET: u32 = 304; // u64: instret when the current thread was switched in
export const H_KLOG_HEAD: u32 = 312; // u32: kernel log entries written (ring index = head % KLOG_ENTRIES)
export const H_KLOG_TAIL: u32 = 316; // u32: entries taken by the host
export const H_KLOG: u32 = 320; // KLOG_ENTRIES x 16 bytes: code, pid, tid, arg
export const H_SYSCALLS_KERNEL: u32 = 840; // u64: system calls served in the kernel
export const H_SYSCALLS_HOST: u32 = 848; // u64: system calls handed to the host
export const H_PREEMPTIONS: u32 = 856; // u64: timer interrupts that switched to another thread
export const H_KLOG_DROPPED: u32 = 864; // u32: log entries overwritten before the host took them
export const H_SCRATCH: u32 = 872; // 16 bytes: the kernel's copy-in buffer (timespecs)
export const H_BATCH: u32 = 888; // BATCH_PAGES x u32: frames unmapped, freed after the shootdown
export const BATCH_PAGES: u32 = 32;

// ---- per-hart TLB ---------------------------------------------------------------------------------
// Three tables (read, write, fetch), each way-major: way w of set s is at table + (w * sets + s) * 16.
export const TLB_BASE: u32 = KERNEL_BASE + 0x10_0000;
export const TLB_ENTRY_BYTES: u32 = 16;
export const TLB_TABLE_BYTES: u32 = TLB_ENTRIES_MAX * TLB_ENTRY_BYTES;
export const TLB_HART_BYTES: u32 = 4 * TLB_TABLE_BYTES;
export const E_TAG: u32 = 0; // u32: page | alignment bits (0) | asid << 3; TLB_TAG_INVALID when empty
export const E_ADDEND: u32 = 4; // u32: host offset of the page minus its virtual address
export const E_FLAGS: u32 = 8; // u32: TLBF_*
export const TLBF_GLOBAL: u32 = 1;
export const TLBF_SUPER: u32 = 2;
/** Bit 2 of a lookup key is never set (no access is 8 bytes), so this tag never matches. */
export const TLB_TAG_INVALID: u32 = 4;

export const KERNEL_BLOCKS_END: u32 = TLB_BASE + HARTS_MAX * TLB_HART_BYTES;

// ---- kernel tables (after the TLBs): locks, scheduler state, run queues, process and thread tables ----
export const KT_BASE: u32 = KERNEL_BLOCKS_END; // 4 MiB
// Locks, 64 bytes apart (a cache line each). Order when nesting: PROC, then SCHED, then FRAME.
export const LOCK_SCHED: u32 = KT_BASE; // run queues, thread states, futex waits, sleepers
export const LOCK_PROC: u32 = KT_BASE + 64; // process table, ASIDs, ids, address-space changes
export const LOCK_FRAME: u32 = KT_BASE + 128; // the frame allocator
export const KS: u32 = KT_BASE + 256; // scheduler/kernel state fields
export const KS_ON: u32 = 0; // u32: 1 once kernelStart ran (dispatch schedules threads)
export const KS_THREADED: u32 = 4; // u32: 1 when harts run on their own worker threads
export const KS_POLICY: u32 = 8; // u32: SCHED_RR or SCHED_MLFQ
export const KS_LOCK_KIND: u32 = 12; // u32: spinlock kind of the kernel locks
export const KS_NEXT_ID: u32 = 16; // u32: next pid/tid
export const KS_RQ_GEN: u32 = 20; // u32: bumped at every enqueue (idle workers wait on it)
export const KS_ASID_LIMIT: u32 = 24; // u32: ASIDs 1..limit-1 are handed out; later processes share ASID 0
export const KS_ASID_NEXT: u32 = 28; // u32
export const KS_SLEEPERS: u32 = 32; // u32: threads blocked with a deadline
export const KS_LIVE_PROCS: u32 = 36; // u32
export const KS_IRQS: u32 = 40; // u32: timer interrupts since the last MLFQ boost
export const KS_RUNNABLE: u32 = 44; // u32: threads in run queues
export const KS_EVENTS: u32 = 48; // u32: processes ended (the host reports them)
export const KS_LIVE_THREADS: u32 = 52; // u32
export const KS_OOM_KILLS: u32 = 56; // u32
export const KS_WAIT_SEQ: u32 = 64; // u64: futex waits so far (wake order)
export const KS_REALTIME_NS: u32 = 72; // u64: CLOCK_REALTIME at virtual time 0
export const KS_TIMEBASE_HZ: u32 = 80; // u32: mtime ticks per second
export const RQ_BASE: u32 = KT_BASE + 512; // MLFQ_LEVELS run queues
export const RQ_HEAD: u32 = 0;
export const RQ_COUNT: u32 = 4;
export const RQ_SLOTS: u32 = 16; // THREADS_MAX u32 thread indexes (a ring)
export const RQ_BYTES: u32 = 16 + THREADS_MAX * 4;
export const PROC_BASE: u32 = KT_BASE + 0x1000;
export const PROC_BYTES: u32 = 128;
export const P_STATE: u32 = 0; // u32: PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD
export const P_PID: u32 = 4;
export const P_ROOT: u32 = 8; // physical address of the root table
export const P_SATP: u32 = 12;
export const P_ASID: u32 = 16;
export const P_THREADS: u32 = 20; // live threads
export const P_EXIT: u32 = 24; // exit status (low 8 bits) when it exited
export const P_BRK_START: u32 = 28;
export const P_BRK: u32 = 32;
export const P_BRK_MAX: u32 = 36;
export const P_SIGNAL: u32 = 40; // killing signal (0: exited)
export const P_CAUSE: u32 = 44; // trap cause that killed it, or a KILL_* reason
export const P_TVAL: u32 = 48;
export const P_PC: u32 = 52;
export const P_STACK_LOW: u32 = 56;
export const P_INSTRET: u32 = 64; // u64: instructions retired by its threads
export const P_SWITCHES: u32 = 72; // u64: context switches into its threads
export const P_FRAMES: u32 = 80; // u32: user frames (pages and tables) it holds
export const P_FRAMES_PEAK: u32 = 84; // u32
export const P_THREADS_CREATED: u32 = 88; // u32
export const P_REPORTED: u32 = 92; // u32: the host reported its end
export const P_SYSCALLS: u32 = 96; // u64
export const P_PAGE_FAULTS: u32 = 104; // u64: demand-zero faults served
export const THREAD_BASE: u32 = KT_BASE + 0x2000;
export const THREAD_BYTES: u32 = 256;
export const T_REGS: u32 = 0; // 32 x u32
export const T_PC: u32 = 128;
export const T_STATE: u32 = 132; // TS_*
export const T_TID: u32 = 136;
export const T_PROC: u32 = 140; // process index
export const T_CLEAR_TID: u32 = 144; // user address cleared and futex-woken at exit (0: none)
export const T_FUTEX_KEY: u32 = 148; // physical address waited on
export const T_DEADLINE: u32 = 152; // u64 mtime ticks (all ones: none)
export const T_SWITCHES: u32 = 160; // u64
export const T_HART: u32 = 168; // hart running it + 1 (0: none)
export const T_LEVEL: u32 = 172; // MLFQ level
export const T_LAST_MTIME: u32 = 176; // u64: mtime when it last left a hart
export const T_INSTRET: u32 = 184; // u64
export const T_PREEMPTED: u32 = 192; // u64: times preempted by the timer
export const T_WAIT_SEQ: u32 = 200; // u64: order of its futex wait
export const T_FUTEX_SPACE: u32 = 208; // u32: process index + 1 of a private futex wait, 0 for a shared one
// IPC (assembly/ipc.ts): a client blocked in ipc_call, or a server blocked in ipc_recv.
export const T_IPC_EP: u32 = 212; // u32: endpoint index
export const T_IPC_BUF: u32 = 216; // u32: client: request address; server: receive buffer address
export const T_IPC_LEN: u32 = 220; // u32: client: request length; server: receive buffer size
export const T_IPC_RBUF: u32 = 224; // u32: client: reply buffer address; server: address of the length word
export const T_IPC_RMAX: u32 = 228; // u32: client: reply buffer size
export const T_IPC_NEXT: u32 = 232; // u32: next thread index + 1 in its endpoint's queue (0: last)
// Host calls (assembly/hostcall.ts): a thread in TS_HOSTCALL.
export const T_HC_SLOT: u32 = 236; // u32: ring record index + 1 of its request (0: waiting for a free record)
export const T_HC_WAIT: u32 = 240; // u32: its place among the threads waiting for a record (RING_WAIT_SEQ)
// Records of ended threads (their final counters), a ring the host reads for per-thread statistics.
export const TREC_BASE: u32 = THREAD_BASE + THREADS_MAX * THREAD_BYTES;
export const TREC_ENTRIES: u32 = 256;
export const TREC_BYTES: u32 = 32; // tid, pid, switches (u64), instret (u64), preempted (u32), pad
export const KS_TREC_COUNT: u32 = 88; // u32 in KS: records written (ring index = count % TREC_ENTRIES)
// IPC endpoints (assembly/ipc.ts): IPC_ENDPOINTS_MAX slots of IPC_EP_BYTES, under the SCHED lock.
export const IPC_BASE: u32 = TREC_BASE + TREC_ENTRIES * TREC_BYTES;
export const IPC_EP_BYTES: u32 = 32;
export const EP_NAME: u32 = 0; // u32: the name it was registered under (0: free slot)
export const EP_OWNER: u32 = 4; // u32: owning process index + 1
export const EP_CALLS: u32 = 8; // u64: requests delivered
export const EP_GEN: u32 = 16; // u32: registrations of this slot so far (part of the endpoint id)
export const EP_SEND_HEAD: u32 = 20; // u32: oldest client waiting for a receiver (thread index + 1; 0: none)
export const EP_SEND_TAIL: u32 = 24; // u32: newest such client
export const EP_RECV_HEAD: u32 = 28; // u32: server threads waiting for a request, newest first (a stack)
// The host-call ring (assembly/hostcall.ts): a header line of counters, then RING_ENTRIES request records.
// A record goes FREE -> POSTED (kernel, under SCHED) -> TAKEN (a host server, compare-and-swap) -> DONE (the
// host wrote the result) -> FREE (kernel, under SCHED). The host never takes a kernel lock: every word it
// touches is read and written with atomics.
export const RING_BASE: u32 = IPC_BASE + IPC_ENDPOINTS_MAX * IPC_EP_BYTES;
export const RING_POSTED: u32 = 0; // u32: requests posted so far (the last request id)
export const RING_DONE: u32 = 4; // u32: completions the host has written so far (host: atomic add)
export const RING_REAPED: u32 = 8; // u32: completions the kernel has consumed
export const RING_BUSY: u32 = 12; // u32: records not FREE
export const RING_THREADS: u32 = 16; // u32: threads in TS_HOSTCALL (posted or waiting for a record)
export const RING_WAITERS: u32 = 20; // u32: threads waiting for a free record
export const RING_WAIT_SEQ: u32 = 24; // u32: waits for a record so far (their FIFO order)
export const RING_FULL_WAITS: u32 = 28; // u32: calls that found every record taken
export const RING_BUSY_PEAK: u32 = 32; // u32: most records in use at once
export const RING_LATE: u32 = 36; // u32: completions reaped after their thread left the hart
export const RING_RECORDS: u32 = RING_BASE + 64;
export const RING_RECORD_BYTES: u32 = 96;
export const R_STATE: u32 = 0; // u32: RING_FREE, RING_POSTED_STATE, RING_TAKEN, RING_DONE_STATE
export const R_ID: u32 = 4; // u32: request id (RING_POSTED after the post; never 0)
export const R_THREAD: u32 = 8; // u32: thread index of the caller
export const R_TID: u32 = 12;
export const R_PID: u32 = 16;
export const R_PROC: u32 = 20; // u32: process index
export const R_NR: u32 = 24; // u32: system call number (a7)
export const R_SATP: u32 = 28; // u32: the caller's satp, for copies through its page tables
export const R_ARGS: u32 = 32; // 6 x u32: a0..a5
export const R_HART: u32 = 56; // u32: hart that posted it
export const R_SIGNAL: u32 = 60; // u32: host's answer: 0, or a signal that kills the caller's process
export const R_MTIME: u32 = 64; // u64: the hart's mtime at the ecall
export const R_RESULT: u32 = 72; // u32: host's answer: a0 (negative errno on failure)
export const KT_END: u32 = RING_RECORDS + RING_ENTRIES * RING_RECORD_BYTES;

// @ts-ignore: decorator
@inline export function hartBase(hart: u32): u32 {
  return HARTS_BASE + hart * HART_BYTES;
}
// @ts-ignore: decorator
@inline export function tlbBase(hart: u32): u32 {
  return TLB_BASE + hart * TLB_HART_BYTES;
}
