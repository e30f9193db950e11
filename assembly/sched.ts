// Run queues, wake-ups and the context switch, over the thread table of thread.ts. Runnable threads wait in
// MLFQ_LEVELS FIFO rings of THREADS_MAX slots each (a thread is in at most one ring, so they never
// overflow); round-robin uses level 0 only, MLFQ demotes a thread that used its whole quantum and boosts
// everyone back to level 0 every MLFQ_BOOST_IRQS timer interrupts. Blocked threads are in no ring.
// Everything here runs under the SCHED lock except the register copies of the thread a hart owns.
import {
  hartBase, H_REGS, H_PC, H_INSTRET, H_MTIME, H_MTIMECMP, H_QUANTUM, H_CUR, H_LAST, H_SWITCHES, H_SLICE_INSTRET,
  H_ASID_FLUSHES, MACHINE_BASE, M_HARTS, KS, KS_POLICY, KS_RQ_GEN, KS_RUNNABLE, KS_SLEEPERS, KS_IRQS,
  RQ_BASE, RQ_BYTES, RQ_HEAD, RQ_COUNT, RQ_SLOTS, T_REGS, T_PC, T_STATE, T_PROC,
  T_DEADLINE, T_SWITCHES, T_HART, T_LEVEL, T_LAST_MTIME, T_INSTRET, P_SATP, P_ASID, P_INSTRET, P_SWITCHES,
} from './blocks';
import { THREADS_MAX, MLFQ_LEVELS, MLFQ_BOOST_IRQS } from './limits';
import { SCHED_RR, SCHED_MLFQ, ETIMEDOUT } from './abi';
import { procBase } from './proc';
import { hartSetSatp } from './hart';
import { tlbFlush } from './tlb';
import { TIMER_DISARMED } from './timer';
import { threadBase, hartThread, threadWakeable, threadSetResult, THREAD_NONE, TS_RUNNABLE, TS_RUNNING, TS_FUTEX, TS_SLEEP } from './thread';

export { SCHED_RR, SCHED_MLFQ, ETIMEDOUT };

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
  const count = load<u32>(q + RQ_COUNT);
  assert(count != 0, 'run queue: pop from an empty ring');
  const head = load<u32>(q + RQ_HEAD);
  const t = load<u32>(q + RQ_SLOTS + head * 4);
  assert(t < THREADS_MAX, 'run queue: slot holds no thread index');
  store<u32>(q + RQ_HEAD, (head + 1) % THREADS_MAX);
  store<u32>(q + RQ_COUNT, count - 1);
  return t;
}

/** Queue a RUNNABLE thread at the back of its level. */
export function rqPush(t: u32): void {
  assert(load<u32>(threadBase(t) + T_STATE) == TS_RUNNABLE, 'run queue: pushing a thread that is not RUNNABLE');
  let level = load<u32>(threadBase(t) + T_LEVEL);
  if (load<u32>(KS + KS_POLICY) != SCHED_MLFQ || level >= MLFQ_LEVELS) level = 0;
  ringPush(rqBase(level), t);
  store<u32>(KS + KS_RUNNABLE, load<u32>(KS + KS_RUNNABLE) + 1);
  atomic.add<u32>(KS + KS_RQ_GEN, 1);
}

/** The next thread to run (highest level first, FIFO inside a level); THREAD_NONE when none. */
export function rqPop(): u32 {
  for (let level: u32 = 0; level < MLFQ_LEVELS; level++) {
    const q = rqBase(level);
    if (load<u32>(q + RQ_COUNT) == 0) continue;
    const t = ringPop(q);
    const runnable = load<u32>(KS + KS_RUNNABLE);
    assert(runnable != 0, 'runnable count underflow');
    store<u32>(KS + KS_RUNNABLE, runnable - 1);
    return t;
  }
  return THREAD_NONE;
}

/** Take queued thread t out of its run queue, the others keeping their order (a migration): whether it was queued. */
export function rqRemove(t: u32): bool {
  for (let level: u32 = 0; level < MLFQ_LEVELS; level++) {
    const q = rqBase(level);
    const count = load<u32>(q + RQ_COUNT), head = load<u32>(q + RQ_HEAD);
    for (let i: u32 = 0; i < count; i++) {
      if (load<u32>(q + RQ_SLOTS + ((head + i) % THREADS_MAX) * 4) != t) continue;
      for (let j = i; j + 1 < count; j++) {
        store<u32>(q + RQ_SLOTS + ((head + j) % THREADS_MAX) * 4, load<u32>(q + RQ_SLOTS + ((head + j + 1) % THREADS_MAX) * 4));
      }
      store<u32>(q + RQ_COUNT, count - 1);
      const runnable = load<u32>(KS + KS_RUNNABLE);
      assert(runnable != 0, 'runnable count underflow');
      store<u32>(KS + KS_RUNNABLE, runnable - 1);
      atomic.add<u32>(KS + KS_RQ_GEN, 1);
      return true;
    }
  }
  return false;
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

/** Make a blocked thread (or an answered host caller) runnable, no earlier than virtual time `at` (ticks). */
export function threadWake(t: u32, at: u64): void {
  const b = threadBase(t);
  assert(threadWakeable(load<u32>(b + T_STATE)), 'waking a thread that is not blocked');
  if (load<u64>(b + T_DEADLINE) != TIMER_DISARMED) {
    sleepersDrop();
    store<u64>(b + T_DEADLINE, TIMER_DISARMED);
  }
  if (load<u64>(b + T_LAST_MTIME) < at) store<u64>(b + T_LAST_MTIME, at);
  store<u32>(b + T_STATE, TS_RUNNABLE);
  rqPush(t);
}

/** One thread with a deadline fewer (it woke, or it was released). */
export function sleepersDrop(): void {
  const n = load<u32>(KS + KS_SLEEPERS);
  assert(n != 0, 'sleeper count underflow');
  store<u32>(KS + KS_SLEEPERS, n - 1);
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
    if (s == TS_FUTEX) threadSetResult(t, (-ETIMEDOUT) as u32);
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
  const harts = load<u32>(MACHINE_BASE + M_HARTS);
  let n: u32 = 0;
  for (let i: u32 = 0; i < harts; i++) if (atomic.load<u32>(hartBase(i) + H_CUR) != 0) n++;
  return n;
}

/** Save the hart's registers into its current thread, leave it in `state` and the hart with no thread. */
export function switchOut(hart: u32, state: u32): u32 {
  const h = hartBase(hart);
  const t = hartThread(hart);
  const b = threadBase(t);
  assert(load<u32>(b + T_STATE) == TS_RUNNING, 'switching out a thread that is not RUNNING');
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
  assert(hart < load<u32>(MACHINE_BASE + M_HARTS), 'hart index beyond the configured harts');
  assert(load<u32>(h + H_CUR) == 0, 'switching into a hart that runs a thread');
  assert(load<u32>(b + T_STATE) == TS_RUNNABLE, 'switching in a thread that is not RUNNABLE');
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
