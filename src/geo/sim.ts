// The geo store on the deterministic simulator: centres of replicas on a SimCluster with local and WAN
// links, clients with sessions that issue reads and writes at a replica of their centre (scripted or in
// a seeded closed loop), and the history of every operation. A client whose replica is down goes to
// another replica of its centre; a request whose coordinator crashes under it ends, as a client's timeout
// would, shortly after the deadline. Times in the history are true simulated ns; node code never sees them.
import { SimCluster } from '../cluster/index.js';
import type { Prng } from '../sim/index.js';
import { compareVersions, formatVersion, maxVersion, VERSION_ZERO, type Version } from './hlc.js';
import type { Conflict, ReplicaStore } from './replica.js';
import { afterOp, newSession, type SessionGuarantees, type SessionState } from './session.js';
import { checkSessions, type SessionCheck, type SessionOp } from './checker.js';
import { GeoStore, type GeoResult, type GeoStoreOptions } from './store.js';
import { applyGeoLinks, geoTopology, wanCutGroups, type GeoLinks, type GeoTopology, type GeoTopologyOptions } from './topology.js';

export const GEO_SERVICE = 'geo';
const MS = 1_000_000;

export interface GeoSimOptions {
  readonly seed: number;
  readonly topology?: GeoTopologyOptions;
  readonly links?: GeoLinks;
  readonly store?: Omit<GeoStoreOptions, 'topology'>;
  /** Default guarantees of new sessions (read-your-writes and monotonic reads unless told). */
  readonly guarantees?: Partial<SessionGuarantees>;
  readonly trace_sink?: (line: string) => void;
}

export interface GeoClient {
  readonly id: string;
  centre: string;
  /** The replica the client talks to while it is up. */
  home: string;
  session: SessionState;
  writes: number;
}

/** One client operation and how it ended. */
export interface GeoOp {
  readonly client: string;
  readonly centre: string;
  /** The replica that coordinated it ('' when none of the centre was up). */
  readonly node: string;
  readonly kind: 'read' | 'write';
  readonly key: string;
  /** write: the value written. */
  readonly value: string | null;
  readonly call_ns: number;
  ret_ns: number | null;
  result: GeoResult | null;
}

export interface WorkloadOptions {
  /** Probability an operation is a write (default 0.3). */
  readonly write_fraction?: number;
  /** Pause between a client's operations, uniform in [0, think_ms] (default 10; must be > 0). */
  readonly think_ms?: number;
  /** The keys clients pick from, uniformly (default 64 files /f/0 .. /f/63). */
  readonly keys?: readonly string[];
  /** Probability that a client, before an operation, changes to another replica of its centre (default 0). */
  readonly switch_replica?: number;
  /** Probability that a client, before an operation, travels to another centre with its session (default 0). */
  readonly travel?: number;
}

export class GeoSim {
  readonly topology: GeoTopology;
  readonly cluster: SimCluster;
  readonly ops: GeoOp[] = [];
  readonly clients = new Map<string, GeoClient>();
  private readonly deadline_ns: number;

  constructor(readonly opts: GeoSimOptions) {
    this.topology = geoTopology(opts.topology);
    const topo = this.topology;
    this.deadline_ns = opts.store?.deadline_ns ?? 50 * MS;
    this.cluster = new SimCluster({
      seed: opts.seed,
      ...(opts.trace_sink ? { trace: { sink: opts.trace_sink } } : {}),
      nodes: topo.nodes.map((id) => ({ id, services: { [GEO_SERVICE]: () => new GeoStore({ ...opts.store, topology: topo }) } })),
    });
    applyGeoLinks(this.cluster.net, topo, opts.links);
  }

  get now_ms(): number {
    return this.cluster.sim.now_ns / MS;
  }

  store(node: string): GeoStore | undefined {
    return this.cluster.service<GeoStore>(node, GEO_SERVICE);
  }

  replica(node: string): ReplicaStore | undefined {
    return this.store(node)?.store;
  }

  /** A new client of `centre`; its home replica is the next of the centre in turn unless given. */
  client(id: string, centre: string, opts: { readonly home?: string; readonly guarantees?: Partial<SessionGuarantees> } = {}): GeoClient {
    if (this.clients.has(id)) throw new Error(`client ${id} exists already`);
    const reps = this.replicasOf(centre);
    const inCentre = [...this.clients.values()].filter((c) => c.centre === centre).length;
    const c: GeoClient = { id, centre, home: opts.home ?? reps[inCentre % reps.length]!, session: newSession(id, { ...this.opts.guarantees, ...opts.guarantees }), writes: 0 };
    this.clients.set(id, c);
    return c;
  }

