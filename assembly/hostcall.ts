// The host-call ring: how a thread asks the host for what the kernel does not serve (write, clock_gettime64,
// unknown numbers today; the network and the cluster's services later). The calling thread blocks in
// TS_HOSTCALL, its request goes into one of RING_ENTRIES fixed records in shared memory, and the hart goes
// on with other threads; the host answers whenever it can (at once, or after a network round trip) by
// writing the result into the record and marking it DONE, and the kernel then wakes the thread with
// a0 = result and pc past the ecall (or kills its process with the signal the host asked for: SIGPIPE).
//
// A caller stays parked on its hart (H_CUR, registers in the hart block) until the hart next looks: an
// answer already there resumes it in place, with no context switch and its quantum untouched, exactly as a
// synchronous host call did; otherwise the hart switches it out and runs someone else, and whichever hart
// next passes through dispatch reaps the answer and queues the thread. Bounds: RING_ENTRIES requests in
// flight; a caller that finds every record taken blocks, oldest first, until one frees (no spinning, no
// request lost, nothing returned early: Linux also blocks a writer on a full queue). A thread with a
// request in flight is not released when its process dies: the host may still be copying through its page
// tables; it goes when its answer is reaped. Kernel side under the SCHED lock; the host uses atomics only.
import {
  hartBase, H_REGS, H_PC, H_CUR, H_MTIME, LOCK_SCHED, T_STATE, T_TID, T_PROC, T_REGS, T_PC, T_HART, T_INSTRET,
  T_HC_SLOT, T_HC_WAIT, P_PID, P_SATP, P_STATE, P_INSTRET, RING_BASE, RING_POSTED, RING_DONE, RING_REAPED,
  RING_BUSY, RING_THREADS, RING_WAITERS, RING_WAIT_SEQ, RING_FULL_WAITS, RING_BUSY_PEAK, RING_LATE, RING_RECORDS,
  RING_RECORD_BYTES, R_STATE, R_ID, R_THREAD, R_TID, R_PID, R_PROC, R_NR, R_SATP, R_ARGS, R_HART, R_SIGNAL,
  R_MTIME, R_RESULT,
} from './blocks';
import { RING_ENTRIES, THREADS_MAX } from './limits';
import { klock, kunlock } from './klock';
import { timerRetire } from './timer';
import { procBase, procMarkDying, PROC_DYING } from './proc';
import { threadBase, switchOut, threadWake, threadRelease, releaseBlocked, THREAD_NONE, TS_RUNNING } from './sched';
import { killCurrent, SYS_ENDED } from './syscall';

/** Thread state of a caller waiting for the host (after ipc.ts's). */
export const TS_HOSTCALL: u32 = 8;

/** Record states. */
export const RING_FREE: u32 = 0;
export const RING_POSTED_STATE: u32 = 1;
export const RING_TAKEN: u32 = 2;
export const RING_DONE_STATE: u32 = 3;

/** P_CAUSE of a process the host killed: KILL_HOST + signal (proc.ts's KILL_* range). */
const KILL_HOST: u32 = 0x200;
const NO_SLOT: u32 = 0xFFFF_FFFF;

// @ts-ignore: decorator
@inline function recBase(slot: u32): u32 { return RING_RECORDS + slot * RING_RECORD_BYTES; }
// @ts-ignore: decorator
@inline function ring(field: u32): u32 { return load<u32>(RING_BASE + field); }
// @ts-ignore: decorator
@inline function ringSet(field: u32, v: u32): void { atomic.store<u32>(RING_BASE + field, v); }

/** A FREE record, or NO_SLOT when all RING_ENTRIES are in flight. Under SCHED. */
function recordAlloc(): u32 {
  if (ring(RING_BUSY) >= RING_ENTRIES) return NO_SLOT;
  for (let s: u32 = 0; s < RING_ENTRIES; s++) {
    if (atomic.load<u32>(recBase(s) + R_STATE) == RING_FREE) return s;
  }
  assert(false, 'host-call ring: busy count below RING_ENTRIES but no free record');
  return NO_SLOT;
}

