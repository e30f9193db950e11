// The thread table: THREADS_MAX slots (registers, pc, state, tid, process, clear-child-tid, futex and IPC
// wait fields, counters), and every state a slot can be in. A slot is taken under the SCHED lock and given
// back by exit.ts; sched.ts moves threads between RUNNABLE and RUNNING, futex.ts, ipc.ts and the sleeps
// block them, hostcall.ts parks them in host calls.
import {
  hartBase, H_CUR, KS, KS_LIVE_THREADS, THREAD_BASE, THREAD_BYTES, T_REGS, T_STATE, T_TID, T_PROC, T_DEADLINE, T_CLEAR_TID,
  T_FUTEX_KEY, T_HART, T_HC_SLOT, sigThreadBase, SIGTHREAD_BYTES, P_THREADS, P_THREADS_CREATED, RING_BASE, RING_THREADS, RING_WAITERS,
} from './blocks';
import { THREADS_MAX } from './limits';
import { TS_HOSTCALL } from './abi';
import { procBase } from './proc';
import { TIMER_DISARMED } from './timer';

export const TS_FREE: u32 = 0;
export const TS_RUNNABLE: u32 = 1; // in a run queue (or just made, about to be queued)
export const TS_RUNNING: u32 = 2; // on a hart
export const TS_FUTEX: u32 = 3; // blocked on a futex (maybe with a deadline)
export const TS_SLEEP: u32 = 4; // blocked until its deadline
export const TS_IPC_SEND: u32 = 5; // a client whose request no server has taken yet
export const TS_IPC_RECV: u32 = 6; // a server waiting for a request
export const TS_IPC_REPLY: u32 = 7; // a client whose request a server took, waiting for the reply
export const TS_WAIT: u32 = 9; // blocked in waitid until one of its process's children ends (wait.ts); pc on the ecall
export const TS_VFORK: u32 = 10; // a vfork parent, until its child execs or ends (fork.ts)
// TS_HOSTCALL (8): a caller waiting for the host (hostcall.ts), parked on its hart or switched out; the host
// reads it, so its number is in abi/defs.mjs.
export { TS_HOSTCALL };
export const THREAD_NONE: u32 = 0xFFFF_FFFF;

// @ts-ignore: decorator
@inline export function threadBase(t: u32): u32 {
  assert(t < THREADS_MAX, 'thread index out of range');
  return THREAD_BASE + t * THREAD_BYTES;
}

/** The thread the hart is running; the hart must have one. */
export function hartThread(hart: u32): u32 {
  const cur = load<u32>(hartBase(hart) + H_CUR);
  assert(cur != 0 && cur <= THREADS_MAX, 'hart has no current thread');
  return cur - 1;
}

/** Set the a0 a switched-out thread sees when it next runs: the result of the call it is blocked in. */
export function threadSetResult(t: u32, v: u32): void {
  store<u32>(threadBase(t) + T_REGS + 10 * 4, v);
}

/** True for the states of a thread blocked in IPC. */
export function threadInIpc(state: u32): bool {
  return state == TS_IPC_SEND || state == TS_IPC_RECV || state == TS_IPC_REPLY;
}

/** True for the states of a blocked thread (no hart runs it, no run queue holds it). */
export function threadBlocked(state: u32): bool {
  return state == TS_FUTEX || state == TS_SLEEP || threadInIpc(state) || state == TS_WAIT || state == TS_VFORK;
}

/** True for the states threadWake takes a thread from: blocked, or waiting for the host (its answer came). */
export function threadWakeable(state: u32): bool {
  return threadBlocked(state) || state == TS_HOSTCALL;
}

/**
 * For releaseBlocked: true (and t no longer counted in the host-call ring's header) when t waits in
 * TS_HOSTCALL for a free ring record, so has nothing in flight and may go with its dying process. A thread
 * whose request is posted is not: the host may still copy through its page tables. Under the SCHED lock.
 */
export function threadForgetHostcall(t: u32): bool {
  const b = threadBase(t);
  if (load<u32>(b + T_STATE) != TS_HOSTCALL || load<u32>(b + T_HC_SLOT) != 0 || load<u32>(b + T_HART) != 0) return false;
  const waiters = load<u32>(RING_BASE + RING_WAITERS), threads = load<u32>(RING_BASE + RING_THREADS);
  assert(waiters != 0 && threads >= waiters, 'host-call ring: a waiter was not counted');
  atomic.store<u32>(RING_BASE + RING_WAITERS, waiters - 1);
  atomic.store<u32>(RING_BASE + RING_THREADS, threads - 1);
  return true;
}

/** A free thread slot of process p, state RUNNABLE but not queued; THREAD_NONE when the table is full. */
export function threadAlloc(p: u32, tid: u32): u32 {
  let t: u32 = 0;
  while (t < THREADS_MAX && load<u32>(threadBase(t) + T_STATE) != TS_FREE) t++;
  if (t == THREADS_MAX) return THREAD_NONE;
  const b = threadBase(t);
  memory.fill(b, 0, THREAD_BYTES);
  memory.fill(sigThreadBase(t), 0, SIGTHREAD_BYTES); // nothing blocked or pending (clone copies the mask)
  store<u32>(b + T_STATE, TS_RUNNABLE);
  store<u32>(b + T_TID, tid);
  store<u32>(b + T_PROC, p);
  store<u64>(b + T_DEADLINE, TIMER_DISARMED);
  const pb = procBase(p);
  store<u32>(pb + P_THREADS, load<u32>(pb + P_THREADS) + 1);
  store<u32>(pb + P_THREADS_CREATED, load<u32>(pb + P_THREADS_CREATED) + 1);
  const live = load<u32>(KS + KS_LIVE_THREADS) + 1;
  assert(live <= THREADS_MAX && load<u32>(pb + P_THREADS) <= THREADS_MAX, 'live thread count above THREADS_MAX');
  store<u32>(KS + KS_LIVE_THREADS, live);
  return t;
}

// Exports for the host's statistics and tests.
export function threadState(t: u32): u32 { return t < THREADS_MAX ? load<u32>(threadBase(t) + T_STATE) : TS_FREE; }
export function threadTid(t: u32): u32 { return load<u32>(threadBase(t) + T_TID); }
export function threadProc(t: u32): u32 { return load<u32>(threadBase(t) + T_PROC); }
export function threadClearTid(t: u32): u32 { return load<u32>(threadBase(t) + T_CLEAR_TID); }
export function threadFutexKey(t: u32): u32 { return load<u32>(threadBase(t) + T_FUTEX_KEY); }
