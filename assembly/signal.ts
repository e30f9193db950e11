// Signals: their state and how a send reaches a thread (Linux semantics, the RV32 kernel ABI). Each process
// has NSIG dispositions and a pending set its threads share (block sigproc of abi/defs.mjs); each thread a
// blocked and a pending set (block sigthread), with the siginfo of every pending signal (one instance per
// signal: real-time signals do not queue a second). A send that finds the target blocked in the kernel
// wakes it with an ERESTART* code in a0 (ST_RESTART): on its way back to user mode (sigframe.ts) the call
// then restarts or returns -EINTR; a caller waiting for the host gets R_CANCEL set on its record. A send
// whose default action ends the process says so (SEND_FATAL) and the caller kills it (exit.ts): this file
// imports neither exit.ts nor hostcall.ts, so both may call it. Everything here runs under the SCHED lock.
//
// Default actions as Linux's, except stop: SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU are discarded (there is
// no stopped state yet), and SIGCONT's default is to ignore.
import {
  sigProcBase, sigThreadBase, ringRecord, KS, KS_TIMEBASE_HZ, T_STATE, T_PROC, T_TID, T_REGS, T_PC, T_DEADLINE, T_HC_SLOT,
  P_PID, P_SATP, P_SIGNAL, SP_PENDING, SP_ACTIONS, SP_INFO, ST_BLOCKED, ST_PENDING, ST_FLAGS, ST_RESTART, ST_INFO,
  ACT_HANDLER, ACT_FLAGS, ACT_MASK, SIGACT_BYTES, SIGREC_BYTES, SIGREC_CODE, SIGREC_PID, SIGREC_ADDR, SIGREC_CAUSE,
  SIGPROC_BYTES, R_CANCEL,
} from './blocks';
import { THREADS_MAX } from './limits';
import {
  NSIG, SIG_DFL, SIG_IGN, SA_NOCLDWAIT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ,
  SIGSYS, SIGCHLD, SIGURG, SIGWINCH, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGKILL, SI_USER, KILL_HOST,
  KILL_SIGNAL, ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, TIMER_ABSTIME, EFAULT,
} from './abi';
import { procBase } from './proc';
import {
  threadBase, threadBlocked, threadInIpc, threadSetResult, THREAD_NONE, TS_FREE, TS_RUNNING, TS_RUNNABLE, TS_FUTEX, TS_WAIT, TS_VFORK,
  TS_SLEEP, TS_IPC_REPLY, TS_HOSTCALL,
} from './thread';
import { threadWake } from './sched';
import { ipcUnlink } from './ipc';
import { writeUser32 } from './usercopy';

export const STF_SAVED: u32 = 1; // ST_SAVED holds the mask rt_sigsuspend replaced; restored after its handler
export const STF_SUSPEND: u32 = 2; // blocked in rt_sigsuspend (TS_SLEEP without a deadline)

/** Default actions. */
export const DEF_TERM: u32 = 0, DEF_CORE: u32 = 1, DEF_IGNORE: u32 = 2, DEF_STOP: u32 = 3, DEF_CONT: u32 = 4;
/** What a send did: queued (or delivered on return), fatal (the caller kills the process), or discarded. */
export const SEND_QUEUED: u32 = 0, SEND_FATAL: u32 = 1, SEND_DROPPED: u32 = 2;

// @ts-ignore: decorator
@inline export function sigBit(sig: u32): u64 {
  return (1 as u64) << ((sig - 1) as u64);
}
/** SIGKILL and SIGSTOP: never blocked, caught or ignored. */
export const SIG_UNBLOCKABLE: u64 = ((1 as u64) << 8) | ((1 as u64) << 18);
/** The synchronous signals, which Linux dequeues before the others. */
const SIG_SYNC: u64 = ((1 as u64) << 10) | ((1 as u64) << 6) | ((1 as u64) << 3) | ((1 as u64) << 4) |
  ((1 as u64) << 7) | ((1 as u64) << 30);