/** Fill record slot with thread t's call (registers at regs: the hart block or the thread slot) and post it. */
function recordPost(slot: u32, t: u32, regs: u32, hart: u32, mtime: u64): void {
  const r = recBase(slot);
  const tb = threadBase(t);
  const p = load<u32>(tb + T_PROC);
  const pb = procBase(p);
  const id = ring(RING_POSTED) + 1 == 0 ? 1 : ring(RING_POSTED) + 1;
  store<u32>(r + R_ID, id);
  store<u32>(r + R_THREAD, t);
  store<u32>(r + R_TID, load<u32>(tb + T_TID));
  store<u32>(r + R_PID, load<u32>(pb + P_PID));
  store<u32>(r + R_PROC, p);
  store<u32>(r + R_NR, load<u32>(regs + 17 * 4));
  store<u32>(r + R_SATP, load<u32>(pb + P_SATP));
  for (let i: u32 = 0; i < 6; i++) store<u32>(r + R_ARGS + i * 4, load<u32>(regs + (10 + i) * 4));
  store<u32>(r + R_HART, hart);
  store<u32>(r + R_SIGNAL, 0);
  store<u32>(r + R_RESULT, 0);
  store<u64>(r + R_MTIME, mtime);
  store<u32>(tb + T_HC_SLOT, slot + 1);
  const busy = ring(RING_BUSY) + 1;
  ringSet(RING_BUSY, busy);
  if (busy > ring(RING_BUSY_PEAK)) ringSet(RING_BUSY_PEAK, busy);
  atomic.store<u32>(r + R_STATE, RING_POSTED_STATE); // the record is complete before the host may see it
  ringSet(RING_POSTED, id);
}

/**
 * Free a reaped record and, if threads wait for one, post the oldest waiter's call into it (its registers
 * are in its thread slot: a waiter is always switched out). Under SCHED.
 */
function recordFree(slot: u32, hart: u32): void {
  atomic.store<u32>(recBase(slot) + R_STATE, RING_FREE);
  ringSet(RING_BUSY, ring(RING_BUSY) - 1);
  ringSet(RING_REAPED, ring(RING_REAPED) + 1);
  if (ring(RING_WAITERS) == 0) return;
  let best = THREAD_NONE;
  let bestWait: u32 = 0;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) != TS_HOSTCALL || load<u32>(b + T_HC_SLOT) != 0) continue;
    const w = load<u32>(b + T_HC_WAIT) - ring(RING_WAIT_SEQ); // wrap-safe: the oldest is the most negative
    if (best == THREAD_NONE || <i32>w < <i32>bestWait) { best = t; bestWait = w; }
  }
  assert(best != THREAD_NONE, 'host-call ring: a waiter was counted but none found');
  ringSet(RING_WAITERS, ring(RING_WAITERS) - 1);
  recordPost(slot, best, threadBase(best) + T_REGS, hart, load<u64>(hartBase(hart) + H_MTIME));
}

/**
 * The hart's current thread made a host call: post it and park the thread on the hart (TS_HOSTCALL), or,
 * when every record is taken, switch it out to wait for one. dispatch() then returns EXIT_HOSTCALL.
 */
export function hostcallPost(hart: u32): void {
  const h = hartBase(hart);
  const t = load<u32>(h + H_CUR) - 1;
  const tb = threadBase(t);
  klock(LOCK_SCHED);
  ringSet(RING_THREADS, ring(RING_THREADS) + 1);
  const slot = recordAlloc();
  if (slot != NO_SLOT) {
    store<u32>(tb + T_STATE, TS_HOSTCALL);
    recordPost(slot, t, h + H_REGS, hart, load<u64>(h + H_MTIME));
  } else {
    ringSet(RING_FULL_WAITS, ring(RING_FULL_WAITS) + 1);
    ringSet(RING_WAITERS, ring(RING_WAITERS) + 1);
    const seq = ring(RING_WAIT_SEQ) + 1;
    ringSet(RING_WAIT_SEQ, seq);
    store<u32>(tb + T_HC_SLOT, 0);
    store<u32>(tb + T_HC_WAIT, seq);
    switchOut(hart, TS_HOSTCALL);
  }
  kunlock(LOCK_SCHED);
}

export const PARK_NONE: u32 = 0; // the hart had no parked thread
export const PARK_RESUMED: u32 = 1; // answered: the thread goes on on this hart
export const PARK_LEFT: u32 = 2; // not answered yet (switched out), or killed by its answer: the hart is free
export const PARK_ENDED: u32 = 3; // answered with a signal, and the process ended

