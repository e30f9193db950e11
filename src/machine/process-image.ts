// Capturing a process into an image (process-image-check.ts has the types): every mapped user page with its
// permissions and bytes, the VMAs, the brk and stack bounds, one thread's registers, the signal state and the
// process's identity, read from the kernel's tables (abi/defs.mjs) of a machine that is not running: in
// deterministic mode (between slices, or inside a host service, where the hart has returned to the host), never
// in threaded mode. forkChildImage turns a capture at a fork into the image of the child. Pages mapped by a 4 MiB
// superpage (tests only) are not captured, as a fork does not inherit them.
import type { Machine } from './machine.js';
import type { FileServer } from './file-syscalls.js';
import { forEachLeaf } from './page-walk.js';
import {
  KS, KS_THREADED, PROC_BASE, PROC_BYTES, P, THREAD_BASE, THREAD_BYTES, T_REGS, T_PC, T_TID, T_PROC, T_HART,
  T_CLEAR_TID, H_REGS, H_PC, hartBase, vmaTable, VMA_BYTES, V_START, V_END, V_PROT, V_FLAGS, sigProcBase,
  sigThreadBase, SP_PENDING, SP_ACTIONS, SP_INFO, ST_BLOCKED, ST_PENDING, ST_INFO, SIGACT_BYTES, ACT_HANDLER,
  ACT_FLAGS, ACT_MASK, SIGREC_BYTES, SIGREC_CODE, SIGREC_PID, SIGREC_ADDR, SIGREC_CAUSE, NSIG, PTE, PAGE_BYTES,
  THREADS_MAX, PROCS_MAX, SYS, SIGCHLD, CSIGNAL, CLONE_VM, CLONE_SETTLS, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID,
  PIMG_PROC_NOT_LIVE, PIMG_PROC_SHARED_VM, PIMG_THREAD_FREE, PIMG_THREAD_USER, PIMG_THREAD_HOSTCALL,
  PIMG_THREAD_BLOCKED, PIMG_THREAD_FUTEX, PIMG_THREAD_SLEEP, PIMG_THREAD_WAITID, T_HC_SLOT, T_STATE, TS_HOSTCALL, R, RING_STATE,
  ringRecord, H_MTIME, T_DEADLINE, T_FUTEX_KEY, T_FUTEX_SPACE, T_WAIT_SEQ,
} from './layout.js';
import {
  ImageError, ImageBusyError, PROCESS_IMAGE_FORMAT, type ProcessImage, type ImagePage, type ImageThread, type ImageSiginfo,
  type ImageSigaction, type ImageVma, type ImageHost, type ImageFutexWait,
} from './process-image-check.js';

export interface CaptureOptions {
  /** The thread to copy, by tid; default the process's only thread. */
  readonly tid?: number;
  /**
   * The image of the child a fork at the thread's system call makes (forkChildImage): the process may then
   * have other threads (only this one is copied).
   */
  readonly forChild?: boolean;
  /** The host's tables: the process's cwd and umask go into the image's host part. */
  readonly files?: FileServer;
  /**
   * The whole process, as a migration moves it: every thread (in user mode, in a futex wait or asleep, carried
   * with the time it has left, or in waitid, carried on its ecall) and its CLOCK_MONOTONIC. Threads waiting for
   * the host (ImageBusyError), in IPC or a vfork are refused.
   */
  readonly whole?: boolean;
}

export const procSlot = (p: number): number => PROC_BASE + p * PROC_BYTES;
export const threadSlot = (t: number): number => THREAD_BASE + t * THREAD_BYTES;

/** The machine runs no hart now (deterministic mode, not started, or its harts paused): the precondition of capture and restore. */
export function assertStopped(machine: Machine, what: string): void {
  if (machine.u32(KS + KS_THREADED) !== 0 && !machine.hartsPaused) throw new ImageError(`${what} needs a machine in deterministic mode (between slices); this one runs its harts on worker threads`);
}

/** The signals of a 64-bit set, lowest first. */
export function setSignals(set: bigint): number[] {
  const out: number[] = [];
  for (let s = 1; s <= NSIG; s++) if ((set >> BigInt(s - 1)) & 1n) out.push(s);
  return out;
}

export function signalsSet(signals: readonly number[]): bigint {
  return signals.reduce((m, s) => m | (1n << BigInt(s - 1)), 0n);
}