/** The Linux default action of sig (DEF_*). */
export function sigDefault(sig: u32): u32 {
  if (sig == SIGQUIT || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGBUS || sig == SIGFPE ||
    sig == SIGSEGV || sig == SIGXCPU || sig == SIGXFSZ || sig == SIGSYS) return DEF_CORE;
  if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH) return DEF_IGNORE;
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) return DEF_STOP;
  if (sig == SIGCONT) return DEF_CONT;
  return DEF_TERM;
}

/** True when process p ended by a signal whose default action dumps core (waitid's CLD_DUMPED). */
export function sigCoreDumped(p: u32): bool {
  const s = load<u32>(procBase(p) + P_SIGNAL);
  return s >= 1 && s <= NSIG && sigDefault(s) == DEF_CORE;
}

/** The disposition of sig (1..NSIG) in process p. */
export function actBase(p: u32, sig: u32): u32 {
  assert(sig >= 1 && sig <= NSIG, 'signal number out of range');
  return sigProcBase(p) + SP_ACTIONS + (sig - 1) * SIGACT_BYTES;
}

/** The pending record of sig in a thread's (ST_INFO) or a process's (SP_INFO) table. */
function recBase(table: u32, sig: u32): u32 {
  return table + (sig - 1) * SIGREC_BYTES;
}

/** True when p's disposition discards sig: SIG_IGN, or SIG_DFL with an ignore, stop or continue default. */
export function sigIgnored(p: u32, sig: u32): bool {
  const h = load<u32>(actBase(p, sig) + ACT_HANDLER);
  if (h == SIG_IGN) return sig != SIGKILL && sig != SIGSTOP;
  return h == SIG_DFL && sigDefault(sig) >= DEF_IGNORE;
}

/** True when sig's action in p ends the process (SIG_DFL with a terminate or core default). */
export function sigFatal(p: u32, sig: u32): bool {
  return load<u32>(actBase(p, sig) + ACT_HANDLER) == SIG_DFL && sigDefault(sig) <= DEF_CORE;
}

function blocks(t: u32, sig: u32): bool {
  return (load<u64>(sigThreadBase(t) + ST_BLOCKED) & sigBit(sig)) != 0;
}

/** Signals thread t of process p could take now (pending and not blocked). */
// @ts-ignore: decorator
@inline function deliverable(t: u32, p: u32): u64 {
  const sb = sigThreadBase(t);
  return (load<u64>(sb + ST_PENDING) | load<u64>(sigProcBase(p) + SP_PENDING)) & ~load<u64>(sb + ST_BLOCKED);
}

/**
 * True when the thread on its way back to user mode has signal work: a deliverable signal, an interrupted
 * call to settle, or a mask to restore. Read without the lock (a send that races is seen next time).
 */
export function sigWork(t: u32, p: u32): bool {
  const sb = sigThreadBase(t);
  return deliverable(t, p) != 0 || load<u32>(sb + ST_RESTART) != 0 || (load<u32>(sb + ST_FLAGS) & STF_SAVED) != 0;
}

/** The signal thread t takes next: its own before its process's, synchronous ones first, then the lowest; 0: none. */
export function sigNext(t: u32, p: u32): u32 {
  const sb = sigThreadBase(t);
  const open = ~load<u64>(sb + ST_BLOCKED);
  let x = load<u64>(sb + ST_PENDING) & open;
  if (x == 0) x = load<u64>(sigProcBase(p) + SP_PENDING) & open;
  if (x == 0) return 0;
  if ((x & SIG_SYNC) != 0) x &= SIG_SYNC;
  return (ctz<u64>(x) as u32) + 1;
}

