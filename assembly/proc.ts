// The process table: PROCS_MAX slots, each with its Sv32 root, ASID, brk bounds, live-thread count, exit
// status or killing signal, and counters. Slots are allocated under the PROC lock; liveness (LIVE, DYING,
// DEAD) changes under the SCHED lock, because it moves with the threads. A process owns every frame its
// page tables reach below USER_END and gives them all back when its last thread leaves (procTeardown).
import { RAM_BASE } from './layout';
import {
  sigProcBase, SIGPROC_BYTES, PROC_BASE, PROC_BYTES, P_STATE, P_PID, P_ROOT, P_SATP, P_ASID, P_THREADS, P_EXIT, P_BRK_START, P_BRK, P_BRK_MAX,
  P_SIGNAL, P_CAUSE, P_TVAL, P_PC, P_STACK_LOW, P_FRAMES, KS, KS_NEXT_ID, KS_ASID_LIMIT, KS_ASID_NEXT,
  KS_LIVE_PROCS, KS_EVENTS, LOCK_PROC,
} from './blocks';
import { PROCS_MAX, ASIDS_MAX } from './limits';
import { klock, kunlock } from './klock';
import { frameFree } from './frames';
import { PTE_V, PTE_R, PTE_X } from './mmu';

// States and kill reasons are shared with the host (abi/defs.mjs).
import { PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD, KILL_OOM, KILL_DEADLOCK, SATP_MODE_SV32, SATP_ASID_SHIFT } from './abi';
export { PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD, KILL_OOM, KILL_DEADLOCK };
export const PROC_NONE: u32 = 0xFFFF_FFFF;
/** The first user address above the user half: page tables below it are the process's own. */
const USER_L1_ENTRIES: u32 = 512;

// @ts-ignore: decorator
@inline export function procBase(p: u32): u32 {
  assert(p < PROCS_MAX, 'process index out of range');
  return PROC_BASE + p * PROC_BYTES;
}

/** Set how many ASIDs processes get (1..ASIDS_MAX); beyond them processes share ASID 0. */
export function kernelSetAsids(count: u32): void {
  store<u32>(KS + KS_ASID_LIMIT, count == 0 || count > ASIDS_MAX ? ASIDS_MAX : count);
}

/** Take a slot for a process whose address space is `root`; its index, or PROC_NONE when the table is full. */
export function procCreate(root: u32): u32 {
  klock(LOCK_PROC);
  let p: u32 = 0;
  while (p < PROCS_MAX && load<u32>(procBase(p) + P_STATE) != PROC_FREE) p++;
  if (p == PROCS_MAX) {
    kunlock(LOCK_PROC);
    return PROC_NONE;
  }
  const b = procBase(p);
  memory.fill(b, 0, PROC_BYTES);
  memory.fill(sigProcBase(p), 0, SIGPROC_BYTES); // signal dispositions all SIG_DFL, nothing pending
  const next = load<u32>(KS + KS_ASID_NEXT);
  let asid: u32 = 0;
  if (next < load<u32>(KS + KS_ASID_LIMIT)) {
    asid = next;
    store<u32>(KS + KS_ASID_NEXT, next + 1);
  }
  store<u32>(b + P_PID, atomic.add<u32>(KS + KS_NEXT_ID, 1));
  store<u32>(b + P_ROOT, root);
  store<u32>(b + P_ASID, asid);
  store<u32>(b + P_SATP, SATP_MODE_SV32 | (asid << SATP_ASID_SHIFT) | (root >>> 12));
  atomic.store<u32>(b + P_STATE, PROC_LIVE);
  const live = atomic.add<u32>(KS + KS_LIVE_PROCS, 1);
  assert(live < PROCS_MAX, 'live process count above PROCS_MAX');
  kunlock(LOCK_PROC);
  return p;
}

