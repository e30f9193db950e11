// How threads and processes end: exit(2), exit_group(2), a kill (a fatal fault, out of memory, the host's
// SIGPIPE, a deadlock), and the release of a thread slot, which ends the process with its last thread. A
// dying process (PROC_DYING) loses its blocked threads at once; a thread that is running or queued leaves
// the next time its hart enters the kernel or picks it (dispatch.ts). Everything here runs under the SCHED
// lock, which it takes itself, except threadRelease and releaseBlocked, whose callers hold it.
import {
  hartBase, H_MTIME, H_PC, KS, KS_LIVE_THREADS, KS_TREC_COUNT, TREC_BASE, TREC_BYTES, LOCK_SCHED,
  T_STATE, T_TID, T_PROC, T_CLEAR_TID, T_DEADLINE, T_LAST_MTIME, T_SWITCHES, T_INSTRET, T_PREEMPTED, P_PID, P_STATE, P_THREADS,
  P_EXIT, P_SATP, P_OLD_ROOT, P_DOOMED, T_DOOMED, P_FLAGS,
} from './blocks';
import { RAM_BASE } from './layout';
import { THREADS_MAX, TREC_ENTRIES, PROCS_MAX } from './limits';
import { vmDestroy } from './vm';
import { asidRelease } from './asid';
import { KILL_HOST } from './abi';
import { klock, kunlock } from './klock';
import { TIMER_DISARMED } from './timer';
import { procBase, procMarkDying, procTeardown, PROC_LIVE, PF_MIGRATED } from './proc';
import { threadBase, hartThread, threadBlocked, threadForgetHostcall, TS_FREE, TS_RUNNABLE } from './thread';
import { switchOut, sleepersDrop } from './sched';
import { futexWake } from './futex';
import { ipcProcGone, ipcUnlink } from './ipc';
import { procEnded, standInOfMigrated } from './wait';
import { userWord } from './usercopy';
import { sysReturn } from './caller';
import { sigCancelHostcall } from './signal';

// Old images of a process that exec'd while other threads still ran them: a list through the old root
// tables (entry 1023, never a user mapping: user space ends at LOAD_END, holds the next root with V clear;
// entry 1022 its ASID), freed when the last such thread has left.
const OLD_NEXT: u32 = 1023 * 4;
const OLD_ASID: u32 = 1022 * 4;

/** Put an address space on process block b's list of old images (exec.ts). Under the SCHED lock. */
export function oldImagePush(b: u32, root: u32, asid: u32): void {
  store<u32>(RAM_BASE + root + OLD_NEXT, load<u32>(b + P_OLD_ROOT) << 9); // (root + 1) << 9: bit 0 (V) stays clear
  store<u32>(RAM_BASE + root + OLD_ASID, asid << 10);
  store<u32>(b + P_OLD_ROOT, (root >>> 12) + 1);
}

/** A thread of an old image has left: after the last one, the old images go. */
function doomedGone(b: u32): void {
  const n = load<u32>(b + P_DOOMED);
  assert(n != 0, 'execve: doomed thread count underflow');
  store<u32>(b + P_DOOMED, n - 1);
  if (n != 1) return;
  let link = load<u32>(b + P_OLD_ROOT); // root page number + 1; 0 ends the list
  store<u32>(b + P_OLD_ROOT, 0);
  for (let i: u32 = 0; i < PROCS_MAX * THREADS_MAX && link != 0; i++) {
    const root = (link - 1) << 12;
    const next = load<u32>(RAM_BASE + root + OLD_NEXT) >>> 9;
    const asid = load<u32>(RAM_BASE + root + OLD_ASID) >>> 10;
    store<u32>(RAM_BASE + root + OLD_NEXT, 0);
    store<u32>(RAM_BASE + root + OLD_ASID, 0);
    vmDestroy(root);
    asidRelease(asid);
    link = next;
  }
}

