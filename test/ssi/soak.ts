// A fault soak of `procs`: every node runs a fork-like workload (a LeaseKeeper, places of the PIDs it takes,
// a rival place of the same PID from another node now and then, moves, ends and reaps, node-down, direct
// leases) under a seeded nemesis (partitions, majority rings, kills, pauses, clock steps), extra crashes,
// and message loss, duplication and reordering. A checker watches every Ready of every replica and, after
// the faults heal, the acknowledged outcomes against the replicated state.
import type { NodeContext, NodeService, TimerId } from '../../src/cluster/index.js';
import { Nemesis } from '../../src/net/index.js';
import type { Prng } from '../../src/sim/index.js';
import { LeaseKeeper, procsOf, type LeaseRecord, type PidStateMachine, type ProcsService } from '../../src/ssi/index.js';
import { layout } from '../../src/machine/index.js';
import { MS, Outcome, ProcsSim } from './sim.js';

const { CLD_EXITED } = layout;

export interface SsiSoakOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly fault_ms?: number;
}

export interface SsiSoakResult {
  readonly seed: number;
  readonly nodes: number;
  readonly violations: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  readonly digest: string;
}

/** What the workloads saw acknowledged, and every violation found. */
class Recorder {
  readonly grants: { node: string; start: number; count: number }[] = [];
  readonly placedAt = new Map<number, string>();
  readonly violations: string[] = [];
  readonly counts: Record<string, number> = { grants: 0, placed: 0, rivals_won: 0, refused: 0, moved: 0, reaped: 0, eagain: 0, node_down: 0, failed: 0 };
  quiet = false;
  /** Lease records seen in any replica, by start: all replicas must agree on each. */
  private readonly seen = new Map<number, string>();

  grant(node: string, start: number, count: number): void {
    this.grants.push({ node, start, count });
    this.counts['grants']!++;
  }

  placed(pid: number, node: string): void {
    const before = this.placedAt.get(pid);
    if (before !== undefined && before !== node) this.violations.push(`pid ${pid} acknowledged placed on ${before} and on ${node}`);
    this.placedAt.set(pid, node);
    this.counts['placed']!++;
  }

  count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

  /** A replica's table after a Ready: increasing, disjoint, and each record the same as every replica's. */
  checkTable(node: string, table: readonly LeaseRecord[], from: number): void {
    for (let i = from; i < table.length; i++) {
      const l = table[i]!;
      const prev = table[i - 1];
      if (prev && l.start < prev.start + prev.count) this.violations.push(`${node}: lease ${l.start}+${l.count} overlaps ${prev.start}+${prev.count}`);
      const key = `${l.count}/${l.node}`;
      const other = this.seen.get(l.start);
      if (other === undefined) this.seen.set(l.start, key);
      else if (other !== key) this.violations.push(`${node}: lease at ${l.start} is ${key}, another replica has ${other}`);
    }
  }
}

/** A node's fork-like workload, reaching its procs service in-process. */
class SsiLoad implements NodeService {
  private ctx!: NodeContext;
  private procs!: ProcsService;
  private keeper!: LeaseKeeper;
  private rng!: Prng;
  private timer: TimerId | null = null;
  /** PIDs this incarnation placed here and believes still run here. */
  private live: number[] = [];

  constructor(private readonly rec: Recorder) {}

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.rng = ctx.rng;
    const procs = procsOf(ctx);
    if (!procs) throw new Error('no procs service on this node');
    this.procs = procs;
    this.keeper = new LeaseKeeper({
      source: procs, timers: ctx, lease_count: 8, low_water: 4, timeout_ms: 800, retry_ms: 50,
      onLease: (start, count) => this.rec.grant(ctx.id, start, count),
    });
    this.keeper.start();
    this.schedule();
  }

  onMessage(): void {}

  stop(): void {
    this.keeper.stop();
    if (this.timer !== null) this.ctx.clearTimer(this.timer);
  }

  private schedule(): void {
    this.timer = this.ctx.setTimer(this.rng.int(5, 40) * MS, () => {
      this.timer = null;
      if (this.rec.quiet) return this.keeper.stop();
      this.step();
      this.schedule();
    });
  }

  private peer(): string {
    return this.rng.pick(this.ctx.peers);
  }

  private step(): void {
    const r = this.rng.float();
    if (r < 0.05) this.directLease();
    else if (r < 0.6) this.fork();
    else if (r < 0.7 && this.live.length > 0) this.move();
    else if (r < 0.71) this.procs.nodeDown(this.peer(), (x) => x.ok && this.rec.count('node_down'));
    else if (this.live.length > 0) this.exit();
  }

  private directLease(): void {
    const id = this.ctx.id;
    this.procs.lease(this.rng.int(1, 16), (x) => (x.ok ? this.rec.grant(id, x.value.start, x.value.count) : this.rec.count('failed')));
  }

  private fork(): void {
    const pid = this.keeper.take();
    if (pid === null) return this.rec.count('eagain');
    const id = this.ctx.id;
    this.procs.place({ pid, ppid: 1, pgid: 1, sid: 1, program: 'child' }, (x) => {
      if (x.ok) {
        this.rec.placed(pid, id);
        this.live.push(pid);
      } else this.rec.count(x.error.kind === 'refused' ? 'refused' : 'failed');
    });
    if (!this.rng.chance(0.15)) return;
    // Another claim on the same pid at once, elsewhere: at most one of the two may win.
    const rival = this.peer();
    this.procs.place({ pid, node: rival, ppid: 1, pgid: 1, sid: 1, program: 'rival' }, (x) => {
      if (!x.ok) return;
      this.rec.placed(pid, rival);
      this.rec.count('rivals_won');
    });
  }

  private move(): void {
    const pid = this.live.splice(this.rng.int(0, this.live.length - 1), 1)[0]!;
    const to = this.peer();
    this.procs.move(pid, this.ctx.id, to, (x) => (x.ok ? this.rec.count('moved') : this.rec.count('failed')));
  }

  private exit(): void {
    const pid = this.live.splice(this.rng.int(0, this.live.length - 1), 1)[0]!;
    this.procs.end(pid, { code: CLD_EXITED, status: this.rng.int(0, 3) }, (x) => {
      if (!x.ok) return this.rec.count('failed');
      this.procs.forget(pid, (y) => (y.ok ? this.rec.count('reaped') : this.rec.count('failed')));
    });
  }
}

