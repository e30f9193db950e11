// Loads build/kernel.wasm (kernel-file.ts reads it): compiled once per process (module cache), instantiated with
// @assemblyscript/loader over a machine's shared WebAssembly.Memory. The exports are typed here. At load the
// kernel's interface version and every shared number it was compiled with (abiValue) are compared with the
// host's (abi.ts, both generated from abi/defs.mjs), so a stale kernel.wasm fails with one clear error.
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { InputError } from '../base/index.js';
import { ABI_TABLE, KERNEL_VERSION } from './abi.js';
import { readKernelWasm, readKernelWasmSync } from './kernel-file.js';

export { kernelWasmPath } from './kernel-file.js';

/** The kernel's entry points (see assembly/index.ts). Addresses and values are u32 unless noted. */
export interface KernelExports {
  kernelVersion(): number;
  /** Set up the machine: INIT_OK (0) or a negative INIT_* code (abi.ts). */
  machineInit(ram_bytes: number, harts: number): number;
  /** How many shared values the kernel reports (ABI_TABLE's length when they agree). */
  abiCount(): number;
  /** Shared value i the kernel was compiled with (u32), in ABI_TABLE's order. */
  abiValue(i: number): number;
  hartInit(hart: number, tick_insns: number, tlb_entries: number, tlb_ways: number): number;
  hartSetSatp(hart: number, satp: number): void;
  hartSyscallReturn(hart: number, result: number): void;
  run(hart: number, budget: number): number;
  dispatch(hart: number, budget: number): number;
  hartSetQuantum(hart: number, ticks: number): void;
  tlbConfigure(hart: number, entries: number, ways: number): number;
  tlbFlush(hart: number, va: number, asid: number, has_va: number, has_asid: number): void;
  /** The TLB's slow path for translated code: a host address, or 0 leaving no trace (assembly/tlb.ts). */
  jitTlbFill(h: number, t: number, va: number, access: number): number;
  timerArm(hart: number, lo: number, hi: number): void;
  timerDisarm(hart: number): void;
  timerAdvance(hart: number, lo: number, hi: number): void;
  /**
   * The host's clock for a hart (host-kept time): mtime becomes max(mtime, hi:lo), never earlier; sleepers
   * now due wake at the hart's next pick or timer interrupt. Call it between the hart's dispatch() calls, on
   * the thread that drives the hart (a running hart keeps mtime in Wasm locals).
   */
  hartSetTime(hart: number, lo: number, hi: number): void;
  /** Serve a TLB shootdown posted to hart (a paused hart's worker does, so a requester on another thread is not kept waiting). */
  shootdownServe(hart: number): void;
  frameAlloc(): number;
  frameFree(pa: number): number;
  framesUsed(): number;
  vmCreate(): number;
  vmMap(root: number, va: number, pa: number, flags: number): number;
  vmMapSuper(root: number, va: number, pa: number, flags: number): number;
  vmUnmap(root: number, va: number, free: number): number;
  vmPteAddress(root: number, va: number): number;
  vmTranslate(satp: number, va: number, access: number): number;
  framesFree(): number;
  kernelSetLockKind(kind: number): void;
  kernelSetClock(timebase_hz: number, realtime_lo: number, realtime_hi: number): void;
  kernelStart(policy: number, threaded: number): void;
  /**
   * on = 1: the host keeps every hart's mtime in step with its node's clock (hartSetTime); an idle machine
   * never moves its time forward to a sleeper's deadline. 0 (the default after machineInit): the tickless
   * idle jumps straight to the earliest deadline, as a lone machine always has.
   */
  kernelSetHostTime(on: number): void;
  /**
   * The earliest deadline (mtime ticks) of a sleeping thread (nanosleep, a timed futex wait), or
   * 0xffff_ffff_ffff_ffff when none sleeps. Wasm returns it as a signed i64: read it with
   * BigInt.asUintN(64, k.kernelNextDeadline()) (all ones comes back as -1n otherwise).
   */
  kernelNextDeadline(): bigint;
  /** on = 1: every fork (not vfork) is posted to the host, which places it (a cluster's machines). */
  kernelSetForkHost(on: number): void;
  /** Thread t's posted fork was placed on this machine: its next fork (the restarted ecall) runs here. */
  threadForkHere(t: number): void;
  kernelSetAsids(count: number): void;
  /**
   * A process the host loads, in address space root: its slot index, FRAME_NONE (u32) when the process
   * table is full, PROC_NO_PID when no pid is left in the machine's ranges (kernelPidLease).
   */
  procCreate(root: number): number;
  procSetMemory(proc: number, brk_start: number, brk_max: number, stack_low: number): void;
  procFrames(proc: number): number;
  procState(proc: number): number;
  procThreads(proc: number): number;
  threadCreateMain(proc: number, pc: number, sp: number): number;
  /** 1 when live threads exist but none can run and none has a deadline (a deadlock); never in cluster mode. */
  kernelStuck(): number;
  kernelKillAll(): number;
  hartKill(hart: number, signal: number): number;
  threadState(t: number): number;
  futexWaiters(key: number): number;
  sleepersCount(): number;
  /** Threads blocked in IPC (ipc_call or ipc_recv) on the machine. */
  ipcWaiters(): number;
  /** Requests delivered through endpoint id (0 for a free one), as a bigint (u64). */
  ipcEndpointCalls(id: number): bigint;
  /** Register an endpoint named name for process index proc (a cluster's ipc_register): its id or -errno. */
  ipcRegisterProc(proc: number, name: number): number;
  /** The id of the endpoint registered here under name, or -ENOENT. */
  ipcLookup(name: number): number;
  /** A free record for a request from another machine (write it at HR_BUF), or -EAGAIN. */
  ipcHostReserve(): number;
  /** Deliver reserved record r to the endpoint name of process pid: 0, -EBADF (none: freed), -EMSGSIZE, -EINVAL. */
  ipcHostDeliver(r: number, name: number, pid: number, len: number, rmax: number): number;
  /** Withdraw record r: 0 (had not reached a server: freed), -EBUSY (a server has it), -EINVAL. */
  ipcHostCancel(r: number): number;
  /** The first answered record, or -1. */
  ipcHostAnswered(): number;
  /** Free answered record r. */
  ipcHostFree(r: number): void;
  /** Resume the hart's caller parked in a host call if answered, else switch it out: PARK_NONE, PARK_RESUMED, PARK_LEFT or PARK_ENDED (its process ended). */
  hostcallResume(hart: number): number;
  /** Reap the answers of host callers that left their harts (a0 and pc, then the run queue); true when a process ended. */
  hostcallReap(hart: number): number;
  /** Threads waiting for the host (requests in flight, or waiting for a free ring record). */
  hostcallThreads(): number;
  /**
   * A file-backed private mapping's memory: reserve and populate len bytes in process proc (addr as mmap's,
   * MAP_FIXED in flags to insist), all frames present (PROT_NONE ones parked): the address, or -errno.
   */
  mmapPrivate(proc: number, addr: number, len: number, prot: number, flags: number): number;
  /** The physical address of the frame behind va in process proc (for copying file bytes in), or FRAME_NONE. */
  mmapFrame(proc: number, va: number): number;
  /** The reference count of the frame at pa (0: free). */
  frameRefs(pa: number): number;
  /** One more reference to the frame in use at pa (it outlives its mappings until frameFree): 1, or 0 for no such frame. */
  frameRetain(pa: number): number;
  /** P_FLAGS of process proc (PF_* in assembly/proc.ts). */
  procFlags(proc: number): number;
  /**
   * Host-kept pages (assembly/hostpage.ts, src/machine/host-pages.ts). The frame (physical address) of page va
   * of process proc; with make = 1 an empty PTE becomes a host-kept absent page with a fresh zeroed frame.
   * -EFAULT (no live process, outside user space, nothing there, a superpage), -ENOMEM.
   */
  hostPageFrame(proc: number, va: number, make: number): number;
  /**
   * Set page va's permissions (PTE_R|PTE_W|PTE_X; 0: absent here); without W it stays host-kept. Lowering
   * one shoots down every hart's TLB before returning. 0, -EFAULT, -EINVAL, -ENOMEM.
   */
  hostPageSet(proc: number, va: number, prot: number): number;
  /** on = 1: every fault of proc on a page with no PTE goes to the host. 0 or -EFAULT. */
  hostPagesAll(proc: number, on: number): number;
  /** Faults on host-kept pages of proc posted to the host (u64). */
  hostPageFaults(proc: number): bigint;
  /**
   * Install [start, start + count) as the spare pid range (assembly/pidlease.ts): every pid and tid comes
   * from the current range, and the spare becomes current when that is used up. 0, or -1 when a spare is
   * already installed, count or start is 0, or the range reaches past PID_LIMIT (0x8000_0000). After
   * machineInit the current range is [1, 0x7fff_ffff) with no spare, so a lone machine numbers from 1.
   * Safe while harts run on other threads.
   */
  kernelPidLease(start: number, count: number): number;
  /** Ids left in the current and the spare range together (u32). */
  kernelPidsLeft(): number;
  /**
   * No pid range at all: a cluster node starts so and leases a range before it loads its first process.
   * With none left, fork, vfork and clone fail with -EAGAIN and procCreate returns PROC_NO_PID.
   */
  kernelPidClear(): void;
  /**
   * on = 1 (cluster mode): a kill whose target is not a process of this machine, every kill with pid 0,
   * -1 or < -1, and a tkill/tgkill of a tid not here go to the host as host calls (their own numbers,
   * arguments as the guest gave them; the caller waits for the answer, which is the call's result). The
   * checks that do not depend on where the target is stay in the kernel (-EINVAL for a signal above NSIG,
   * a tid or tgid not positive; -ESRCH for kill(INT_MIN)). kernelStuck is then always 0. Off (default):
   * every kill is served here as on a lone machine.
   */
  kernelSetCluster(on: number): void;
  /**
   * Deliver sig to local process pid (or the process of the local thread with tid pid) as kill(2) does,
   * with si_code SI_USER and si_pid senderPid: 0, -ESRCH (no such process here; zombies are here and get
   * nothing), -EINVAL (pid not positive, sig above NSIG). sig 0 only checks. Takes the SCHED lock, so it is
   * safe while harts run on other threads; Atomics.notify KS_RQ_GEN afterwards so idle workers look.
   */
  kernelSignal(pid: number, sig: number, sender_pid: number): number;
  /**
   * Deliver sig to every local process of group pgid as kill(-pgid) does (SIGNAL_GROUP_HOST for the
   * host's group 0), or, with pgid SIGNAL_GROUP_ALL (0), to every local process but pid 1, as kill(-1);
   * never to exclude_pid (0: nobody). How many matched (zombies count, as for kill), or -EINVAL.
   */
  kernelSignalGroup(pgid: number, sig: number, sender_pid: number, exclude_pid: number): number;
  /**
   * Deliver sig to local thread tid of process tgid (0: any process) as tgkill (tkill) does, si_code
   * SI_TKILL and si_pid sender_pid: 0, -ESRCH, -EINVAL (tid not positive, tgid negative, sig above NSIG).
   */
  kernelThreadSignal(tgid: number, tid: number, sig: number, sender_pid: number): number;
  /**
   * A stand-in slot (PROC_REMOTE) for process child_pid, which runs on another machine, as a child of local
   * process parent_pid, in group pgid and session sid: no threads, no memory. waitid (P_ALL, P_PID, P_PGID)
   * counts it as a live child; in cluster mode a kill or tgkill at it goes to the host. The slot index, or
   * -ESRCH (no live process parent_pid here), -EAGAIN (no free slot), -EEXIST (child_pid is a process
   * here), -EINVAL (child_pid not positive).
   */
  procRemoteChild(parent_pid: number, child_pid: number, pgid: number, sid: number): number;
  /**
   * The process stand-in child_pid stands for ended: code CLD_EXITED (status: exit status 0..255),
   * CLD_KILLED or CLD_DUMPED (status: the signal). It becomes a zombie as a local child would (SIGCHLD to
   * the parent unless ignored; freed at once under SIGCHLD SIG_IGN or SA_NOCLDWAIT; waiting threads wake;
   * WNOWAIT works). 0, -ESRCH (no such stand-in), -EINVAL (a bad code or status).
   */
  procRemoteEnded(child_pid: number, code: number, status: number): number;
  /**
   * Stand-in child_pid's process elsewhere is now in group pgid and session sid (it changed them itself, or
   * agreed to its parent's setpgid): getpgid, getsid and waitid by group here see it. 0 or -ESRCH.
   */
  procRemoteGroup(child_pid: number, pgid: number, sid: number): number;
  /**
   * setpgid(pid, pgid) by process parent_pid on another machine, the parent of local process pid, after its
   * stand-in there passed the caller's checks: -EACCES (pid called execve), -EPERM (pid leads a session),
   * -ESRCH (no such process here with that parent elsewhere), -EINVAL; else 0 and pid's group is pgid (0: pid).
   */
  procSetGroupFor(pid: number, pgid: number, parent_pid: number): number;
  /** getpgid (sid 0) or getsid (sid 1) of process pid here (not a stand-in), for a caller on another machine: the id, or -ESRCH. */
  procIdOf(pid: number, sid: number): number;
  /**
   * Process proc (loaded by the host) has its parent on another machine: getppid returns ppid while
   * P_PARENT stays 0, so its end is a PEV_ENDED event in cluster mode. 0, or -ESRCH (no live process in
   * that slot, or it has a local parent).
   */
  procSetParentPid(proc: number, ppid: number): number;
  /**
   * Process proc's parent was on another machine, which went down: it becomes a child of this machine's first
   * process (keeping its group and session), or has no parent when there is none. The new ppid (0: none), or
   * -ESRCH (proc is no live process whose parent is elsewhere).
   */
  procOrphaned(proc: number): number;
  /**
   * Cluster mode: orphans here go to the process in slot proc (the cluster's first process, running here); with
   * proc >= PROCS_MAX to none here (each is posted as PEV_ORPHANED for the host to give elsewhere).
   */
  kernelSetInit(proc: number): void;
  /**
   * Process proc (loaded by the host for a spawn from this machine) becomes a child of local process
   * parent_pid, in its group and session: 0, or -ESRCH (no live parent, or proc not live or already a child).
   */
  procAdopt(proc: number, parent_pid: number): number;
  /** Whether process proc can be captured into an image: PIMG_PROC_OK, PIMG_PROC_NOT_LIVE or PIMG_PROC_SHARED_VM (a vfork child). */
  procImageProcState(proc: number): number;
  /** What thread slot t holds for a capture: PIMG_THREAD_FREE, _USER (registers its own), _HOSTCALL (pc on its ecall), _FUTEX, _SLEEP, _BLOCKED, _UNSETTLED. */
  procImageThreadState(t: number): number;
  /**
   * A new live process with an empty address space (P_ROOT), no thread, no parent, for an image to be restored
   * into: its slot, or PIMG_TABLE_FULL, PIMG_PID_IN_USE, PIMG_NO_MEMORY. pid 0 takes the allocator's next id.
   */
  procImageCreate(pid: number): number;
  /** The one thread (tid = pid) of a process procImageCreate made, runnable but not queued: its index, or FRAME_NONE. */
  procImageThread(proc: number): number;
  /**
   * A further thread with its own tid for a process being built (a migration carries every thread): its index,
   * THREAD_NONE (0xFFFFFFFF: the table is full) or PIMG_PID_IN_USE (a process or thread here has tid).
   */
  procImageThreadTid(proc: number, tid: number): number;
  /** Queue a thread procImageThread or procImageThreadTid made (its registers written): it runs from now on. */
  procImageRun(t: number): void;
  /**
   * Such a thread waits on the futex word at user address va instead (a wait a migration carried), private to its
   * process or shared (shared 1), until deadline (mtime ticks, lo and hi; all ones: none): 0, or -EFAULT.
   */
  procImageFutex(t: number, va: number, shared: number, deadline_lo: number, deadline_hi: number): number;
  /** Such a thread sleeps instead (a clock_nanosleep a migration carried) until deadline (mtime ticks, lo and hi). */
  procImageSleep(t: number, deadline_lo: number, deadline_hi: number): void;
  /**
   * Process proc leaves this machine, its image built elsewhere: every thread released, its memory freed, no end
   * seen here; a local parent keeps a stand-in. With family 1 its children here stay (their parent now
   * elsewhere: their ends are PEV_ENDED events) and its zombies and stand-ins go (the host carries them). PMIG_OK,
   * or with nothing changed PMIG_NOT_LIVE, PMIG_SHARED_VM, PMIG_FAMILY (children here and family 0, or one that
   * cannot be handed over) or PMIG_BUSY (a thread waits for the host, in IPC or a vfork, or is unsettled).
   */
  procMigrateOut(proc: number, family: number): number;
  /**
   * Every thread of live process proc waiting for the host is asked to stop (R_CANCEL, as a signal does): a wait
   * the host can take back answers -ERESTARTSYS and the call runs again in user mode. How many were asked.
   */
  procCancelHostcalls(proc: number): number;
  /**
   * Threads of live process proc whose call was answered with an ERESTART* code and that have not run since, with
   * no signal to deliver: their call is restarted now (pc on its ecall, a0 as it was). How many.
   */
  procSettleRestarts(proc: number): number;
  /**
   * A child of restored process proc as it was where proc ran before: with relink 1, a process here whose parent
   * was elsewhere with proc's pid is its local child again; else a stand-in (group, session, exit signal), a
   * zombie (no SIGCHLD) when code is CLD_EXITED / CLD_KILLED / CLD_DUMPED with status, running elsewhere when code
   * is 0; relink 0 makes the stand-in even beside a process here with that pid (a migration's copy not yet
   * running). The slot, or -ESRCH (proc not live), -EEXIST, -EAGAIN, -EINVAL.
   */
  procFamilyAttach(proc: number, child_pid: number, pgid: number, sid: number, exit_signal: number, code: number, status: number, relink: number): number;
  /** Clear every D bit of the process's PTEs and shoot down every TLB (pre-copy); how many were set, -1 not live. */
  procDirtyClear(proc: number): number;
  /**
   * Process proc (restored, not yet running) takes the place of the stand-in with its pid: the stand-in's parent
   * becomes its parent here. 0, or -ESRCH when no stand-in has its pid.
   */
  procStandInReplace(proc: number): number;
  /** Give back a process procImageCreate made that has no thread yet: its slot, its ASID and every frame its page tables hold. */
  procImageUndo(proc: number): void;
  /**
   * Raise sig on the live process pid with si_code code, si_pid sender_pid, si_uid 0 and si_value value (a
   * message queue's notification); now (lo, hi) is the virtual time of the send. 0, -ESRCH or -EINVAL.
   */
  sigHostRaise(pid: number, sig: number, code: number, sender_pid: number, value: number, now_lo: number, now_hi: number): number;
}

