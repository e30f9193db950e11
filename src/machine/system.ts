// A machine running several processes on K harts under the machine kernel. Deterministic mode (the default)
// interleaves the harts on this thread in an order and with slice lengths drawn from a seeded xorshift, so
// the same seed gives the same run; threaded mode runs each hart on its own worker thread (its own kernel
// instance over the same shared memory), with real parallelism. Idle workers wait in Atomics.wait in JS
// (never memory.atomic.wait in Wasm: Node 20's Liftoff bug). Reads no clock.
import { InputError } from '../base/index.js';
import { Machine, type MachineOptions } from './machine.js';
import { Process, procResult, QUANTUM_TICKS, REALTIME_BASE_NS_DEFAULT, type RunResult, type ProcessOptions } from './process.js';
import { compileKernel } from './kernel.js';
import { driveHart, type HartHost, type HartOutcome } from './driver.js';
import { hostServices, unknownCall, type GuestIO } from './syscalls.js';
import { HostCallRing, HostCallServer, waitAsync, type HostService } from './hostcall.js';
import { NodeHartGate } from './node-control.js';
import { startHartThread, type HartThread } from './hart-thread.js';
import { stdio } from './stdio.js';
import type { ElfImage } from '../elf/index.js';
import { collectStats, type KernelStats } from './kstats.js';
import { KS, KS_LIVE_PROCS, KS_RQ_GEN, SCHED_POLICY, HARTS_MAX } from './layout.js';
import { SYS } from './syscalls.js';
import { FileServer } from './file-syscalls.js';
import type { GuestInput } from './console.js';
import { hostStdinAsync, hostStdinSync } from './host-stdin.js';
import { execService } from './exec.js';
import { kernelMapper, mmapFileService } from './mmap-file.js';
import { defaultHostRoot, HostDirMount, Vfs } from '../vfs/index.js';
import { MqueueServer } from './mqueue.js';
import { LocalMqueues } from './mqueue-local.js';
import type { MqueueNamespace } from './mqueue-namespace.js';

export type SchedPolicy = keyof typeof SCHED_POLICY;

export interface SystemOptions extends MachineOptions {
  /** Instructions per scheduling quantum (rounded up to whole timer ticks). Default 100,000. */
  readonly quantum_instructions?: number;
  readonly sched?: SchedPolicy;
  readonly seed?: number;
  readonly threaded?: boolean;
  /** ASIDs handed out (1..512); later processes share ASID 0 and flush on every switch. */
  readonly asids?: number;
  readonly realtime_base_ns?: bigint;
  /** The spinlock kind of the kernel's own locks (default ttas). */
  readonly kernel_lock?: KernelLockKind;
  /** The host directory that is the guests' root (default: the current directory); ignored with vfs. */
  readonly root?: string;
  /** The guests' file system (default: root mounted at '/'). */
  readonly vfs?: Vfs;
  /** What fd 0 reads (default: the host's stdin, synchronously in deterministic runs, asynchronously threaded). */
  readonly stdin?: GuestInput;
  /** The POSIX message queues the guests see (default: a LocalMqueues of this machine's own). */
  readonly mqueues?: MqueueNamespace;
}

function checkSystemOptions(opts: SystemOptions): void {
  const harts = opts.harts ?? 1;
  if (!Number.isInteger(harts) || harts < 1 || harts > HARTS_MAX) throw new InputError(`harts must be 1..${HARTS_MAX}, not ${harts}`);
  const q = opts.quantum_instructions;
  if (q !== undefined && (!Number.isInteger(q) || q < 1 || q > 1e9)) throw new InputError(`the quantum must be 1..1000000000 instructions, not ${q}`);
}

export const KERNEL_LOCK_KINDS = { tas: 0, ttas: 1, ticket: 2 } as const;
export type KernelLockKind = keyof typeof KERNEL_LOCK_KINDS;

/** Instructions a hart runs per turn in deterministic mode: SLICE_MIN + a seeded share of SLICE_SPAN. */
export const SLICE_MIN = 2_000;
export const SLICE_SPAN = 8_000;
/** Instructions per dispatch() call on a worker. */
export const WORKER_BATCH = 1 << 20;
/** An idle worker waits at most this long (ms, wall) before looking again. */
export const IDLE_WAIT_MS = 1;
/** The main thread's host-call loop (threaded mode) looks at the ring at least this often (ms, wall). */
export const HOST_POLL_MS = 5;
/**
 * The host calls a hart's worker serves itself in threaded mode (unless the system serves them otherwise): the
 * clock only. Every descriptor call (write included) is the main thread's: the descriptor tables are its objects.
 */
const WORKER_LOCAL_CALLS: readonly number[] = [SYS.clock_gettime64];

export interface SystemResult {
  readonly results: (RunResult | null)[];
  /** True when max_instructions ran out before every process ended. */
  readonly limited: boolean;
}

