// The host-call ring: how a thread asks the host for what the kernel does not serve (write, clock_gettime64,
// unknown numbers today; the network and the cluster's services later). The calling thread blocks in
// TS_HOSTCALL, its request goes into one of RING_ENTRIES fixed records in shared memory, and the hart goes
// on with other threads; the host answers whenever it can (at once, or after a network round trip) by
// writing the result into the record and marking it DONE, and the kernel then wakes the thread with
// a0 = result and pc past the ecall, raising on it the signal the host asked for (SIGPIPE), whose default
// action may kill it. An ERESTART* answer is settled on the way back to user mode (sigframe.ts):
// -ERESTARTNOINTR runs the ecall again (a fork the host let wait until it drained the process events),
// -ERESTARTSYS (a wait the kernel cancelled, R_CANCEL) restarts or fails with -EINTR; and R_ACTION =
// RA_EXEC commits the new image the host wrote into the caller's slot (exec.ts). An answer given at a later
// virtual time (R_AT: a timeout the host answers at its deadline) raises the caller's clock to it.
//
// A caller stays parked on its hart (H_CUR, registers in the hart block) until the hart next looks: an
// answer already there resumes it in place, with no context switch and its quantum untouched, exactly as a
// synchronous host call did; otherwise the hart switches it out and runs someone else, and whichever hart
// next passes through dispatch reaps the answer and queues the thread. Bounds: RING_ENTRIES requests in
// flight; a caller that finds every record taken blocks, oldest first, until one frees (no spinning, no
// request lost, nothing returned early: Linux also blocks a writer on a full queue). A thread with a
// request in flight is not released when its process dies: the host may still be copying through its page
// tables; it goes when its answer is reaped (a waiter without a record goes at once: exit.ts's
// releaseBlocked through thread.ts's threadForgetHostcall). Kernel side under the SCHED lock; the host uses
// atomics only. Record layout and states: abi/defs.mjs (R_*, RS_*, RING_*).
import {
  hartBase, ringRecord, H_CUR, H_MTIME, LOCK_SCHED, T_STATE, T_TID, T_PROC, T_REGS, T_PC, T_HART, T_HC_SLOT,
  T_HC_WAIT, P_PID, P_SATP, P_STATE, RING_BASE, RING_POSTED, RING_DONE, RING_REAPED, RING_BUSY, RING_THREADS,
  RING_WAITERS, RING_WAIT_SEQ, RING_FULL_WAITS, RING_BUSY_PEAK, RING_LATE, R_STATE, R_ID, R_THREAD, R_TID, R_PID,
  R_PROC, R_NR, R_SATP, R_ARGS, R_HART, R_SIGNAL, R_MTIME, R_RESULT, R_CANCEL, R_ACTION, R_AT, H_REGS, T_DOOMED,
} from './blocks';
import { RING_ENTRIES, THREADS_MAX } from './limits';
import { RS_FREE, RS_POSTED, RS_DONE, PARK_NONE, PARK_RESUMED, PARK_LEFT, PARK_ENDED, KILL_HOST, RA_NONE, RA_EXEC } from './abi';
import { klock, kunlock } from './klock';
import { procBase, PROC_DYING } from './proc';
import { threadBase, hartThread, THREAD_NONE, TS_RUNNING, TS_RUNNABLE, TS_HOSTCALL } from './thread';
import { switchOut, threadWake, rqPush } from './sched';
import { execCommit } from './exec';
import { threadRelease, procKill, hartKill, killCurrent } from './exit';
import { callHart, callH, callT, callP, sysReturn, threadSyscallReturn } from './caller';
import { sigHostAnswer } from './signal';
import { hostPageRecord, hostPageWaiting, hostPageAnswered, hostPageSignal } from './hostpage';

export { PARK_NONE, PARK_RESUMED, PARK_LEFT, PARK_ENDED };

const NO_SLOT: u32 = 0xFFFF_FFFF;