  /** Move a client (with its session) to another centre, or another home replica. */
  move(c: GeoClient, centre: string, home?: string): void {
    const reps = this.replicasOf(centre);
    c.centre = centre;
    c.home = home ?? reps[0]!;
  }

  /** Write `value` (default: a fresh `<client>.<n>`; null deletes). */
  put(c: GeoClient, key: string, value?: string | null, cb?: (op: GeoOp) => void): GeoOp {
    c.writes++;
    return this.issue(c, 'write', key, value === undefined ? `${c.id}.${c.writes}` : value, cb);
  }

  get(c: GeoClient, key: string, cb?: (op: GeoOp) => void): GeoOp {
    return this.issue(c, 'read', key, null, cb);
  }

  private replicasOf(centre: string): readonly string[] {
    const r = this.topology.replicas.get(centre);
    if (!r) throw new Error(`no centre '${centre}' (centres: ${this.topology.centres.join(', ')})`);
    return r;
  }

  /** The client's home if it is up, else the first replica of its centre that is. */
  private coordinator(c: GeoClient): string | undefined {
    const up = (n: string): boolean => this.cluster.node(n).status === 'up';
    if (up(c.home)) return c.home;
    return this.replicasOf(c.centre).find(up);
  }

  private issue(c: GeoClient, kind: 'read' | 'write', key: string, value: string | null, cb?: (op: GeoOp) => void): GeoOp {
    const sim = this.cluster.sim;
    const node = this.coordinator(c) ?? '';
    const op: GeoOp = { client: c.id, centre: c.centre, node, kind, key, value, call_ns: sim.now_ns, ret_ns: null, result: null };
    this.ops.push(op);
    sim.record('geo.invoke', { client: c.id, node, kind, key, value });
    let watchdog: ReturnType<typeof sim.after> | undefined;
    const finish = (r: GeoResult): void => {
      if (op.result !== null) return;
      if (watchdog) sim.cancel(watchdog);
      op.ret_ns = sim.now_ns;
      op.result = r;
      if (r.ok) c.session = afterOp(c.session, kind, key, r.version);
      sim.record('geo.complete', { client: c.id, node, kind, key, ok: r.ok, v: r.ok ? formatVersion(r.version) : r.error });
      cb?.(op);
    };
    const store = node === '' ? undefined : this.store(node);
    if (!store) {
      finish({ ok: false, error: 'no-local-quorum', message: `no replica of ${c.centre} is up`, maybe_applied: false });
      return op;
    }
    // a coordinator that crashes takes its callbacks with it: the client gives up after the deadline
    watchdog = sim.after(this.deadline_ns + MS, () => finish({ ok: false, error: 'no-local-quorum', message: `${kind} ${key}: coordinator ${node} went down`, maybe_applied: kind === 'write' }));
    if (kind === 'write') store.put(c.session, key, value, finish);
    else store.get(c.session, key, finish);
    return op;
  }

  /** Run sequential clients in a seeded closed loop until `until_ms` (no new operation starts after it). */
  closedLoop(clients: readonly GeoClient[], until_ms: number, w: WorkloadOptions = {}): void {
    const sim = this.cluster.sim;
    const rng: Prng = sim.rng.split('geo-workload');
    const p = w.write_fraction ?? 0.3;
    const think = w.think_ms ?? 10;
    const keys = w.keys ?? Array.from({ length: 64 }, (_, i) => `/f/${i}`);
    if (!(think > 0)) throw new RangeError(`think_ms must be > 0, got ${think}`);
    if (keys.length === 0) throw new RangeError('the workload needs at least one key');
    const next = (c: GeoClient): void => {
      if (sim.now_ns >= until_ms * MS) return;
      const again = (): void => { sim.after(Math.round(rng.uniform(0, think) * MS), () => next(c)); };
      if (rng.chance(w.switch_replica ?? 0)) { const reps = this.replicasOf(c.centre); c.home = reps[rng.int(0, reps.length - 1)]!; }
      if (rng.chance(w.travel ?? 0)) { const cs = this.topology.centres; this.move(c, cs[rng.int(0, cs.length - 1)]!); }
      const key = keys[rng.int(0, keys.length - 1)]!;
      if (rng.chance(p)) this.put(c, key, undefined, again);
      else this.get(c, key, again);
    };
    for (const c of clients) sim.after(Math.round(rng.uniform(0, think) * MS), () => next(c));
  }