/** A machine run slice by slice by its caller (System.beginStepped). */
export interface SteppedSystem {
  readonly host: HartHost;
  /** Serve what waits, then run one hart for up to budget instructions. */
  slice(hart: number, budget: number): HartOutcome;
  /** Processes alive (zombies not counted). */
  live(): number;
  /** Serve what is left and close every descriptor (the machine's run is over). */
  finish(): void;
}

export class System {
  readonly processes: Process[] = [];
  readonly names = new Map<number, string>();
  /**
   * The machine's host-call server: register a service for a system call number before the run (the
   * defaults serve clock_gettime64, the descriptor and file calls of file-syscalls.ts, execve and the message
   * queues of mqueue.ts; anything
   * else is -ENOSYS). Deterministic mode serves it on this thread right after a hart posts and between
   * slices (onSlice hooks first); threaded mode from a loop on this thread, while each worker serves
   * clock_gettime64 itself unless overridden here.
   */
  readonly hostcalls: HostCallServer;
  /** The descriptor tables, pipes and file system calls (set when the run starts). */
  files: FileServer | null = null;
  /** The message-queue calls (set when the run starts). */
  mqueues: MqueueServer | null = null;
  private readonly custom = new Set<number>();
  private started = false;
  /** A stepped run: its caller may load processes between slices. */
  private stepping = false;

  private constructor(readonly machine: Machine, readonly opts: SystemOptions) {
    this.hostcalls = new HostCallServer(new HostCallRing(machine), [], unknownCall);
  }

  /** Serve system call nr on the host with service (before the run): a test double, or a new service. */
  serve(nr: number, service: HostService): this {
    if (this.started) throw new InputError('host services are registered before the machine runs');
    this.custom.add(nr >>> 0);
    this.hostcalls.register(nr, service);
    return this;
  }

  private serveDefaults(io: GuestIO, input: GuestInput): void {
    const ctx = { realtime_base_ns: this.opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT };
    for (const [nr, service] of hostServices(this.machine, ctx, io)) if (!this.custom.has(nr)) this.hostcalls.register(nr, service);
    const vfs = this.opts.vfs ?? new Vfs(new HostDirMount(this.opts.root ?? defaultHostRoot()));
    const files = new FileServer(this.machine, { vfs, io, input });
    files.execService = execService(this.machine, files, { realtime_base_ns: this.opts.realtime_base_ns, seed: this.opts.seed });
    files.attach(this.hostcalls, this.custom);
    const mapper = kernelMapper(this.machine);
    if (mapper !== null && !this.custom.has(SYS.mmap2)) this.hostcalls.register(SYS.mmap2, mmapFileService(this.machine, files, mapper));
    for (const p of this.processes) files.addProcess(p.pid, p.index);
    this.files = files;
    const mq = new MqueueServer(this.machine, files, { namespace: this.opts.mqueues ?? new LocalMqueues(), realtime_base_ns: ctx.realtime_base_ns });
    mq.attach(this.hostcalls, this.custom);
    this.mqueues = mq;
  }

  static async create(opts: SystemOptions = {}): Promise<System> {
    checkSystemOptions(opts);
    return System.configure(await Machine.create(opts), opts);
  }

  /** Create a system at once from the compiled kernel (a simulated node boots its machine inside an event). */
  static createSync(module: WebAssembly.Module, opts: SystemOptions = {}): System {
    checkSystemOptions(opts);
    return System.configure(Machine.createSync(module, opts), opts);
  }

  private static configure(machine: Machine, opts: SystemOptions): System {
    const s = new System(machine, opts);
    const q = opts.quantum_instructions;
    const tick_insns = machine.clock_hz / machine.timebase_hz;
    const ticks = q === undefined ? QUANTUM_TICKS : Math.max(1, Math.ceil(q / tick_insns));
    for (let h = 0; h < machine.harts; h++) machine.kernel.hartSetQuantum(h, ticks);
    if (opts.asids !== undefined) machine.kernel.kernelSetAsids(opts.asids);
    if (opts.kernel_lock !== undefined) machine.kernel.kernelSetLockKind(KERNEL_LOCK_KINDS[opts.kernel_lock]);
    const rt = opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT;
    machine.kernel.kernelSetClock(machine.timebase_hz, Number(rt & 0xffff_ffffn), Number(rt >> 32n));
    return s;
  }

  /** Load a program as a new process (before the run starts). */
  spawn(image: ElfImage, opts: ProcessOptions & { readonly name?: string }): Process {
    if (this.started && !this.stepping) throw new InputError('processes are loaded before the machine runs (or between the slices of a stepped run)');
    const p = new Process(this.machine, image, { ...opts, realtime_base_ns: this.opts.realtime_base_ns });
    this.processes.push(p);
    this.names.set(p.pid, opts.name ?? opts.argv[0] ?? `pid ${p.pid}`);
    this.files?.addProcess(p.pid, p.index);
    return p;
  }