export { KERNEL_VERSION };

/**
 * The shared numbers kernel.wasm was compiled with differ from the host's: one error naming the first few,
 * or undefined when they agree.
 */
export function abiMismatch(k: Pick<KernelExports, 'abiCount' | 'abiValue'>): string | undefined {
  const diffs: string[] = [];
  for (let i = 0; i < ABI_TABLE.length; i++) {
    const [name, want] = ABI_TABLE[i]!;
    const got = k.abiValue(i) >>> 0;
    if (got !== want) diffs.push(`${name} is ${got} in the kernel, ${want} in the host`);
  }
  const count = k.abiCount();
  if (diffs.length === 0 && count === ABI_TABLE.length) return undefined;
  const shown = diffs.slice(0, 3).join('; ') + (diffs.length > 3 ? `; and ${diffs.length - 3} more` : '');
  return `build/kernel.wasm was compiled with other shared numbers than the host (${count} values, host has ${ABI_TABLE.length}${shown ? `: ${shown}` : ''}): rebuild both with \`npm run build\``;
}

let modulePromise: Promise<WebAssembly.Module> | undefined;

let moduleSync: WebAssembly.Module | undefined;

/** The compiled kernel at once (a real node's machine service starts inside a synchronous call). */
export function compileKernelSync(): WebAssembly.Module {
  moduleSync ??= new WebAssembly.Module(readKernelWasmSync());
  return moduleSync;
}