export function runSsiSoak(o: SsiSoakOptions): SsiSoakResult {
  const nodes = o.nodes ?? (o.seed % 2 === 0 ? 3 : 5);
  const faultMs = o.fault_ms ?? 6000;
  const rec = new Recorder();
  const seenLen = new Map<string, number>();
  const s = new ProcsSim({
    seed: o.seed, nodes, extra: { load: () => new SsiLoad(rec) },
    link: { loss: 0.03, duplicate: 0.02, reorder: 0.05 },
    procs: {
      snapshot_entries: 50,
      observe: (host) => {
        const table = (host.machine as PidStateMachine).leaseTable();
        const before = seenLen.get(host.id) ?? 0;
        // A shorter table is a restarted replica: check it all again.
        rec.checkTable(host.id, table, table.length < before ? 0 : before);
        seenLen.set(host.id, table.length);
      },
    },
  });
  const rng = s.c.sim.rng.split('ssi-soak');
  new Nemesis(s.c, { rng: rng.split('nemesis'), kinds: ['halves', 'ring', 'kill', 'pause', 'skew'], interval_ns: 400 * MS, stop_ns: faultMs * MS });
  scheduleCrashes(s, rng.split('crashes'), faultMs);
  s.run(faultMs);
  heal(s);
  rec.quiet = true;
  s.run(3000);
  checkAfterHealing(s, rec);
  return { seed: o.seed, nodes, violations: rec.violations, counts: rec.counts, digest: s.c.sim.trace.digest() };
}

/** Beside the nemesis: a random node crashes now and then and restarts a little later. */
function scheduleCrashes(s: ProcsSim, rng: Prng, faultMs: number): void {
  for (let t = rng.int(200, 900); t < faultMs - 700; t += rng.int(400, 1500)) {
    const node = rng.pick(s.ids);
    const down = rng.int(50, 600);
    s.c.sim.at(t * MS, () => {
      if (s.c.node(node).status === 'down') return;
      s.c.crash(node);
      s.c.sim.after(down * MS, () => s.c.node(node).status === 'down' && s.c.restart(node));
    });
  }
}

function heal(s: ProcsSim): void {
  s.c.net.heal();
  s.c.net.configure({ loss: 0, duplicate: 0, reorder: 0 });
  for (const id of s.ids) {
    const n = s.c.node(id);
    if (n.status === 'paused') s.c.resume(id);
    if (n.status === 'down') s.c.restart(id);
  }
}

function checkAfterHealing(s: ProcsSim, rec: Recorder): void {
  const v = rec.violations;
  // Every node gets a lease again (liveness), and the replicas converge.
  const asks = s.ids.map((id) => {
    const out = new Outcome<{ start: number; count: number }>(s);
    s.procs(id)!.lease(4, out.cb, { timeout_ms: 3000 });
    return [id, out] as const;
  });
  const converged = (): boolean => {
    const hosts = s.ids.map((id) => s.procs(id)!.host!);
    return asks.every(([, x]) => x.result !== undefined) && hosts.every((h) => h.applied === hosts[0]!.applied && h.applied === h.raft.log.committed);
  };
  if (!s.runUntil(converged, 5000)) v.push('the cluster did not converge within 5 s of healing');
  for (const [id, x] of asks) {
    if (x.result?.ok) rec.grant(id, x.result.value.start, x.result.value.count);
    else v.push(`${id}: no lease after healing: ${JSON.stringify(x.result)}`);
  }
  s.run(200);
  const leader = s.leader();
  if (!leader) return void v.push('no leader after healing');
  const m = s.procs(leader)!.machine;
  const image = m.snapshot();
  for (const id of s.ids) if (s.procs(id)!.machine.snapshot() !== image) v.push(`${id}: replicated state differs from the leader's`);
  checkGrants(rec, m.leaseTable());
  for (const e of m.list(0, 1024).entries) if (!m.leaseOf(e.pid)) v.push(`pid ${e.pid} is in the directory outside every lease`);
}

/** Acknowledged grants: pairwise disjoint, each in the replicated table under the node that asked. */
function checkGrants(rec: Recorder, table: readonly LeaseRecord[]): void {
  const sorted = [...rec.grants].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.start < a.start + a.count) rec.violations.push(`grants ${a.start}+${a.count} (${a.node}) and ${b.start}+${b.count} (${b.node}) overlap`);
  }
  const byStart = new Map(table.map((l) => [l.start, l]));
  for (const g of sorted) {
    const l = byStart.get(g.start);
    if (!l || l.count !== g.count || l.node !== g.node) rec.violations.push(`acknowledged grant ${g.start}+${g.count} to ${g.node} is not in the replicated table`);
  }
}