  private start(threaded: boolean): void {
    if (this.started) throw new InputError('a node runs once');
    this.started = true;
    this.machine.kernel.kernelStart(SCHED_POLICY[this.opts.sched ?? 'rr'], threaded ? 1 : 0);
  }

  private liveProcs(): number {
    return this.machine.u32(KS + KS_LIVE_PROCS);
  }

  /** Deterministic mode: every hart on this thread, in a seeded order, until all processes end. */
  run(io: GuestIO, log: (line: string) => void, max_instructions = Infinity): SystemResult {
    this.start(false);
    this.serveDefaults(io, this.opts.stdin ?? hostStdinSync());
    const machine = this.machine;
    const harts = machine.harts;
    const calls = this.hostcalls;
    const host: HartHost = { machine, io, log, realtime_base_ns: this.opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT, names: this.names, calls };
    let x = ((this.opts.seed ?? 1) >>> 0) || 0x9e3779b9;
    const rand = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
    let retired = 0;
    let idleStreak = 0;
    while (this.liveProcs() !== 0) {
      if (retired >= max_instructions) { this.files?.closeAll(); return { results: this.results(), limited: true }; }
      calls.slice();
      const hart = rand() % harts;
      const slice = SLICE_MIN + (rand() % SLICE_SPAN);
      const before = machine.instructions(hart);
      const out = driveHart(host, hart, Math.min(slice, max_instructions - retired));
      retired += Number(machine.instructions(hart) - before);
      if (out !== 'idle') { idleStreak = 0; continue; }
      // Every hart idle in a row, nothing sleeping: the live threads wait for each other forever.
      if (++idleStreak >= 4 * harts && machine.kernel.kernelStuck() !== 0) {
        log(`kernel: deadlock: every live thread is blocked with no deadline; killing ${machine.kernel.kernelKillAll()} processes`);
        idleStreak = 0;
      }
    }
    calls.drain();
    this.files?.closeAll();
    return { results: this.results(), limited: false };
  }

  /**
   * Stepped deterministic mode: the caller runs the harts slice by slice (a cluster node's machine service, whose
   * slices are events of the simulator). The host calls are served on this thread as in run().
   */
  beginStepped(io: GuestIO, log: (line: string) => void): SteppedSystem {
    this.start(false);
    this.stepping = true;
    this.serveDefaults(io, this.opts.stdin ?? hostStdinSync());
    const host: HartHost = { machine: this.machine, io, log, realtime_base_ns: this.opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT, names: this.names, calls: this.hostcalls };
    return {
      host,
      slice: (hart, budget) => {
        this.hostcalls.slice();
        return driveHart(host, hart, budget);
      },
      live: () => this.liveProcs(),
      finish: () => {
        this.hostcalls.drain();
        this.files?.closeAll();
      },
    };
  }

  /**
   * Threaded mode: one worker thread per hart; resolves when every process has ended. Guest output goes to
   * io (default: the host's fds 1 and 2). An abort of signal ends the run at once: the workers are terminated
   * and the processes still running have no result (null).
   */
  async runThreaded(log: (line: string) => void, io: GuestIO = stdio, signal?: AbortSignal): Promise<SystemResult> {
    this.start(true);
    this.serveDefaults(io, this.opts.stdin ?? hostStdinAsync());
    const machine = this.machine;
    const module = await compileKernel();
    const local = WORKER_LOCAL_CALLS.filter((nr) => !this.custom.has(nr));
    const workers: Promise<void>[] = [];
    const threads: HartThread[] = [];
    let aborted = false;
    for (let hart = 0; hart < machine.harts; hart++) {
      workers.push(new Promise((resolve, reject) => {
        const w = startHartThread({
          module, memory: machine.memory, hart, ram_bytes: machine.ram_bytes, clock_hz: machine.clock_hz, timebase_hz: machine.timebase_hz,
          realtime_base_ns: (this.opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT).toString(), names: [...this.names], local,
        });
        threads.push(w);
        w.onMessage((m) => (m.kind === 'log' ? log(m.line) : machine.jit.add(m.stats)));
        w.onceError(reject);
        w.onceExit((code) => (code === 0 || aborted ? resolve() : reject(new Error(`hart ${hart}'s worker exited with ${code}`))));
      }));
    }
    const abort = (): void => {
      aborted = true;
      void Promise.all(threads.map((w) => w.terminate()));
    };
    if (signal?.aborted) abort(); else signal?.addEventListener('abort', abort, { once: true });
    const running = { on: true };
    const loop = this.serveThreaded(running);
    try {
      await Promise.all(workers);
    } catch (e) {
      // One hart failed (a kernel assertion, say), perhaps holding a kernel lock: the others would run, or
      // wait, forever. The machine ends with that error.
      await Promise.all(threads.map((w) => w.terminate()));
      throw e;
    } finally {
      signal?.removeEventListener('abort', abort);
      running.on = false;
      Atomics.notify(new Int32Array(machine.memory.buffer), this.hostcalls.ring.postedIndex);
      await loop;
      this.hostcalls.drain();
      this.files?.closeAll();
    }
    return { results: this.results(), limited: false };
  }

