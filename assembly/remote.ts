// The kernel's side of processes spread over a cluster: cluster mode (kill and tgkill of targets elsewhere
// go to the host, sigsys.ts); the signals the host delivers here on behalf of a sender elsewhere, with the
// same locks, checks and siginfo as the kill system calls; and the family links that cross machines: a
// stand-in slot (PROC_REMOTE) for a child running elsewhere, which waitid sees as a live child until the
// host says it ended, and the parent pid of a process whose parent is elsewhere. Safe while harts run on
// other threads; the host's own kernel instance calls these between (or beside) the harts' dispatch() calls.
import {
  hartBase, sigProcBase, SIGPROC_BYTES, PROC_BYTES, H_MTIME, MACHINE_BASE, M_HARTS, KS, KS_CLUSTER, KS_REMOTE, KS_INIT, KS_ZOMBIES, LOCK_SCHED,
  LOCK_PROC, P_STATE, P_PID, P_PARENT, P_PPID, P_PGID, P_SID, P_EXIT, P_SIGNAL, P_EXIT_SIGNAL, P_FLAGS, P_CLD_CODE,
} from './blocks';
import { PROCS_MAX } from './limits';
import {
  NSIG, EINVAL, ESRCH, EAGAIN, EEXIST, SIGCHLD, SIGNAL_GROUP_ALL, SIGNAL_GROUP_HOST, CLD_EXITED, CLD_KILLED, CLD_DUMPED,
} from './abi';
import { klock, kunlock } from './klock';
import { procBase, PROC_FREE, PROC_LIVE, PROC_DYING, PROC_DEAD, PROC_ZOMBIE, PROC_REMOTE, PF_REMOTE } from './proc';
import { procEnded, standInsDrop } from './wait';
import { THREAD_NONE } from './thread';
import { killTarget, killProc, killGroup, killThread } from './sigsys';
import { machineNow } from './timer';

/** on != 0: kills whose target is not on this machine, and group kills, are handed to the host. */
export function kernelSetCluster(on: u32): void {
  atomic.store<u32>(KS + KS_CLUSTER, on != 0 ? 1 : 0);
}


/**
 * Signal sig to the local process pid (or the process of the local thread with tid pid) as kill(2) would,
 * si_code SI_USER and si_pid senderPid: 0, -ESRCH (not here; a zombie is here), -EINVAL (pid not positive,
 * sig > NSIG). sig 0 only checks.
 */
export function kernelSignal(pid: u32, sig: u32, senderPid: u32): i32 {
  if (<i32>pid <= 0) return -EINVAL;
  const now = machineNow();
  klock(LOCK_SCHED);
  const p = killTarget(pid);
  let r: i32 = 0;
  if (p == PROCS_MAX) r = -ESRCH;
  else if (sig > NSIG) r = -EINVAL;
  else killProc(p, sig, senderPid, now, THREAD_NONE);
  kunlock(LOCK_SCHED);
  return r;
}

/**
 * Signal every local process of group pgid as kill(-pgid) would (SIGNAL_GROUP_HOST: the host's group 0),
 * or with SIGNAL_GROUP_ALL every local process but pid 1, as kill(-1); never the one whose pid is
 * excludePid (0: none). How many matched (zombies too, as kill counts them), or -EINVAL for sig > NSIG.
 */
export function kernelSignalGroup(pgid: u32, sig: u32, senderPid: u32, excludePid: u32): i32 {
  if (sig > NSIG) return -EINVAL;
  const now = machineNow();
  klock(LOCK_SCHED);
  const all = pgid == SIGNAL_GROUP_ALL;
  const n = killGroup(all, pgid == SIGNAL_GROUP_HOST ? 0 : pgid, excludePid, sig, senderPid, now, THREAD_NONE);
  kunlock(LOCK_SCHED);
  return <i32>n;
}

/**
 * Signal the local thread tid of process tgid (0: of any process) as tgkill(2) (tkill) would, si_code
 * SI_TKILL and si_pid senderPid: 0, -ESRCH, -EINVAL (tid not positive, tgid negative, sig > NSIG).
 */
