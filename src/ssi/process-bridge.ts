// The node's side of processes that span machines: where a fork's child runs (the placement policy, over the
// loads the nodes report), and the requests between nodes' machines that make a remote child look local. Every
// request is an RPC (src/rpc: a deadline, retries, at-most-once), so a retried request never runs twice. A
// fork placed here goes back to the kernel (threadForkHere, then -ERESTARTNOINTR: the ecall forks here); a fork
// placed elsewhere is built there from the parent's image (remote-fork.ts) and shows here as a stand-in child.
// Bounds: the RPC layer's calls in flight; one load report per node kept.
import type { NodeContext } from '../node/index.js';
import { RpcClient, RpcServer, type RpcErrorCode } from '../rpc/index.js';
import { LATER, SYS, layout, type HostCall, type HostAnswer, type System } from '../machine/index.js';
import { compareNodes, placeProcess, type PlacementPolicy } from './placement.js';
import type { BalanceInput } from './balance.js';

const {
  KS, KS_RUNNABLE, KS_LIVE_PROCS, ERESTARTNOINTR, ESRCH, ETIMEDOUT, EHOSTUNREACH, EINVAL, ENOSYS, PROC_BASE, PROC_BYTES, P,
  SIGNAL_GROUP_ALL, SIGNAL_GROUP_HOST,
} = layout;

/** A signal request between nodes gives up after this long (node monotonic time), resent this often. */
export const SIGNAL_DEADLINE_NS = 500_000_000;
const SIGNAL_RETRY_NS = 50_000_000;

/** How often a node tells the others its load (virtual time of its own clock). */
export const LOAD_REPORT_NS = 20_000_000;

/** A node not heard from for this long counts as down: its children end by SIGKILL for their parents here. */
export const NODE_SILENT_NS = 2_000_000_000;

/** A node's load, and which boot of its machine it is (a new one means the old processes are gone). */
export interface LoadReport {
  readonly t: 'proc.load';
  readonly load: number;
  readonly boot: number;
  /** Whether its machine has pids to give (its first range is granted): a fork placed there can be built. */
  readonly ready: boolean;
}

function isLoadReport(m: unknown): m is LoadReport {
  if (m === null || typeof m !== 'object' || (m as { t?: unknown }).t !== 'proc.load') return false;
  const r = m as { load?: unknown; boot?: unknown; ready?: unknown };
  return Number.isSafeInteger(r.load) && Number.isSafeInteger(r.boot) && typeof r.ready === 'boolean';
}

/** A fork placed on a node that has no pids yet waits this long for its report that it has (node time)... */
export const FORK_READY_WAIT_NS = 1_000_000_000;
/** ...looking again this often. */
const FORK_READY_LOOK_NS = 5_000_000;

interface Heard {
  at_ns: number;
  boot: number;
  ready: boolean;
}

/**
 * What places a fork elsewhere: given the parked caller and the target, calls done once, later, with the fork's
 * answer (the child's pid), or with forkHere(call) when the child could not be built there.
 */
export type RemoteForker = (call: HostCall, target: string, done: (answer: HostAnswer) => void) => void;

export interface ProcessBridgeOptions {
  readonly placement: PlacementPolicy;
  /** Builds a child on another node (absent: every fork stays here). */
  readonly remoteFork?: RemoteForker;
  /** A node this one has children or parents on went down (silent, or booted again). */
  readonly nodeDown?: (node: string) => void;
  /** A node declared down here is heard from again, with the same boot: it was cut off, not crashed. */
  readonly rejoined?: (node: string) => void;
  /** The nodes whose going down matters here. */
  readonly partners?: () => ReadonlySet<string>;
  /** setpgid handed over by the kernel (a stand-in's child must agree, or no event record was free). */
  readonly setpgid?: (call: HostCall) => HostAnswer;
  /** Atoll's spawn call (a program started on a node as the caller's child). */
  readonly spawn?: (call: HostCall) => HostAnswer;
  /** Atoll's migrate call (the caller's process moves itself to a node). */
  readonly migrate?: (call: HostCall) => HostAnswer;
  /** Atoll's dsm_map call (a named region of distributed shared memory, src/dsm/region.ts). */
  readonly dsmMap?: (call: HostCall) => HostAnswer;
  /** A host call was answered outside a slice: the machine must look. */
  readonly wake: () => void;
  /** The node pid lives on as this node knows it (the process directory, else the lease), or null. */
  readonly owner?: (pid: number) => string | null;
  /** A signal for pid while it moves to another node: kept, deliver runs once it runs again (true), or not moving (false). */
  readonly held?: (pid: number, deliver: () => void) => boolean;
}