/** The pending signals of a set whose siginfo records start at info. */
function readPending(machine: Machine, set: bigint, info: number): ImageSiginfo[] {
  return setSignals(set).map((signal) => {
    const r = info + (signal - 1) * SIGREC_BYTES;
    return { signal, code: machine.view.getInt32(r + SIGREC_CODE, true), pid: machine.u32(r + SIGREC_PID), addr: machine.u32(r + SIGREC_ADDR), cause: machine.u32(r + SIGREC_CAUSE) };
  });
}

function readActions(machine: Machine, p: number): ImageSigaction[] {
  const out: ImageSigaction[] = [];
  for (let signal = 1; signal <= NSIG; signal++) {
    const a = sigProcBase(p) + SP_ACTIONS + (signal - 1) * SIGACT_BYTES;
    const handler = machine.u32(a + ACT_HANDLER), flags = machine.u32(a + ACT_FLAGS), mask = machine.u64(a + ACT_MASK);
    if (handler !== 0 || flags !== 0 || mask !== 0n) out.push({ signal, handler, flags, mask: setSignals(mask) });
  }
  return out;
}

function readVmas(machine: Machine, p: number): ImageVma[] {
  const out: ImageVma[] = [];
  for (let i = 0; i < machine.u32(procSlot(p) + P.VMAS); i++) {
    const v = vmaTable(p) + i * VMA_BYTES;
    out.push({ start: machine.u32(v + V_START), end: machine.u32(v + V_END), prot: machine.u32(v + V_PROT), flags: machine.u32(v + V_FLAGS) });
  }
  return out;
}

