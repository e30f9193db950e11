// The process table: PROCS_MAX slots, each with its Sv32 root, ASID, brk bounds, live-thread count, exit
// status or killing signal, parent, process group and session, and counters. Slots are allocated under the
// PROC lock; liveness (LIVE, DYING, then DEAD or ZOMBIE) changes under the SCHED lock, because it moves with
// the threads. A process holds one reference to every frame its page tables reach and drops them all when
// its last thread leaves (procTeardown); a frame shared copy-on-write or MAP_SHARED lives on while another
// process holds it. A vfork child shares its parent's address space (PF_SHARED_VM) and frees none of it.
import { RAM_BASE } from './layout';
import {
  sigProcBase, SIGPROC_BYTES, PROC_BASE, PROC_BYTES, P_STATE, P_PID, P_ROOT, P_SATP, P_ASID, P_THREADS, P_EXIT, P_BRK_START, P_BRK, P_BRK_MAX,
  P_SIGNAL, P_CAUSE, P_TVAL, P_PC, P_STACK_LOW, P_FRAMES, P_FLAGS, P_EXIT_SIGNAL, KS, KS_ASID_LIMIT,
  KS_LIVE_PROCS, KS_EVENTS, KS_INIT, KS_CLUSTER, LOCK_PROC,
} from './blocks';
import { PROCS_MAX, ASIDS_MAX } from './limits';
import { klock, kunlock } from './klock';
import { vmDestroy } from './vm';
import { asidAlloc, asidRelease, asidRecycle, ASID_NO_HART } from './asid';
import { PTE_R, PTE_X } from './mmu';
import { pidAlloc, PID_NONE } from './pidlease';

// States and kill reasons are shared with the host (abi/defs.mjs).
import {
  PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD, PROC_ZOMBIE, PROC_REMOTE, PROC_NO_PID, KILL_OOM, KILL_DEADLOCK, SATP_MODE_SV32, SATP_ASID_SHIFT, SIGCHLD,
} from './abi';
export { PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD, PROC_ZOMBIE, PROC_REMOTE, PROC_NO_PID, KILL_OOM, KILL_DEADLOCK };
export const PROC_NONE: u32 = 0xFFFF_FFFF;
/** Level-1 entries of a root table (each may point to a level-0 table of the process's own). */
const L1_ENTRIES: u32 = 1024;

// P_FLAGS bits.
/** Loaded by the host: its slot stays DEAD after its end, for the host to read (procResult). */
export const PF_HOSTED: u32 = 1;
/** Has called execve (setpgid on it from its parent is then EACCES). */
export const PF_EXECED: u32 = 2;
/** A vfork child running in its parent's address space: its root, ASID and frames are the parent's. */
export const PF_SHARED_VM: u32 = 4;
/** A stand-in for a child on another machine (remote.ts): no threads, no memory, no ASID. */
export const PF_REMOTE: u32 = 8;
/** Its threads are leaving because it moved to another machine (migrate.ts): its end is no end here. */
export const PF_MIGRATED: u32 = 16;
/** Every fault on a page with no PTE goes to the host (hostpage.ts): the address space lives elsewhere. */
export const PF_HOST_PAGES: u32 = 32;

// @ts-ignore: decorator
@inline export function procBase(p: u32): u32 {
  assert(p < PROCS_MAX, 'process index out of range');
  return PROC_BASE + p * PROC_BYTES;
}

/** Set how many ASIDs processes get (1..ASIDS_MAX); beyond them processes share ASID 0. */
export function kernelSetAsids(count: u32): void {
  store<u32>(KS + KS_ASID_LIMIT, count == 0 || count > ASIDS_MAX ? ASIDS_MAX : count);
}

/**
 * A process the host loads, in address space `root`: its slot index, PROC_NONE when the table is full, or
 * PROC_NO_PID when no pid is left (pidlease.ts).
 * It has no parent; on one machine the first one is the node's first process, which inherits orphans. Its group and
 * session are the host's (0): it leads neither, as a program a shell started.
 */
export function procCreate(root: u32): u32 {
  asidRecycle(ASID_NO_HART);
  klock(LOCK_PROC);
  const p = procSlotTake(root, asidAlloc());
  if (p < PROCS_MAX) {
    store<u32>(procBase(p) + P_FLAGS, PF_HOSTED);
    // In a cluster the host names the process orphans go to (kernelSetInit): the cluster's first process.
    if (load<u32>(KS + KS_INIT) == 0 && atomic.load<u32>(KS + KS_CLUSTER) == 0) store<u32>(KS + KS_INIT, p + 1);
  }
  kunlock(LOCK_PROC);
  return p;
}