export function kernelThreadSignal(tgid: u32, tid: u32, sig: u32, senderPid: u32): i32 {
  if (<i32>tid <= 0 || <i32>tgid < 0) return -EINVAL;
  const now = machineNow();
  klock(LOCK_SCHED);
  const r = killThread(tgid, tid, sig, senderPid, now);
  kunlock(LOCK_SCHED);
  return <i32>r;
}

/** The slot of a process with this pid in state `want` (PROC_FREE: any but free and dead), or PROCS_MAX. */
function slotOf(pid: u32, want: u32): u32 {
  for (let p: u32 = 0; p < PROCS_MAX; p++) {
    const s = atomic.load<u32>(procBase(p) + P_STATE);
    const match = want == PROC_FREE ? s != PROC_FREE && s != PROC_DEAD : s == want;
    if (match && load<u32>(procBase(p) + P_PID) == pid) return p;
  }
  return PROCS_MAX;
}

/**
 * A stand-in for process childPid, running on another machine, as a child of local process parentPid, in
 * group pgid and session sid: no threads, no memory. waitid counts it as a live child; a kill or tgkill at
 * it goes to the host (cluster mode). The slot index, or -ESRCH (parentPid is no live process here),
 * -EAGAIN (the process table is full), -EEXIST (childPid is a process here), -EINVAL (childPid not positive).
 */
export function procRemoteChild(parentPid: u32, childPid: u32, pgid: u32, sid: u32): i32 {
  if (<i32>childPid <= 0) return -EINVAL;
  klock(LOCK_PROC); // slots are taken under PROC, family links change under SCHED
  klock(LOCK_SCHED);
  const parent = slotOf(parentPid, PROC_LIVE);
  let r: i32 = 0;
  if (<i32>parentPid <= 0 || parent == PROCS_MAX) r = -ESRCH;
  else if (slotOf(childPid, PROC_FREE) != PROCS_MAX) r = -EEXIST;
  else r = standInTake(parent, childPid, pgid, sid);
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
  return r;
}

/** A free slot made a stand-in: its index, or -EAGAIN. Under PROC and SCHED. */
function standInTake(parent: u32, pid: u32, pgid: u32, sid: u32): i32 {
  let p: u32 = 0;
  while (p < PROCS_MAX && atomic.load<u32>(procBase(p) + P_STATE) != PROC_FREE) p++;
  if (p == PROCS_MAX) return -EAGAIN;
  const b = procBase(p);
  memory.fill(b, 0, PROC_BYTES);
  memory.fill(sigProcBase(p), 0, SIGPROC_BYTES);
  store<u32>(b + P_PID, pid);
  store<u32>(b + P_PARENT, parent + 1);
  store<u32>(b + P_PPID, load<u32>(procBase(parent) + P_PID));
  store<u32>(b + P_PGID, pgid);
  store<u32>(b + P_SID, sid);
  store<u32>(b + P_EXIT_SIGNAL, SIGCHLD);
  store<u32>(b + P_FLAGS, PF_REMOTE);
  store<u32>(KS + KS_REMOTE, load<u32>(KS + KS_REMOTE) + 1);
  atomic.store<u32>(b + P_STATE, PROC_REMOTE); // complete before anyone scanning the table sees it
  return <i32>p;
}

/**
 * Process proc, restored here and not yet running, takes the place of the stand-in for its pid: it becomes
 * the local child of the stand-in's parent (a process that moves to its parent's machine, or back to where a
 * failed migration left), and the stand-in goes, with no end. 0, or -ESRCH when no stand-in has its pid.
 */
export function procStandInReplace(proc: u32): i32 {
  if (proc >= PROCS_MAX) return -ESRCH;
  klock(LOCK_SCHED);
  const b = procBase(proc);
  const q = slotOf(load<u32>(b + P_PID), PROC_REMOTE);
  let r: i32 = -ESRCH;
  if (q != PROCS_MAX && atomic.load<u32>(b + P_STATE) == PROC_LIVE) {
    const qb = procBase(q);
    store<u32>(b + P_PARENT, load<u32>(qb + P_PARENT));
    store<u32>(b + P_PPID, load<u32>(qb + P_PPID));
    atomic.store<u32>(qb + P_STATE, PROC_FREE);
    standInsDrop();
    r = 0;
  }
  kunlock(LOCK_SCHED);
  return r;
}