// @ts-ignore: decorator
@inline function recBase(slot: u32): u32 {
  assert(slot < RING_ENTRIES, 'host-call ring: record index out of range');
  return ringRecord(slot);
}
// @ts-ignore: decorator
@inline function ring(field: u32): u32 { return load<u32>(RING_BASE + field); }
// @ts-ignore: decorator
@inline function ringSet(field: u32, v: u32): void { atomic.store<u32>(RING_BASE + field, v); }

/** A FREE record, or NO_SLOT when all RING_ENTRIES are in flight. Under SCHED. */
function recordAlloc(): u32 {
  const busy = ring(RING_BUSY);
  assert(busy <= RING_ENTRIES, 'host-call ring: more records busy than RING_ENTRIES');
  if (busy == RING_ENTRIES) return NO_SLOT;
  for (let s: u32 = 0; s < RING_ENTRIES; s++) {
    if (atomic.load<u32>(recBase(s) + R_STATE) == RS_FREE) return s;
  }
  assert(false, 'host-call ring: busy count below RING_ENTRIES but no free record');
  return NO_SLOT;
}

/**
 * Fill FREE record slot with the call of thread t of process p (registers at regs: the hart block or the
 * thread slot) and post it. Under SCHED.
 */
function recordPost(slot: u32, t: u32, p: u32, regs: u32, hart: u32, mtime: u64): void {
  const r = recBase(slot);
  assert(atomic.load<u32>(r + R_STATE) == RS_FREE, 'host-call ring: posting into a record in use');
  const tb = threadBase(t);
  const pb = procBase(p);
  const id = ring(RING_POSTED) + 1 == 0 ? 1 : ring(RING_POSTED) + 1;
  store<u32>(r + R_ID, id);
  store<u32>(r + R_THREAD, t);
  store<u32>(r + R_TID, load<u32>(tb + T_TID));
  store<u32>(r + R_PID, load<u32>(pb + P_PID));
  store<u32>(r + R_PROC, p);
  store<u32>(r + R_SATP, load<u32>(pb + P_SATP));
  if (!hostPageRecord(t, r + R_NR, r + R_ARGS)) { // a page fault's call (hostpage.ts), or the system call's
    store<u32>(r + R_NR, load<u32>(regs + 17 * 4));
    for (let i: u32 = 0; i < 6; i++) store<u32>(r + R_ARGS + i * 4, load<u32>(regs + (10 + i) * 4));
  }
  store<u32>(r + R_HART, hart);
  store<u32>(r + R_SIGNAL, 0);
  store<u32>(r + R_RESULT, 0);
  store<u32>(r + R_CANCEL, 0);
  store<u32>(r + R_ACTION, RA_NONE);
  store<u64>(r + R_MTIME, mtime);
  store<u64>(r + R_AT, 0);
  store<u32>(tb + T_HC_SLOT, slot + 1);
  const busy = ring(RING_BUSY) + 1;
  assert(busy <= RING_ENTRIES, 'host-call ring: more records busy than RING_ENTRIES');
  ringSet(RING_BUSY, busy);
  if (busy > ring(RING_BUSY_PEAK)) ringSet(RING_BUSY_PEAK, busy);
  atomic.store<u32>(r + R_STATE, RS_POSTED); // the record is complete before the host may see it
  ringSet(RING_POSTED, id);
}

/**
 * Free a reaped (DONE) record and, if threads wait for one, post the oldest waiter's call into it (its
 * registers are in its thread slot: a waiter is always switched out). Under SCHED.
 */
