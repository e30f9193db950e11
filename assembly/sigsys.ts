// The signal system calls, served in the kernel for the caller of caller.ts: rt_sigaction, rt_sigprocmask,
// rt_sigpending, rt_sigsuspend, rt_sigreturn, kill, tkill and tgkill, with Linux's argument checks in
// qemu-riscv32's order (sigsetsize first, then the pointers, then the signal number). A send whose default
// action ends the target process kills it here (exit.ts's procKill); others are queued (signal.ts) and
// delivered on the target's way back to user mode (sigframe.ts). In cluster mode (KS_CLUSTER) a kill whose
// target is not on this machine, every group or broadcast kill, and a tkill/tgkill of a tid not here go to
// the host as the call stands (SIGSYS_HOST); the host answers with the result, signalling this machine's
// processes through remote.ts. The checks that do not depend on where the target is stay here.
import {
  sigThreadBase, sigProcBase, H_REGS, H_SCRATCH, H_MTIME, KS, KS_CLUSTER, LOCK_SCHED, T_STATE, T_PROC, T_TID, T_DEADLINE, P_PID, P_PGID,
  P_STATE, ST_BLOCKED, ST_PENDING, ST_SAVED, ST_FLAGS, ST_RESTART, SP_PENDING, ACT_HANDLER, ACT_FLAGS, ACT_MASK,
} from './blocks';
import { PROCS_MAX, THREADS_MAX } from './limits';
import {
  NR_RT_SIGACTION, NR_RT_SIGPROCMASK, NR_RT_SIGPENDING, NR_RT_SIGSUSPEND, NR_RT_SIGRETURN, NR_KILL, NR_TKILL,
  NR_TGKILL, NSIG, SIGSET_BYTES, SIGKILL, SIGSTOP, SIGSEGV, SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SI_USER, SI_TKILL,
  KILL_SIGNAL, KILL_HOST, EINVAL, EFAULT, ESRCH, ERESTARTNOHAND, PROC_LIVE, PROC_DYING, PROC_ZOMBIE, CAUSE_LOAD_PAGE_FAULT,
} from './abi';
import { klock, kunlock } from './klock';
import { procBase } from './proc';
import { threadBase, TS_FREE, TS_SLEEP, THREAD_NONE } from './thread';
import { switchOut } from './sched';
import { procKill, killCurrent } from './exit';
import { readUser64, writeUser64 } from './usercopy';
import { timerRetire } from './timer';
import { callHart, callH, callT, callTb, callP, callPb, callSatp, arg, ret } from './caller';
import {
  actBase, sigIgnored, sigFlush, sigSendProc, sigSendThread, SEND_FATAL, SIG_UNBLOCKABLE, STF_SAVED, STF_SUSPEND,
} from './signal';
import { sigReturn } from './sigframe';

/** sigSyscall results: not a signal call, served, served and a process ended, handed to the host. */
export const SIGSYS_NONE: u32 = 0, SIGSYS_DONE: u32 = 1, SIGSYS_ENDED: u32 = 2, SIGSYS_HOST: u32 = 3;
const TIMER_NONE: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/** Serve signal call nr for the current caller. */
export function sigSyscall(nr: u32): u32 {
  switch (nr) {
    case NR_RT_SIGACTION: ret(sigaction()); return SIGSYS_DONE;
    case NR_RT_SIGPROCMASK: ret(procmask()); return SIGSYS_DONE;
    case NR_RT_SIGPENDING: ret(pending()); return SIGSYS_DONE;
    case NR_RT_SIGSUSPEND: suspend(); return SIGSYS_DONE;
    case NR_RT_SIGRETURN:
      if (sigReturn(callHart)) { timerRetire(callH, 1); return SIGSYS_DONE; }
      return killCurrent(callHart, SIGSEGV, CAUSE_LOAD_PAGE_FAULT, load<u32>(callH + H_REGS + 8)) ? SIGSYS_ENDED : SIGSYS_DONE;
    case NR_KILL: return answer(kill(<i32>arg(0), arg(1)));
    case NR_TKILL: return answer(tkill(0, <i32>arg(0), arg(1), false));
    case NR_TGKILL: return answer(tkill(<i32>arg(0), <i32>arg(1), arg(2), true));
  }
  return SIGSYS_NONE;
}

/** A kill's result for the caller, or the call handed to the host as it stands (a0..a5 unchanged). */
function answer(r: u32): u32 {
  if (r == KILL_HOST_CALL) return SIGSYS_HOST;
  ret(r);
  return SIGSYS_DONE;
}