/** Take pending sig off thread t (its own set first, then its process's), its record copied to out (SIGREC_BYTES). */
export function sigTake(t: u32, p: u32, sig: u32, out: u32): void {
  const bit = sigBit(sig);
  const sb = sigThreadBase(t), pb = sigProcBase(p);
  if ((load<u64>(sb + ST_PENDING) & bit) != 0) {
    store<u64>(sb + ST_PENDING, load<u64>(sb + ST_PENDING) & ~bit);
    memory.copy(out, recBase(sb + ST_INFO, sig), SIGREC_BYTES);
    return;
  }
  assert((load<u64>(pb + SP_PENDING) & bit) != 0, 'signal: taking a signal that is not pending');
  store<u64>(pb + SP_PENDING, load<u64>(pb + SP_PENDING) & ~bit);
  memory.copy(out, recBase(pb + SP_INFO, sig), SIGREC_BYTES);
}

/** Discard pending sig everywhere in p (its disposition now ignores it). */
export function sigFlush(p: u32, sig: u32): void {
  const bit = sigBit(sig);
  const pb = sigProcBase(p);
  store<u64>(pb + SP_PENDING, load<u64>(pb + SP_PENDING) & ~bit);
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) == TS_FREE || load<u32>(b + T_PROC) != p) continue;
    const sb = sigThreadBase(t);
    store<u64>(sb + ST_PENDING, load<u64>(sb + ST_PENDING) & ~bit);
  }
}

function recPut(rec: u32, code: i32, pid: u32, addr: u32, cause: u32): void {
  store<i32>(rec + SIGREC_CODE, code);
  store<u32>(rec + SIGREC_PID, pid);
  store<u32>(rec + SIGREC_ADDR, addr);
  store<u32>(rec + SIGREC_CAUSE, cause);
}

/** Queue sig on thread t with its siginfo (a second instance of a pending signal is merged into the first). */
export function sigQueueThread(t: u32, sig: u32, code: i32, pid: u32, addr: u32, cause: u32): void {
  const sb = sigThreadBase(t);
  const bit = sigBit(sig);
  if ((load<u64>(sb + ST_PENDING) & bit) != 0) return;
  recPut(recBase(sb + ST_INFO, sig), code, pid, addr, cause);
  store<u64>(sb + ST_PENDING, load<u64>(sb + ST_PENDING) | bit);
}

/** A caller waiting for the host should stop: set R_CANCEL on its record (nothing when it waits for one). */
export function sigCancelHostcall(t: u32): void {
  const b = threadBase(t);
  if (load<u32>(b + T_STATE) != TS_HOSTCALL) return;
  const slot = load<u32>(b + T_HC_SLOT);
  if (slot != 0) atomic.store<u32>(ringRecord(slot - 1) + R_CANCEL, 1);
}

/** Nanoseconds in `ticks` of the virtual clock. */
function nsOfTicks(ticks: u64): u64 {
  const tb = load<u32>(KS + KS_TIMEBASE_HZ) as u64;
  return (ticks / tb) * 1_000_000_000 + ((ticks % tb) * 1_000_000_000) / tb;
}

/**
 * A relative clock_nanosleep of t is interrupted: write the time left into its rmtp (a3) when it gave one.
 * ERESTARTNOHAND (-EINTR once a handler runs), or EFAULT when rmtp cannot be written, as Linux.
 */
function sleepLeft(t: u32, now: u64): u32 {
  const b = threadBase(t);
  const flags = load<u32>(b + T_REGS + 11 * 4), rmtp = load<u32>(b + T_REGS + 13 * 4);
  if ((flags & TIMER_ABSTIME) != 0 || rmtp == 0) return ERESTARTNOHAND;
  const d = load<u64>(b + T_DEADLINE);
  const ns = nsOfTicks(d > now ? d - now : 0);
  const sec = ns / 1_000_000_000, nsec = ns % 1_000_000_000;
  const satp = load<u32>(procBase(load<u32>(b + T_PROC)) + P_SATP);
  const ok = writeUser32(satp, rmtp, sec as u32) && writeUser32(satp, rmtp + 4, (sec >> 32) as u32) &&
    writeUser32(satp, rmtp + 8, nsec as u32) && writeUser32(satp, rmtp + 12, 0);
  return ok ? ERESTARTNOHAND : EFAULT;
}

