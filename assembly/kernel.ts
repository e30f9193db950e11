// Starting the machine kernel and the few calls the host makes around it: the policy and mode, the clock
// parameters, a process's first thread, and what to do when every thread is blocked forever.
import {
  KT_BASE, KT_END, KS, KS_ON, KS_THREADED, KS_POLICY, KS_ASID_LIMIT, KS_ASID_NEXT, KS_REALTIME_NS,
  KS_TIMEBASE_HZ, KS_RUNNABLE, KS_SLEEPERS, KS_LIVE_THREADS, KS_HOST_TIME, KS_CLUSTER, KS_REMOTE, LOCK_SCHED, T_REGS, T_PC, T_LAST_MTIME, P_PID,
} from './blocks';
import { PROCS_MAX, ASIDS_MAX, TIMEBASE_HZ_DEFAULT } from './limits';
import { SIGKILL } from './abi';
import { klock, kunlock, klockInit } from './klock';
import { LOCK_TTAS } from './spinlock';
import { procBase, procState, PROC_LIVE, KILL_DEADLOCK } from './proc';
import { threadBase, threadAlloc, THREAD_NONE } from './thread';
import { rqPush, hartsBusy, earliestDeadline, SCHED_MLFQ } from './sched';
import { procKill } from './exit';
import { hostcallThreads } from './hostcall';
import { pidReset } from './pidlease';

/** Reset every kernel table (machine boot). */
export function kernelReset(): void {
  memory.fill(KT_BASE, 0, KT_END - KT_BASE);
  klockInit(LOCK_TTAS);
  pidReset();
  store<u32>(KS + KS_ASID_NEXT, 1);
  store<u32>(KS + KS_ASID_LIMIT, ASIDS_MAX);
  store<u32>(KS + KS_TIMEBASE_HZ, TIMEBASE_HZ_DEFAULT);
}

/** Choose the lock kind of the kernel's own locks (before any hart runs). */
export function kernelSetLockKind(kind: u32): void {
  klockInit(kind);
}

/** Virtual clock parameters for the kernel's sleeps and timeouts. */
export function kernelSetClock(timebaseHz: u32, realtimeLo: u32, realtimeHi: u32): void {
  store<u32>(KS + KS_TIMEBASE_HZ, timebaseHz == 0 ? TIMEBASE_HZ_DEFAULT : timebaseHz);
  store<u64>(KS + KS_REALTIME_NS, ((realtimeHi as u64) << 32) | (realtimeLo as u64));
}

/**
 * on != 0: the host keeps every hart's mtime in step with its node's clock (hartSetTime), so an idle
 * machine never moves time forward to a sleeper's deadline; it asks kernelNextDeadline when to run next.
 * Off (the default): an idle machine jumps straight to the earliest deadline.
 */
export function kernelSetHostTime(on: u32): void {
  atomic.store<u32>(KS + KS_HOST_TIME, on != 0 ? 1 : 0);
}

/** The earliest deadline (mtime ticks) of a sleeping thread, or all ones when none sleeps. */
export function kernelNextDeadline(): u64 {
  klock(LOCK_SCHED);
  const d = earliestDeadline();
  kunlock(LOCK_SCHED);
  return d;
}

/** From now on dispatch() schedules threads. policy: SCHED_RR (0) or SCHED_MLFQ (1). */
export function kernelStart(policy: u32, threaded: u32): void {
  store<u32>(KS + KS_POLICY, policy == SCHED_MLFQ ? SCHED_MLFQ : 0);
  store<u32>(KS + KS_THREADED, threaded != 0 ? 1 : 0);
  atomic.store<u32>(KS + KS_ON, 1);
}

/** The first thread of process p (tid = pid), runnable at pc with stack pointer sp; its index or -1. */
export function threadCreateMain(p: u32, pc: u32, sp: u32): u32 {
  klock(LOCK_SCHED);
  const t = threadAlloc(p, load<u32>(procBase(p) + P_PID));
  if (t != THREAD_NONE) {
    const b = threadBase(t);
    store<u32>(b + T_REGS + 8, sp);
    store<u32>(b + T_PC, pc);
    store<u64>(b + T_LAST_MTIME, 0);
    rqPush(t);
  }
  kunlock(LOCK_SCHED);
  return t;
}

/**
 * True when live threads exist but none runs, none is runnable and none has a deadline: a deadlock. Never
 * in cluster mode: a signal from another machine may still wake a blocked thread (the cluster decides); nor
 * while a stand-in for a child elsewhere has not ended.
 */
export function kernelStuck(): bool {
  if (atomic.load<u32>(KS + KS_CLUSTER) != 0) return false;
  if (atomic.load<u32>(KS + KS_REMOTE) != 0) return false; // a child elsewhere may still end and wake a waiter
  klock(LOCK_SCHED);
  const stuck = load<u32>(KS + KS_LIVE_THREADS) != 0 && load<u32>(KS + KS_RUNNABLE) == 0 &&
    load<u32>(KS + KS_SLEEPERS) == 0 && hartsBusy() == 0 && hostcallThreads() == 0;
  kunlock(LOCK_SCHED);
  return stuck;
}

/** Kill every live process (after kernelStuck): SIGKILL with the reason KILL_DEADLOCK. Returns how many. */
export function kernelKillAll(): u32 {
  klock(LOCK_SCHED);
  let n: u32 = 0;
  for (let p: u32 = 0; p < PROCS_MAX; p++) {
    if (procState(p) != PROC_LIVE) continue;
    procKill(p, 128 + SIGKILL, SIGKILL, KILL_DEADLOCK, 0, 0);
    n++;
  }
  kunlock(LOCK_SCHED);
  return n;
}

export function kernelThreaded(): bool {
  return load<u32>(KS + KS_THREADED) != 0;
}