export class ProcessBridge {
  readonly rpc: RpcServer;
  readonly client: RpcClient;
  private readonly loads = new Map<string, number>();
  private readonly heard = new Map<string, Heard>();
  /** The boot of node's machine as last heard (undefined: never heard). */
  bootOf(node: string): number | undefined {
    return this.heard.get(node)?.boot;
  }

  /** Nodes declared down and not heard from since. */
  private readonly down = new Set<string>();
  /** Which boot of this node's machine this is (peers see a new one as the old machine gone). */
  readonly boot: number;
  private readonly started_ns: number;
  private turn = 0;
  private reportTimer: number | null = null;
  /** Forks placed here and elsewhere, for the run's report. */
  forks_local = 0;
  forks_remote = 0;

  constructor(
    private readonly ctx: NodeContext, private readonly sys: System, private readonly opts: ProcessBridgeOptions,
    rpc: RpcServer = new RpcServer(ctx), client: RpcClient = new RpcClient(ctx),
  ) {
    this.rpc = rpc;
    this.client = client;
    this.boot = ctx.rng.nextU32();
    this.started_ns = ctx.monotonic_ns();
    sys.machine.kernel.kernelSetCluster(1);
    sys.serve(SYS.kill, (call) => this.kill(call));
    sys.serve(SYS.tkill, (call) => this.tkill(call, 0, call.args[0]! | 0, call.args[1]! | 0));
    sys.serve(SYS.tgkill, (call) => this.tkill(call, call.args[0]! | 0, call.args[1]! | 0, call.args[2]! | 0));
    sys.serve(SYS.spawn, (call) => opts.spawn?.(call) ?? -ENOSYS);
    sys.serve(SYS.migrate, (call) => opts.migrate?.(call) ?? -ENOSYS);
    sys.serve(SYS.dsm_map, (call) => opts.dsmMap?.(call) ?? -ENOSYS);
    sys.serve(SYS.setpgid, (call) => opts.setpgid?.(call) ?? -ERESTARTNOINTR);
    // The kernel hands setsid over only when it found no event record for the stand-in's notice: the ring is
    // drained before any call is served, so the call runs again and finds one.
    sys.serve(SYS.setsid, () => -ERESTARTNOINTR);
    // getpgid and getsid of a pid that is no process here: ask where it runs.
    sys.serve(SYS.getpgid, (call) => this.idElsewhere(call, 0));
    sys.serve(SYS.getsid, (call) => this.idElsewhere(call, 1));
    this.serveSignals();
    if (opts.placement !== 'local') {
      sys.machine.kernel.kernelSetForkHost(1);
      sys.serve(SYS.clone, (call) => this.fork(call));
    }
    this.report();
  }

  /** A message for the machine service: a load report, an RPC request or reply. */
  handle(from: string, msg: unknown): void {
    if (isLoadReport(msg)) {
      const before = this.heard.get(from);
      this.heard.set(from, { at_ns: this.ctx.monotonic_ns(), boot: msg.boot, ready: msg.ready });
      this.loads.set(from, msg.load);
      const rebooted = before !== undefined && before.boot !== msg.boot;
      if (rebooted && !this.down.has(from)) this.declareDown(from);
      if (this.down.delete(from) && !rebooted) {
        this.ctx.log(`node ${from} is back (same boot: it was cut off)`);
        this.opts.rejoined?.(from);
      }
      return;
    }
    if (!this.client.handle(from, msg)) this.rpc.handle(from, msg);
  }

  stop(): void {
    if (this.reportTimer !== null) this.ctx.clearTimer(this.reportTimer);
    this.reportTimer = null;
    this.client.close();
  }

  /** This machine's load: runnable threads plus live processes. */
  load(): number {
    const m = this.sys.machine;
    return m.u32(KS + KS_RUNNABLE) + m.u32(KS + KS_LIVE_PROCS);
  }