/** Read a sigset_t (8 bytes, any alignment) at va into the hart's scratch + off; false on a bad pointer. */
function readSet(va: u32, off: u32): bool {
  return readUser64(callSatp, va, callH + H_SCRATCH + off);
}
// @ts-ignore: decorator
@inline function scratch64(off: u32): u64 { return load<u64>(callH + H_SCRATCH + off); }

/**
 * rt_sigaction(sig, act, oact, sigsetsize): struct sigaction is the Linux RISC-V kernel's { sa_handler,
 * sa_flags, sa_mask (8 bytes) }, 16 bytes. (qemu-riscv32 7.2 takes a 20-byte struct with an sa_restorer
 * word at 8 and sa_mask at 12, and writes 20 bytes of oact: a mask given in a 16-byte struct reaches it
 * shifted by one word.)
 */
function sigaction(): u32 {
  const sig = arg(0), act = arg(1), oact = arg(2);
  if (arg(3) != SIGSET_BYTES) return -EINVAL;
  if (act != 0 && (!readSet(act, 0) || !readSet(act + 8, 8))) return -EFAULT;
  if (sig < 1 || sig > NSIG || (act != 0 && (sig == SIGKILL || sig == SIGSTOP))) return -EINVAL;
  klock(LOCK_SCHED);
  const a = actBase(callP, sig);
  const oldHandler = load<u32>(a + ACT_HANDLER), oldFlags = load<u32>(a + ACT_FLAGS), oldMask = load<u64>(a + ACT_MASK);
  if (act != 0) {
    const hf = scratch64(0);
    store<u32>(a + ACT_HANDLER, hf as u32);
    store<u32>(a + ACT_FLAGS, (hf >> 32) as u32);
    store<u64>(a + ACT_MASK, scratch64(8)); // kept as given (qemu reads it back so); SIGKILL and SIGSTOP never block
    if (sigIgnored(callP, sig)) sigFlush(callP, sig); // POSIX: setting an ignoring action discards it pending
  }
  kunlock(LOCK_SCHED);
  if (oact != 0) {
    const hf = ((oldFlags as u64) << 32) | (oldHandler as u64);
    if (!writeUser64(callSatp, oact, hf) || !writeUser64(callSatp, oact + 8, oldMask)) return -EFAULT;
  }
  return 0;
}

/** rt_sigprocmask(how, set, oset, sigsetsize). SIGKILL and SIGSTOP are never blocked. */
function procmask(): u32 {
  const how = arg(0), set = arg(1), oset = arg(2);
  if (arg(3) != SIGSET_BYTES) return -EINVAL;
  if (set != 0) {
    if (!readSet(set, 0)) return -EFAULT;
    if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return -EINVAL;
  }
  const sb = sigThreadBase(callT);
  klock(LOCK_SCHED);
  const old = load<u64>(sb + ST_BLOCKED);
  if (set != 0) {
    const s = scratch64(0);
    const next = how == SIG_BLOCK ? old | s : how == SIG_UNBLOCK ? old & ~s : s;
    store<u64>(sb + ST_BLOCKED, next & ~SIG_UNBLOCKABLE);
  }
  kunlock(LOCK_SCHED);
  if (oset != 0 && !writeUser64(callSatp, oset, old)) return -EFAULT;
  return 0;
}

/** rt_sigpending(set, sigsetsize): the blocked signals pending on the thread or its process. */
function pending(): u32 {
  if (arg(1) > SIGSET_BYTES) return -EINVAL; // Linux and qemu check > here, not !=
  const sb = sigThreadBase(callT);
  const v = (load<u64>(sb + ST_PENDING) | load<u64>(sigProcBase(callP) + SP_PENDING)) & load<u64>(sb + ST_BLOCKED);
  return writeUser64(callSatp, arg(0), v) ? 0 : -EFAULT;
}

/**
 * rt_sigsuspend(mask, sigsetsize): wait with the given mask until a signal is delivered; -EINTR once its
 * handler returns (the old mask comes back with it). Blocks in TS_SLEEP without a deadline.
 */
