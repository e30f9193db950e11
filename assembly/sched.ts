// Threads, run queues and the context switch. The thread table has THREADS_MAX slots (registers, pc,
// state, tid, process, clear-child-tid, futex key and deadline, counters). Runnable threads wait in
// MLFQ_LEVELS FIFO rings of THREADS_MAX slots each (a thread is in at most one ring, so they never
// overflow); round-robin uses level 0 only, MLFQ demotes a thread that used its whole quantum and boosts
// everyone back to level 0 every MLFQ_BOOST_IRQS timer interrupts. Blocked threads are in no ring.
// Everything here runs under the SCHED lock except the register copies of the thread a hart owns.
import {
  hartBase, H_REGS, H_PC, H_INSTRET, H_MTIME, H_MTIMECMP, H_QUANTUM, H_CUR, H_LAST, H_SWITCHES, H_SLICE_INSTRET,
  H_ASID_FLUSHES, NODE_BASE, N_HARTS, KS, KS_POLICY, KS_RQ_GEN, KS_RUNNABLE, KS_SLEEPERS, KS_LIVE_THREADS, KS_IRQS,
  RQ_BASE, RQ_BYTES, RQ_HEAD, RQ_COUNT, RQ_SLOTS, THREAD_BASE, THREAD_BYTES, T_REGS, T_PC, T_STATE, T_TID, T_PROC,
  T_DEADLINE, T_SWITCHES, T_HART, T_LEVEL, T_LAST_MTIME, T_INSTRET, T_CLEAR_TID, T_FUTEX_KEY,
  P_THREADS, P_SATP, P_ASID, P_INSTRET, P_SWITCHES, P_THREADS_CREATED, P_PID, T_PREEMPTED, TREC_BASE, TREC_ENTRIES,
  TREC_BYTES, KS_TREC_COUNT, P_STATE,
} from './blocks';
import { THREADS_MAX, MLFQ_LEVELS, MLFQ_BOOST_IRQS } from './limits';
import { procBase, procTeardown, PROC_DYING } from './proc';
import { hartSetSatp } from './hart';
import { tlbFlush } from './tlb';
import { TIMER_DISARMED } from './timer';
import { ipcProcGone, ipcBlocked, ipcUnlink } from './ipc';
import { hostcallForget } from './hostcall';

export const TS_FREE: u32 = 0;
export const TS_RUNNABLE: u32 = 1;
export const TS_RUNNING: u32 = 2;
export const TS_FUTEX: u32 = 3; // blocked on a futex (maybe with a deadline)
export const TS_SLEEP: u32 = 4; // blocked until its deadline
export const THREAD_NONE: u32 = 0xFFFF_FFFF;
export const SCHED_RR: u32 = 0;
export const SCHED_MLFQ: u32 = 1;
export const ETIMEDOUT: u32 = 110;

// @ts-ignore: decorator
@inline export function threadBase(t: u32): u32 {
  return THREAD_BASE + t * THREAD_BYTES;
}

/** A free thread slot of process p, state RUNNABLE but not queued; THREAD_NONE when the table is full. */
export function threadAlloc(p: u32, tid: u32): u32 {
  let t: u32 = 0;
  while (t < THREADS_MAX && load<u32>(threadBase(t) + T_STATE) != TS_FREE) t++;
  if (t == THREADS_MAX) return THREAD_NONE;
  const b = threadBase(t);
  memory.fill(b, 0, THREAD_BYTES);
  store<u32>(b + T_STATE, TS_RUNNABLE);
  store<u32>(b + T_TID, tid);
  store<u32>(b + T_PROC, p);
  store<u64>(b + T_DEADLINE, TIMER_DISARMED);
  const pb = procBase(p);
  store<u32>(pb + P_THREADS, load<u32>(pb + P_THREADS) + 1);
  store<u32>(pb + P_THREADS_CREATED, load<u32>(pb + P_THREADS_CREATED) + 1);
  store<u32>(KS + KS_LIVE_THREADS, load<u32>(KS + KS_LIVE_THREADS) + 1);
  return t;
}

