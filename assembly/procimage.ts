// Process images, the kernel's half (the host's is src/machine/process-image.ts): what the host may capture of a
// process, and a process built from an image captured on another machine. procImageCreate takes a slot with an
// empty address space and the pid the host chose (a migration keeps its pid) or the allocator's; the host maps
// the pages (vmMap), writes the slot fields it carries (abi/defs.mjs: brk, stack, VMAs, family, signal state),
// gives the process its one thread (procImageThread), writes the registers and queues it (procImageRun);
// procImageUndo gives back a slot whose build failed, with every frame mapped so far. The host calls these in
// deterministic mode between slices, or before the machine runs: no hart runs while a process is half built.
import {
  LOCK_PROC, LOCK_SCHED, P_STATE, P_PID, P_THREADS, P_FLAGS, T_STATE, T_TID, T_PROC, T_HART, T_DOOMED, T_DEADLINE, sigThreadBase,
  ST_FLAGS, ST_RESTART, KS, KS_SLEEPERS, P_SATP,
} from './blocks';
import { RAM_BASE } from './layout';
import { userWord } from './usercopy';
import { futexBlock } from './futex';
import { PROCS_MAX, THREADS_MAX } from './limits';
import {
  PIMG_TABLE_FULL, PIMG_PID_IN_USE, PIMG_NO_MEMORY, PIMG_PROC_OK, PIMG_PROC_NOT_LIVE, PIMG_PROC_SHARED_VM,
  PIMG_THREAD_FREE, PIMG_THREAD_USER, PIMG_THREAD_HOSTCALL, PIMG_THREAD_BLOCKED, PIMG_THREAD_UNSETTLED,
  PIMG_THREAD_FUTEX, PIMG_THREAD_SLEEP, PIMG_THREAD_WAITID, EFAULT,
} from './abi';
import { klock, kunlock } from './klock';
import { frameAlloc, frameFree, FRAME_NONE } from './frames';
import { asidAlloc, asidRecycle, ASID_NO_HART } from './asid';
import { procBase, procSlotTake, procSlotUndo, PROC_NONE, PROC_NO_PID, PROC_LIVE, PROC_DYING, PROC_ZOMBIE, PF_SHARED_VM } from './proc';
import { threadBase, threadAlloc, TS_FREE, TS_RUNNING, TS_RUNNABLE, TS_HOSTCALL, TS_FUTEX, TS_SLEEP, TS_WAIT } from './thread';
import { rqPush } from './sched';

/** Whether process p can be captured: PIMG_PROC_OK, PIMG_PROC_NOT_LIVE or PIMG_PROC_SHARED_VM. */
export function procImageProcState(p: u32): u32 {
  if (p >= PROCS_MAX || atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) return PIMG_PROC_NOT_LIVE;
  return (load<u32>(procBase(p) + P_FLAGS) & PF_SHARED_VM) != 0 ? PIMG_PROC_SHARED_VM : PIMG_PROC_OK;
}

/** What thread slot t holds, for a capture: PIMG_THREAD_* (abi/defs.mjs). */
export function procImageThreadState(t: u32): u32 {
  if (t >= THREADS_MAX) return PIMG_THREAD_FREE;
  const b = threadBase(t);
  const s = load<u32>(b + T_STATE);
  if (s == TS_FREE) return PIMG_THREAD_FREE;
  const sb = sigThreadBase(t);
  const unsettled = load<u32>(b + T_DOOMED) != 0 || load<u32>(sb + ST_FLAGS) != 0 || load<u32>(sb + ST_RESTART) != 0;
  if (s == TS_FUTEX && !unsettled) return PIMG_THREAD_FUTEX;
  if (s == TS_SLEEP && !unsettled) return PIMG_THREAD_SLEEP;
  if (s == TS_WAIT && !unsettled) return PIMG_THREAD_WAITID;
  if (s != TS_RUNNING && s != TS_RUNNABLE && s != TS_HOSTCALL) return PIMG_THREAD_BLOCKED; // rt_sigsuspend too
  if (unsettled) return PIMG_THREAD_UNSETTLED;
  return s == TS_HOSTCALL ? PIMG_THREAD_HOSTCALL : PIMG_THREAD_USER;
}

/** True when pid names a process that is not free or only a record (LIVE, DYING, ZOMBIE) or a live thread. Under PROC and SCHED. */
function pidTaken(pid: u32): bool {
  return procHasPid(pid) || tidHere(pid);
}

/** True when a live, dying or zombie process of this machine has pid. Under PROC and SCHED. */
function procHasPid(pid: u32): bool {
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const s = load<u32>(procBase(q) + P_STATE);
    if ((s == PROC_LIVE || s == PROC_DYING || s == PROC_ZOMBIE) && load<u32>(procBase(q) + P_PID) == pid) return true;
  }
  return false;
}

/** True when a live thread of this machine has tid. Under SCHED. */
function tidHere(tid: u32): bool {
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) != TS_FREE && load<u32>(b + T_TID) == tid) return true;
  }
  return false;
}

