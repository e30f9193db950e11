// The kernel's side of processes spread over a cluster: cluster mode (kill and tgkill of targets elsewhere
// go to the host, sigsys.ts) and the signals the host delivers here on behalf of a sender elsewhere, with
// the same locks, checks and siginfo as the kill system calls. Safe while harts run on other threads; the
// host's own kernel instance calls these between (or beside) the harts' dispatch() calls.
import { hartBase, H_MTIME, MACHINE_BASE, M_HARTS, KS, KS_CLUSTER, LOCK_SCHED } from './blocks';
import { PROCS_MAX } from './limits';
import { NSIG, EINVAL, ESRCH, SIGNAL_GROUP_ALL, SIGNAL_GROUP_HOST } from './abi';
import { klock, kunlock } from './klock';
import { THREAD_NONE } from './thread';
import { killTarget, killProc, killGroup, killThread } from './sigsys';

/** on != 0: kills whose target is not on this machine, and group kills, are handed to the host. */
export function kernelSetCluster(on: u32): void {
  atomic.store<u32>(KS + KS_CLUSTER, on != 0 ? 1 : 0);
}

/** The machine's present virtual time: the latest mtime of its harts (a woken sleeper's time left counts from it). */
function machineNow(): u64 {
  const harts = load<u32>(MACHINE_BASE + M_HARTS);
  let now: u64 = 0;
  for (let i: u32 = 0; i < harts; i++) {
    const t = atomic.load<u64>(hartBase(i) + H_MTIME);
    if (t > now) now = t;
  }
  return now;
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