/**
 * A child of process proc (restored here: a migration brought it) as it was where proc ran before: with relink,
 * a process here whose parent was elsewhere with proc's pid becomes its local child again; otherwise a stand-in
 * (group pgid, session sid, exit signal exitSignal), ended (a zombie, no SIGCHLD: proc had it where it was) when
 * code is CLD_EXITED, CLD_KILLED or CLD_DUMPED with status, running elsewhere when code is 0. Without relink the
 * stand-in is made even when a process here has childPid (a copy a migration is bringing, not running yet: should
 * it run, it takes the stand-in's place). The slot, or -ESRCH (proc is not live), -EEXIST (with relink: childPid
 * is another process here), -EAGAIN (no free slot), -EINVAL.
 */
export function procFamilyAttach(proc: u32, childPid: u32, pgid: u32, sid: u32, exitSignal: u32, code: u32, status: u32, relink: u32): i32 {
  if (<i32>childPid <= 0 || exitSignal > NSIG) return -EINVAL;
  if (code != 0 && code != CLD_EXITED && code != CLD_KILLED && code != CLD_DUMPED) return -EINVAL;
  if (code != 0 && (code == CLD_EXITED ? status > 0xFF : status < 1 || status > NSIG)) return -EINVAL;
  if (proc >= PROCS_MAX) return -ESRCH;
  klock(LOCK_PROC);
  klock(LOCK_SCHED);
  const pb = procBase(proc);
  const pid = load<u32>(pb + P_PID);
  let r: i32 = -ESRCH;
  if (atomic.load<u32>(pb + P_STATE) == PROC_LIVE) {
    const q = slotOf(childPid, PROC_FREE);
    if (q != PROCS_MAX && relink != 0) {
      const qb = procBase(q);
      const s = atomic.load<u32>(qb + P_STATE);
      const here = (s == PROC_LIVE || s == PROC_DYING) && load<u32>(qb + P_PARENT) == 0 && load<u32>(qb + P_PPID) == pid && code == 0;
      if (here) store<u32>(qb + P_PARENT, proc + 1);
      r = here ? <i32>q : -EEXIST;
    } else {
      r = standInTake(proc, childPid, pgid, sid);
      if (r >= 0) {
        const qb = procBase(<u32>r);
        store<u32>(qb + P_EXIT_SIGNAL, exitSignal);
        if (code != 0) {
          store<u32>(qb + P_EXIT, code == CLD_EXITED ? status : 128 + status);
          store<u32>(qb + P_SIGNAL, code == CLD_EXITED ? 0 : status);
          store<u32>(qb + P_CLD_CODE, code);
          standInsDrop();
          store<u32>(KS + KS_ZOMBIES, load<u32>(KS + KS_ZOMBIES) + 1);
          atomic.store<u32>(qb + P_STATE, PROC_ZOMBIE);
        }
      }
    }
  }
  kunlock(LOCK_SCHED);
  kunlock(LOCK_PROC);
  return r;
}

/**
 * The process elsewhere that stand-in childPid stands for ended: code CLD_EXITED (status: its exit
 * status) or CLD_KILLED / CLD_DUMPED (status: the signal, 1..NSIG). The stand-in ends as a local child does:
 * a zombie for its parent (SIGCHLD, waiting threads woken) or freed at once when the parent does not keep
 * zombies. 0, -ESRCH (no such stand-in), -EINVAL (a bad code or status).
 */
export function procRemoteEnded(childPid: u32, code: u32, status: u32): i32 {
  if (code != CLD_EXITED && code != CLD_KILLED && code != CLD_DUMPED) return -EINVAL;
  if (code == CLD_EXITED ? status > 0xFF : status < 1 || status > NSIG) return -EINVAL;
  const now = machineNow();
  klock(LOCK_SCHED);
  const p = slotOf(childPid, PROC_REMOTE);
  if (p == PROCS_MAX) { kunlock(LOCK_SCHED); return -ESRCH; }
  const b = procBase(p);
  store<u32>(b + P_EXIT, code == CLD_EXITED ? status : 128 + status);
  store<u32>(b + P_SIGNAL, code == CLD_EXITED ? 0 : status);
  store<u32>(b + P_CLD_CODE, code);
  standInsDrop();
  atomic.store<u32>(b + P_STATE, PROC_DEAD); // ended; procEnded makes it a zombie or frees it
  procEnded(p, now);
  kunlock(LOCK_SCHED);
  return 0;
}

