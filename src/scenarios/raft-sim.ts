// A simulated raft-kv cluster for scenarios, the soak and benchmarks: servers n1..nN running the raft-kv
// service, clients c1..cM recording a history, the safety checker on every Ready, a timeline sampled every
// `sample_ms` (role, term, commit index of each node) and an event list (leader changes, faults). A fault
// script's faults act at their virtual times; its `partition` cuts links between servers only, as the
// scenarios' own cuts do (clients still reach every server). Bounds: `timeline_max` samples and `events_max` events are kept (0: no sampling at all).
import { SimCluster, type SimNodeSpec } from '../cluster/index.js';
import { checkHistory, HistoryRecorder, type CheckVerdict } from '../check/index.js';
import { KvClientService, KV_CLIENT_SERVICE, RaftKvService, RAFT_KV_SERVICE, type KvHost } from '../kv/index.js';
import { SafetyChecker, type Ready } from '../raft/index.js';
import { applyFault, formatFault, type FaultTarget, type LatencyDist, type LinkParams, type ScheduledFault } from '../net/index.js';
import type { TraceOptions } from '../sim/index.js';

export const MS = 1_000_000;

export interface RaftSimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly clients: number;
  readonly sample_ms?: number;
  readonly latency?: LatencyDist;
  readonly snapshot_entries?: number;
  readonly tick_ms?: number;
  /** Client think time between operations (default up to 20 ms). */
  readonly think_ms?: number;
  /** Serve gets from the leader's lease instead of a ReadIndex round. */
  readonly lease_reads?: boolean;
  /** Percent of client operations that are writes (default 55). */
  readonly write_percent?: number;
  readonly timeline_max?: number;
  readonly events_max?: number;
  /** Link parameters beyond the latency (loss, duplication, reordering). */
  readonly link?: Partial<Omit<LinkParams, 'latency'>>;
  /** The simulation's trace (default: digest only, no lines kept). */
  readonly trace?: TraceOptions;
  readonly pre_vote?: boolean;
  readonly check_quorum?: boolean;
  /** Called with every Ready of every server, after the safety checker saw it. */
  readonly observe?: (host: KvHost, rd: Ready) => void;
  /** Faults at given virtual times (node names: raftSimNodeIds). */
  readonly faults?: readonly ScheduledFault[];
}

/** The names of a RaftSim's nodes: servers n1..nN, then clients c1..cM. */
export function raftSimNodeIds(nodes: number, clients: number): string[] {
  return [...Array.from({ length: nodes }, (_, i) => `n${i + 1}`), ...Array.from({ length: clients }, (_, i) => `c${i + 1}`)];
}

export interface NodeSample {
  readonly status: 'up' | 'paused' | 'down';
  readonly role: string;
  readonly term: number;
  readonly commit: number;
}

export interface TimelineSample {
  readonly t_ms: number;
  readonly nodes: Readonly<Record<string, NodeSample>>;
}

export interface TimelineEvent {
  readonly t_ms: number;
  readonly what: string;
}

export class RaftSim {
  readonly cluster: SimCluster;
  readonly servers: string[];
  readonly clients: string[];
  readonly checker: SafetyChecker;
  readonly recorder = new HistoryRecorder();
  readonly live = new Map<string, KvHost>();
  readonly clientServices = new Map<string, KvClientService>();
  readonly timeline: TimelineSample[] = [];
  readonly events: TimelineEvent[] = [];
  clientsActive = true;
  /** Raft messages sent between servers (client traffic excluded). */
  raftMessages = 0;
  private readonly sampleNs: number;