function suspend(): void {
  if (arg(1) != SIGSET_BYTES) { ret(-EINVAL); return; }
  if (!readSet(arg(0), 0)) { ret(-EFAULT); return; }
  const sb = sigThreadBase(callT);
  klock(LOCK_SCHED);
  store<u64>(sb + ST_SAVED, load<u64>(sb + ST_BLOCKED));
  store<u64>(sb + ST_BLOCKED, scratch64(0) & ~SIG_UNBLOCKABLE);
  store<u32>(sb + ST_RESTART, ERESTARTNOHAND);
  ret(-ERESTARTNOHAND);
  const open = ~load<u64>(sb + ST_BLOCKED);
  const ready = ((load<u64>(sb + ST_PENDING) | load<u64>(sigProcBase(callP) + SP_PENDING)) & open) != 0;
  store<u32>(sb + ST_FLAGS, load<u32>(sb + ST_FLAGS) | STF_SAVED | (ready ? 0 : STF_SUSPEND));
  if (!ready) {
    assert(load<u64>(callTb + T_DEADLINE) == TIMER_NONE, 'sigsuspend: a thread with a deadline');
    switchOut(callHart, TS_SLEEP);
  }
  kunlock(LOCK_SCHED);
}

/** A process that exists (live, dying or a zombie) with this pid, or PROCS_MAX. */
function procByPid(pid: u32): u32 {
  for (let p: u32 = 0; p < PROCS_MAX; p++) {
    const s = atomic.load<u32>(procBase(p) + P_STATE);
    if (killable(s) && load<u32>(procBase(p) + P_PID) == pid) return p;
  }
  return PROCS_MAX;
}

/** The thread with this tid, or THREAD_NONE. */
function threadByTid(tid: u32): u32 {
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) != TS_FREE && load<u32>(b + T_TID) == tid) return t;
  }
  return THREAD_NONE;
}

/** A process's group: P_PGID (0 is the group of the processes the host loaded and their children, pgid.ts). */
function pgidOf(p: u32): u32 {
  return load<u32>(procBase(p) + P_PGID);
}

/**
 * A process kill(2) can name: alive, or a zombie not yet reaped (Linux answers 0 and sends nothing). A
 * stand-in for a process elsewhere (PROC_REMOTE) is not one: its signals go to the host.
 */
function killable(s: u32): bool {
  return s == PROC_LIVE || s == PROC_DYING || s == PROC_ZOMBIE;
}

/**
 * The local process kill(pid) names (pid > 0): that pid, or the process of the thread with tid pid, as
 * Linux; PROCS_MAX when none. Under the SCHED lock.
 */
export function killTarget(pid: u32): u32 {
  const p = procByPid(pid);
  if (p != PROCS_MAX) return p;
  const t = threadByTid(pid);
  return t == THREAD_NONE ? PROCS_MAX : load<u32>(threadBase(t) + T_PROC);
}

/**
 * Send sig (1..NSIG, or 0: only check) to process p as kill(2) does (si_code SI_USER, si_pid senderPid), at
 * virtual time now; sender is the sending thread, or THREAD_NONE. Under the SCHED lock.
 */
export function killProc(p: u32, sig: u32, senderPid: u32, now: u64, sender: u32): void {
  if (sig == 0 || atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) return;
  const r = sigSendProc(p, sig, <i32>SI_USER, senderPid, 0, KILL_SIGNAL + sig, now, sender);
  if (r == SEND_FATAL) procKill(p, 128 + sig, sig, KILL_SIGNAL + sig, 0, 0);
}

/**
 * kill(2) to a group: every local process of group pgid, or with all, every one but pid 1; never the one
 * whose pid is exclude. sig <= NSIG (0 only counts). How many matched. Under the SCHED lock.
 */
export function killGroup(all: bool, pgid: u32, exclude: u32, sig: u32, senderPid: u32, now: u64, sender: u32): u32 {
  let found: u32 = 0;
  for (let p: u32 = 0; p < PROCS_MAX; p++) {
    if (!killable(atomic.load<u32>(procBase(p) + P_STATE))) continue;
    const pid = load<u32>(procBase(p) + P_PID);
    if (pid == exclude || (all ? pid == 1 : pgidOf(p) != pgid)) continue;
    found++;
    killProc(p, sig, senderPid, now, sender);
  }
  return found;
}

/**
 * tgkill(2) and tkill(2) on a local thread: tid of process tgid (0: any process), si_code SI_TKILL. 0,
 * -ESRCH (no such thread here, or not in tgid), then -EINVAL (sig > NSIG). Under the SCHED lock.
 */
