// A process's end as its family sees it, and waitid(2). When the last thread of a process leaves
// (exit.ts), or the host says a stand-in's process elsewhere ended (remote.ts), procEnded reparents its
// children to the node's first process (KS_INIT; when that one has ended too, they have no parent and are
// freed when they end; a stand-in's new parent goes to the host as PEV_REPARENT), releases a vfork parent,
// and leaves the process a ZOMBIE for its parent, or DEAD (the host's own processes: the host reads their
// slot), or FREE (a child with no parent). In cluster mode the end of a process with no local parent is a
// PEV_ENDED event, for its parent's machine. waitid finds a matching ended child, fills the siginfo as Linux
// does and frees the slot; with none yet, a caller without WNOHANG blocks in TS_WAIT with its pc on the
// ecall, and procEnded wakes every waiting thread of the parent, which then executes waitid again. Under
// the SCHED lock (liveness and family links change under it).
import {
  KS, KS_INIT, KS_ZOMBIES, KS_REMOTE, KS_CLUSTER, LOCK_SCHED, P_STATE, P_PID, P_PARENT, P_PPID, P_PGID, P_FLAGS,
  P_SIGNAL, P_EXIT, P_CLD_CODE, P_VFORK_WAITER, P_SATP, T_STATE, T_PROC, P_SID, P_EXIT_SIGNAL, PROC_BYTES, sigProcBase, SIGPROC_BYTES,
} from './blocks';
import { PROCS_MAX, THREADS_MAX } from './limits';
import {
  EINVAL, ECHILD, EBADF, EFAULT, SIGCHLD, WNOHANG, WSTOPPED, WEXITED, WCONTINUED, WNOWAIT, WNOTHREAD, WALL, WCLONE,
  IDTYPE_ALL, IDTYPE_PID, IDTYPE_PGID, IDTYPE_PIDFD, CLD_EXITED, CLD_KILLED, PEV_ENDED, PEV_REPARENT, PEV_ORPHANED,
} from './abi';
import { pevNotify } from './pev';
import { klock, kunlock } from './klock';
import {
  procBase, PROC_NONE, PROC_LIVE, PROC_DYING, PROC_DEAD, PROC_ZOMBIE, PROC_FREE, PROC_REMOTE, PF_HOSTED, PF_REMOTE,
} from './proc';
import { threadBase, TS_WAIT, TS_VFORK } from './thread';
import { switchOut, threadWake } from './sched';
import { userWord } from './usercopy';
import { sigChildEnded, sigChildAutoReap } from './signal';
import { callHart, callP, callPb, callSatp, arg, ret } from './caller';

const WAIT_OPTIONS: u32 = WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE;

/** Process p's last thread has gone and its memory with it (procTeardown). Under the SCHED lock. */
export function procEnded(p: u32, now: u64): void {
  const b = procBase(p);
  let heir = load<u32>(KS + KS_INIT);
  if (heir != 0 && (heir == p + 1 || !procAlive(heir - 1))) heir = 0;
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    if (load<u32>(qb + P_PARENT) != p + 1 || load<u32>(qb + P_STATE) == PROC_FREE) continue;
    store<u32>(qb + P_PARENT, heir);
    store<u32>(qb + P_PPID, heir == 0 ? 0 : load<u32>(procBase(heir - 1) + P_PID));
    if (load<u32>(qb + P_STATE) == PROC_REMOTE) standInReparented(q);
    else if (heir == 0 && atomic.load<u32>(KS + KS_CLUSTER) != 0 && load<u32>(qb + P_STATE) == PROC_LIVE) {
      pevNotify(PEV_ORPHANED, load<u32>(qb + P_PID), 0, 0); // for the cluster's first process, elsewhere
    }
    if (load<u32>(qb + P_STATE) != PROC_ZOMBIE) continue;
    if (heir == 0) reap(q);
    else wakeWaiters(heir - 1, now);
  }
  vforkRelease(p, now);
  const parent = load<u32>(b + P_PARENT);
  if (parent == 0 && (load<u32>(b + P_FLAGS) & PF_REMOTE) == 0 && atomic.load<u32>(KS + KS_CLUSTER) != 0) {
    pevNotify(PEV_ENDED, load<u32>(b + P_PID), childWaitCode(p), childWaitStatus(p)); // for its parent's machine
  }
  if (parent != 0 && !childAutoReap(parent - 1)) {
    atomic.store<u32>(b + P_STATE, PROC_ZOMBIE);
    store<u32>(KS + KS_ZOMBIES, load<u32>(KS + KS_ZOMBIES) + 1);
    wakeWaiters(parent - 1, now);
    childSignal(parent - 1, p, now);
  } else if (parent != 0) {
    // Reaped as it ends (SIGCHLD ignored, or SA_NOCLDWAIT): a waiting parent looks again (-ECHILD when it
    // was the last), and a handler still gets SIGCHLD, as on Linux. The slot is freed last: it is read till then.
    wakeWaiters(parent - 1, now);
    childSignal(parent - 1, p, now);
    atomic.store<u32>(b + P_STATE, PROC_FREE);
  } else if ((load<u32>(b + P_FLAGS) & PF_HOSTED) == 0) {
    atomic.store<u32>(b + P_STATE, PROC_FREE);
  } else {
    assert(load<u32>(b + P_STATE) == PROC_DEAD, 'a loaded process ended in another state than DEAD');
  }
}