/** Resume the hart's parked caller if its answer is in, else switch it out. PARK_*. */
export function hostcallResume(hart: u32): u32 {
  const h = hartBase(hart);
  const cur = load<u32>(h + H_CUR);
  if (cur == 0) return PARK_NONE;
  const t = cur - 1;
  const tb = threadBase(t);
  if (load<u32>(tb + T_STATE) != TS_HOSTCALL) return PARK_NONE;
  klock(LOCK_SCHED);
  const s = load<u32>(tb + T_HC_SLOT) - 1;
  if (atomic.load<u32>(recBase(s) + R_STATE) != RING_DONE_STATE) {
    switchOut(hart, TS_HOSTCALL);
    kunlock(LOCK_SCHED);
    return PARK_LEFT;
  }
  const result = load<u32>(recBase(s) + R_RESULT), signal = load<u32>(recBase(s) + R_SIGNAL);
  recordFree(s, hart);
  ringSet(RING_THREADS, ring(RING_THREADS) - 1);
  store<u32>(tb + T_STATE, TS_RUNNING);
  kunlock(LOCK_SCHED);
  if (signal != 0) return killCurrent(hart, signal, KILL_HOST + signal, 0) == SYS_ENDED ? PARK_ENDED : PARK_LEFT;
  store<u32>(h + H_REGS + 40, result);
  store<u32>(h + H_PC, load<u32>(h + H_PC) + 4);
  timerRetire(h, 1);
  return PARK_RESUMED;
}

/**
 * Reap the answers of callers that left their harts: a0 and pc into the thread slot, then the run queue
 * (or, for a signal or a dying process, release). The ecall retires on the thread and process, not on the
 * reaping hart. A parked caller's answer is left to its hart. True when a process ended.
 */
export function hostcallReap(hart: u32): bool {
  if (atomic.load<u32>(RING_BASE + RING_DONE) == atomic.load<u32>(RING_BASE + RING_REAPED)) return false;
  const now = load<u64>(hartBase(hart) + H_MTIME);
  let ended = false;
  klock(LOCK_SCHED);
  for (let s: u32 = 0; s < RING_ENTRIES; s++) {
    const r = recBase(s);
    if (atomic.load<u32>(r + R_STATE) != RING_DONE_STATE) continue;
    const t = load<u32>(r + R_THREAD);
    const tb = threadBase(t);
    if (load<u32>(tb + T_HART) != 0) continue; // still parked on a hart: that hart resumes it
    const result = load<u32>(r + R_RESULT), signal = load<u32>(r + R_SIGNAL);
    recordFree(s, hart);
    ringSet(RING_THREADS, ring(RING_THREADS) - 1);
    ringSet(RING_LATE, ring(RING_LATE) + 1);
    const p = load<u32>(tb + T_PROC);
    const pb = procBase(p);
    if (signal != 0 && procMarkDying(p, 128 + signal, signal, KILL_HOST + signal, 0, load<u32>(tb + T_PC))) releaseBlocked(p);
    if (atomic.load<u32>(pb + P_STATE) == PROC_DYING) {
      store<u32>(tb + T_STATE, TS_RUNNING); // not blocked any more: released here
      if (threadRelease(t)) ended = true;
      continue;
    }
    store<u32>(tb + T_REGS + 40, result);
    store<u32>(tb + T_PC, load<u32>(tb + T_PC) + 4);
    store<u64>(tb + T_INSTRET, load<u64>(tb + T_INSTRET) + 1);
    store<u64>(pb + P_INSTRET, load<u64>(pb + P_INSTRET) + 1);
    threadWake(t, now);
  }
  kunlock(LOCK_SCHED);
  return ended;
}

/**
 * For releaseBlocked: true (and the thread no longer counted) when t waits for a free record, so has
 * nothing in flight and may be released with its dying process. A thread with a request in flight is not.
 */
export function hostcallForget(t: u32): bool {
  const b = threadBase(t);
  if (load<u32>(b + T_STATE) != TS_HOSTCALL || load<u32>(b + T_HC_SLOT) != 0 || load<u32>(b + T_HART) != 0) return false;
  ringSet(RING_WAITERS, ring(RING_WAITERS) - 1);
  ringSet(RING_THREADS, ring(RING_THREADS) - 1);
  return true;
}

/** Threads waiting for the host (requests in flight or waiting for a record). */
export function hostcallThreads(): u32 {
  return atomic.load<u32>(RING_BASE + RING_THREADS);
}