  constructor(readonly o: RaftSimOptions) {
    const ids = raftSimNodeIds(o.nodes, o.clients);
    this.servers = ids.slice(0, o.nodes);
    this.clients = ids.slice(o.nodes);
    let now = (): number => 0;
    this.checker = new SafetyChecker(() => now());
    const specs: SimNodeSpec[] = [
      ...this.servers.map((id) => ({
        id,
        services: {
          [RAFT_KV_SERVICE]: () => new RaftKvService({
            voters: this.servers, snapshot_entries: o.snapshot_entries ?? 1000, tick_ms: o.tick_ms ?? 10,
            lease_reads: o.lease_reads, pre_vote: o.pre_vote, check_quorum: o.check_quorum,
            onStart: (s) => this.live.set(id, s),
            observe: (s, rd) => {
              this.raftMessages += rd.messages.length;
              if (rd.softState?.role === 'leader') this.event(`${s.id} becomes leader of term ${s.raft.term}`);
              else if (rd.softState && this.wasLeader.has(s.id)) this.event(`${s.id} steps down (term ${s.raft.term}, now ${rd.softState.role})`);
              if (rd.softState) {
                if (rd.softState.role === 'leader') this.wasLeader.add(s.id);
                else this.wasLeader.delete(s.id);
              }
              this.checker.observe(s.id, s.raft, rd);
              o.observe?.(s, rd);
            },
          }),
        },
      })),
      ...this.clients.map((id) => ({
        id,
        services: {
          [KV_CLIENT_SERVICE]: () => {
            const c = new KvClientService({
              servers: this.servers, recorder: this.recorder, now: () => now(), active: () => this.clientsActive,
              think_ns: (o.think_ms ?? 20) * MS, write_percent: o.write_percent,
            });
            this.clientServices.set(id, c);
            return c;
          },
        },
      })),
    ];
    this.cluster = new SimCluster({
      seed: o.seed, nodes: specs, trace: o.trace ?? { keep_max_lines: 0 },
      link: { latency: o.latency ?? { kind: 'uniform', min_ns: 1 * MS, max_ns: 5 * MS }, ...o.link },
    });
    now = () => this.cluster.sim.now_ns;
    this.sampleNs = (o.sample_ms ?? 100) * MS;
    const target = this.faultTarget();
    for (const f of o.faults ?? []) {
      this.cluster.sim.at(f.at_ns, () => {
        this.event(`fault: ${formatFault({ at_ns: this.cluster.sim.now_ns, fault: f.fault }).replace(/^at \S+ /, '')}`);
        applyFault(target, f.fault);
      });
    }
    if (o.timeline_max === 0) return;
    this.sample();
    const tick = (): void => {
      this.sample();
      this.cluster.sim.after(this.sampleNs, tick);
    };
    this.cluster.sim.after(this.sampleNs, tick);
  }

  private readonly wasLeader = new Set<string>();

  get now_ms(): number {
    return this.cluster.sim.now_ns / MS;
  }

  event(what: string): void {
    if (this.events.length < (this.o.events_max ?? 10_000)) this.events.push({ t_ms: round3(this.now_ms), what });
  }

  /** The leader: an up server that believes it leads, with the highest term among such. */
  leader(): { id: string; term: number } | null {
    let best: { id: string; term: number } | null = null;
    for (const id of this.servers) {
      const s = this.live.get(id);
      if (this.cluster.node(id).status !== 'up' || !s || s.raft.role !== 'leader') continue;
      if (!best || s.raft.term > best.term) best = { id, term: s.raft.term };
    }
    return best;
  }

  nodeSample(id: string): NodeSample {
    const n = this.cluster.node(id);
    const s = this.live.get(id);
    if (n.status === 'down' || !s) return { status: 'down', role: '-', term: 0, commit: 0 };
    return { status: n.status, role: s.raft.role, term: s.raft.term, commit: s.raft.log.committed };
  }

  private sample(): void {
    if (this.timeline.length >= (this.o.timeline_max ?? 10_000)) return;
    const nodes: Record<string, NodeSample> = {};
    for (const id of this.servers) nodes[id] = this.nodeSample(id);
    this.timeline.push({ t_ms: round3(this.now_ms), nodes });
  }

  /** The cluster as a fault script's target: a partition cuts servers only; a crash ends a leader's term here. */
  private faultTarget(): FaultTarget {
    const c = this.cluster;
    return {
      sim: c.sim, ids: c.ids,
      net: {
        partition: (groups) => this.cutServers(groups.map((g) => g.filter((id) => this.servers.includes(id)))),
        partitionOneWay: (from, to) => c.net.partitionOneWay(from, to), block: (pairs) => c.net.block(pairs),
        isolate: (id) => c.net.isolate(id), rejoin: (id) => c.net.rejoin(id), heal: () => c.net.heal(),
        configure: (params) => c.net.configure(params),
      },
      crash: (id) => { this.wasLeader.delete(id); c.crash(id); },
      restart: (id) => { this.wasLeader.delete(id); c.restart(id); },
      pause: (id) => c.pause(id), resume: (id) => c.resume(id), skew: (id, d) => c.skew(id, d), drift: (id, ppm) => c.drift(id, ppm),
    };
  }