/** Free a thread that no hart runs and no ring holds; the process ends with its last thread. */
export function threadRelease(t: u32): bool {
  const b = threadBase(t);
  if (load<u64>(b + T_DEADLINE) != TIMER_DISARMED) store<u32>(KS + KS_SLEEPERS, load<u32>(KS + KS_SLEEPERS) - 1);
  store<u32>(b + T_STATE, TS_FREE);
  const n = load<u32>(KS + KS_TREC_COUNT);
  const r = TREC_BASE + (n % TREC_ENTRIES) * TREC_BYTES;
  store<u32>(r, load<u32>(b + T_TID));
  store<u32>(r + 4, load<u32>(procBase(load<u32>(b + T_PROC)) + P_PID));
  store<u64>(r + 8, load<u64>(b + T_SWITCHES));
  store<u64>(r + 16, load<u64>(b + T_INSTRET));
  store<u32>(r + 24, load<u64>(b + T_PREEMPTED) as u32);
  store<u32>(KS + KS_TREC_COUNT, n + 1);
  store<u32>(KS + KS_LIVE_THREADS, load<u32>(KS + KS_LIVE_THREADS) - 1);
  const p = load<u32>(b + T_PROC);
  const pb = procBase(p);
  const left = load<u32>(pb + P_THREADS) - 1;
  store<u32>(pb + P_THREADS, left);
  if (left == 0) {
    ipcProcGone(p, 0);
    procTeardown(p);
    return true;
  }
  return false;
}

function rqBase(level: u32): u32 {
  return RQ_BASE + level * RQ_BYTES;
}

/** Append t to the ring of one run-queue level (a FIFO of THREADS_MAX slots). */
function ringPush(q: u32, t: u32): void {
  const count = load<u32>(q + RQ_COUNT);
  assert(count < THREADS_MAX, 'run queue overflow');
  store<u32>(q + RQ_SLOTS + ((load<u32>(q + RQ_HEAD) + count) % THREADS_MAX) * 4, t);
  store<u32>(q + RQ_COUNT, count + 1);
}

/** Take the thread at the front of a non-empty level's ring. */
function ringPop(q: u32): u32 {
  const head = load<u32>(q + RQ_HEAD);
  const t = load<u32>(q + RQ_SLOTS + head * 4);
  store<u32>(q + RQ_HEAD, (head + 1) % THREADS_MAX);
  store<u32>(q + RQ_COUNT, load<u32>(q + RQ_COUNT) - 1);
  return t;
}

/** Queue a RUNNABLE thread at the back of its level. */
export function rqPush(t: u32): void {
  let level = load<u32>(threadBase(t) + T_LEVEL);
  if (load<u32>(KS + KS_POLICY) != SCHED_MLFQ || level >= MLFQ_LEVELS) level = 0;
  ringPush(rqBase(level), t);
  store<u32>(KS + KS_RUNNABLE, load<u32>(KS + KS_RUNNABLE) + 1);
  atomic.add<u32>(KS + KS_RQ_GEN, 1);
}

/** The next thread to run (highest level first, FIFO inside a level); THREAD_NONE when none. */
function rqPop(): u32 {
  for (let level: u32 = 0; level < MLFQ_LEVELS; level++) {
    const q = rqBase(level);
    if (load<u32>(q + RQ_COUNT) == 0) continue;
    const t = ringPop(q);
    store<u32>(KS + KS_RUNNABLE, load<u32>(KS + KS_RUNNABLE) - 1);
    return t;
  }
  return THREAD_NONE;
}

/** MLFQ boost: every queued thread back to level 0, in level order. */
export function mlfqBoost(): void {
  store<u32>(KS + KS_IRQS, 0);
  for (let t: u32 = 0; t < THREADS_MAX; t++) store<u32>(threadBase(t) + T_LEVEL, 0);
  const q0 = rqBase(0);
  for (let level: u32 = 1; level < MLFQ_LEVELS; level++) {
    const q = rqBase(level);
    while (load<u32>(q + RQ_COUNT) != 0) ringPush(q0, ringPop(q));
  }
}