function recordFree(slot: u32, hart: u32): void {
  const r = recBase(slot);
  assert(atomic.load<u32>(r + R_STATE) == RS_DONE, 'host-call ring: freeing a record not answered');
  const busy = ring(RING_BUSY);
  assert(busy != 0, 'host-call ring: busy count underflow');
  const reaped = ring(RING_REAPED) + 1;
  assert(<i32>(atomic.load<u32>(RING_BASE + RING_DONE) - reaped) >= 0, 'host-call ring: more answers reaped than the host gave');
  atomic.store<u32>(r + R_STATE, RS_FREE);
  ringSet(RING_BUSY, busy - 1);
  ringSet(RING_REAPED, reaped);
  const waiters = ring(RING_WAITERS);
  if (waiters == 0) return;
  let best = THREAD_NONE;
  let bestWait: u32 = 0;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) != TS_HOSTCALL || load<u32>(b + T_HC_SLOT) != 0) continue;
    const w = load<u32>(b + T_HC_WAIT) - ring(RING_WAIT_SEQ); // wrap-safe: the oldest is the most negative
    if (best == THREAD_NONE || <i32>w < <i32>bestWait) { best = t; bestWait = w; }
  }
  assert(best != THREAD_NONE, 'host-call ring: a waiter was counted but none found');
  ringSet(RING_WAITERS, waiters - 1);
  const bb = threadBase(best);
  recordPost(slot, best, load<u32>(bb + T_PROC), bb + T_REGS, hart, load<u64>(hartBase(hart) + H_MTIME));
}

/** One thread fewer waits for the host (its answer was reaped). Under SCHED. */
function threadsDrop(): void {
  const n = ring(RING_THREADS);
  assert(n != 0, 'host-call ring: thread count underflow');
  ringSet(RING_THREADS, n - 1);
}

/**
 * Post the system call syscallKernel just handed to the host (the caller of caller.ts) and park its thread
 * on the hart (TS_HOSTCALL), or, when every record is taken, switch it out to wait for one. dispatch()
 * then returns EXIT_HOSTCALL.
 */
export function hostcallPost(): void {
  const tb = threadBase(callT);
  klock(LOCK_SCHED);
  const n = ring(RING_THREADS) + 1;
  assert(n <= THREADS_MAX, 'host-call ring: more threads waiting than THREADS_MAX');
  ringSet(RING_THREADS, n);
  const slot = recordAlloc();
  if (slot != NO_SLOT) {
    store<u32>(tb + T_STATE, TS_HOSTCALL);
    recordPost(slot, callT, callP, callH + H_REGS, callHart, load<u64>(callH + H_MTIME));
  } else {
    ringSet(RING_FULL_WAITS, ring(RING_FULL_WAITS) + 1);
    ringSet(RING_WAITERS, ring(RING_WAITERS) + 1);
    const seq = ring(RING_WAIT_SEQ) + 1;
    ringSet(RING_WAIT_SEQ, seq);
    store<u32>(tb + T_HC_SLOT, 0);
    store<u32>(tb + T_HC_WAIT, seq);
    switchOut(callHart, TS_HOSTCALL);
  }
  kunlock(LOCK_SCHED);
}