/**
 * A signal t does not block arrived: if t is blocked in the kernel, wake it with an ERESTART* result.
 * Futex waits and IPC send/receive waits restart under SA_RESTART (a timed futex wait gets -EINTR, as
 * Linux's restart block), sleeps and rt_sigsuspend return -EINTR; any other blocked state (threadBlocked)
 * is taken as ERESTARTSYS. A client whose request a server holds (TS_IPC_REPLY) waits on for the reply.
 */
export function sigKick(t: u32, now: u64): void {
  const b = threadBase(t);
  const s = load<u32>(b + T_STATE);
  if (s == TS_HOSTCALL) { sigCancelHostcall(t); return; }
  // A vfork parent waits for its child whatever comes (Linux's wait is killable only).
  if (!threadBlocked(s) || s == TS_IPC_REPLY || s == TS_VFORK) return;
  // waitid blocks with pc on its ecall (a child's end runs it again): past it, as the other waits are.
  if (s == TS_WAIT) store<u32>(b + T_PC, load<u32>(b + T_PC) + 4);
  const sb = sigThreadBase(t);
  let code = ERESTARTSYS;
  if (s == TS_SLEEP) code = (load<u32>(sb + ST_FLAGS) & STF_SUSPEND) != 0 ? ERESTARTNOHAND : sleepLeft(t, now);
  else if (s == TS_FUTEX && load<u32>(b + T_REGS + 13 * 4) != 0) code = ERESTARTNOHAND;
  if (threadInIpc(s)) ipcUnlink(t);
  store<u32>(sb + ST_FLAGS, load<u32>(sb + ST_FLAGS) & ~STF_SUSPEND);
  threadSetResult(t, -code);
  store<u32>(sb + ST_RESTART, code == EFAULT ? 0 : code);
  threadWake(t, now);
}

/**
 * Send sig to thread t (tkill, tgkill, a host's signal). Discarded when ignored and not blocked; SEND_FATAL
 * when its default action ends the process (nothing queued: the caller kills); else queued, and t woken
 * if it is blocked and does not block sig.
 */
export function sigSendThread(t: u32, sig: u32, code: i32, pid: u32, addr: u32, cause: u32, now: u64): u32 {
  const p = load<u32>(threadBase(t) + T_PROC);
  const blocked = blocks(t, sig);
  if (!blocked && sigIgnored(p, sig)) return SEND_DROPPED;
  if (!blocked && sigFatal(p, sig)) return SEND_FATAL;
  sigQueueThread(t, sig, code, pid, addr, cause);
  if (!blocked) sigKick(t, now);
  return SEND_QUEUED;
}

/** The main thread of p (tid == pid), or THREAD_NONE when it has gone. */
function mainThread(p: u32): u32 {
  const pid = load<u32>(procBase(p) + P_PID);
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    if (load<u32>(b + T_STATE) != TS_FREE && load<u32>(b + T_PROC) == p && load<u32>(b + T_TID) == pid) return t;
  }
  return THREAD_NONE;
}

/**
 * Send sig to process p (kill, SIGCHLD). Discarded when ignored and the main thread does not block it;
 * SEND_FATAL when its default action ends the process and some thread does not block it; else queued on
 * the process. Whom to wake, as Linux: nobody when a thread that takes it is running or runnable (or is
 * the sender, which takes it on its way back), else the main thread, else the first blocked thread that
 * does not block it. sender: the sending thread, or THREAD_NONE.
 */