/** Count a timer interrupt for the MLFQ boost. */
export function mlfqTick(): void {
  if (load<u32>(KS + KS_POLICY) != SCHED_MLFQ) return;
  const n = load<u32>(KS + KS_IRQS) + 1;
  store<u32>(KS + KS_IRQS, n);
  if (n >= MLFQ_BOOST_IRQS) mlfqBoost();
}

/** Make a blocked or new thread runnable, no earlier than virtual time `at` (ticks). */
export function threadWake(t: u32, at: u64): void {
  const b = threadBase(t);
  if (load<u64>(b + T_DEADLINE) != TIMER_DISARMED) {
    store<u32>(KS + KS_SLEEPERS, load<u32>(KS + KS_SLEEPERS) - 1);
    store<u64>(b + T_DEADLINE, TIMER_DISARMED);
  }
  if (load<u64>(b + T_LAST_MTIME) < at) store<u64>(b + T_LAST_MTIME, at);
  store<u32>(b + T_STATE, TS_RUNNABLE);
  rqPush(t);
}

/** Wake every blocked thread whose deadline is at or before `now`: a futex wait times out, a sleep ends. */
export function wakeExpired(now: u64): void {
  if (load<u32>(KS + KS_SLEEPERS) == 0) return;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    const s = load<u32>(b + T_STATE);
    if (s != TS_FUTEX && s != TS_SLEEP) continue;
    const d = load<u64>(b + T_DEADLINE);
    if (d > now) continue;
    if (s == TS_FUTEX) store<u32>(b + T_REGS + 10 * 4, (-ETIMEDOUT) as u32);
    threadWake(t, d);
  }
}

/** The earliest deadline of a blocked thread (TIMER_DISARMED when none). */
export function earliestDeadline(): u64 {
  let best = TIMER_DISARMED;
  if (load<u32>(KS + KS_SLEEPERS) == 0) return best;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    const s = load<u32>(b + T_STATE);
    if (s != TS_FUTEX && s != TS_SLEEP) continue;
    const d = load<u64>(b + T_DEADLINE);
    if (d < best) best = d;
  }
  return best;
}

/** Harts that are running a thread right now. */
export function hartsBusy(): u32 {
  const harts = load<u32>(NODE_BASE + N_HARTS);
  let n: u32 = 0;
  for (let i: u32 = 0; i < harts; i++) if (atomic.load<u32>(hartBase(i) + H_CUR) != 0) n++;
  return n;
}

/** Save the hart's registers into its current thread, leave it in `state` and the hart with no thread. */
export function switchOut(hart: u32, state: u32): u32 {
  const h = hartBase(hart);
  const t = load<u32>(h + H_CUR) - 1;
  const b = threadBase(t);
  memory.copy(b + T_REGS, h + H_REGS, 128);
  store<u32>(b + T_PC, load<u32>(h + H_PC));
  const ran = load<u64>(h + H_INSTRET) - load<u64>(h + H_SLICE_INSTRET);
  store<u64>(b + T_INSTRET, load<u64>(b + T_INSTRET) + ran);
  const pb = procBase(load<u32>(b + T_PROC));
  store<u64>(pb + P_INSTRET, load<u64>(pb + P_INSTRET) + ran);
  store<u64>(b + T_LAST_MTIME, load<u64>(h + H_MTIME));
  store<u32>(b + T_HART, 0);
  store<u32>(b + T_STATE, state);
  atomic.store<u32>(h + H_CUR, 0);
  return t;
}