  private report(): void {
    const load = this.load();
    this.loads.set(this.ctx.id, load);
    const ready = this.sys.machine.kernel.kernelPidsLeft() > 0;
    for (const peer of this.ctx.peers) this.ctx.send(peer, { t: 'proc.load', load, boot: this.boot, ready } satisfies LoadReport);
    const now = this.ctx.monotonic_ns();
    for (const node of this.opts.partners?.() ?? []) {
      const h = this.heard.get(node);
      if (!this.down.has(node) && (h === undefined || now - h.at_ns > NODE_SILENT_NS)) this.declareDown(node);
    }
    this.reportTimer = this.ctx.setTimer(LOAD_REPORT_NS, () => this.report());
  }

  private declareDown(node: string): void {
    this.down.add(node);
    this.ctx.log(`node ${node} is down (silent for ${NODE_SILENT_NS / 1e9} s, or booted again)`);
    this.opts.nodeDown?.(node);
  }

  /** Is node silent for longer than NODE_SILENT_NS (or declared down and not heard from since)? */
  isDown(node: string): boolean {
    if (node === this.ctx.id) return false;
    if (this.down.has(node)) return true;
    const h = this.heard.get(node);
    const since = h === undefined ? this.started_ns : h.at_ns;
    return this.ctx.monotonic_ns() - since > NODE_SILENT_NS;
  }

  /**
   * Placement candidates: nodes heard from lately, and in this machine's first NODE_SILENT_NS those not heard
   * from yet (a peer that starts a little later is up all the same; a fork sent to one that cannot be reached
   * goes on here).
   */
  private upNodes(): Set<string> {
    const now = this.ctx.monotonic_ns();
    const young = now - this.started_ns <= NODE_SILENT_NS;
    const up = new Set<string>([this.ctx.id]);
    for (const node of this.ctx.peers) {
      const h = this.heard.get(node);
      if (this.down.has(node)) continue;
      if (h === undefined ? young : now - h.at_ns <= NODE_SILENT_NS) up.add(node);
    }
    return up;
  }

  /** What the rebalancer looks at: this machine's load, the others' last reports, the nodes up. */
  balanceInput(): BalanceInput {
    return { self: this.ctx.id, load: this.load(), loads: this.loads, up: this.upNodes() };
  }

  /** Where a new process goes under the policy (spawn with no node named uses it too, `local` included). */
  placeTarget(): string {
    return placeProcess(this.opts.placement, {
      self: this.ctx.id, nodes: [this.ctx.id, ...this.ctx.peers].sort(compareNodes), up: this.upNodes(),
      loads: this.loads, turn: this.turn++,
    });
  }

  /** A fork the kernel handed over: place it. */
  private fork(call: HostCall): HostAnswer {
    const target = this.placeTarget();
    const remote = this.opts.remoteFork;
    if (target === this.ctx.id || remote === undefined) return this.forkHere(call);
    // The network answers later, always: the caller waits, the machine runs on. The image is taken once the
    // caller has left its hart (after this slice), when its registers are in its thread's slot.
    this.ctx.setTimer(0, () => this.whenReady(call, target, this.ctx.monotonic_ns() + FORK_READY_WAIT_NS));
    return LATER;
  }

  /**
   * Send the fork to target once its machine has pids (a node that just booted leases its first range first),
   * or, when it has none by the deadline, fork here.
   */
  private whenReady(call: HostCall, target: string, until_ns: number): void {
    const remote = this.opts.remoteFork!;
    const h = this.heard.get(target);
    if (h !== undefined && !h.ready && !this.isDown(target)) {
      if (this.ctx.monotonic_ns() < until_ns) { this.ctx.setTimer(FORK_READY_LOOK_NS, () => this.whenReady(call, target, until_ns)); return; }
      this.ctx.log(`fork of ${call.pid}: ${target} has no pids yet; forking here`);
      this.sys.hostcalls.ring.complete(call.id, this.forkHere(call) as number);
      this.opts.wake();
      return;
    }
    remote(call, target, (answer) => {
      if (answer === LATER) return;
      const ring = this.sys.hostcalls.ring;
      if (typeof answer === 'number') ring.complete(call.id, answer);
      else ring.answer(call.id, answer);
      this.opts.wake();
    });
  }

  // ---- signals between machines ----------------------------------------------------------------------------