/** Resume the hart's parked caller if its answer is in, else switch it out. PARK_*. */
export function hostcallResume(hart: u32): u32 {
  if (load<u32>(hartBase(hart) + H_CUR) == 0) return PARK_NONE;
  const t = hartThread(hart);
  const tb = threadBase(t);
  if (load<u32>(tb + T_STATE) != TS_HOSTCALL) return PARK_NONE;
  klock(LOCK_SCHED);
  const hc = load<u32>(tb + T_HC_SLOT);
  assert(hc != 0, 'host-call ring: a parked caller without a record');
  const s = hc - 1;
  const r = recBase(s);
  assert(load<u32>(r + R_THREAD) == t, 'host-call ring: a parked caller\'s record names another thread');
  if (atomic.load<u32>(r + R_STATE) != RS_DONE) {
    store<u32>(tb + T_STATE, TS_RUNNING); // it leaves the hart as a running thread does, into TS_HOSTCALL
    switchOut(hart, TS_HOSTCALL);
    kunlock(LOCK_SCHED);
    return PARK_LEFT;
  }
  const result = load<u32>(r + R_RESULT), signal = load<u32>(r + R_SIGNAL), action = load<u32>(r + R_ACTION);
  const a0 = load<u32>(r + R_ARGS); // a page fault's page (the record may be posted again once freed)
  // An answer given at a later virtual time (a timeout at its deadline): the caller's clock does not run behind it.
  const at = load<u64>(r + R_AT);
  if (load<u64>(hartBase(hart) + H_MTIME) < at) store<u64>(hartBase(hart) + H_MTIME, at);
  recordFree(s, hart);
  threadsDrop();
  store<u32>(tb + T_STATE, TS_RUNNING);
  if (hostPageWaiting(t)) {
    // A page fault served (the access runs again, or a handler's signal is queued) or failed.
    const cause = hostPageAnswered(t, result, signal);
    kunlock(LOCK_SCHED);
    if (cause == 0) return PARK_RESUMED;
    return killCurrent(hart, hostPageSignal(cause), cause, a0) ? PARK_ENDED : PARK_LEFT;
  }
  if (signal == 0 && action == RA_EXEC) {
    // The new image: the caller leaves the hart, is rebuilt, and queues (or goes with its dying process).
    switchOut(hart, TS_RUNNABLE);
    let ended = false;
    if (execCommit(t, load<u64>(hartBase(hart) + H_MTIME))) rqPush(t);
    else ended = threadRelease(t);
    kunlock(LOCK_SCHED);
    return ended ? PARK_ENDED : PARK_LEFT;
  }
  // An ERESTART* answer (-ERESTARTNOINTR: a fork that found the event ring full) is settled by the signal
  // code on the way back to user mode: the ecall runs again, or fails with -EINTR (sigframe.ts).
  sysReturn(hartBase(hart), result);
  const fatal = sigHostAnswer(t, result, signal, load<u64>(hartBase(hart) + H_MTIME));
  kunlock(LOCK_SCHED);
  if (fatal) return hartKill(hart, signal) ? PARK_ENDED : PARK_LEFT;
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
    if (atomic.load<u32>(r + R_STATE) != RS_DONE) continue;
    const t = load<u32>(r + R_THREAD);
    const tb = threadBase(t);
    if (load<u32>(tb + T_HART) != 0) continue; // still parked on a hart: that hart resumes it
    assert(load<u32>(tb + T_STATE) == TS_HOSTCALL && load<u32>(tb + T_HC_SLOT) == s + 1, 'host-call ring: an answer for a thread not waiting for it');
    const result = load<u32>(r + R_RESULT), signal = load<u32>(r + R_SIGNAL), action = load<u32>(r + R_ACTION);
    const at = load<u64>(r + R_AT);
    const a0 = load<u32>(r + R_ARGS); // a page fault's page (the record may be posted again once freed)
    recordFree(s, hart);
    threadsDrop();
    ringSet(RING_LATE, ring(RING_LATE) + 1);
    const p = load<u32>(tb + T_PROC);
    if (hostPageWaiting(t)) {
      const cause = hostPageAnswered(t, result, signal);
      if (cause != 0 && atomic.load<u32>(procBase(p) + P_STATE) != PROC_DYING) {
        procKill(p, 128 + hostPageSignal(cause), hostPageSignal(cause), cause, a0, load<u32>(tb + T_PC));
      }
    } else if (signal == 0 && action == RA_EXEC && !execCommit(t, now)) {
      if (threadRelease(t)) ended = true;
      continue;
    }
    else if (action != RA_EXEC && atomic.load<u32>(procBase(p) + P_STATE) != PROC_DYING && load<u32>(tb + T_DOOMED) == 0) {
      threadSyscallReturn(t, result);
      if (sigHostAnswer(t, result, signal, now)) procKill(p, 128 + signal, signal, KILL_HOST + signal, 0, load<u32>(tb + T_PC));
    }
    if (atomic.load<u32>(procBase(p) + P_STATE) == PROC_DYING || load<u32>(tb + T_DOOMED) != 0) {
      if (threadRelease(t)) ended = true; // not released with its process while its request was in flight
      continue;
    }
    threadWake(t, at > now ? at : now); // switched in no earlier than the answer's virtual time
  }
  kunlock(LOCK_SCHED);
  return ended;
}

/** Threads waiting for the host (requests in flight or waiting for a record). */
export function hostcallThreads(): u32 {
  return atomic.load<u32>(RING_BASE + RING_THREADS);
}
