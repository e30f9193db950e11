// Process groups and sessions: getppid, setpgid, getpgid, getsid, setsid, with Linux's rules and errnos.
// A process the host loads is in the host's group and session (id 0) and leads neither, as a program a
// shell started: setsid succeeds in it. A fork inherits both. Under the SCHED lock (the family links
// change under it, wait.ts).
import { LOCK_SCHED, P_STATE, P_PID, P_PPID, P_PARENT, P_PGID, P_SID, P_FLAGS } from './blocks';
import { PROCS_MAX } from './limits';
import { EPERM, ESRCH, EINVAL, EACCES } from './abi';
import { klock, kunlock } from './klock';
import { procBase, PROC_NONE, PROC_LIVE, PROC_DYING, PROC_ZOMBIE, PF_EXECED } from './proc';
import { callP, callPb, arg, ret } from './caller';

/** The slot of the process with this pid (live, dying or a zombie), or PROC_NONE. */
export function procByPid(pid: u32): u32 {
  if (pid == 0) return PROC_NONE;
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    const s = load<u32>(qb + P_STATE);
    if ((s == PROC_LIVE || s == PROC_DYING || s == PROC_ZOMBIE) && load<u32>(qb + P_PID) == pid) return q;
  }
  return PROC_NONE;
}

/** True when some process of session sid is in group pgid. */
function groupInSession(pgid: u32, sid: u32): bool {
  for (let q: u32 = 0; q < PROCS_MAX; q++) {
    const qb = procBase(q);
    const s = load<u32>(qb + P_STATE);
    if ((s == PROC_LIVE || s == PROC_DYING || s == PROC_ZOMBIE) && load<u32>(qb + P_PGID) == pgid && load<u32>(qb + P_SID) == sid) return true;
  }
  return false;
}

export function getppid(): void {
  ret(load<u32>(callPb + P_PPID));
}

/** getpgid(pid) (field P_PGID) or getsid(pid) (P_SID): pid 0 is the caller. */
export function getIdOf(field: u32): void {
  const pid = arg(0);
  klock(LOCK_SCHED);
  const q = pid == 0 ? callP : procByPid(pid);
  const v = q == PROC_NONE ? <u32>-ESRCH : load<u32>(procBase(q) + field);
  kunlock(LOCK_SCHED);
  ret(v);
}

export function setpgid(): void {
  const pid = arg(0);
  let pgid = arg(1);
  if (<i32>pgid < 0) { ret(-EINVAL); return; }
  klock(LOCK_SCHED);
  const r = setpgidLocked(pid, pgid);
  kunlock(LOCK_SCHED);
  ret(r);
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
  store<u32>(qb + P_PGID, g);
  return 0;
}

export function setsid(): void {
  klock(LOCK_SCHED);
  const pid = load<u32>(callPb + P_PID);
  let busy = false;
  for (let q: u32 = 0; q < PROCS_MAX && !busy; q++) {
    const qb = procBase(q);
    const s = load<u32>(qb + P_STATE);
    busy = (s == PROC_LIVE || s == PROC_DYING || s == PROC_ZOMBIE) && load<u32>(qb + P_PGID) == pid;
  }
  if (!busy) {
    store<u32>(callPb + P_SID, pid);
    store<u32>(callPb + P_PGID, pid);
  }
  kunlock(LOCK_SCHED);
  ret(busy ? -EPERM : pid);
}