/** Free a thread that no hart runs and no ring holds; true when the process ended with it. */
export function threadRelease(t: u32): bool {
  const b = threadBase(t);
  assert(load<u32>(b + T_STATE) != TS_FREE, 'releasing a free thread slot');
  if (load<u32>(b + T_DOOMED) != 0) doomedGone(procBase(load<u32>(b + T_PROC)));
  if (load<u64>(b + T_DEADLINE) != TIMER_DISARMED) sleepersDrop();
  store<u32>(b + T_STATE, TS_FREE);
  const n = load<u32>(KS + KS_TREC_COUNT);
  const r = TREC_BASE + (n % TREC_ENTRIES) * TREC_BYTES;
  store<u32>(r, load<u32>(b + T_TID));
  store<u32>(r + 4, load<u32>(procBase(load<u32>(b + T_PROC)) + P_PID));
  store<u64>(r + 8, load<u64>(b + T_SWITCHES));
  store<u64>(r + 16, load<u64>(b + T_INSTRET));
  store<u32>(r + 24, load<u64>(b + T_PREEMPTED) as u32);
  store<u32>(KS + KS_TREC_COUNT, n + 1);
  const live = load<u32>(KS + KS_LIVE_THREADS);
  assert(live != 0, 'live thread count underflow');
  store<u32>(KS + KS_LIVE_THREADS, live - 1);
  const p = load<u32>(b + T_PROC);
  const pb = procBase(p);
  const threads = load<u32>(pb + P_THREADS);
  assert(threads != 0, 'process thread count underflow');
  store<u32>(pb + P_THREADS, threads - 1);
  if (threads > 1) return false;
  ipcProcGone(p, 0);
  procTeardown(p);
  // A process that moved away ends nowhere: no status, no SIGCHLD, no event; its parent here keeps a stand-in.
  if ((load<u32>(pb + P_FLAGS) & PF_MIGRATED) != 0) standInOfMigrated(p);
  else procEnded(p, load<u64>(b + T_LAST_MTIME));
  return true;
}

/**
 * Release every blocked thread of process p (running or queued ones go at pick time; a host call in flight
 * goes when its answer is reaped, hostcall.ts; a wait for a free ring record goes now).
 */
export function releaseBlocked(p: u32): void {
  ipcProcGone(p, 0); // its endpoints go first: clients of other processes waiting on them get -EPIPE
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_PROC) == p && (threadBlocked(load<u32>(b + T_STATE)) || threadForgetHostcall(t))) {
      ipcUnlink(t);
      threadRelease(t);
    } else if (load<u32>(b + T_PROC) == p) {
      sigCancelHostcall(t); // a call in flight: the host may stop waiting for it
    }
  }
}

/** Process p dies for the given reason (the first reason wins) and loses its blocked threads. Under the SCHED lock. */
export function procKill(p: u32, exitCode: u32, signal: u32, cause: u32, tval: u32, pc: u32): void {
  procMarkDying(p, exitCode, signal, cause, tval, pc);
  releaseBlocked(p);
}

/** exit(2): the hart's thread ends; its clear-child-tid word is zeroed and one waiter on it woken. */
export function threadExit(hart: u32, code: u32): bool {
  const h = hartBase(hart);
  const t = hartThread(hart);
  const tb = threadBase(t);
  const pb = procBase(load<u32>(tb + T_PROC));
  const ctid = load<u32>(tb + T_CLEAR_TID);
  sysReturn(h, 0);
  // Translated before the SCHED lock: a copy-on-write page is broken under the PROC lock.
  const a = ctid != 0 ? userWord(load<u32>(pb + P_SATP), ctid, true) : 0;
  klock(LOCK_SCHED);
  if (ctid != 0) {
    if (a != 0) {
      atomic.store<u32>(a, 0);
      futexWake(a - RAM_BASE, 0, 1, load<u64>(h + H_MTIME)); // a shared wake, as Linux's
    }
  }
  // The last thread's exit status is the process's (exit_group or a kill may have set it first).
  if (load<u32>(pb + P_STATE) == PROC_LIVE && load<u32>(pb + P_THREADS) == 1) store<u32>(pb + P_EXIT, code & 0xFF);
  switchOut(hart, TS_RUNNABLE);
  const ended = threadRelease(t);
  kunlock(LOCK_SCHED);
  return ended;
}

/** exit_group(2): the process ends with this status; its other threads go as soon as no hart runs them. */
export function exitGroup(hart: u32, code: u32): bool {
  const p = load<u32>(threadBase(hartThread(hart)) + T_PROC);
  klock(LOCK_SCHED);
  procKill(p, code, 0, 0, 0, 0);
  kunlock(LOCK_SCHED);
  return threadExit(hart, code);
}

/** Kill the process of the hart's current thread with a signal (a fault or out of memory); true when it ended. */
export function killCurrent(hart: u32, signal: u32, cause: u32, tval: u32): bool {
  const t = hartThread(hart);
  const p = load<u32>(threadBase(t) + T_PROC);
  klock(LOCK_SCHED);
  procKill(p, 128 + signal, signal, cause, tval, load<u32>(hartBase(hart) + H_PC));
  switchOut(hart, TS_RUNNABLE);
  const ended = threadRelease(t);
  kunlock(LOCK_SCHED);
  return ended;
}

/** The host kills the process of the hart's current thread (e.g. SIGPIPE); true when it ended. */
export function hartKill(hart: u32, signal: u32): bool {
  return killCurrent(hart, signal, KILL_HOST + signal, 0);
}

/** The hart's thread belongs to a dying process: it leaves; true when the process ended with it. */
export function leaveDying(hart: u32): bool {
  klock(LOCK_SCHED);
  const t = switchOut(hart, TS_RUNNABLE);
  const ended = threadRelease(t);
  kunlock(LOCK_SCHED);
  return ended;
}
