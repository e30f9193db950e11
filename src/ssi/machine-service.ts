// The `machine` node service: the emulated machine of one cluster node, run inside the node's own time. A slice
// of the machine (every hart runs slice_instructions, in a seeded order) is one event of the simulator; before
// it, every hart's mtime is brought up to the node's monotonic clock (drift and all), so guests on many nodes
// interleave deterministically and a guest's clock is its node's. When every hart is idle the next slice waits
// for the earliest sleeper's deadline, or for wake() (a host call answered from the network). Bounds: a slice
// calls dispatch at most DISPATCHES_PER_SLICE_MAX times per hart.
import { BALANCE_PERIOD_NS, BALANCE_REFUSED_NS, balanceCandidate, balanceTarget } from './balance.js';
import type { NodeContext, NodeService } from '../node/index.js';
import type { ElfImage } from '../elf/index.js';
import { System, bytesInput, hostMonotonicNs, layout, waitAsync, SIGNAL_NUMBER, SYS, PAGE_LOST, type GuestIO, type SteppedSystem, type SystemOptions, type ThreadedNode } from '../machine/index.js';

import { ProcessWatch, type ProcessEnd } from './process-watch.js';
import { ProcessBridge } from './process-bridge.js';
import { compareNodes } from './placement.js';
import { DsmRegions, type RegionFigures } from '../dsm/index.js';
import type { PlacementPolicy } from './placement.js';
import { procsOf, type ProcsService } from './service.js';
import { PidFeeder } from './pid-feeder.js';
import { RemoteForks } from './remote-fork.js';
import { Migrations, MIGRATION_LINK_BPS_DEFAULT, migrationRefused, type MigrationFigures, type PagesLost } from './migration.js';
import type { MigrationMethod } from '../net/index.js';
import { ClusterMqueues } from './cluster-mqueues.js';
import { ClusterIpc } from './cluster-ipc.js';
import { parseOperatorRequest, OPERATOR_SERVICE, type OperatorReply } from './operator.js';
import { isClientId } from '../net/tcp/index.js';
import { RpcClient, RpcServer } from '../rpc/index.js';
import { PROGRAM_MAX_BYTES } from './limits.js';
import { GfsMount, LocalTreeMount, gfsOf, type GfsService } from '../gfs/index.js';
import { GeoMount, GeoStore, GEO_SERVICE } from '../geo/index.js';
import { Vfs, type LockManager } from '../vfs/index.js';
import { LockService, DLM_SERVICE } from '../deadlock/index.js';

/**
 * A cluster node's file system: the global namespace at '/', this node's own tree at /tmp (clock: CLOCK_REALTIME
 * ns), and the geo store at /geo when the node runs one. locks: who keeps the namespace's locks (default: its log;
 * a dlm service's managers when the cluster runs one, src/deadlock).
 */
export function clusterVfs(gfs: GfsService, clock: () => bigint, geo?: { readonly store: GeoStore; readonly node: string }, locks?: LockManager): Vfs {
  const vfs = new Vfs(new GfsMount(gfs, locks));
  vfs.mount('/tmp', new LocalTreeMount(clock, 'this node\'s /tmp'));
  if (geo !== undefined) vfs.mount('/geo', new GeoMount(geo.store, geo.node));
  return vfs;
}

const { PROC_BASE, PROC_BYTES, P, CLD_EXITED, CLD_KILLED, KS, KS_HOST_IDLE_UNTIL, EBUSY } = layout;

export const MACHINE_SERVICE = 'machine';
/** Instructions each hart runs per slice: 100 us of virtual time at the default 100 MHz. */
export const SLICE_INSTRUCTIONS_DEFAULT = 10_000;
const DISPATCHES_PER_SLICE_MAX = 256;
const NO_DEADLINE = 0xffff_ffff_ffff_ffffn;
/** A restarted node asks the directory again this often until its earlier boot is recorded as ended. */
const FORGET_RETRY_NS = 100_000_000;