  /** kill(2) the kernel handed over: a target not on this machine, or a group or broadcast kill. */
  private kill(call: HostCall): HostAnswer {
    const pid = call.args[0]! | 0, sig = call.args[1]! >>> 0;
    const sender = call.pid;
    if (pid > 0) {
      this.signalElsewhere(pid, sig, sender, (r) => this.finish(call, r));
      return LATER;
    }
    // pid 0: the caller's group; -1: everyone but the caller (and the first process); < -1: group -pid.
    const pgid = pid === 0 ? this.pgidOf(call.proc) : pid === -1 ? SIGNAL_GROUP_ALL : -pid;
    const exclude = pid === -1 ? sender : 0;
    const here = this.sys.machine.kernel.kernelSignalGroup(pgid >>> 0, sig, sender, exclude);
    if (here < 0) return here;
    this.everywhere('proc.killgroup', { pgid: pgid >>> 0, sig, sender, exclude }, (r) => Math.max(0, r), (found) => this.finish(call, here + found > 0 ? 0 : -ESRCH));
    return LATER;
  }

  /**
   * Signal pid on the node the directory or lease names (or, none known, on whichever node has it): done with
   * that node's answer, or ETIMEDOUT / EHOSTUNREACH when it could not be had.
   */
  private signalElsewhere(pid: number, sig: number, sender: number, done: (result: number) => void): void {
    const owner = this.opts.owner?.(pid) ?? null;
    if (owner !== null && owner !== this.ctx.id) {
      this.client.call(owner, 'proc.kill', { pid, sig, sender }, { deadline_ns: SIGNAL_DEADLINE_NS, retry_ns: SIGNAL_RETRY_NS }, (o) => {
        done(o.ok ? (typeof o.result === 'number' ? o.result : -EINVAL) : rpcErrno(o.error.code));
      });
      return;
    }
    this.everywhere('proc.kill', { pid, sig, sender }, (r) => (r === 0 ? 1 : 0), (found, failed) => done(found > 0 ? 0 : failed ? -EHOSTUNREACH : -ESRCH));
  }

  /** A signal held while its target moved: to it where it runs now (here, when the move did not happen). */
  private redeliver(pid: number, sig: number, sender: number): void {
    const owner = this.opts.owner?.(pid) ?? null;
    if (owner === null || owner === this.ctx.id) {
      if (this.sys.machine.kernel.kernelSignal(pid, sig, sender) === 0) { this.opts.wake(); return; }
    }
    this.signalElsewhere(pid, sig, sender, (r) => { if (r < 0) this.ctx.log(`signal ${sig} for ${pid}, held while it moved: ${r}`); });
  }

  /** getpgid (sid 0) or getsid (sid 1) of a process elsewhere: from its node, or -ESRCH. */
  private idElsewhere(call: HostCall, sid: number): HostAnswer {
    const pid = call.args[0]! | 0;
    if (pid <= 0) return -ESRCH;
    const owner = this.opts.owner?.(pid) ?? null;
    const answer = (r: number): void => this.finish(call, r);
    if (owner !== null && owner !== this.ctx.id) {
      this.client.call(owner, 'proc.getid', { pid, sid }, { deadline_ns: SIGNAL_DEADLINE_NS, retry_ns: SIGNAL_RETRY_NS }, (o) => {
        answer(o.ok ? (typeof o.result === 'number' ? o.result : -ESRCH) : rpcErrno(o.error.code));
      });
      return LATER;
    }
    // Not known to run anywhere else: every other node is asked (a pid lives on one machine at most).
    let id = -ESRCH;
    this.everywhere('proc.getid', { pid, sid }, (r) => { if (r >= 0) id = r; return r >= 0 ? 1 : 0; }, (found, failed) => answer(found > 0 ? id : failed ? -EHOSTUNREACH : -ESRCH));
    return LATER;
  }

  /** tkill (tgid 0) or tgkill of a thread not on this machine. */
  private tkill(call: HostCall, tgid: number, tid: number, sig: number): HostAnswer {
    if (tid <= 0 || tgid < 0) return -EINVAL;
    this.everywhere('proc.tkill', { tgid, tid, sig: sig >>> 0, sender: call.pid }, (r) => (r === 0 ? 1 : 0), (found, failed) => this.finish(call, found > 0 ? 0 : failed ? -EHOSTUNREACH : -ESRCH));
    return LATER;
  }