/**
 * The compiled kernel, once per process: read with kernel-file.ts (build/kernel.wasm in Node, fetched in a
 * browser) unless a module was handed in with useKernelModule.
 */
export function compileKernel(): Promise<WebAssembly.Module> {
  modulePromise ??= readKernelWasm().then((bytes) => WebAssembly.compile(bytes));
  return modulePromise;
}

/**
 * Use this compiled kernel from now on instead of reading one: a browser's hart worker gets the page's
 * module in its first message (a module is shared between workers, its bytes are not fetched again).
 */
export function useKernelModule(module: WebAssembly.Module): void {
  modulePromise = Promise.resolve(module);
  moduleSync = module;
}

/**
 * What run() calls when a hart's H_JIT is set (assembly/hart.ts, jitEnter): instructions retired by translated
 * code, 0 when it ran none. Without a translator it is never called (H_JIT stays 0); this one says so loudly.
 */
export type JitEnter = (h: number, tR: number, tW: number, setMask: number, asidTag: number, pc: number, host: number, budget: number) => number;

const noJit: JitEnter = () => { throw new Error('run() called the translator, but this kernel instance has none (H_JIT set without one)'); };

/** Instantiate the kernel over `memory` (shared). Every machine gets its own instance. */
export async function instantiateKernel(memory: WebAssembly.Memory, jitEnter: JitEnter = noJit): Promise<KernelExports> {
  const module = await compileKernel();
  const { exports } = await instantiate<Record<string, unknown>>(module, { env: { memory, jitEnter } } as Parameters<typeof instantiate>[1]);
  return checkKernel(exports as unknown as KernelExports);
}

/** The same at once, from a compiled module (a small module instantiates in well under a millisecond). */
export function instantiateKernelSync(module: WebAssembly.Module, memory: WebAssembly.Memory, jitEnter: JitEnter = noJit): KernelExports {
  const { exports } = instantiateSync<Record<string, unknown>>(module, { env: { memory, jitEnter } } as Parameters<typeof instantiateSync>[1]);
  return checkKernel(exports as unknown as KernelExports);
}

/** A kernel whose interface version or shared numbers differ from the host's is refused with one clear error. */
function checkKernel(k: KernelExports): KernelExports {
  const version = k.kernelVersion();
  if (version !== KERNEL_VERSION) throw new InputError(`build/kernel.wasm has interface version ${version}, expected ${KERNEL_VERSION}: rebuild it`);
  const mismatch = abiMismatch(k);
  if (mismatch !== undefined) throw new InputError(mismatch);
  return k;
}