/**
 * A stand-in's local parent ended and q has a new one (P_PARENT, P_PPID): the host tells the real child. With
 * no new parent the stand-in goes (the child's end then concerns no one here). Under the SCHED lock.
 */
function standInReparented(q: u32): void {
  const qb = procBase(q);
  pevNotify(PEV_REPARENT, load<u32>(qb + P_PID), load<u32>(qb + P_PPID), 0);
  if (load<u32>(qb + P_PARENT) != 0) return;
  atomic.store<u32>(qb + P_STATE, PROC_FREE);
  standInsDrop();
}

/** One stand-in fewer is waiting for its process elsewhere to end. Under the SCHED lock. */
export function standInsDrop(): void {
  const n = load<u32>(KS + KS_REMOTE);
  assert(n != 0, 'stand-in count underflow');
  store<u32>(KS + KS_REMOTE, n - 1);
}

/**
 * The parent of an ended child gets SIGCHLD (its default action ignores it), with the siginfo waitid would
 * give (si_code, si_pid, si_status). Under the SCHED lock.
 */
export function childSignal(parent: u32, child: u32, now: u64): void {
  sigChildEnded(parent, load<u32>(procBase(child) + P_PID), childWaitCode(child), childWaitStatus(child), now);
}

/**
 * Seam for signals: true when the parent does not keep zombies (SIGCHLD ignored or SA_NOCLDWAIT), so an
 * ended child is freed at once. Under the SCHED lock.
 */
export function childAutoReap(parent: u32): bool {
  return sigChildAutoReap(parent);
}

/** True for a process whose threads may still run (LIVE or DYING). */
function procAlive(p: u32): bool {
  const s = load<u32>(procBase(p) + P_STATE);
  return s == PROC_LIVE || s == PROC_DYING;
}

/** Wake every thread of process p blocked in waitid: each executes it again. */
function wakeWaiters(p: u32, now: u64): void {
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const tb = threadBase(t);
    if (load<u32>(tb + T_STATE) == TS_WAIT && load<u32>(tb + T_PROC) == p) threadWake(t, now);
  }
}

/** The vfork parent of p (if one waits) goes on: p exec'd or ended. Under the SCHED lock. */
export function vforkRelease(p: u32, now: u64): void {
  const b = procBase(p);
  const w = load<u32>(b + P_VFORK_WAITER);
  if (w == 0) return;
  store<u32>(b + P_VFORK_WAITER, 0);
  const tb = threadBase(w - 1);
  if (load<u32>(tb + T_STATE) == TS_VFORK && load<u32>(tb + T_PROC) + 1 == load<u32>(b + P_PARENT)) threadWake(w - 1, now);
}

/** Free a zombie's slot. */
export function reap(q: u32): void {
  const qb = procBase(q);
  assert(load<u32>(qb + P_STATE) == PROC_ZOMBIE, 'reaping a process that is not a zombie');
  atomic.store<u32>(qb + P_STATE, PROC_FREE);
  const n = load<u32>(KS + KS_ZOMBIES);
  assert(n != 0, 'zombie count underflow');
  store<u32>(KS + KS_ZOMBIES, n - 1);
}

/**
 * si_code of an ended child: CLD_EXITED, or CLD_KILLED for a signal (no core file is written: as qemu-user
 * run with `ulimit -c 0`); a stand-in's as the host gave it.
 */
export function childWaitCode(q: u32): u32 {
  const given = load<u32>(procBase(q) + P_CLD_CODE);
  if (given != 0) return given;
  return load<u32>(procBase(q) + P_SIGNAL) == 0 ? CLD_EXITED : CLD_KILLED;
}

/** si_status of an ended child: its exit status, or the signal that killed it. */
export function childWaitStatus(q: u32): u32 {
  const qb = procBase(q);
  const sig = load<u32>(qb + P_SIGNAL);
  return sig == 0 ? load<u32>(qb + P_EXIT) & 0xFF : sig;
}

/** Fill the fields of a siginfo_t waitid writes (Linux: si_signo, si_errno, si_code, si_pid, si_uid, si_status). */
function writeInfo(satp: u32, infop: u32, signo: u32, code: u32, pid: u32, status: u32): bool {
  if (infop == 0) return true;
  const a = userWord(satp, infop, true), e = userWord(satp, infop + 20, true);
  if (a == 0 || e == 0) return false;
  const mid = userWord(satp, infop + 8, true), hi = userWord(satp, infop + 16, true);
  if (mid == 0 || hi == 0) return false;
  store<u32>(a, signo);
  store<u32>(userWord(satp, infop + 4, true), 0);
  store<u32>(mid, code);
  store<u32>(userWord(satp, infop + 12, true), pid);
  store<u32>(hi, 0); // si_uid: every process runs as root
  store<u32>(e, status);
  return true;
}