/**
 * A new LIVE process with an empty address space and no thread, no parent, group and session 0 (the host
 * writes what the image carries): its slot, or PIMG_TABLE_FULL, PIMG_PID_IN_USE, PIMG_NO_MEMORY. pid 0: the
 * allocator's next id; any other pid is checked against this machine's processes and threads.
 */
export function procImageCreate(pid: u32): u32 {
  asidRecycle(ASID_NO_HART);
  klock(LOCK_PROC);
  klock(LOCK_SCHED);
  const r = pid != 0 && pidTaken(pid) ? PIMG_PID_IN_USE : slotWithPid(pid);
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
  return r;
}

/** procImageCreate's slot, the pid already checked. Under PROC and SCHED. */
function slotWithPid(pid: u32): u32 {
  const root = frameAlloc();
  if (root == FRAME_NONE) return PIMG_NO_MEMORY;
  // A process that comes with its pid (a migration) takes none of this machine's ranges: a machine with none
  // left, or none yet (just restarted), still takes it.
  const p = procSlotTake(root, asidAlloc(), pid);
  if (p == PROC_NONE || p == PROC_NO_PID) {
    frameFree(root);
    return p == PROC_NONE ? PIMG_TABLE_FULL : PIMG_PID_IN_USE; // (no pid asked for: none is left, as the host reads it)
  }
  return p;
}

/** The one thread of process p made by procImageCreate (tid = pid), RUNNABLE but not queued: its index, or THREAD_NONE. */
export function procImageThread(p: u32): u32 {
  const b = procBase(p);
  assert(load<u32>(b + P_STATE) == PROC_LIVE && load<u32>(b + P_THREADS) == 0, 'procImageThread: not a process being built');
  klock(LOCK_SCHED);
  const t = threadAlloc(p, load<u32>(b + P_PID));
  kunlock(LOCK_SCHED);
  return t;
}

/**
 * A further thread of process p being built (a migration carries every thread), with its own tid: its index,
 * THREAD_NONE (the thread table is full) or PIMG_PID_IN_USE (a process or thread of this machine has tid).
 */
export function procImageThreadTid(p: u32, tid: u32): u32 {
  const b = procBase(p);
  assert(load<u32>(b + P_STATE) == PROC_LIVE, 'procImageThreadTid: not a process being built');
  klock(LOCK_PROC);
  klock(LOCK_SCHED);
  const taken = tid == 0 || (tid != load<u32>(b + P_PID) && procHasPid(tid)) || tidHere(tid); // its own pid is its own
  const t = taken ? PIMG_PID_IN_USE : threadAlloc(p, tid);
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
  return t;
}

/** Queue thread t of a restored process: from now on it runs. */
export function procImageRun(t: u32): void {
  const b = threadBase(t);
  assert(load<u32>(b + T_STATE) == TS_RUNNABLE && load<u32>(b + T_HART) == 0, 'procImageRun: not a fresh thread');
  klock(LOCK_SCHED);
  rqPush(t);
  kunlock(LOCK_SCHED);
}

/**
 * Thread t of restored process p waits on the futex word at user address va again (a wait a migration carried:
 * pc past its ecall, a0 = 0, as the wait left them), private to p or shared, until deadline (mtime ticks, all
 * ones: none). 0, or -EFAULT when va is no word of p's memory (the thread then stays fresh, not queued).
 */
export function procImageFutex(t: u32, va: u32, shared: u32, deadlineLo: u32, deadlineHi: u32): i32 {
  const b = threadBase(t);
  assert(load<u32>(b + T_STATE) == TS_RUNNABLE && load<u32>(b + T_HART) == 0, 'procImageFutex: not a fresh thread');
  const p = load<u32>(b + T_PROC);
  const a = userWord(load<u32>(procBase(p) + P_SATP), va, false);
  if (a == 0) return -EFAULT;
  klock(LOCK_SCHED);
  futexBlock(t, a - RAM_BASE, shared != 0 ? 0 : p + 1, (<u64>deadlineHi << 32) | <u64>deadlineLo);
  kunlock(LOCK_SCHED);
  return 0;
}

/** Thread t of a restored process sleeps (clock_nanosleep carried by a migration) until deadline (mtime ticks). */
export function procImageSleep(t: u32, deadlineLo: u32, deadlineHi: u32): void {
  const b = threadBase(t);
  assert(load<u32>(b + T_STATE) == TS_RUNNABLE && load<u32>(b + T_HART) == 0, 'procImageSleep: not a fresh thread');
  klock(LOCK_SCHED);
  store<u32>(b + T_STATE, TS_SLEEP);
  store<u64>(b + T_DEADLINE, (<u64>deadlineHi << 32) | <u64>deadlineLo);
  store<u32>(KS + KS_SLEEPERS, load<u32>(KS + KS_SLEEPERS) + 1);
  kunlock(LOCK_SCHED);
}

/** Give back process p made by procImageCreate before it got its thread: its slot, ASID and every frame it holds. */
export function procImageUndo(p: u32): void {
  const b = procBase(p);
  assert(load<u32>(b + P_STATE) == PROC_LIVE && load<u32>(b + P_THREADS) == 0, 'procImageUndo: not a process being built');
  klock(LOCK_PROC);
  procSlotUndo(p);
  kunlock(LOCK_PROC);
}