/** A program a node loads when it boots (before its first slice). */
export interface BootProgram {
  readonly image: ElfImage;
  readonly argv: readonly string[];
  readonly envp?: readonly string[];
  readonly name: string;
}

/** Where a node's guests' output and lives are reported (the cluster run's console and process book). */
export interface MachineObserver {
  write(node: string, pid: number, fd: 1 | 2, bytes: Uint8Array): void;
  started(node: string, pid: number, ppid: number, program: string): void;
  ended(node: string, end: ProcessEnd): void;
  /** Every process of the node's machine has ended. */
  idle(node: string): void;
  /** Process pid, which ran on node `from`, runs on node `to` from now on (a migration). */
  moved?(from: string, to: string, pid: number): void;
  /** Process pid, on node `node` by the directory, is gone without an end there (its node restarted as it moved). */
  lost?(node: string, pid: number, why: string): void;
  /** A migration this node was asked for has an outcome (moved, or why not). */
  migrated?(f: MigrationFigures): void;
  log(node: string, line: string): void;
}

export interface MachineServiceOptions {
  /** The compiled kernel (compileKernel()): a node boots its machine inside an event, at once. */
  readonly kernel: WebAssembly.Module;
  /** The machine's size and kernel settings (RAM, harts, quantum, file system). */
  readonly system?: SystemOptions;
  readonly slice_instructions?: number;
  /** Loaded at the node's first boot only (a restarted node comes back with an empty machine). */
  readonly boot?: readonly BootProgram[];
  readonly observer: MachineObserver;
  /** Where forks' children run (default local). */
  readonly placement?: PlacementPolicy;
  /**
   * A real node (wall-clock time): a busy machine's next slice runs at once instead of a slice's virtual time
   * later (the slice itself took real time).
   */
  readonly realtime?: boolean;
  /**
   * A real node's machine with each hart on a worker thread (System.beginThreadedNode) instead of slices on
   * the node's thread; the node runs its deliveries and timers with the harts paused (NodeContext.setGate).
   */
  readonly threaded?: boolean;
  /** The simulated link a migration's bytes cross, bits per second (default 1 Gbit/s; real nodes: the network's). */
  readonly migration_link_bps?: number;
  /** Rebalance load by moving processes to lighter nodes (src/ssi/balance.ts). */
  readonly balance?: boolean;
  /** Sees every RPC this node's machine executes (fault soaks check none runs twice). */
  readonly onRpcExecute?: (client_id: string, seq: number, method: string, idempotent: boolean) => void;
}

/** Threaded: how often the node looks at its machine when no hart has posted (timeouts the host holds). */
const THREADED_POLL_MS = 5;

export class MachineService implements NodeService {
  private ctx: NodeContext | undefined;
  private sys: System | undefined;
  private stepped: SteppedSystem | undefined;
  private threaded: ThreadedNode | undefined;
  private watch: ProcessWatch | undefined;
  private bridge: ProcessBridge | undefined;
  private procs: ProcsService | undefined;
  private feeder: PidFeeder | undefined;
  private ipc: ClusterIpc | undefined;
  private migrations: Migrations | undefined;
  private dsm: DsmRegions | undefined;
  /** The boot programs are loaded (after the first pid lease, in a cluster with a procs service). */
  private booted = false;
  private timer: number | null = null;
  /** The node's monotonic instant the pending slice runs at. */
  private timerAt = 0;
  private finished = false;
  private readonly budget: number;
  private readonly order: number[] = [];
  /** The rebalancer: a move of its under way; processes a move refused, when. */
  private balancing = false;
  private readonly balanceRefused = new Map<number, number>();
  /** Slices run so far, and instructions retired by them. */
  slices = 0;
  instructions = 0;