/**
 * A free slot made LIVE for address space root with the given ASID (0: the shared one), with pid given (0: a new one);
 * PROC_NONE when the table is full, PROC_NO_PID when no pid is left (the ASID goes back). Under the PROC lock.
 */
export function procSlotTake(root: u32, asid: u32, given: u32 = 0): u32 {
  let p: u32 = 0;
  while (p < PROCS_MAX && load<u32>(procBase(p) + P_STATE) != PROC_FREE) p++;
  if (p == PROCS_MAX) {
    asidRelease(asid);
    return PROC_NONE;
  }
  const pid = given != 0 ? given : pidAlloc();
  if (pid == PID_NONE) {
    asidRelease(asid);
    return PROC_NO_PID;
  }
  const b = procBase(p);
  memory.fill(b, 0, PROC_BYTES);
  memory.fill(sigProcBase(p), 0, SIGPROC_BYTES); // signal dispositions all SIG_DFL, nothing pending
  store<u32>(b + P_PID, pid);
  store<u32>(b + P_EXIT_SIGNAL, SIGCHLD);
  procSetSpace(p, root, asid);
  atomic.store<u32>(b + P_STATE, PROC_LIVE);
  const live = atomic.add<u32>(KS + KS_LIVE_PROCS, 1);
  assert(live < PROCS_MAX, 'live process count above PROCS_MAX');
  return p;
}

/** Point process p at address space root with asid (satp follows). */
export function procSetSpace(p: u32, root: u32, asid: u32): void {
  const b = procBase(p);
  store<u32>(b + P_ROOT, root);
  store<u32>(b + P_ASID, asid);
  store<u32>(b + P_SATP, SATP_MODE_SV32 | (asid << SATP_ASID_SHIFT) | (root >>> 12));
}

/** Give back a slot procSlotTake handed out whose process never ran (a fork that failed). Under the PROC lock. */
export function procSlotUndo(p: u32): void {
  const b = procBase(p);
  if ((load<u32>(b + P_FLAGS) & PF_SHARED_VM) == 0) {
    vmDestroy(load<u32>(b + P_ROOT));
    asidRelease(load<u32>(b + P_ASID));
  }
  atomic.store<u32>(b + P_STATE, PROC_FREE);
  const live = atomic.sub<u32>(KS + KS_LIVE_PROCS, 1);
  assert(live != 0, 'live process count underflow');
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
  const st = load<u32>(procBase(p) + P_STATE);
  if (st != PROC_LIVE && st != PROC_DYING) return 0;
  let n: u32 = 1;
  for (let i: u32 = 0; i < L1_ENTRIES; i++) {
    const l1 = atomic.load<u32>(RAM_BASE + root + (i << 2));
    if ((l1 & 1) == 0 || (l1 & (PTE_R | PTE_X)) != 0) continue;
    const table = (l1 >>> 10) << 12;
    n++;
    for (let j: u32 = 0; j < 1024; j++) {
      if (atomic.load<u32>(RAM_BASE + table + (j << 2)) != 0) n++;
    }
  }
  return n;
}

/**
 * Drop every frame of a process whose last thread has left, and mark it DEAD (wait.ts's procEnded then
 * makes it a zombie for its parent, or frees the slot of a parentless child). Called under the SCHED lock
 * by whoever released the last thread. No hart runs the process any more, and its ASID is not handed out
 * again before every hart's TLB has been flushed (asid.ts), so stale TLB entries for it are never used.
 */
export function procTeardown(p: u32): void {
  const b = procBase(p);
  const state = load<u32>(b + P_STATE);
  assert(state == PROC_LIVE || state == PROC_DYING, 'tearing down a process that is not alive');
  assert(load<u32>(b + P_THREADS) == 0, 'tearing down a process that has threads');
  const root = load<u32>(b + P_ROOT);
  let freed: u32 = 0;
  if ((load<u32>(b + P_FLAGS) & PF_SHARED_VM) == 0) {
    freed = vmDestroy(root);
    asidRelease(load<u32>(b + P_ASID));
  }
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

export function procFlags(p: u32): u32 {
  return load<u32>(procBase(p) + P_FLAGS);
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
