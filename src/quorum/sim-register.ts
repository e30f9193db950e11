// The quorum register on the deterministic simulator: one replica and coordinator per node of a
// SimCluster, clients that issue reads and writes at chosen nodes (scripted or in a seeded closed loop),
// and the history of every operation, which the linearizability checker (src/check) judges with the
// register model. Every written value is unique (`<client>.<n>`), so a read names the write it saw.
// Times in the history are true simulated ns; node code never sees them.
import { SimCluster } from '../cluster/index.js';
import { checkOperations, registerModel, type ModelCheckResult, type Operation, type RegisterInput, type RegisterOutput } from '../check/index.js';
import type { LinkParams } from '../net/index.js';
import type { Prng } from '../sim/index.js';
import { QuorumRegister, type RegisterResult, type RegisterValue } from './register.js';
import type { QuorumSystem } from './systems.js';
import type { Tag } from './tag.js';

export const REGISTER_SERVICE = 'register';
const MS = 1_000_000;

export interface RegisterSimOptions {
  readonly seed: number;
  /** Its nodes are the cluster's nodes. */
  readonly system: QuorumSystem;
  readonly link?: Partial<LinkParams>;
  readonly deadline_ms?: number;
  readonly retry_ms?: number;
  /** Replicas push their state to their peers this often (0: never). */
  readonly anti_entropy_ms?: number;
  readonly trace_sink?: (line: string) => void;
  readonly onAdopt?: (node: string, from: Tag, to: Tag, value: RegisterValue, via: string) => void;
}

/** One client operation and how it ended. */
export interface RegisterOp {
  readonly client: string;
  readonly node: string;
  readonly kind: 'read' | 'write';
  /** write: the value written. */
  readonly value?: string;
  readonly call_ns: number;
  ret_ns: number | null;
  result: RegisterResult | null;
}

/** The linearizability view of an operation, or undefined when it surely had no effect. */
function toOperation(op: RegisterOp): Operation<RegisterInput, RegisterOutput> | undefined {
  const r = op.result;
  const input: RegisterInput = op.kind === 'read' ? { op: 'read' } : { op: 'write', value: op.value! };
  if (r === null || (!r.ok && r.maybe_applied)) return { client: op.client, input, output: undefined, call: op.call_ns, ret: null };
  if (!r.ok) return undefined;
  return { client: op.client, input, output: op.kind === 'read' ? r.value : null, call: op.call_ns, ret: op.ret_ns };
}

export interface WorkloadOptions {
  /** Probability an operation is a write (default 0.5). */
  readonly write_fraction?: number;
  /**
   * Pause between a client's operations, uniform in [0, think_ms] (default 20). Must be > 0: where a quorum
   * is the local replica alone (R=W=1) an operation ends at the instant it starts, and a client that never
   * pauses would run forever without virtual time moving.
   */
  readonly think_ms?: number;
}

export class RegisterSim {
  readonly cluster: SimCluster;
  readonly ops: RegisterOp[] = [];
  private readonly writes = new Map<string, number>();

  constructor(readonly opts: RegisterSimOptions) {
    const sys = opts.system;
    this.cluster = new SimCluster({
      seed: opts.seed,
      ...(opts.link ? { link: opts.link } : {}),
      ...(opts.trace_sink ? { trace: { sink: opts.trace_sink } } : {}),
      nodes: sys.nodes.map((id) => ({
        id,
        services: {
          [REGISTER_SERVICE]: () => new QuorumRegister({
            system: sys,
            deadline_ns: (opts.deadline_ms ?? 300) * MS,
            retry_ns: (opts.retry_ms ?? 50) * MS,
            anti_entropy_ns: (opts.anti_entropy_ms ?? 0) * MS,
            ...(opts.onAdopt ? { onAdopt: opts.onAdopt } : {}),
          }),
        },
      })),
    });
  }

  get now_ms(): number {
    return this.cluster.sim.now_ns / MS;
  }

  replica(node: string): QuorumRegister | undefined {
    return this.cluster.service<QuorumRegister>(node, REGISTER_SERVICE);
  }

  /** Start a read by `client` at `node`; cb (if any) sees the finished operation. */
  read(client: string, node: string, cb?: (op: RegisterOp) => void): RegisterOp {
    return this.issue(client, node, 'read', undefined, cb);
  }

  /** Start a write of a fresh value `<client>.<n>`. */
  write(client: string, node: string, cb?: (op: RegisterOp) => void): RegisterOp {
    const n = (this.writes.get(client) ?? 0) + 1;
    this.writes.set(client, n);
    return this.issue(client, node, 'write', `${client}.${n}`, cb);
  }

  private issue(client: string, node: string, kind: 'read' | 'write', value: string | undefined, cb?: (op: RegisterOp) => void): RegisterOp {
    const sim = this.cluster.sim;
    const op: RegisterOp = { client, node, kind, ...(value !== undefined ? { value } : {}), call_ns: sim.now_ns, ret_ns: null, result: null };
    this.ops.push(op);
    sim.record('register.invoke', { client, node, kind, value: value ?? null });
    const reg = this.replica(node);
    const finish = (r: RegisterResult): void => {
      op.ret_ns = sim.now_ns;
      op.result = r;
      sim.record('register.complete', { client, node, kind, ok: r.ok, value: r.ok ? r.value : r.error });
      cb?.(op);
    };
    if (!reg) finish({ ok: false, error: 'no-query-quorum', message: `node ${node} is down`, maybe_applied: false });
    else if (kind === 'read') reg.read(finish);
    else reg.write(value!, value!, finish);
    return op;
  }

  /** Run sequential clients in a seeded closed loop until `until_ms` (no new operation starts after it). */
  closedLoop(clients: readonly { readonly id: string; readonly node: string }[], until_ms: number, w: WorkloadOptions = {}): void {
    const sim = this.cluster.sim;
    const rng: Prng = sim.rng.split('register-workload');
    const p = w.write_fraction ?? 0.5;
    const think = w.think_ms ?? 20;
    if (!(think > 0)) throw new RangeError(`think_ms must be > 0, got ${think}`);
    const next = (c: { readonly id: string; readonly node: string }): void => {
      if (sim.now_ns >= until_ms * MS) return;
      const again = (): void => { sim.after(Math.round(rng.uniform(0, think) * MS), () => next(c)); };
      if (rng.chance(p)) this.write(c.id, c.node, again);
      else this.read(c.id, c.node, again);
    };
    for (const c of clients) sim.after(Math.round(rng.uniform(0, think) * MS), () => next(c));
  }

  runFor(ms: number): void {
    this.cluster.sim.runFor(Math.round(ms * MS));
  }

  /** Run until every issued operation has ended (or `max_ms` more virtual ms passed). */
  settle(max_ms = 10_000): void {
    const open = (): boolean => this.ops.some((o) => o.result === null);
    const sim = this.cluster.sim;
    sim.run({ until_ns: sim.now_ns + max_ms * MS, stop_when: () => !open() });
  }

  /** The operations (all, or those chosen) as the checker sees them. */
  history(ops: readonly RegisterOp[] = this.ops): Operation<RegisterInput, RegisterOutput>[] {
    return ops.flatMap((o) => { const x = toOperation(o); return x ? [x] : []; });
  }

  check(ops: readonly RegisterOp[] = this.ops): ModelCheckResult<RegisterInput, RegisterOutput> {
    return checkOperations(registerModel, this.history(ops));
  }
}