/**
 * Process proc (loaded by the host) has its parent elsewhere: getppid returns ppid, while P_PARENT stays 0
 * (no local parent: its end is a PEV_ENDED event in cluster mode). 0, or -ESRCH when proc is no live
 * process or has a local parent.
 */
export function procSetParentPid(proc: u32, ppid: u32): i32 {
  if (proc >= PROCS_MAX) return -ESRCH;
  klock(LOCK_SCHED);
  const b = procBase(proc);
  const s = atomic.load<u32>(b + P_STATE);
  const ok = (s == PROC_LIVE || s == PROC_DYING) && load<u32>(b + P_PARENT) == 0;
  if (ok) store<u32>(b + P_PPID, ppid);
  kunlock(LOCK_SCHED);
  return ok ? 0 : -ESRCH;
}

/**
 * Process proc (loaded by the host: a spawn from a process of this machine) becomes a child of local process
 * parentPid, in its group and session: waitid, SIGCHLD and getppid as for a forked child. 0, or -ESRCH (no
 * such live parent, or proc is not live or has a parent already).
 */
export function procAdopt(proc: u32, parentPid: u32): i32 {
  if (proc >= PROCS_MAX) return -ESRCH;
  klock(LOCK_SCHED);
  const b = procBase(proc);
  const s = atomic.load<u32>(b + P_STATE);
  let parent: u32 = PROCS_MAX;
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    if (q != proc && load<u32>(qb + P_PID) == parentPid && atomic.load<u32>(qb + P_STATE) == PROC_LIVE) { parent = q; break; }
  }
  const ok = s == PROC_LIVE && load<u32>(b + P_PARENT) == 0 && parent < PROCS_MAX;
  if (ok) {
    const pb = procBase(parent);
    store<u32>(b + P_PARENT, parent + 1);
    store<u32>(b + P_PPID, parentPid);
    store<u32>(b + P_PGID, load<u32>(pb + P_PGID));
    store<u32>(b + P_SID, load<u32>(pb + P_SID));
  }
  kunlock(LOCK_SCHED);
  return ok ? 0 : -ESRCH;
}

/**
 * Process proc's parent was on another machine, which went down: it becomes an orphan as one whose parent
 * ended does, a child of this machine's first process (KS_INIT, if that one lives and is not proc), keeping
 * its group and session; with no first process it has no parent (ppid 0). The new ppid, or -ESRCH when proc
 * is no live process whose parent is elsewhere.
 */
export function procOrphaned(proc: u32): i32 {
  if (proc >= PROCS_MAX) return -ESRCH;
  klock(LOCK_SCHED);
  const b = procBase(proc);
  const s = atomic.load<u32>(b + P_STATE);
  let r: i32 = -ESRCH;
  if ((s == PROC_LIVE || s == PROC_DYING) && load<u32>(b + P_PARENT) == 0 && load<u32>(b + P_PPID) != 0) {
    const init = load<u32>(KS + KS_INIT);
    const heir = init != 0 && init != proc + 1 && atomic.load<u32>(procBase(init - 1) + P_STATE) == PROC_LIVE ? init : 0;
    store<u32>(b + P_PARENT, heir);
    const ppid = heir == 0 ? 0 : load<u32>(procBase(heir - 1) + P_PID);
    store<u32>(b + P_PPID, ppid);
    r = <i32>ppid;
  }
  kunlock(LOCK_SCHED);
  return r;
}

/**
 * Cluster mode: the process orphans here go to, the cluster's first process, when it runs here (slot proc), or
 * none (PROCS_MAX or more: it runs elsewhere, and orphans are posted as PEV_ORPHANED for the host).
 */
export function kernelSetInit(proc: u32): void {
  klock(LOCK_SCHED);
  store<u32>(KS + KS_INIT, proc < PROCS_MAX ? proc + 1 : 0);
  kunlock(LOCK_SCHED);
}
