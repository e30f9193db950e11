// The node's side of processes that span machines: where a fork's child runs (the placement policy, over the
// loads the nodes report), and the requests between nodes' machines that make a remote child look local. Every
// request is an RPC (src/rpc: a deadline, retries, at-most-once), so a retried request never runs twice. A
// fork placed here goes back to the kernel (threadForkHere, then -ERESTARTNOINTR: the ecall forks here); a fork
// placed elsewhere is built there from the parent's image (remote-fork.ts) and shows here as a stand-in child.
// Bounds: the RPC layer's calls in flight; one load report per node kept.
import type { NodeContext } from '../node/index.js';
import { RpcClient, RpcServer } from '../rpc/index.js';
import { LATER, SYS, layout, type HostCall, type HostAnswer, type System } from '../machine/index.js';
import { placeProcess, type PlacementPolicy } from './placement.js';

const { KS, KS_RUNNABLE, KS_LIVE_PROCS, ERESTARTNOINTR } = layout;

/** How often a node tells the others its load (virtual time of its own clock). */
export const LOAD_REPORT_NS = 20_000_000;

export interface LoadReport {
  readonly t: 'proc.load';
  readonly load: number;
}

function isLoadReport(m: unknown): m is LoadReport {
  return m !== null && typeof m === 'object' && (m as { t?: unknown }).t === 'proc.load' && Number.isSafeInteger((m as { load?: unknown }).load);
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
  /** A host call was answered outside a slice: the machine must look. */
  readonly wake: () => void;
}

export class ProcessBridge {
  readonly rpc: RpcServer;
  readonly client: RpcClient;
  private readonly loads = new Map<string, number>();
  private turn = 0;
  private reportTimer: number | null = null;
  /** Forks placed here and elsewhere, for the run's report. */
  forks_local = 0;
  forks_remote = 0;

  constructor(private readonly ctx: NodeContext, private readonly sys: System, private readonly opts: ProcessBridgeOptions) {
    this.rpc = new RpcServer(ctx);
    this.client = new RpcClient(ctx);
    if (opts.placement !== 'local') {
      sys.machine.kernel.kernelSetForkHost(1);
      sys.serve(SYS.clone, (call) => this.fork(call));
    }
    this.report();
  }

  /** A message for the machine service: a load report, an RPC request or reply. */
  handle(from: string, msg: unknown): void {
    if (isLoadReport(msg)) {
      this.loads.set(from, msg.load);
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
    for (const peer of this.ctx.peers) this.ctx.send(peer, { t: 'proc.load', load } satisfies LoadReport);
    this.reportTimer = this.ctx.setTimer(LOAD_REPORT_NS, () => this.report());
  }

  /** A fork the kernel handed over: place it. */
  private fork(call: HostCall): HostAnswer {
    const target = placeProcess(this.opts.placement, {
      self: this.ctx.id, nodes: [this.ctx.id, ...this.ctx.peers].sort(compareNodes), up: new Set(this.loads.keys()),
      loads: this.loads, turn: this.turn++,
    });
    const remote = this.opts.remoteFork;
    if (target === this.ctx.id || remote === undefined) return this.forkHere(call);
    // The network answers later, always: the caller waits, the machine runs on.
    remote(call, target, (answer) => {
      if (answer === LATER) return;
      const ring = this.sys.hostcalls.ring;
      if (typeof answer === 'number') ring.complete(call.id, answer);
      else ring.answer(call.id, answer);
      this.opts.wake();
    });
    return LATER;
  }

  /** Fork on this machine: the caller's ecall runs again and the kernel forks. */
  forkHere(call: HostCall): HostAnswer {
    this.forks_local++;
    this.sys.machine.kernel.threadForkHere(call.thread);
    return -ERESTARTNOINTR;
  }
}

/** n2 before n10. */
export function compareNodes(a: string, b: string): number {
  const na = /^n(\d+)$/.exec(a), nb = /^n(\d+)$/.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}
