// Process groups and sessions: getppid, setpgid, getpgid, getsid, setsid, with Linux's rules and errnos.
// A process the host loads is in the host's group and session (id 0) and leads neither, as a program a
// shell started: setsid succeeds in it. A fork inherits both. Under the SCHED lock (the family links
// change under it, wait.ts). In a cluster the groups follow children elsewhere: a stand-in (PROC_REMOTE)
// has its child's group and session, so getpgid, getsid, waitid by group and the group checks see it; a
// setpgid at a stand-in that passes the checks here goes to the host, which has the child's machine apply it
// (procSetGroupFor) and then updates the stand-in (procRemoteGroup); and a process whose parent is elsewhere
// that changes its own group or session posts PEV_GROUP for its stand-in (a reserved event record: with none
// free the call goes to the host, which drains the ring and runs it again).
import { KS, KS_CLUSTER, LOCK_SCHED, P_STATE, P_PID, P_PPID, P_PARENT, P_PGID, P_SID, P_FLAGS } from './blocks';
import { PROCS_MAX } from './limits';
import { EPERM, ESRCH, EINVAL, EACCES, PEV_GROUP } from './abi';
import { klock, kunlock } from './klock';
import { procBase, PROC_NONE, PROC_LIVE, PROC_DYING, PROC_ZOMBIE, PROC_REMOTE, PF_EXECED, PF_REMOTE } from './proc';
import { pevReserve, pevRelease, pevPostReserved } from './pev';
import { callP, callPb, arg, ret } from './caller';

/** setpgid and setsid: answered here, or handed to the host as the call stands. */
export const PGID_DONE: u32 = 0, PGID_HOST: u32 = 1;
/** setpgidLocked's result for a stand-in that passed every check here: the host finishes it. */
const TO_HOST: u32 = 0x7FFF_FFFF; // neither 0 nor an -errno

/** A state in which a process counts for the group rules: alive, ending, a zombie, or a stand-in. */
// @ts-ignore: decorator
@inline function counted(s: u32): bool {
  return s == PROC_LIVE || s == PROC_DYING || s == PROC_ZOMBIE || s == PROC_REMOTE;
}

/** In a cluster, process p (the caller) has no parent on this machine: its stand-in elsewhere must hear. */
function parentElsewhere(pb: u32): bool {
  return atomic.load<u32>(KS + KS_CLUSTER) != 0 && load<u32>(pb + P_PARENT) == 0 && (load<u32>(pb + P_FLAGS) & PF_REMOTE) == 0;
}

/** The slot of the process with this pid (live, dying, a zombie or a stand-in), or PROC_NONE. */
export function procByPid(pid: u32): u32 {
  if (pid == 0) return PROC_NONE;
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    if (counted(load<u32>(qb + P_STATE)) && load<u32>(qb + P_PID) == pid) return q;
  }
  return PROC_NONE;
}

/** True when some process of session sid is in group pgid. */
function groupInSession(pgid: u32, sid: u32): bool {
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    if (counted(load<u32>(qb + P_STATE)) && load<u32>(qb + P_PGID) == pgid && load<u32>(qb + P_SID) == sid) return true;
  }
  return false;
}

export function getppid(): void {
  ret(load<u32>(callPb + P_PPID));
}

/**
 * getpgid(pid) (field P_PGID) or getsid(pid) (P_SID): pid 0 is the caller. PGID_HOST in a cluster for a pid
 * that is no process here: the host asks the node it runs on (procIdOf there).
 */
export function getIdOf(field: u32): u32 {
  const pid = arg(0);
  klock(LOCK_SCHED);
  const q = pid == 0 ? callP : procByPid(pid);
  const v = q == PROC_NONE ? <u32>-ESRCH : load<u32>(procBase(q) + field);
  kunlock(LOCK_SCHED);
  if (q == PROC_NONE && <i32>pid > 0 && atomic.load<u32>(KS + KS_CLUSTER) != 0) return PGID_HOST;
  ret(v);
  return PGID_DONE;
}

/** The host's getpgid (sid 0) or getsid (sid 1) of process pid here, for a caller elsewhere: the id, or -ESRCH. */
export function procIdOf(pid: u32, sid: u32): i32 {
  klock(LOCK_SCHED);
  const q = <i32>pid > 0 ? procByPid(pid) : PROC_NONE;
  const r: i32 = q == PROC_NONE || load<u32>(procBase(q) + P_STATE) == PROC_REMOTE ? -ESRCH : <i32>load<u32>(procBase(q) + (sid != 0 ? P_SID : P_PGID));
  kunlock(LOCK_SCHED);
  return r;
}