  cutWan(): void {
    this.cluster.net.partition(wanCutGroups(this.topology));
  }

  heal(): void {
    this.cluster.net.heal();
  }

  runFor(ms: number): void {
    this.cluster.sim.runFor(Math.round(ms * MS));
  }

  /** Run until every issued operation has ended (or `max_ms` more virtual ms passed). */
  settle(max_ms = 10_000): void {
    const sim = this.cluster.sim;
    sim.run({ until_ns: sim.now_ns + max_ms * MS, stop_when: () => this.ops.every((o) => o.result !== null) });
  }

  /** Every replica is up and holds the same entries (the digests agree, then the entries are compared). */
  converged(): boolean {
    const reps = this.topology.nodes.map((n) => this.replica(n));
    if (reps.some((r) => r === undefined)) return false;
    const d0 = reps[0]!.digest().join(',');
    if (!reps.every((r) => r!.digest().join(',') === d0)) return false;
    const a0 = JSON.stringify(reps[0]!.all());
    return reps.every((r) => JSON.stringify(r!.all()) === a0);
  }

  /** Run until the replicas converge (checked every `every_ms`); the virtual ms it took, or null. */
  runUntilConverged(max_ms = 10_000, every_ms = 1): number | null {
    const sim = this.cluster.sim;
    const t0 = sim.now_ns;
    for (;;) {
      if (this.converged()) return (sim.now_ns - t0) / MS;
      if (sim.now_ns - t0 >= max_ms * MS) return null;
      sim.runFor(every_ms * MS);
    }
  }

  /** Per key, the highest version of a write acknowledged by `t_ns`. */
  acknowledgedBy(t_ns: number): Map<string, Version> {
    const out = new Map<string, Version>();
    for (const o of this.ops) {
      if (o.kind !== 'write' || !o.result?.ok || o.ret_ns === null || o.ret_ns > t_ns) continue;
      out.set(o.key, maxVersion(out.get(o.key) ?? VERSION_ZERO, o.result.version));
    }
    return out;
  }

  /** Every replica holds each key at (at least) the given version. */
  holdsEverywhere(want: ReadonlyMap<string, Version>): boolean {
    for (const n of this.topology.nodes) {
      const r = this.replica(n);
      if (!r) return false;
      for (const [k, v] of want) if (compareVersions(r.version(k), v) < 0) return false;
    }
    return true;
  }

  /** The conflict logs of every replica, merged (one entry per overruled write), by key then version. */
  conflicts(): Conflict[] {
    const seen = new Map<string, Conflict>();
    for (const n of this.topology.nodes) for (const c of this.replica(n)?.conflicts ?? []) seen.set(`${c.key}\u0000${formatVersion(c.loser)}`, c);
    return [...seen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : compareVersions(a.loser, b.loser)));
  }

  /**
   * Acknowledged writes that left no trace: not the version every replica holds now, not overwritten by a
   * write whose writer had seen it (its prev is at least the write's version), and in no conflict log.
   * Call it once the replicas have converged; it should be empty.
   */
  lostWrites(): GeoOp[] {
    const ref = this.replica(this.topology.nodes[0]!);
    if (!ref) throw new Error('lostWrites: the first replica is down');
    const logged = new Set(this.conflicts().map((c) => `${c.key}\u0000${formatVersion(c.loser)}`));
    const prevs = new Map<string, Version>();
    for (const o of this.ops) {
      const r = o.result;
      const prev = r?.prev;
      if (o.kind === 'write' && prev !== undefined) prevs.set(o.key, maxVersion(prevs.get(o.key) ?? VERSION_ZERO, prev));
    }
    return this.ops.filter((o) => {
      const r = o.result;
      if (o.kind !== 'write' || !r?.ok) return false;
      if (compareVersions(ref.version(o.key), r.version) === 0) return false;
      if (compareVersions(prevs.get(o.key) ?? VERSION_ZERO, r.version) >= 0) return false;
      return !logged.has(`${o.key}\u0000${formatVersion(r.version)}`);
    });
  }

  /** The history as the session checker sees it. */
  sessionOps(ops: readonly GeoOp[] = this.ops): SessionOp[] {
    return ops.map((o) => ({ session: o.client, kind: o.kind, key: o.key, version: o.result?.ok ? o.result.version : null, call_ns: o.call_ns }));
  }

  checkSessions(ops: readonly GeoOp[] = this.ops): SessionCheck {
    return checkSessions(this.sessionOps(ops));
  }
}