/** Load thread t onto the hart: registers, pc, address space (ASID-tagged: no flush), a fresh quantum. */
export function switchIn(hart: u32, t: u32): void {
  const h = hartBase(hart);
  const b = threadBase(t);
  memory.copy(h + H_REGS, b + T_REGS, 128);
  store<u32>(h + H_PC, load<u32>(b + T_PC));
  const pb = procBase(load<u32>(b + T_PROC));
  hartSetSatp(hart, load<u32>(pb + P_SATP));
  if (load<u32>(pb + P_ASID) == 0) {
    // No ASID of its own: entries of the last ASID-0 process may still be here.
    tlbFlush(hart, 0, 0, false, true);
    store<u64>(h + H_ASID_FLUSHES, load<u64>(h + H_ASID_FLUSHES) + 1);
  }
  // Virtual time never runs backwards for a thread (it may have left a hart whose clock was ahead).
  if (load<u64>(h + H_MTIME) < load<u64>(b + T_LAST_MTIME)) store<u64>(h + H_MTIME, load<u64>(b + T_LAST_MTIME));
  store<u64>(h + H_SLICE_INSTRET, load<u64>(h + H_INSTRET));
  store<u32>(b + T_STATE, TS_RUNNING);
  store<u32>(b + T_HART, hart + 1);
  if (load<u32>(h + H_LAST) != t + 1) {
    store<u64>(h + H_SWITCHES, load<u64>(h + H_SWITCHES) + 1);
    store<u64>(b + T_SWITCHES, load<u64>(b + T_SWITCHES) + 1);
    store<u64>(pb + P_SWITCHES, load<u64>(pb + P_SWITCHES) + 1);
    store<u32>(h + H_LAST, t + 1);
  }
  armQuantum(hart, load<u32>(b + T_LEVEL));
  atomic.store<u32>(h + H_CUR, t + 1);
}

/** Arm the timer one quantum ahead (MLFQ: quantum << level). */
export function armQuantum(hart: u32, level: u32): void {
  const h = hartBase(hart);
  let q = load<u32>(h + H_QUANTUM) as u64;
  if (load<u32>(KS + KS_POLICY) == SCHED_MLFQ) q <<= level;
  store<u64>(h + H_MTIMECMP, q == 0 ? TIMER_DISARMED : load<u64>(h + H_MTIME) + q);
}

/**
 * Pick the next runnable thread for the hart and switch to it. Threads of a dying process are released on
 * the way. Returns the thread, or THREAD_NONE when nothing is runnable. Under the SCHED lock.
 */
export function schedPick(hart: u32): u32 {
  while (true) {
    const t = rqPop();
    if (t == THREAD_NONE) return t;
    const b = threadBase(t);
    if (atomic.load<u32>(procBase(load<u32>(b + T_PROC)) + P_STATE) == PROC_DYING) {
      threadRelease(t);
      continue;
    }
    switchIn(hart, t);
    return t;
  }
  return THREAD_NONE;
}

/** Release every thread of process p that no hart is running (blocked or queued ones go at pick time). */
export function releaseBlocked(p: u32): void {
  ipcProcGone(p, 0); // its endpoints go first: clients of other processes waiting on them get -EPIPE
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    const s = load<u32>(b + T_STATE);
    if (load<u32>(b + T_PROC) == p && (s == TS_FUTEX || s == TS_SLEEP || ipcBlocked(s) || hostcallForget(t))) {
      ipcUnlink(t);
      threadRelease(t);
    }
  }
}

// Exports for the host's statistics and tests.
export function threadState(t: u32): u32 { return t < THREADS_MAX ? load<u32>(threadBase(t) + T_STATE) : TS_FREE; }
export function threadTid(t: u32): u32 { return load<u32>(threadBase(t) + T_TID); }
export function threadProc(t: u32): u32 { return load<u32>(threadBase(t) + T_PROC); }
export function threadClearTid(t: u32): u32 { return load<u32>(threadBase(t) + T_CLEAR_TID); }
export function threadFutexKey(t: u32): u32 { return load<u32>(threadBase(t) + T_FUTEX_KEY); }
export function procPid(p: u32): u32 { return load<u32>(procBase(p) + P_PID); }