/** setpgid(pid, pgid): PGID_DONE, or PGID_HOST (a stand-in's child must agree; no event record free). */
export function setpgid(): u32 {
  const pid = arg(0);
  let pgid = arg(1);
  if (<i32>pgid < 0) { ret(-EINVAL); return PGID_DONE; }
  const notice = parentElsewhere(callPb) && (pid == 0 || pid == load<u32>(callPb + P_PID));
  if (notice && !pevReserve()) return PGID_HOST;
  klock(LOCK_SCHED);
  const before = load<u32>(callPb + P_PGID);
  const r = setpgidLocked(pid, pgid);
  const after = load<u32>(callPb + P_PGID);
  kunlock(LOCK_SCHED);
  if (notice) {
    if (r == 0 && after != before) pevPostReserved(PEV_GROUP, load<u32>(callPb + P_PID), after, load<u32>(callPb + P_SID));
    else pevRelease();
  }
  if (r == TO_HOST) return PGID_HOST;
  ret(r);
  return PGID_DONE;
}

function setpgidLocked(pid: u32, pgid: u32): u32 {
  const me = callPb;
  const q = pid == 0 ? callP : procByPid(pid);
  if (q == PROC_NONE) return -ESRCH;
  const qb = procBase(q);
  if (q != callP) {
    if (load<u32>(qb + P_PARENT) != callP + 1) return -ESRCH;
    if (load<u32>(qb + P_SID) != load<u32>(me + P_SID)) return -EPERM;
    if ((load<u32>(qb + P_FLAGS) & PF_EXECED) != 0) return -EACCES;
  }
  const qpid = load<u32>(qb + P_PID);
  if (load<u32>(qb + P_SID) == qpid) return -EPERM; // a session leader keeps its group
  const g = pgid == 0 ? qpid : pgid;
  if (g != qpid && !groupInSession(g, load<u32>(me + P_SID))) return -EPERM;
  if (load<u32>(qb + P_STATE) == PROC_REMOTE) return atomic.load<u32>(KS + KS_CLUSTER) != 0 ? TO_HOST : -ESRCH;
  store<u32>(qb + P_PGID, g);
  return 0;
}

/** setsid(): PGID_DONE, or PGID_HOST (no event record free for the stand-in elsewhere). */
export function setsid(): u32 {
  const notice = parentElsewhere(callPb);
  if (notice && !pevReserve()) return PGID_HOST;
  klock(LOCK_SCHED);
  const pid = load<u32>(callPb + P_PID);
  let busy = false;
  for (let q: u32 = 0; q < PROCS_MAX && !busy; q++) {
    const qb = procBase(q);
    busy = counted(load<u32>(qb + P_STATE)) && load<u32>(qb + P_PGID) == pid;
  }
  if (!busy) {
    store<u32>(callPb + P_SID, pid);
    store<u32>(callPb + P_PGID, pid);
  }
  kunlock(LOCK_SCHED);
  if (notice) {
    if (!busy) pevPostReserved(PEV_GROUP, pid, pid, pid);
    else pevRelease();
  }
  ret(busy ? -EPERM : pid);
  return PGID_DONE;
}

/**
 * The host's setpgid on behalf of process parentPid elsewhere, the parent of local process pid, whose
 * stand-in there passed the caller-side checks: Linux's checks of the child itself (it has not called execve,
 * it does not lead a session), then P_PGID = pgid (0: pid). 0, -ESRCH (no such live process here whose parent
 * is parentPid elsewhere), -EACCES, -EPERM, -EINVAL.
 */
export function procSetGroupFor(pid: u32, pgid: u32, parentPid: u32): i32 {
  if (<i32>pgid < 0) return -EINVAL;
  klock(LOCK_SCHED);
  const q = procByPid(pid);
  let r: i32 = 0;
  if (q == PROC_NONE) r = -ESRCH;
  else {
    const qb = procBase(q);
    const s = load<u32>(qb + P_STATE);
    if ((s != PROC_LIVE && s != PROC_ZOMBIE && s != PROC_DYING) || load<u32>(qb + P_PARENT) != 0 || load<u32>(qb + P_PPID) != parentPid) r = -ESRCH;
    else if ((load<u32>(qb + P_FLAGS) & PF_EXECED) != 0) r = -EACCES;
    else if (load<u32>(qb + P_SID) == pid) r = -EPERM;
    else store<u32>(qb + P_PGID, pgid == 0 ? pid : pgid);
  }
  kunlock(LOCK_SCHED);
  return r;
}

/** Stand-in childPid's child changed its group or session (PEV_GROUP there, or a setpgid it agreed to). 0 or -ESRCH. */
export function procRemoteGroup(childPid: u32, pgid: u32, sid: u32): i32 {
  klock(LOCK_SCHED);
  let r: i32 = -ESRCH;
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    if (load<u32>(qb + P_STATE) != PROC_REMOTE || load<u32>(qb + P_PID) != childPid) continue;
    store<u32>(qb + P_PGID, pgid);
    store<u32>(qb + P_SID, sid);
    r = 0;
    break;
  }
  kunlock(LOCK_SCHED);
  return r;
}