export function killThread(tgid: u32, tid: u32, sig: u32, senderPid: u32, now: u64): u32 {
  const t = threadByTid(tid);
  const p = t == THREAD_NONE ? PROCS_MAX : load<u32>(threadBase(t) + T_PROC);
  if (t == THREAD_NONE || (tgid != 0 && load<u32>(procBase(p) + P_PID) != tgid)) return -ESRCH;
  if (sig > NSIG) return -EINVAL;
  if (sig != 0 && atomic.load<u32>(procBase(p) + P_STATE) == PROC_LIVE) {
    const r = sigSendThread(t, sig, SI_TKILL, senderPid, 0, KILL_SIGNAL + sig, now);
    if (r == SEND_FATAL) procKill(p, 128 + sig, sig, KILL_SIGNAL + sig, 0, 0);
  }
  return 0;
}

/** Cluster mode (kernelSetCluster): kills of targets not on this machine, and group kills, go to the host. */
// @ts-ignore: decorator
@inline function clusterOn(): bool {
  return atomic.load<u32>(KS + KS_CLUSTER) != 0;
}

/** A kill handed to the host (cluster mode): never a result of kill, which is 0 or -errno. */
const KILL_HOST_CALL: u32 = 1;

/**
 * kill(pid, sig): pid > 0 the process with that pid (or the process of the thread with that tid, as
 * Linux), 0 the caller's group, -1 every process but pid 1 and the caller's, < -1 the group -pid.
 * -ESRCH when nothing matched, then -EINVAL for a bad signal. In cluster mode a bad signal is -EINVAL at
 * once, and a target not on this machine or a group kill is KILL_HOST_CALL.
 */
function kill(pid: i32, sig: u32): u32 {
  const cluster = clusterOn();
  if (cluster && pid == i32.MIN_VALUE) return -ESRCH; // names no group anywhere, as Linux
  if (cluster && sig > NSIG) return -EINVAL;
  if (cluster && pid <= 0) return KILL_HOST_CALL;
  const me = load<u32>(callPb + P_PID), now = load<u64>(callH + H_MTIME);
  klock(LOCK_SCHED);
  let found: u32 = 0;
  if (pid > 0) {
    const p = killTarget(<u32>pid);
    if (p != PROCS_MAX) {
      found = 1;
      if (sig <= NSIG) killProc(p, sig, me, now, callT);
    }
  } else {
    const all = pid == -1;
    found = killGroup(all, pid == 0 ? pgidOf(callP) : <u32>(-pid), all ? me : 0, sig <= NSIG ? sig : 0, me, now, callT);
  }
  kunlock(LOCK_SCHED);
  if (found == 0) return cluster ? KILL_HOST_CALL : -ESRCH;
  return sig > NSIG ? -EINVAL : 0;
}

/**
 * tkill(tid, sig) and tgkill(tgid, tid, sig): to one thread (of the process tgid), si_code SI_TKILL. In
 * cluster mode a tid not on this machine is KILL_HOST_CALL (a bad signal -EINVAL first).
 */
function tkill(tgid: i32, tid: i32, sig: u32, group: bool): u32 {
  if (tid <= 0 || (group && tgid <= 0)) return -EINVAL;
  const cluster = clusterOn();
  if (cluster && sig > NSIG) return -EINVAL;
  klock(LOCK_SCHED);
  const r = killThread(group ? <u32>tgid : 0, <u32>tid, sig, load<u32>(callPb + P_PID), load<u64>(callH + H_MTIME));
  const local = r != -ESRCH || threadByTid(<u32>tid) != THREAD_NONE;
  kunlock(LOCK_SCHED);
  return cluster && !local ? KILL_HOST_CALL : r;
}

/**
 * The host raises sig on the live process with this pid, with the siginfo it names (si_code, si_pid, si_uid 0,
 * si_value), as Linux's message-queue notification sends to a thread group (do_send_sig_info): queued on
 * the process, or its default action kills it. now (lo, hi): the virtual time of the send (a woken thread's
 * clock does not run behind it). 0, or -ESRCH (no live process with that pid), -EINVAL (sig outside 1..NSIG).
 */
export function sigHostRaise(pid: u32, sig: u32, code: i32, senderPid: u32, value: u32, nowLo: u32, nowHi: u32): i32 {
  if (sig == 0 || sig > NSIG) return -EINVAL;
  const now = ((nowHi as u64) << 32) | (nowLo as u64);
  klock(LOCK_SCHED);
  let p = procByPid(pid);
  if (p != PROCS_MAX && atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) p = PROCS_MAX;
  if (p != PROCS_MAX && sigSendProc(p, sig, code, senderPid, value, KILL_HOST + sig, now, THREAD_NONE) == SEND_FATAL) {
    procKill(p, 128 + sig, sig, KILL_HOST + sig, 0, 0);
  }
  kunlock(LOCK_SCHED);
  return p == PROCS_MAX ? -ESRCH : 0;
}