  constructor(private readonly opts: MachineServiceOptions, private readonly firstBoot: boolean) {
    this.budget = opts.slice_instructions ?? SLICE_INSTRUCTIONS_DEFAULT;
    if (!Number.isInteger(this.budget) || this.budget < 1 || this.budget > 1e9) throw new RangeError(`slice_instructions must be 1..1e9, not ${this.budget}`);
  }

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    const realtime_base_ns = BigInt(Math.round(ctx.now_ns() - ctx.monotonic_ns()));
    // One RPC endpoint for everything this node's machine asks of others and serves them.
    // Its reply cache is durable: a call retried to this node after it restarted is answered, never run again.
    const rpc = new RpcServer(ctx, { storage: ctx.storage, ...(this.opts.onRpcExecute ? { onExecute: this.opts.onRpcExecute } : {}) });
    const client = new RpcClient(ctx);
    const mqueues = new ClusterMqueues(ctx, client, rpc, () => this.wake());
    // With a gfs service on the node, '/' is the global namespace and /tmp a tree of this node alone.
    const gfs = gfsOf(ctx);
    const geo = ctx.local?.(GEO_SERVICE);
    const dlm = ctx.local?.(DLM_SERVICE);
    const vfs = gfs === undefined ? undefined : clusterVfs(gfs, () => BigInt(Math.max(0, Math.round(ctx.now_ns()))),
      geo instanceof GeoStore ? { store: geo, node: ctx.id } : undefined, dlm instanceof LockService ? dlm.locks : undefined);
    const sys = System.createSync(this.opts.kernel, {
      stdin: bytesInput(''), mqueues, ...this.opts.system, ...(vfs !== undefined ? { vfs } : {}), seed: ctx.rng.nextU32(), realtime_base_ns,
    });
    this.sys = sys;
    // Faults on host-kept pages: a process that came here post-copy and still misses pages (migration-pages.ts).
    // ... or a page of a named region of distributed shared memory (src/dsm/region.ts).
    let migrations: Migrations | undefined;
    const dsm = new DsmRegions(sys, {
      self: ctx.id, nodes: [ctx.id, ...ctx.peers].sort(compareNodes), send: (to, msg) => { ctx.send(to, msg); }, wake: () => this.wake(),
      log: (line) => ctx.log(line),
    });
    this.dsm = dsm;
    sys.serve(SYS.host_page, (call) => dsm.pageFault(call) ?? migrations?.pageFault(call) ?? PAGE_LOST);
    sys.machine.kernel.kernelSetHostTime(1);
    const procs = procsOf(ctx);
    this.procs = procs;
    // Cluster-wide pids only: until procs leases this machine a range it has none (a restarted node first
    // records its earlier boot as ended), so nothing, not even a fork from elsewhere, takes a pid meanwhile.
    if (procs !== undefined) sys.machine.kernel.kernelPidClear();
    let forks: RemoteForks | undefined;
    const bridge = new ProcessBridge(ctx, sys, {
      placement: this.opts.placement ?? 'local', wake: () => this.wake(),
      owner: (pid) => migrations?.whereMoved(pid) ?? procs?.localOwner(pid)?.node ?? null,
      held: (pid, deliver) => migrations?.hold(pid, deliver) ?? false,
      remoteFork: (call, target, done) => forks!.fork(call, target, done),
      nodeDown: (node) => { forks?.nodeDown(node); gfs?.nodeDown(node); },
      rejoined: (node) => forks?.rejoined(node),
      // Nodes whose silence matters: those with children or parents of processes here, and those holding
      // descriptions here (a pipe's writer there that crashed must not keep its reader here waiting).
      partners: () => new Set([...(forks?.partners ?? []), ...(sys.files?.holderNodes() ?? [])].filter((n) => n !== ctx.id)),
      spawn: (call) => forks!.spawn(call),
      migrate: (call) => (dsm.maps(call.pid) ? -EBUSY : migrations!.migrateSelf(call)),
      dsmMap: (call) => dsm.map(call),
      setpgid: (call) => forks!.setpgid(call),
    }, rpc, client);
    this.bridge = bridge;
    const ipc = new ClusterIpc(ctx, sys, client, rpc, procs, { wake: () => this.wake(), down: (n) => bridge.isDown(n), boot: bridge.boot });
    this.ipc = ipc;
    this.syncTime();
    const obs = this.opts.observer;
    const node = ctx.id;
    const watch = new ProcessWatch(sys.machine, (pid, ppid, program) => {
      this.finished = false; // it reports idle again once this one has ended too
      obs.started(node, pid, ppid, program);
      this.directoryPlace(pid, ppid, program);
    }, (end) => {
      obs.ended(node, end);
      ipc.processEnded(end.pid);
      this.directoryEnd(end);
    });
    this.watch = watch;
    const io: GuestIO = { write: (fd, bytes, pid) => { obs.write(node, pid ?? 0, fd, bytes); return bytes.length; } };
    if (this.opts.threaded === true && ctx.setGate !== undefined) {
      const offset = ctx.monotonic_ns() - hostMonotonicNs();
      const t = sys.beginThreadedNode(this.opts.kernel, io, (line) => obs.log(node, line), offset);
      this.threaded = t;
      ctx.setGate((fn) => t.gate.run(fn));
      this.watchPosts(t);
    } else {
      this.stepped = sys.beginStepped(io, (line) => obs.log(node, line));
    }
    sys.files?.onProcessEvent((e) => watch.event(e));
    // A file call the namespace answers later (a commit, a read barrier) wakes the machine, as a reply from the network does.
    if (sys.files !== null) sys.files.onLaterAnswer = () => this.wake();
    forks = new RemoteForks(ctx, sys, bridge.client, bridge.rpc, {
      adopted: (pid, slot, program) => watch.loaded(pid, slot, program),
      wake: () => this.wake(),
      forkHere: (call) => bridge.forkHere(call),
      programOf: (pid) => watch.programOf(pid),
      place: () => bridge.placeTarget(),
      init: () => procs?.firstProcess() ?? null,
      isDown: (n) => bridge.isDown(n),
      boot: bridge.boot,
      bootOf: (n) => bridge.bootOf(n),
    });
    migrations = new Migrations(ctx, sys, bridge.client, bridge.rpc, {
      forks, watch, procs, wake: () => this.wake(), isDown: (n) => bridge.isDown(n), boot: bridge.boot, bootOf: (n) => bridge.bootOf(n),
      movedAway: (pid, to) => obs.moved?.(node, to, pid),
      lostAway: (pid, to, why) => obs.lost?.(to, pid, why),
      ended: (f) => obs.migrated?.(f),
      ...(this.opts.realtime === true ? {} : { link_bps: this.opts.migration_link_bps ?? MIGRATION_LINK_BPS_DEFAULT }),
      transport: () => forks!.transport(),
    });
    this.migrations = migrations;
    if (this.opts.balance === true) this.balanceEvery(ctx);
    // Cluster-wide pids come from the procs service's leases: the programs load once the first range is in.
    if (procs !== undefined) {
      const feed = (): void => {
        if (this.ctx !== ctx) return;
        this.feeder = new PidFeeder(ctx, sys.machine.kernel, procs, () => this.loadBoot());
        this.feeder.check();
      };
      if (this.firstBoot) feed();
      else this.forgetEarlierBoot(procs, feed);
    } else {
      this.loadBoot();
    }
  }

  /**
   * A restarted node's machine is empty: every process the directory still places here (and every name bound
   * here) belonged to the earlier boot and is gone, so it says so (node-down of itself) before it takes a PID.
   */
  private forgetEarlierBoot(procs: ProcsService, then: () => void): void {
    const ctx = this.ctx!;
    procs.nodeDown(ctx.id, (r) => {
      if (this.ctx !== ctx) return;
      if (r.ok) { ctx.log(`directory: the earlier boot's ${r.value.ended} processes here ended`); then(); return; }
      ctx.setTimer(FORGET_RETRY_NS, () => this.forgetEarlierBoot(procs, then));
    }, { timeout_ms: 1000 });
  }

  /** Load the boot programs (once) and start slicing. */
  private loadBoot(): void {
    if (this.booted || this.ctx === undefined) return;
    const t = this.threaded;
    if (t !== undefined && !t.gate.held) { t.gate.run(() => this.loadBoot()); return; }
    this.booted = true;
    const sys = this.sys!;
    for (const p of this.firstBoot ? this.opts.boot ?? [] : []) {
      const proc = sys.spawn(p.image, { argv: [...p.argv], envp: p.envp ? [...p.envp] : [], name: p.name, seed: this.ctx.rng.nextU32() });
      this.watch!.loaded(proc.pid, proc.index, p.name);
    }
    this.schedule(0);
  }

  /** Tell the process directory where pid runs (for `atoll ps` and lookups); best effort. */
  private directoryPlace(pid: number, ppid: number, program: string): void {
    const procs = this.procs;
    if (procs === undefined) return;
    const m = this.sys!.machine;
    const slot = this.watch!.slotOf(pid);
    const pgid = slot === undefined ? 0 : m.u32(PROC_BASE + slot * PROC_BYTES + P.PGID);
    const sid = slot === undefined ? 0 : m.u32(PROC_BASE + slot * PROC_BYTES + P.SID);
    procs.place({ pid, ppid, pgid, sid, program: program.slice(0, PROGRAM_MAX_BYTES) }, (r) => {
      if (!r.ok) { this.ctx?.log(`directory: place ${pid}: ${r.error.message}`); return; }
      // The cluster's first process runs here: orphans here become its children (kernelSetInit).
      const s = this.watch?.slotOf(pid);
      if (procs.firstProcess()?.pid === pid && s !== undefined) this.sys?.machine.kernel.kernelSetInit(s);
    });
  }

  private directoryEnd(end: ProcessEnd): void {
    const procs = this.procs;
    if (procs === undefined) return;
    const r = end.result;
    const exit = r.kind === 'exit' ? { code: CLD_EXITED, status: r.code } : r.kind === 'limit' ? null : { code: CLD_KILLED, status: SIGNAL_NUMBER[r.signal] };
    if (exit === null) return;
    procs.end(end.pid, exit, (o) => {
      if (!o.ok) this.ctx?.log(`directory: end ${end.pid}: ${o.error.message}`);
    });
  }

  /**
   * Move process pid of this node's machine to node `to` (a scripted move, an operator's request, a policy):
   * done with the migration's figures, error set when the process stays here.
   */
  migrate(pid: number, to: string, method: MigrationMethod, done: (f: MigrationFigures) => void): void {
    const from = this.ctx?.id ?? '?';
    const why = this.migrations === undefined ? 'the node is not running'
      : this.dsm?.maps(pid) === true ? `process ${pid} cannot move: it maps a region of distributed shared memory` : null;
    if (why === null) { this.migrations!.migrate(pid, to, method, done); return; }
    const f = migrationRefused(pid, from, to, method, why);
    this.opts.observer.migrated?.(f);
    done(f);
  }

  /** Nothing here to wait for: no process runs (one given back by a failed move counts) and none is moving here or away. */
  quiet(): boolean {
    const live = this.stepped?.live() ?? this.threaded?.live() ?? 0;
    return live === 0 && !(this.migrations?.busy ?? false);
  }

  /** The rebalancer's round, every BALANCE_PERIOD_NS while this boot lives: at most one move at a time. */
  private balanceEvery(ctx: NodeContext): void {
    ctx.setTimer(BALANCE_PERIOD_NS, () => {
      if (this.ctx !== ctx) return;
      this.balanceOnce(ctx);
      this.balanceEvery(ctx);
    });
  }

  private balanceOnce(ctx: NodeContext): void {
    if (this.balancing || !this.booted || this.bridge === undefined || this.watch === undefined) return;
    const now = ctx.monotonic_ns();
    for (const [pid, at] of this.balanceRefused) if (at + BALANCE_REFUSED_NS <= now) this.balanceRefused.delete(pid);
    const to = balanceTarget(this.bridge.balanceInput());
    if (to === null) return;
    const pid = balanceCandidate(this.watch.list(), this.balanceRefused, now);
    if (pid === null) return;
    this.balancing = true;
    this.migrate(pid, to, 'stop', (f) => {
      this.balancing = false;
      if (!f.ok) this.balanceRefused.set(pid, ctx.monotonic_ns());
    });
  }

  /** Post-copy moves here whose source went before every page came. */
  migrationLosses(): readonly PagesLost[] {
    return this.migrations?.losses ?? [];
  }

  /** Whether process pid runs on this node's machine. */
  hasProcess(pid: number): boolean {
    return this.sys?.files?.slots.liveSlot(pid) !== undefined || (this.migrations?.moving(pid) ?? false);
  }

  /** The pid of the first process here whose program's name ends with `name` (a fault script's @program), skip aside. */
  findProgram(name: string, skip?: ReadonlySet<number>): number | undefined {
    return this.watch?.list().find((p) => p.state === 'running' && skip?.has(p.pid) !== true && (p.program === name || p.program.endsWith(`/${name}`)))?.pid;
  }

  /** Every migration this node started (its figures). */
  get migrationHistory(): readonly MigrationFigures[] {
    return this.migrations?.history ?? [];
  }

  /** The named regions of distributed shared memory this node knows, with their IVY counters. */
  dsmRegions(): RegionFigures[] {
    return this.dsm?.figures() ?? [];
  }

  onMessage(from: string, msg: unknown): void {
    if (isClientId(from)) { this.operator(from, msg); return; }
    if (this.dsm?.handle(from, msg) === true) return;
    this.bridge?.handle(from, msg);
  }

  /** A request of an operator's client (atoll ps, atoll kill, atoll migrate): answered to the client's service. */
  private operator(from: string, msg: unknown): void {
    const m = parseOperatorRequest(msg);
    const ctx = this.ctx;
    if (m === null || ctx === undefined) return;
    if (m.t === 'ps.req') {
      ctx.send(from, { t: 'ps.resp', req: m.req, node: ctx.id, processes: this.watch?.list() ?? [] } satisfies OperatorReply, OPERATOR_SERVICE);
      return;
    }
    if (m.t === 'migrate.req') {
      this.migrate(m.pid, m.to, m.method, (figures) => ctx.send(from, { t: 'migrate.resp', req: m.req, node: ctx.id, figures } satisfies OperatorReply, OPERATOR_SERVICE));
      return;
    }
    this.bridge?.operatorKill(m.pid, m.sig, (result) => ctx.send(from, { t: 'kill.resp', req: m.req, node: ctx.id, result } satisfies OperatorReply, OPERATOR_SERVICE));
  }

  stop(): void {
    this.ctx?.setGate?.(null);
    void this.threaded?.stop();
    this.threaded = undefined;
    this.bridge?.stop();
    this.feeder?.stop();
    if (this.timer !== null) this.ctx?.clearTimer(this.timer);
    this.timer = null;
    this.ctx = undefined;
  }

  /** A host call was answered from outside a slice: run a slice now if the machine was waiting. */
  wake(): void {
    this.schedule(0);
  }

  private schedule(delay_ns: number): void {
    const ctx = this.ctx;
    if (ctx === undefined) return;
    const at = ctx.monotonic_ns() + delay_ns;
    if (this.timer !== null) {
      if (this.timerAt <= at) return;
      ctx.clearTimer(this.timer);
    }
    this.timerAt = at;
    this.timer = ctx.setTimer(delay_ns, () => {
      this.timer = null;
      this.slice();
    });
  }

  /** Every hart's mtime up to the node's monotonic clock (never backwards). Between slices: no hart runs. */
  private syncTime(): void {
    const m = this.sys!.machine;
    const ticks = (BigInt(Math.floor(this.ctx!.monotonic_ns())) * BigInt(m.timebase_hz)) / 1_000_000_000n;
    for (let h = 0; h < m.harts; h++) m.kernel.hartSetTime(h, Number(ticks & 0xffff_ffffn), Number(ticks >> 32n));
  }

  /** Threaded: serve the ring as soon as a hart posts (the harts are paused meanwhile), for as long as it runs. */
  private watchPosts(t: ThreadedNode): void {
    const seen = t.posted();
    const w = waitAsync(t.words, t.postedIndex, seen | 0, THREADED_POLL_MS);
    void (w === null ? Promise.resolve() : w).then(() => {
      if (this.threaded !== t) return;
      try {
        t.gate.run(() => this.look());
      } catch (err) {
        this.ctx?.log(`machine: ${(err as Error).message}`);
      }
      this.watchPosts(t);
    });
  }

  /** Threaded: what a slice does once the harts have run (under the gate): serve, scan, collect, report. */
  private look(): void {
    const t = this.threaded!;
    if (t.failures.length > 0) throw t.failures[0]!;
    t.serve();
    this.dsm?.afterSlice();
    if (!this.booted) return;
    this.watch!.scan();
    this.ipc?.collect();
    this.feeder?.check();
    if (t.live() === 0) {
      if (!this.finished) this.opts.observer.idle(this.ctx!.id);
      this.finished = true;
    } else this.finished = false;
  }

  private slice(): void {
    if (this.threaded !== undefined) { this.look(); return; }
    if (!this.booted) return;
    const ctx = this.ctx!;
    const stepped = this.stepped!;
    const m = this.sys!.machine;
    this.syncTime();
    this.slices++;
    let busy = false;
    for (const h of this.hartOrder(m.harts)) {
      let done = 0;
      for (let i = 0; i < DISPATCHES_PER_SLICE_MAX && done < this.budget; i++) {
        const before = m.instructions(h);
        const out = stepped.slice(h, this.budget - done);
        done += Number(m.instructions(h) - before);
        if (out === 'ended') this.watch!.scan();
        if (out === 'idle') break;
      }
      this.instructions += done;
      if (done > 0) busy = true;
    }
    this.dsm?.afterSlice(); // the time window: the pages that came have been run on
    this.watch!.scan();
    this.ipc?.collect();
    this.feeder?.check();
    if (stepped.live() === 0) {
      // No process left: the machine waits (a remote fork or a spawn may bring one) and says so once.
      if (!this.finished) this.opts.observer.idle(ctx.id);
      this.finished = true;
      return;
    }
    this.finished = false;
    if (busy) {
      this.schedule(this.opts.realtime ? 0 : this.budget * 1e9 / m.clock_hz);
      return;
    }
    // The next instant anything here is due: a sleeper's deadline, or a timed wait the host holds (a queue
    // receive with a timeout), whichever is first.
    let d = BigInt.asUintN(64, m.kernel.kernelNextDeadline());
    const host = m.u64(KS + KS_HOST_IDLE_UNTIL);
    if (host !== 0n && host !== NO_DEADLINE && host < d) d = host;
    if (d === NO_DEADLINE) return; // waiting for the network: wake() runs the next slice
    const at_ns = Number((d * 1_000_000_000n + BigInt(m.timebase_hz) - 1n) / BigInt(m.timebase_hz));
    this.schedule(Math.max(0, at_ns - ctx.monotonic_ns()));
  }

  /** The harts in a seeded order (Fisher-Yates over the node's random stream), in one array kept for it. */
  private hartOrder(harts: number): readonly number[] {
    const order = this.order;
    order.length = harts;
    for (let i = 0; i < harts; i++) order[i] = i;
    for (let i = harts - 1; i > 0; i--) {
      const j = this.ctx!.rng.nextU32() % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

}