  crash(id: string): void {
    this.event(`crash ${id}`);
    this.wasLeader.delete(id);
    this.cluster.crash(id);
  }

  restart(id: string): void {
    this.event(`restart ${id}`);
    if (this.cluster.node(id).status === 'down') this.cluster.start(id);
    else this.cluster.restart(id);
  }

  partition(groups: string[][]): void {
    // Only links between servers of different groups are cut: clients still reach every server.
    this.event(`partition ${groups.map((g) => g.join(',')).join(' | ')}`);
    this.cutServers(groups);
  }

  /** Cut the links between servers of different groups; servers in no group form one more group. */
  private cutServers(groups: readonly (readonly string[])[]): void {
    const rest = this.servers.filter((id) => !groups.some((g) => g.includes(id)));
    if (rest.length > 0) groups = [...groups, rest];
    const pairs: [string, string][] = [];
    for (const [i, g] of groups.entries()) {
      for (const [j, h] of groups.entries()) if (i !== j) for (const a of g) for (const b of h) pairs.push([a, b]);
    }
    this.cluster.net.block(pairs);
  }

  heal(): void {
    this.event('heal');
    this.cluster.net.heal();
  }

  /** Run until virtual time t_ms (or until the condition holds); returns whether the condition held. */
  broken(): boolean {
    return this.checker.violations.length > 0 || this.cluster.serviceErrors > 0;
  }

  runUntil(t_ms: number, until?: () => boolean): boolean {
    const broken = (): boolean => this.broken();
    const r = this.cluster.sim.run({ until_ns: Math.round(t_ms * MS), stop_when: () => broken() || (until?.() ?? false) });
    return r.reason === 'condition' && !broken() && (until?.() ?? false);
  }

  /** Stop the clients, let them finish, and check the history. */
  finish(drain_ms = 3000): { verdict: CheckVerdict; ops: number; completed: number; violations: string[] } {
    this.clientsActive = false;
    this.runUntil(this.now_ms + drain_ms);
    const ops = this.recorder.all();
    const verdict = checkHistory(ops).verdict;
    const violations = [...this.checker.violations];
    if (this.cluster.serviceErrors > 0) violations.push(`${this.cluster.serviceErrors} node(s) threw`);
    return { verdict, ops: ops.length, completed: ops.filter((x) => x.ret !== null).length, violations };
  }
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** One line per timeline sample: role letter, term and commit index of each node. */
export function formatTimeline(servers: readonly string[], timeline: readonly TimelineSample[]): string {
  const letter: Record<string, string> = { leader: 'L', follower: 'F', candidate: 'C', 'pre-candidate': 'P', '-': 'x' };
  const head = `  t(ms)  ${servers.map((s) => s.padEnd(13)).join('')}`;
  // Rows where a role, term or status changed, and one a second otherwise.
  const key = (row: TimelineSample): string => servers.map((s) => { const n = row.nodes[s]!; return `${n.status}/${n.role}/${n.term}`; }).join(' ');
  const shown = timeline.filter((row, i) => i === 0 || i === timeline.length - 1 || key(row) !== key(timeline[i - 1]!) || Math.round(row.t_ms) % 1000 === 0);
  const rows = shown.map((row) => {
    const cells = servers.map((s) => {
      const n = row.nodes[s]!;
      const text = n.status === 'down' ? 'down' : `${letter[n.role] ?? '?'}${n.status === 'paused' ? '(p)' : ''} t${n.term} c${n.commit}`;
      return text.padEnd(13);
    });
    return `${String(Math.round(row.t_ms)).padStart(7)}  ${cells.join('')}`;
  });
  return [head, ...rows].join('\n');
}