export function sigSendProc(p: u32, sig: u32, code: i32, pid: u32, addr: u32, cause: u32, now: u64, sender: u32): u32 {
  if (sig == SIGKILL) return SEND_FATAL;
  const main = mainThread(p);
  if (sigIgnored(p, sig) && (main == THREAD_NONE || !blocks(main, sig))) return SEND_DROPPED;
  let awake = false;
  let wake = THREAD_NONE;
  for (let t: u32 = 0; t < THREADS_MAX; t++) {
    const b = threadBase(t);
    const s = load<u32>(b + T_STATE);
    if (s == TS_FREE || load<u32>(b + T_PROC) != p || blocks(t, sig)) continue;
    if (s == TS_RUNNING || s == TS_RUNNABLE || t == sender) awake = true;
    else if (wake == THREAD_NONE || t == main) wake = t;
  }
  // Fatal once some thread takes it; while every thread blocks it, it waits pending, as on Linux.
  if ((awake || wake != THREAD_NONE) && sigFatal(p, sig)) return SEND_FATAL;
  const pb = sigProcBase(p);
  const bit = sigBit(sig);
  if ((load<u64>(pb + SP_PENDING) & bit) == 0) {
    recPut(recBase(pb + SP_INFO, sig), code, pid, addr, cause);
    store<u64>(pb + SP_PENDING, load<u64>(pb + SP_PENDING) | bit);
  }
  if (!awake && wake != THREAD_NONE) sigKick(wake, now);
  return SEND_QUEUED;
}

/**
 * A child of process `parent` ended (for waitid's caller): SIGCHLD to the parent, with si_code CLD_EXITED,
 * CLD_KILLED or CLD_DUMPED, the child's pid and its status (exit code or signal). Ignored by default.
 */
export function sigChildEnded(parent: u32, childPid: u32, code: u32, status: u32, now: u64): void {
  sigSendProc(parent, SIGCHLD, <i32>code, childPid, status, KILL_SIGNAL + SIGCHLD, now, THREAD_NONE);
}

/** True when parent's children are reaped as they end (SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT), as Linux. */
export function sigChildAutoReap(parent: u32): bool {
  const a = actBase(parent, SIGCHLD);
  return load<u32>(a + ACT_HANDLER) == SIG_IGN || (load<u32>(a + ACT_FLAGS) & SA_NOCLDWAIT) != 0;
}

/**
 * The host answered t's call (a0 is set): an ERESTART* result is settled on its way back to user mode; a
 * signal the host asks for is raised on t as tgkill would (si_code SI_USER, its own pid, as Linux's
 * send_sig). True when that signal's default action ends the process: the caller kills it, as before.
 */
export function sigHostAnswer(t: u32, result: u32, signal: u32, now: u64): bool {
  if (result == -ERESTARTSYS || result == -ERESTARTNOINTR || result == -ERESTARTNOHAND) {
    store<u32>(sigThreadBase(t) + ST_RESTART, -result);
  }
  if (signal == 0 || signal > NSIG) return false;
  const pid = load<u32>(procBase(load<u32>(threadBase(t) + T_PROC)) + P_PID);
  return sigSendThread(t, signal, <i32>SI_USER, pid, 0, KILL_HOST + signal, now) == SEND_FATAL;
}

/** execve: handled signals go back to SIG_DFL (ignored ones stay ignored), flags and masks cleared; pending and blocked kept. */
export function sigExecReset(p: u32): void {
  for (let sig: u32 = 1; sig <= NSIG; sig++) {
    const a = actBase(p, sig);
    if (load<u32>(a + ACT_HANDLER) != SIG_IGN) store<u32>(a + ACT_HANDLER, SIG_DFL);
    store<u32>(a + ACT_FLAGS, 0);
    store<u64>(a + ACT_MASK, 0);
  }
}

/** fork: the child process gets the parent's dispositions and, on its thread, the forking thread's mask; nothing pending. */
export function sigForkCopy(parent: u32, child: u32, parentThread: u32, childThread: u32): void {
  memory.copy(sigProcBase(child), sigProcBase(parent), SIGPROC_BYTES);
  store<u64>(sigProcBase(child) + SP_PENDING, 0);
  const cb = sigThreadBase(childThread);
  store<u64>(cb + ST_PENDING, 0);
  store<u64>(cb + ST_BLOCKED, load<u64>(sigThreadBase(parentThread) + ST_BLOCKED));
}

/** A new thread of the same process starts with its creator's mask (clone). */
export function sigThreadInherit(creator: u32, child: u32): void {
  store<u64>(sigThreadBase(child) + ST_BLOCKED, load<u64>(sigThreadBase(creator) + ST_BLOCKED));
}

export { SIG_DFL, SIG_IGN };