/**
 * waitid(idtype, id, infop, options, rusage). rusage is left as it is (as qemu-user 7.2, which passes
 * none to the host); NULL is fine. A thread it blocks is in TS_WAIT with its pc on the ecall: signal
 * delivery may end the wait with threadSyscallReturn(t, -EINTR) and a wake.
 */
export function waitid(): void {
  const idtype = arg(0), id = arg(1), infop = arg(2), options = arg(3);
  if ((options & ~WAIT_OPTIONS) != 0 || (options & (WEXITED | WSTOPPED | WCONTINUED)) == 0) { ret(-EINVAL); return; }
  if (idtype == IDTYPE_PID) {
    if (<i32>id <= 0) { ret(-EINVAL); return; }
  } else if (idtype == IDTYPE_PGID) {
    if (<i32>id < 0) { ret(-EINVAL); return; }
  } else if (idtype == IDTYPE_PIDFD) {
    ret(<i32>id < 0 ? -EINVAL : -EBADF); // no pidfd is ever open
    return;
  } else if (idtype != IDTYPE_ALL) { ret(-EINVAL); return; }
  klock(LOCK_SCHED);
  const pgid = idtype == IDTYPE_PGID && id == 0 ? load<u32>(callPb + P_PGID) : id;
  // Every child here ends with SIGCHLD, so __WCLONE alone matches none.
  const clonesOnly = (options & WCLONE) != 0 && (options & WALL) == 0;
  let found = false;
  let z = PROC_NONE;
  for (let q: u32 = 0; q < PROCS_MAX && !clonesOnly; q++) {
    const qb = procBase(q);
    if (load<u32>(qb + P_PARENT) != callP + 1 || load<u32>(qb + P_STATE) == PROC_FREE) continue;
    if (idtype == IDTYPE_PID && load<u32>(qb + P_PID) != id) continue;
    if (idtype == IDTYPE_PGID && load<u32>(qb + P_PGID) != pgid) continue;
    found = true;
    // The oldest ended child first (Linux walks its children in fork order).
    if ((options & WEXITED) != 0 && load<u32>(qb + P_STATE) == PROC_ZOMBIE && (z == PROC_NONE || load<u32>(qb + P_PID) < load<u32>(procBase(z) + P_PID))) z = q;
  }
  if (!found) { kunlock(LOCK_SCHED); ret(-ECHILD); return; }
  if (z == PROC_NONE) {
    if ((options & WNOHANG) != 0) {
      kunlock(LOCK_SCHED);
      ret(writeInfo(callSatp, infop, 0, 0, 0, 0) ? 0 : -EFAULT);
      return;
    }
    switchOut(callHart, TS_WAIT);
    kunlock(LOCK_SCHED);
    return;
  }
  const pid = load<u32>(procBase(z) + P_PID), code = childWaitCode(z), status = childWaitStatus(z);
  if ((options & WNOWAIT) == 0) reap(z);
  kunlock(LOCK_SCHED);
  ret(writeInfo(callSatp, infop, SIGCHLD, code, pid, status) ? 0 : -EFAULT);
}

/**
 * Process p, whose last thread has just left because it moved to another machine (PROC_DEAD, its memory
 * gone), becomes a stand-in for its parent here (the same pid, group, session and exit signal: waitid and
 * SIGCHLD then work as for a child forked elsewhere), or its slot is freed when it has no parent here.
 * Under the SCHED lock.
 */
export function standInOfMigrated(p: u32): void {
  const b = procBase(p);
  const parent = load<u32>(b + P_PARENT);
  if (parent == 0) {
    atomic.store<u32>(b + P_STATE, PROC_FREE);
    return;
  }
  const pid = load<u32>(b + P_PID), ppid = load<u32>(b + P_PPID), pgid = load<u32>(b + P_PGID), sid = load<u32>(b + P_SID);
  const exitSignal = load<u32>(b + P_EXIT_SIGNAL);
  memory.fill(b, 0, PROC_BYTES);
  memory.fill(sigProcBase(p), 0, SIGPROC_BYTES);
  store<u32>(b + P_PID, pid);
  store<u32>(b + P_PARENT, parent);
  store<u32>(b + P_PPID, ppid);
  store<u32>(b + P_PGID, pgid);
  store<u32>(b + P_SID, sid);
  store<u32>(b + P_EXIT_SIGNAL, exitSignal);
  store<u32>(b + P_FLAGS, PF_REMOTE);
  store<u32>(KS + KS_REMOTE, load<u32>(KS + KS_REMOTE) + 1);
  atomic.store<u32>(b + P_STATE, PROC_REMOTE);
}