/** The heap and stack bounds the kernel's brk and demand paging use. */
export function procSetMemory(p: u32, brkStart: u32, brkMax: u32, stackLow: u32): void {
  const b = procBase(p);
  store<u32>(b + P_BRK_START, brkStart);
  store<u32>(b + P_BRK, brkStart);
  store<u32>(b + P_BRK_MAX, brkMax);
  store<u32>(b + P_STACK_LOW, stackLow);
}

/** Frames the process's page tables reach (tables and pages, the root included). */
export function procFrames(p: u32): u32 {
  const root = load<u32>(procBase(p) + P_ROOT);
  if (load<u32>(procBase(p) + P_STATE) == PROC_DEAD) return 0;
  let n: u32 = 1;
  for (let i: u32 = 0; i < USER_L1_ENTRIES; i++) {
    const l1 = atomic.load<u32>(RAM_BASE + root + (i << 2));
    if ((l1 & PTE_V) == 0 || (l1 & (PTE_R | PTE_X)) != 0) continue;
    const table = (l1 >>> 10) << 12;
    n++;
    for (let j: u32 = 0; j < 1024; j++) {
      if ((atomic.load<u32>(RAM_BASE + table + (j << 2)) & PTE_V) != 0) n++;
    }
  }
  return n;
}

/**
 * Free every frame of a process whose last thread has left, and mark it DEAD (the host reports it).
 * Called under the SCHED lock by whoever released the last thread. No hart runs the process any more, and
 * its ASID is never handed out again, so stale TLB entries for it can never be used.
 */
export function procTeardown(p: u32): void {
  const b = procBase(p);
  const state = load<u32>(b + P_STATE);
  assert(state == PROC_LIVE || state == PROC_DYING, 'tearing down a process that is not alive');
  assert(load<u32>(b + P_THREADS) == 0, 'tearing down a process that has threads');
  const root = load<u32>(b + P_ROOT);
  let freed: u32 = 0;
  for (let i: u32 = 0; i < USER_L1_ENTRIES; i++) {
    const a1 = RAM_BASE + root + (i << 2);
    const l1 = load<u32>(a1);
    if ((l1 & PTE_V) == 0) continue;
    store<u32>(a1, 0);
    if ((l1 & (PTE_R | PTE_X)) != 0) continue; // a superpage is not the process's own frame
    const table = (l1 >>> 10) << 12;
    for (let j: u32 = 0; j < 1024; j++) {
      const pte = load<u32>(RAM_BASE + table + (j << 2));
      if ((pte & PTE_V) != 0 && frameFree((pte >>> 10) << 12)) freed++;
    }
    if (frameFree(table)) freed++;
  }
  if (frameFree(root)) freed++;
  store<u32>(b + P_FRAMES, freed);
  atomic.store<u32>(b + P_STATE, PROC_DEAD);
  const live = atomic.sub<u32>(KS + KS_LIVE_PROCS, 1);
  assert(live != 0, 'live process count underflow');
  atomic.add<u32>(KS + KS_EVENTS, 1);
}

/** Record why a process dies (the first reason wins) and mark it DYING. Under the SCHED lock. */
export function procMarkDying(p: u32, exitCode: u32, signal: u32, cause: u32, tval: u32, pc: u32): bool {
  const b = procBase(p);
  if (load<u32>(b + P_STATE) != PROC_LIVE) return false;
  store<u32>(b + P_EXIT, exitCode & 0xFF);
  store<u32>(b + P_SIGNAL, signal);
  store<u32>(b + P_CAUSE, cause);
  store<u32>(b + P_TVAL, tval);
  store<u32>(b + P_PC, pc);
  atomic.store<u32>(b + P_STATE, PROC_DYING);
  return true;
}

export function procState(p: u32): u32 {
  return p < PROCS_MAX ? atomic.load<u32>(procBase(p) + P_STATE) : PROC_FREE;
}

export function procThreads(p: u32): u32 {
  return load<u32>(procBase(p) + P_THREADS);
}

export function procPid(p: u32): u32 {
  return load<u32>(procBase(p) + P_PID);
}