function isZero(machine: Machine, host: number): boolean {
  const words = new Uint32Array(machine.memory.buffer, host, PAGE_BYTES / 4);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

/** One leaf PTE as an image page (its bytes copied out of the machine's memory). */
export function pageOf(machine: Machine, va: number, pte: number): ImagePage {
  if ((pte & PTE.U) === 0) throw new ImageError(`the page at 0x${va.toString(16)} is not a user page (PTE 0x${pte.toString(16)})`);
  const host = machine.host((pte >>> 10) * PAGE_BYTES);
  const kind = (pte & PTE.SHARED) !== 0 ? 'shared' : (pte & PTE.COW) !== 0 ? 'cow' : 'private';
  return {
    va, r: (pte & PTE.R) !== 0, w: (pte & (PTE.W | PTE.COW)) !== 0, x: (pte & PTE.X) !== 0, kind, parked: (pte & PTE.V) === 0,
    data: isZero(machine, host) ? 'zero' : machine.bytes.slice(host, host + PAGE_BYTES),
  };
}

/** Every page the address space of root maps (a PROT_NONE page's kept frame too), by address. */
export function readPages(machine: Machine, root: number): ImagePage[] {
  const out: ImagePage[] = [];
  forEachLeaf(machine, root, (va, pte) => { out.push(pageOf(machine, va, pte)); });
  return out;
}

/** The thread slots of process p and what each holds (procImageThreadState). */
function threadsOf(machine: Machine, p: number): { t: number; state: number }[] {
  const out: { t: number; state: number }[] = [];
  for (let t = 0; t < THREADS_MAX; t++) {
    const state = machine.kernel.procImageThreadState(t);
    if (state !== PIMG_THREAD_FREE && machine.u32(threadSlot(t) + T_PROC) === p) out.push({ t, state });
  }
  return out;
}

/** The thread to capture: the one named, or the only one; in a state whose registers are its own. */
function pickThread(machine: Machine, p: number, pid: number, opts: CaptureOptions): { t: number; state: number } {
  const threads = threadsOf(machine, p);
  if (threads.length > 1 && opts.forChild !== true) {
    throw new ImageError(`process ${pid} has ${threads.length} threads: only a single-threaded process can be captured whole (a fork's child copies one thread: forChild with its tid)`);
  }
  const named = opts.tid === undefined ? undefined : threads.find((x) => machine.u32(threadSlot(x.t) + T_TID) === opts.tid);
  if (opts.tid !== undefined && named === undefined) throw new ImageError(`process ${pid} has no thread ${opts.tid}`);
  if (named === undefined && threads.length !== 1) throw new ImageError(`process ${pid} has ${threads.length} threads: name the one to copy (tid)`);
  const pick = named ?? threads[0]!;
  const tid = machine.u32(threadSlot(pick.t) + T_TID);
  if (pick.state === PIMG_THREAD_BLOCKED || (pick.state !== PIMG_THREAD_USER && carried(pick.state))) throw new ImageError(`thread ${tid} of process ${pid} is blocked in the kernel (a futex, a sleep, waitid, IPC or vfork): capture it while it runs or waits for the host`);
  if (pick.state !== PIMG_THREAD_USER && pick.state !== PIMG_THREAD_HOSTCALL) throw new ImageError(`thread ${tid} of process ${pid} is between a signal's wake-up and its return to user mode, or leaving after an exec: capture it after its next slice`);
  if (opts.forChild === true && pick.state !== PIMG_THREAD_HOSTCALL) throw new ImageError(`thread ${tid} of process ${pid} is not in a system call: a fork's child is captured at the parent's fork`);
  return pick;
}

/** T_DEADLINE of a wait with no deadline (the kernel's TIMER_DISARMED). */
export const DEADLINE_NONE = 0xffff_ffff_ffff_ffffn;

/** The machine's time in mtime ticks (between slices every hart has the same). */
export function machineTicks(machine: Machine): bigint {
  return machine.u64(hartBase(0) + H_MTIME);
}

/** A process's CLOCK_MONOTONIC in ns: the machine's, plus the offset it brought from where it ran before. */
export function processMonotonicNs(machine: Machine, proc: number): bigint {
  return (machineTicks(machine) * 1_000_000_000n) / BigInt(machine.timebase_hz) + machine.u64(procSlot(proc) + P.MONO_OFFSET);
}

/** Whether a thread in this state (procImageThreadState) is one a migration carries: user mode, a futex wait, a sleep, a waitid. */
const carried = (state: number): boolean =>
  state === PIMG_THREAD_USER || state === PIMG_THREAD_FUTEX || state === PIMG_THREAD_SLEEP || state === PIMG_THREAD_WAITID;

/** Every thread of a whole process, the one whose tid is the pid first; each in a state a migration carries. */
function wholeThreads(machine: Machine, p: number, pid: number): ImageThread[] {
  const threads = threadsOf(machine, p);
  const now = machineTicks(machine);
  const out = threads.map(({ t, state }) => {
    const tid = machine.u32(threadSlot(t) + T_TID);
    if (state === PIMG_THREAD_HOSTCALL) throw new ImageBusyError(`thread ${tid} of process ${pid} waits for the host (a system call the host answers later): move it once the call is answered`);
    if (!carried(state)) {
      throw new ImageBusyError(`thread ${tid} of process ${pid} is blocked in IPC or a vfork, or is between a signal and user mode: move it later`);
    }
    const th = readThread(machine, t, false);
    // A waitid caller has its pc on the ecall: where it runs next it calls waitid again.
    if (state === PIMG_THREAD_USER || state === PIMG_THREAD_WAITID) return th;
    const deadline = machine.u64(threadSlot(t) + T_DEADLINE);
    const left = deadline === DEADLINE_NONE ? null : Number(((deadline > now ? deadline - now : 0n) * 1_000_000_000n + BigInt(machine.timebase_hz) - 1n) / BigInt(machine.timebase_hz));
    if (state === PIMG_THREAD_SLEEP) return { ...th, sleep_ns: left ?? 0 };
    return { ...th, futex: futexWaitOf(machine, p, t, pid, left) };
  });
  out.sort((a, b) => (a.tid === pid ? -1 : b.tid === pid ? 1 : a.tid - b.tid));
  if (out.length === 0) throw new ImageError(`process ${pid} has no thread`);
  return out;
}

/** The futex wait thread t is in: the word by its user address in process p (the kernel keys it by frame). */
function futexWaitOf(machine: Machine, p: number, t: number, pid: number, timeout_ns: number | null): ImageFutexWait {
  const tb = threadSlot(t);
  const key = machine.u32(tb + T_FUTEX_KEY);
  let page: number | null = null;
  forEachLeaf(machine, machine.u32(procSlot(p) + P.ROOT), (va, pte) => {
    if ((pte & PTE.V) === 0 || (pte >>> 10) !== Math.floor(key / PAGE_BYTES)) return false;
    page = va;
    return true;
  });
  if (page !== null) return { va: page + (key % PAGE_BYTES), shared: machine.u32(tb + T_FUTEX_SPACE) === 0, timeout_ns, order: Number(machine.u64(tb + T_WAIT_SEQ)) };
  throw new ImageError(`thread ${machine.u32(tb + T_TID)} of process ${pid} waits on a futex word its address space does not map`);
}

/**
 * Why a thread of process p other than thread `except` is not in a state a migration carries, or null. A process
 * that asked to move (Atoll's migrate call) is captured once every other thread is movable; its caller's own call
 * is answered just before (answerCallNow).
 */
export function busyThreadsExcept(machine: Machine, p: number, except: number): string | null {
  for (const { t, state } of threadsOf(machine, p)) {
    if (t === except || carried(state)) continue;
    return `thread ${machine.u32(threadSlot(t) + T_TID)} ${state === PIMG_THREAD_HOSTCALL ? 'waits for the host' : 'is blocked in IPC or a vfork, or between a signal and user mode'}`;
  }
  return null;
}

/**
 * Apply the answer of thread t's host call at once (complete has just answered it in the ring), between slices:
 * a caller parked on its hart resumes there, one that left its hart is reaped into the run queue; either way it
 * is then in user mode past its ecall, a0 the answer, and a capture carries it so.
 */
export function answerCallNow(machine: Machine, t: number, complete: () => void): void {
  assertStopped(machine, 'answering a host call at once');
  complete();
  const onHart = machine.u32(threadSlot(t) + T_HART);
  if (onHart !== 0) machine.kernel.hostcallResume(onHart - 1);
  else machine.kernel.hostcallReap(0);
}

/**
 * Apply now, between slices, the answers the host has given to process p's callers (answerCallNow's second
 * half, for every such thread); a call answered -ERESTARTSYS with no signal to deliver is then back on its ecall
 * in user mode (procSettleRestarts). How many threads of p still wait for the host.
 */
export function reapAnswered(machine: Machine, p: number): number {
  assertStopped(machine, 'reaping host answers');
  const answered = (t: number): boolean => {
    const record = machine.u32(threadSlot(t) + T_HC_SLOT);
    return record !== 0 && machine.u32(ringRecord(record - 1) + R.STATE) === RING_STATE.DONE;
  };
  const callers = threadsOf(machine, p).filter((x) => x.state === PIMG_THREAD_HOSTCALL).map((x) => x.t);
  let leftHarts = false;
  for (const t of callers.filter(answered)) {
    const onHart = machine.u32(threadSlot(t) + T_HART);
    if (onHart !== 0) machine.kernel.hostcallResume(onHart - 1);
    else leftHarts = true;
  }
  if (leftHarts) machine.kernel.hostcallReap(0); // every answered caller that left its hart, at once
  machine.kernel.procSettleRestarts(p);
  return callers.filter((t) => machine.u32(threadSlot(t) + T_STATE) === TS_HOSTCALL).length;
}

/** Set thread t's a0 (user mode, past an ecall answered by answerCallNow): the call returns value instead. */
export function setThreadResult(machine: Machine, t: number, value: number): void {
  const tb = threadSlot(t);
  const onHart = machine.u32(tb + T_HART);
  machine.view.setUint32((onHart !== 0 ? hartBase(onHart - 1) + H_REGS : tb + T_REGS) + 10 * 4, value >>> 0, true);
}

/** Registers, pc and signal state of thread t (in its hart's block while it is on a hart). */
function readThread(machine: Machine, t: number, inCall: boolean): ImageThread {
  const tb = threadSlot(t);
  const onHart = machine.u32(tb + T_HART);
  const regsAt = onHart !== 0 ? hartBase(onHart - 1) + H_REGS : tb + T_REGS;
  const pc = machine.u32(onHart !== 0 ? hartBase(onHart - 1) + H_PC : tb + T_PC);
  const regs = Array.from({ length: 32 }, (_, r) => (r === 0 ? 0 : machine.u32(regsAt + r * 4)));
  const sb = sigThreadBase(t);
  return {
    tid: machine.u32(tb + T_TID), regs, pc, syscall: inCall ? regs[17]! : null, clear_tid: machine.u32(tb + T_CLEAR_TID),
    set_child_tid: 0, blocked: setSignals(machine.u64(sb + ST_BLOCKED)), pending: readPending(machine, machine.u64(sb + ST_PENDING), sb + ST_INFO),
  };
}

/**
 * The image of process proc (its slot index, as HostCall.proc) of a machine that is not running. Throws an
 * ImageError for a process that is not live, a vfork child (its memory is its parent's), several threads
 * (unless forChild), or a thread blocked in the kernel.
 */
export function captureProcess(machine: Machine, proc: number, opts: CaptureOptions = {}): ProcessImage {
  assertStopped(machine, 'capturing a process');
  if (!Number.isInteger(proc) || proc < 0 || proc >= PROCS_MAX) throw new ImageError(`process slot ${proc} is outside 0..${PROCS_MAX - 1}`);
  const b = procSlot(proc);
  const pid = machine.u32(b + P.PID);
  const ps = machine.kernel.procImageProcState(proc);
  if (ps === PIMG_PROC_NOT_LIVE) throw new ImageError(`process slot ${proc} holds no live process`);
  if (ps === PIMG_PROC_SHARED_VM) throw new ImageError(`process ${pid} is a vfork child running in its parent's memory: capture it after its execve`);
  const whole = opts.whole === true ? wholeThreads(machine, proc, pid) : null;
  const pick = whole === null ? pickThread(machine, proc, pid, opts) : null;
  const files = opts.files?.files(pid);
  const host: ImageHost | null = files === undefined ? null : { cwd: files.fs.cwd, umask: files.fs.umask };
  const image: ProcessImage = {
    format: PROCESS_IMAGE_FORMAT, pid, ppid: machine.u32(b + P.PPID), pgid: machine.u32(b + P.PGID), sid: machine.u32(b + P.SID),
    exit_signal: machine.u32(b + P.EXIT_SIGNAL),
    brk: { start: machine.u32(b + P.BRK_START), current: machine.u32(b + P.BRK), max: machine.u32(b + P.BRK_MAX) },
    stack_low: machine.u32(b + P.STACK_LOW), vmas: readVmas(machine, proc), pages: readPages(machine, machine.u32(b + P.ROOT)),
    thread: whole !== null ? whole[0]! : readThread(machine, pick!.t, pick!.state === PIMG_THREAD_HOSTCALL),
    ...(whole !== null ? { threads: whole.slice(1), monotonic_ns: Number(processMonotonicNs(machine, proc)) } : {}),
    actions: readActions(machine, proc),
    pending: readPending(machine, machine.u64(sigProcBase(proc) + SP_PENDING), sigProcBase(proc) + SP_INFO), host,
  };
  return opts.forChild === true ? forkChildImage(image) : image;
}

/**
 * The image of the child a fork makes at the system call the image's thread is in, as the kernel's fork does
 * (assembly/fork.ts): a0 = 0 and pc past the ecall, the parent's dispositions and the thread's mask, nothing
 * pending, no pid yet (restoreProcess gives one), the parent as ppid; for a clone, its flags' exit signal and
 * its new stack, TLS and child-tid arguments (CLONE_CHILD_SETTID is written when the pid is known).
 */
export function forkChildImage(image: ProcessImage): ProcessImage {
  const th = image.thread;
  if (th.syscall === null) throw new ImageError('a fork child\'s image needs a thread captured in a system call (its fork)');
  const regs = [...th.regs];
  const clone = th.syscall === SYS.clone;
  const [flags, newsp, , tls, ctid] = regs.slice(10, 15) as [number, number, number, number, number];
  if (clone && (flags & CLONE_VM) !== 0) throw new ImageError(`clone flags 0x${flags.toString(16)} share the address space (a thread or a vfork), not a fork`);
  regs[10] = 0;
  if (clone && newsp !== 0) regs[2] = newsp;
  if (clone && (flags & CLONE_SETTLS) !== 0) regs[4] = tls;
  const exit_signal = clone ? flags & CSIGNAL : SIGCHLD;
  if (exit_signal === 0) throw new ImageError('clone flags name no exit signal (the low byte must be SIGCHLD)');
  const thread: ImageThread = {
    ...th, regs, pc: (th.pc + 4) >>> 0, syscall: null, pending: [],
    clear_tid: clone && (flags & CLONE_CHILD_CLEARTID) !== 0 ? ctid : 0,
    set_child_tid: clone && (flags & CLONE_CHILD_SETTID) !== 0 ? ctid : 0,
  };
  const { threads: _others, ...single } = image; // a fork copies the calling thread only
  return { ...single, pid: 0, ppid: image.pid, exit_signal, pending: [], thread };
}
