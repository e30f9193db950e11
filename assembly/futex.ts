// Futexes: a waiter is a thread in state TS_FUTEX whose key is the physical address of the futex word and a
// space: its process for a private futex (FUTEX_PRIVATE_FLAG), none for a shared one. As on Linux a private
// wait and a shared wake of the same word do not meet (the kernel's clear-child-tid wake is shared, so a join
// must wait shared). The value check and the block happen under the SCHED lock, and so
// does every wake, so no wake-up is lost. Wakes go in FIFO order of waiting (a per-machine sequence number);
// a wait may carry a deadline on the virtual clock, after which it returns -ETIMEDOUT.
import { T_STATE, T_FUTEX_KEY, T_DEADLINE, T_WAIT_SEQ, T_FUTEX_SPACE, KS, KS_SLEEPERS, KS_WAIT_SEQ } from './blocks';
import { THREADS_MAX } from './limits';
import { threadBase, threadSetResult, TS_FUTEX, TS_RUNNABLE, THREAD_NONE } from './thread';
import { threadWake } from './sched';

/** Block the (already switched-out) thread t on key until woken or until deadline (ticks; all ones: none). */
export function futexBlock(t: u32, key: u32, space: u32, deadline: u64): void {
  const b = threadBase(t);
  assert(load<u32>(b + T_STATE) == TS_RUNNABLE, 'futex: blocking a thread that was not just switched out');
  store<u32>(b + T_STATE, TS_FUTEX);
  store<u32>(b + T_FUTEX_KEY, key);
  store<u32>(b + T_FUTEX_SPACE, space);
  store<u64>(b + T_DEADLINE, deadline);
  const seq = load<u64>(KS + KS_WAIT_SEQ) + 1;
  store<u64>(KS + KS_WAIT_SEQ, seq);
  store<u64>(b + T_WAIT_SEQ, seq);
  if (deadline != 0xFFFF_FFFF_FFFF_FFFF) store<u32>(KS + KS_SLEEPERS, load<u32>(KS + KS_SLEEPERS) + 1);
}

/** The thread that has waited longest on (key, space), or THREAD_NONE. */
function oldestWaiter(key: u32, space: u32): u32 {
  let best = THREAD_NONE;
  let bestSeq: u64 = 0xFFFF_FFFF_FFFF_FFFF;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) != TS_FUTEX || load<u32>(b + T_FUTEX_KEY) != key) continue;
    if (load<u32>(b + T_FUTEX_SPACE) != space) continue;
    const seq = load<u64>(b + T_WAIT_SEQ);
    if (seq < bestSeq) { bestSeq = seq; best = t; }
  }
  return best;
}

/** Wake up to `count` waiters on key, oldest first, as of virtual time `now`; the number woken. */
export function futexWake(key: u32, space: u32, count: u32, now: u64): u32 {
  let woken: u32 = 0;
  while (woken < count) {
    const best = oldestWaiter(key, space);
    if (best == THREAD_NONE) break;
    threadSetResult(best, 0); // FUTEX_WAIT returns 0
    threadWake(best, now);
    woken++;
  }
  return woken;
}

/**
 * FUTEX_REQUEUE's second half: move up to `count` waiters on key (oldest first) to key2, keeping their
 * place in the FIFO order (their wait sequence numbers). Returns how many moved.
 */
export function futexRequeue(key: u32, space: u32, key2: u32, count: u32): u32 {
  let moved: u32 = 0;
  while (moved < count) {
    const best = oldestWaiter(key, space);
    if (best == THREAD_NONE) break;
    store<u32>(threadBase(best) + T_FUTEX_KEY, key2);
    moved++;
  }
  return moved;
}

/** Threads waiting on a futex at physical key (tests and statistics). */
export function futexWaiters(key: u32): u32 {
  let n: u32 = 0;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) == TS_FUTEX && load<u32>(b + T_FUTEX_KEY) == key) n++;
  }
  return n;
}

export function sleepersCount(): u32 {
  return load<u32>(KS + KS_SLEEPERS);
}