  /**
   * Threaded node mode: a cluster node's machine (the kernel compiled as module) with each hart on its own
   * worker thread, running until stop(). The caller does everything else on this thread inside gate.run (the node runs every delivery and
   * timer through it): the harts are paused meanwhile, so host calls are served, processes loaded and images
   * taken with no hart running. Guest output goes to io, kernel log lines to log. clock_offset_ns: the node's
   * monotonic clock less process.hrtime (the harts' clocks follow it).
   */
  beginThreadedNode(module: WebAssembly.Module, io: GuestIO, log: (line: string) => void, clock_offset_ns: number): ThreadedNode {
    this.start(true);
    this.stepping = true;
    this.serveDefaults(io, this.opts.stdin ?? hostStdinSync());
    const machine = this.machine;
    const words = new Int32Array(machine.memory.buffer);
    const gate = NodeHartGate.create(machine.harts, () => {
      Atomics.add(words, (KS + KS_RQ_GEN) >>> 2, 1);
      Atomics.notify(words, (KS + KS_RQ_GEN) >>> 2);
    }, (held) => { machine.hartsPaused = held; });
    const failures: Error[] = [];
    const ended: Promise<void>[] = [];
    const threads: HartThread[] = [];
    for (let hart = 0; hart < machine.harts; hart++) {
      const w = startHartThread({
        module, memory: machine.memory, hart, ram_bytes: machine.ram_bytes, clock_hz: machine.clock_hz, timebase_hz: machine.timebase_hz,
        realtime_base_ns: (this.opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT).toString(), names: [...this.names], local: [],
        node: { control: gate.buffer, clock_offset_ns },
      });
      threads.push(w);
      w.onMessage((m) => (m.kind === 'log' ? log(m.line) : machine.jit.add(m.stats)));
      ended.push(new Promise((resolve) => {
        w.onceError((err) => { failures.push(err); });
        w.onceExit(() => resolve());
      }));
    }
    const ring = this.hostcalls.ring;
    return {
      gate,
      failures,
      serve: () => gate.run(() => this.hostcalls.slice()),
      posted: () => ring.posted,
      postedIndex: ring.postedIndex,
      words,
      live: () => this.liveProcs(),
      stop: async () => {
        // The machine is done with: its workers go at once (a worker left to end by itself took about a second).
        gate.stop();
        await Promise.all(threads.map((w) => w.terminate()));
        await Promise.all(ended);
        this.hostcalls.drain();
        this.files?.closeAll();
      },
    };
  }

  /** Threaded mode's host loop on this thread: drain the ring whenever a hart posts (or every HOST_POLL_MS). */
  private async serveThreaded(running: { on: boolean }): Promise<void> {
    const words = new Int32Array(this.machine.memory.buffer);
    const ring = this.hostcalls.ring;
    while (running.on) {
      const seen = ring.posted;
      this.hostcalls.drain();
      // A pending waitAsync does not keep Node's event loop alive; the timer does (else the process could
      // exit, status 0, the moment the last worker ends while this loop waits).
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise((resolve) => { timer = setTimeout(resolve, HOST_POLL_MS); });
      const w = waitAsync(words, ring.postedIndex, seen | 0, HOST_POLL_MS);
      await (w === null ? Promise.resolve() : Promise.race([w, tick]));
      clearTimeout(timer);
    }
  }

  results(): (RunResult | null)[] {
    return this.processes.map((p) => procResult(this.machine, p.index));
  }

  stats(): KernelStats {
    return collectStats(this.machine, this.processes, this.names);
  }
}

export { workerPath } from './hart-thread.js';

/** A cluster node's threaded machine (System.beginThreadedNode). */
export interface ThreadedNode {
  /** Pauses the harts around whatever changes the machine from this thread. */
  readonly gate: NodeHartGate;
  /** Errors of hart workers that failed (the machine is then broken). */
  readonly failures: readonly Error[];
  /** Serve the host calls the harts have posted (paused). */
  serve(): void;
  /** Requests posted so far (it changes when a hart posts one) and the word to wait on for that. */
  posted(): number;
  readonly postedIndex: number;
  readonly words: Int32Array;
  live(): number;
  stop(): Promise<void>;
}

export { KS_RQ_GEN };
