// Migration, the kernel's half of a process leaving this machine (the host moves it: src/ssi/migration.ts).
// The host has captured the process (src/machine/process-image.ts) and built it on the target; procMigrateOut
// then takes it off this machine at once: a thread on a hart is switched out, a queued one taken out of its run
// queue, a futex waiter or a sleeper out of its wait, and every one released; the address space and the ASID go.
// Nobody here sees it end: no exit status, no SIGCHLD, no event; a parent here keeps a stand-in for it
// (remote.ts), as for a child forked elsewhere. The host calls it between slices (no hart runs), in
// deterministic mode only, as captures are.
import {
  KS, KS_INIT, LOCK_SCHED, LOCK_PROC, P_STATE, P_FLAGS, P_PARENT, P_ROOT, T_STATE, T_PROC, T_HART, T_REGS, T_PC, T_DOOMED, H_REGS, H_PC,
  ST_RESTART, ST_FLAGS, hartBase, sigThreadBase,
} from './blocks';
import { PROCS_MAX, THREADS_MAX, HARTS_MAX, PAGE_BYTES } from './limits';
import { RAM_BASE } from './layout';
import { PTE_V, PTE_R, PTE_X, PTE_D } from './mmu';
import { shootdownOthers } from './shootdown';
import {
  PMIG_OK, PMIG_NOT_LIVE, PMIG_SHARED_VM, PMIG_BUSY, PMIG_FAMILY, PIMG_THREAD_USER, PIMG_THREAD_FUTEX, PIMG_THREAD_SLEEP,
  PIMG_THREAD_WAITID, PIMG_THREAD_FREE,
} from './abi';
import { klock, kunlock } from './klock';
import { procBase, PROC_FREE, PROC_LIVE, PROC_DYING, PROC_ZOMBIE, PROC_REMOTE, PF_SHARED_VM, PF_MIGRATED } from './proc';
import { threadBase, TS_FREE, TS_RUNNING, TS_RUNNABLE } from './thread';
import { reap, standInsDrop } from './wait';
import { sigCancelHostcall, sigNext } from './signal';
import { switchOut, rqRemove } from './sched';
import { threadRelease } from './exit';
import { procImageThreadState } from './procimage';
import { restartCall } from './sigframe';

/** Whether every thread of p is in a state a migration carries (user mode, a futex wait, a sleep, a waitid). */
function threadsMovable(p: u32): bool {
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const s = procImageThreadState(t);
    if (s == PIMG_THREAD_FREE || load<u32>(threadBase(t) + T_PROC) != p) continue;
    if (s != PIMG_THREAD_USER && s != PIMG_THREAD_FUTEX && s != PIMG_THREAD_SLEEP && s != PIMG_THREAD_WAITID) return false;
  }
  return true;
}

/** Slot q's state when it holds a child of p (live, dying, a zombie or a stand-in), else PROC_FREE. */
function childState(q: u32, p: u32): u32 {
  if (q == p || load<u32>(procBase(q) + P_PARENT) != p + 1) return PROC_FREE;
  return atomic.load<u32>(procBase(q) + P_STATE);
}

/** Whether every child of p here can be handed over: live or dying (it stays), a zombie or a stand-in (they go with p). */
function familyMovable(p: u32): bool {
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const s = childState(q, p);
    if (s != PROC_FREE && s != PROC_LIVE && s != PROC_DYING && s != PROC_ZOMBIE && s != PROC_REMOTE) return false;
  }
  return true;
}

/**
 * p's family leaves with it (the host carries it: src/ssi/migration.ts): a child running here stays, its parent
 * now elsewhere (P_PARENT 0, P_PPID kept: its end is a PEV_ENDED event for the host); its zombies and its
 * stand-ins of children elsewhere go from this machine. Under the SCHED lock.
 */
function familyLeave(p: u32): void {
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const s = childState(q, p);
    if (s == PROC_FREE) continue;
    store<u32>(procBase(q) + P_PARENT, 0);
    if (s == PROC_ZOMBIE) reap(q);
    else if (s == PROC_REMOTE) {
      atomic.store<u32>(procBase(q) + P_STATE, PROC_FREE);
      standInsDrop();
    }
  }
  // Orphans here no longer go to it.
  if (load<u32>(KS + KS_INIT) == p + 1) store<u32>(KS + KS_INIT, 0);
}

/**
 * Every thread of live process p that waits for the host is asked to stop waiting (R_CANCEL, as a signal asks):
 * a wait the host can take back ends with -ERESTARTSYS and its call runs again once the thread is back in user
 * mode, so a migration finds it there. How many were asked.
 */
export function procCancelHostcalls(p: u32): u32 {
  if (p >= PROCS_MAX || atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) return 0;
  let n: u32 = 0;
  klock(LOCK_SCHED);
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const tb = threadBase(t);
    if (load<u32>(tb + T_STATE) == TS_FREE || load<u32>(tb + T_PROC) != p) continue;
    sigCancelHostcall(t);
    n++;
  }
  kunlock(LOCK_SCHED);
  return n;
}

