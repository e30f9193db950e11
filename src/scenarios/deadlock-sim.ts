// A simulated cluster running only the dlm service, driven as file servers drive it: owners (processes) on
// nodes locking files through their node's LockManager (LockHome), with the simulator's truth at hand: the true
// global waits-for graph now (truth.ts), and as it was just before every victim's abort. The soak, the scenario
// and the benchmark run their workloads on it.
import { SimCluster } from '../cluster/index.js';
import type { LinkParams } from '../net/index.js';
import { FsError, Later, type LockRequest } from '../vfs/index.js';
import { DLM_SERVICE, LockService, trueGraph, type DeadlockEvent, type DeadlockStrategy, type TrueEdge } from '../deadlock/index.js';

export interface LockSimOptions {
  readonly strategy: DeadlockStrategy;
  readonly nodes: number;
  readonly seed: number;
  readonly link?: Partial<LinkParams>;
  /** When each node boots (ns of virtual time; default every node at 0). */
  readonly boot_ns?: readonly number[];
  readonly period_ns?: number;
}

/** One lock request's outcome once settled: 'ok', or the errno ('EDEADLK', 'ENOLCK', 'EAGAIN'); null while waiting. */
export interface LockOutcome { outcome: string | null; at_ns: number }

export class LockSim {
  readonly c: SimCluster;
  readonly ids: readonly string[];
  readonly events: DeadlockEvent[] = [];
  /** The true global graph just before each cycle broken (by its event: a wait's id is its manager's, and a
   * manager that restarts numbers its waits afresh). */
  readonly atAbort = new Map<DeadlockEvent, { readonly truth: TrueEdge[] }>();
  /** The truth just before the abort being applied now, and where. */
  private lastAbort: { readonly key: string; readonly truth: TrueEdge[] } | null = null;

  constructor(readonly opts: LockSimOptions) {
    if (!Number.isInteger(opts.nodes) || opts.nodes < 1) throw new RangeError('a lock cluster has at least one node');
    const ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
    this.ids = ids;
    const staggered = opts.boot_ns !== undefined;
    this.c = new SimCluster({
      seed: opts.seed, autostart: !staggered,
      nodes: ids.map((id) => ({
        id, services: {
          [DLM_SERVICE]: () => new LockService({
            strategy: opts.strategy, ...(opts.period_ns !== undefined ? { period_ns: opts.period_ns } : {}),
            observe: (e) => {
              this.events.push(e);
              const a = this.lastAbort;
              if (e.kind === 'broken' && a !== null && a.key === `${e.victim.mgr} ${e.victim.wait}`) this.atAbort.set(e, { truth: a.truth });
              this.lastAbort = null;
            },
            beforeAbort: (node, wait) => { this.lastAbort = { key: `${node} ${wait}`, truth: this.truth() }; },
          }),
        },
      })),
      ...(opts.link ? { link: opts.link } : {}),
    });
    if (staggered) ids.forEach((id, i) => this.c.sim.at(opts.boot_ns![i] ?? 0, () => this.c.start(id)));
  }

  get now_ns(): number {
    return this.c.sim.now_ns;
  }

  up(node: string): boolean {
    const s: string = this.c.node(node).status;
    return s !== 'down' && this.c.service<LockService>(node, DLM_SERVICE) !== undefined;
  }

  svc(node: string): LockService {
    const s = this.c.service<LockService>(node, DLM_SERVICE);
    if (s === undefined) throw new Error(`${node} runs no dlm service now`);
    return s;
  }

  live(): LockService[] {
    return this.ids.filter((id) => this.up(id)).map((id) => this.svc(id));
  }

  /** The true global waits-for graph now. */
  truth(): TrueEdge[] {
    return trueGraph(this.live());
  }

  /** Owner p<pid> on node asks for a write lock of byte at of file. */
  lock(node: string, pid: number, file: number, at: number, wait: boolean, settled?: (o: LockOutcome) => void): LockOutcome {
    const out: LockOutcome = { outcome: null, at_ns: this.now_ns };
    const done = (v: string): void => { out.outcome = v; out.at_ns = this.now_ns; settled?.(out); };
    const req: LockRequest = { owner: { family: 'posix', id: `p${pid}`, pid, node: '' }, type: 'write', start: at, end: at + 1, wait };
    try {
      const r = this.svc(node).locks.set(String(file), req).result;
      if (r instanceof Later) r.then(() => done('ok'), (e: unknown) => done(e instanceof FsError ? e.code : String(e)));
      else done('ok');
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      done(e.code);
    }
    return out;
  }

  releaseAll(node: string, pid: number): void {
    if (this.up(node)) this.svc(node).locks.releaseOwner(null, `p${pid}`);
  }

  /** Detection messages (probes, holds, reports, aborts) sent so far by the live nodes. */
  detectionMessages(): number {
    return this.live().reduce((n, s) => n + s.stats.detection_messages, 0);
  }

  runFor(ns: number): void {
    this.c.sim.runFor(ns);
  }

  digest(): string {
    return this.c.sim.trace.digest();
  }
}