  /** The handlers other nodes' requests reach: deliver on this machine, then let it run. */
  private serveSignals(): void {
    const k = this.sys.machine.kernel;
    const num = (x: unknown): number | null => (typeof x === 'number' && Number.isInteger(x) && x >= -0x8000_0000 && x <= 0xffff_ffff ? x : null);
    const delivered = (r: number): number => {
      if (r >= 0) this.opts.wake();
      return r;
    };
    this.rpc.register('proc.kill', (a) => {
      const { pid, sig, sender } = (a ?? {}) as Record<string, unknown>;
      if (num(pid) === null || num(sig) === null || num(sender) === null) return -EINVAL;
      if (this.opts.held?.(pid as number, () => this.redeliver(pid as number, sig as number, sender as number)) === true) return 0;
      return delivered(k.kernelSignal(pid as number, sig as number, sender as number));
    });
    this.rpc.register('proc.killgroup', (a) => {
      const { pgid, sig, sender, exclude } = (a ?? {}) as Record<string, unknown>;
      if (num(pgid) === null || num(sig) === null || num(sender) === null || num(exclude) === null) return -EINVAL;
      return delivered(k.kernelSignalGroup(pgid as number, sig as number, sender as number, exclude as number));
    });
    this.rpc.register('proc.getid', (a) => {
      const { pid, sid } = (a ?? {}) as Record<string, unknown>;
      if (num(pid) === null || (sid !== 0 && sid !== 1)) return -EINVAL;
      return k.procIdOf(pid as number, sid as number);
    }, { idempotent: true });
    this.rpc.register('proc.tkill', (a) => {
      const { tgid, tid, sig, sender } = (a ?? {}) as Record<string, unknown>;
      if (num(tgid) === null || num(tid) === null || num(sig) === null || num(sender) === null) return -EINVAL;
      return delivered(k.kernelThreadSignal(tgid as number, tid as number, sig as number, sender as number));
    });
  }

  /**
   * Ask every other node (a target whose node is not known; a pid lives on at most one machine, so a request
   * that finds nothing there does nothing); done(found, failed): the sum of count(answer) over the nodes that
   * answered (how many processes a group kill reached, or one per node that had the target), and whether some
   * node could not be asked.
   */
  private everywhere(method: string, args: unknown, count: (result: number) => number, done: (found: number, failed: boolean) => void): void {
    const peers = this.ctx.peers;
    let left = peers.length, found = 0, failed = false;
    if (left === 0) { done(0, false); return; }
    for (const peer of peers) {
      this.client.call(peer, method, args, { deadline_ns: SIGNAL_DEADLINE_NS, retry_ns: SIGNAL_RETRY_NS }, (o) => {
        if (o.ok && typeof o.result === 'number') found += count(o.result);
        else if (!o.ok) failed = true;
        if (--left === 0) done(found, failed);
      });
    }
  }

  private finish(call: HostCall, result: number): void {
    this.sys.hostcalls.ring.complete(call.id, result);
    this.opts.wake();
  }

  private pgidOf(proc: number): number {
    const pgid = this.sys.machine.u32(PROC_BASE + proc * PROC_BYTES + P.PGID);
    return pgid === 0 ? SIGNAL_GROUP_HOST : pgid;
  }

  /**
   * An operator's kill (atoll kill): deliver sig to pid wherever it runs, sent by no process (si_pid 0); done
   * with 0 or -errno.
   */
  operatorKill(pid: number, sig: number, done: (result: number) => void): void {
    const here = this.sys.machine.kernel.kernelSignal(pid, sig, 0);
    if (here === -ESRCH) { this.signalElsewhere(pid, sig, 0, done); return; }
    if (here === 0) this.opts.wake();
    done(here);
  }

  /** Fork on this machine: the caller's ecall runs again and the kernel forks. */
  forkHere(call: HostCall): HostAnswer {
    this.sys.machine.kernel.threadForkHere(call.thread);
    return -ERESTARTNOINTR;
  }
}

/** The errno a guest gets for an RPC that failed: ETIMEDOUT when it went unanswered, else EHOSTUNREACH. */
export function rpcErrno(code: RpcErrorCode): number {
  return code === 'timeout' ? -ETIMEDOUT : -EHOSTUNREACH;
}