/** Whether p has children here: live, dying, zombies, or stand-ins of children elsewhere. */
function hasChildren(p: u32): bool {
  for (let q: u32 = 0; q < PROCS_MAX; q++) if (childState(q, p) != PROC_FREE) return true;
  return false;
}

/**
 * Threads of live process p whose host call was answered with an ERESTART* code (procCancelHostcalls) and that
 * have not run since: with no signal to deliver and no mask to restore, the call is restarted now (pc back on its
 * ecall, a0 as it was), as their way back to user mode would do, so a capture finds them in user mode. How many.
 */
export function procSettleRestarts(p: u32): u32 {
  if (p >= PROCS_MAX || atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) return 0;
  let n: u32 = 0;
  klock(LOCK_SCHED);
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const tb = threadBase(t);
    const s = load<u32>(tb + T_STATE);
    if (s == TS_FREE || load<u32>(tb + T_PROC) != p || (s != TS_RUNNING && s != TS_RUNNABLE)) continue;
    const sb = sigThreadBase(t);
    if (load<u32>(sb + ST_RESTART) == 0 || load<u32>(sb + ST_FLAGS) != 0 || load<u32>(tb + T_DOOMED) != 0 || sigNext(t, p) != 0) continue;
    const hart = load<u32>(tb + T_HART);
    if (hart != 0) restartCall(hartBase(hart - 1) + H_REGS, hartBase(hart - 1) + H_PC, sb);
    else restartCall(tb + T_REGS, tb + T_PC, sb);
    store<u32>(sb + ST_RESTART, 0);
    n++;
  }
  kunlock(LOCK_SCHED);
  return n;
}

/**
 * Process p leaves this machine (its image is built elsewhere): PMIG_OK, or, with nothing changed,
 * PMIG_NOT_LIVE, PMIG_SHARED_VM (a vfork child), PMIG_FAMILY (it has children here and family is 0, or a child
 * is in a state that cannot be handed over) or PMIG_BUSY (a thread waits for the host, in IPC or a vfork, or is
 * between a signal and user mode: try after a slice). With family != 0 its children here stay, with their
 * parent elsewhere, and its zombies and stand-ins go (familyLeave): the host carries them.
 */
export function procMigrateOut(p: u32, family: u32): u32 {
  if (p >= PROCS_MAX) return PMIG_NOT_LIVE;
  klock(LOCK_SCHED); // family links and thread states change under SCHED; exits release threads under it alone
  const b = procBase(p);
  let r = PMIG_OK;
  if (atomic.load<u32>(b + P_STATE) != PROC_LIVE) r = PMIG_NOT_LIVE;
  else if ((load<u32>(b + P_FLAGS) & PF_SHARED_VM) != 0) r = PMIG_SHARED_VM;
  else if (family == 0 && hasChildren(p)) r = PMIG_FAMILY;
  else if (!threadsMovable(p)) r = PMIG_BUSY;
  else if (!familyMovable(p)) r = PMIG_FAMILY;
  if (r == PMIG_OK) {
    familyLeave(p);
    store<u32>(b + P_FLAGS, load<u32>(b + P_FLAGS) | PF_MIGRATED);
    for (let t: u32 = 0; t < THREADS_MAX; t++) {
      const tb = threadBase(t);
      const s = load<u32>(tb + T_STATE);
      if (s == TS_FREE || load<u32>(tb + T_PROC) != p) continue;
      if (s == TS_RUNNING) switchOut(load<u32>(tb + T_HART) - 1, TS_RUNNABLE);
      else if (s == TS_RUNNABLE) rqRemove(t);
      threadRelease(t); // the last one turns the slot into a stand-in, or frees it (standInOfMigrated)
    }
  }
  kunlock(LOCK_SCHED);
  return r;
}

/**
 * Pre-copy's dirty tracking: clear the D bit of every leaf PTE of live process p's address space and shoot
 * down every hart's TLB, so the next store to any of those pages walks the table again and sets D (a TLB
 * fills its write table only once D is set). The host reads which pages were dirty (D set) just before.
 * How many PTEs had D set; -1 for a process that is not live. Under the PROC lock; deterministic mode.
 */
export function procDirtyClear(p: u32): i32 {
  if (p >= PROCS_MAX || atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) return -1;
  const root = load<u32>(procBase(p) + P_ROOT);
  let cleared: i32 = 0;
  klock(LOCK_PROC);
  for (let i: u32 = 0; i < 1024; i++) {
    const l1 = load<u32>(RAM_BASE + root + (i << 2));
    if ((l1 & PTE_V) == 0 || (l1 & (PTE_R | PTE_X)) != 0) continue; // absent, or a superpage
    const table = RAM_BASE + ((l1 >>> 10) << 12);
    for (let j: u32 = 0; j < PAGE_BYTES / 4; j++) {
      const pte = atomic.load<u32>(table + (j << 2));
      if ((pte & PTE_D) == 0) continue;
      atomic.and<u32>(table + (j << 2), ~PTE_D);
      cleared++;
    }
  }
  kunlock(LOCK_PROC);
  if (cleared > 0) shootdownOthers(HARTS_MAX);
  return cleared;
}
