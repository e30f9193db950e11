// What the cluster view knows of a run, built from the scenario's trace lines as they arrive (while the run
// goes, then to its end): the messages with their send and delivery times and Lamport times, when each node
// was down or cut off, the network's cuts over time, and (Raft) the timeline of roles. It answers what the
// view asks at a time t: a node's state, which side of a cut it is on, the messages in flight. No DOM here.
import type { TimelineEvent, TimelineSample } from '../scenarios/index.js';

/** Messages kept (a default swarm sends about 95,000, leader-crash about 60,000). */
export const MESSAGES_MAX = 400_000;
/** Network states kept (each fault or cut is one). */
export const CUTS_MAX = 10_000;

/** The trace events the view reads (the worker forwards only these). */
export const VIEW_EVENTS: ReadonlySet<string> = new Set([
  'net.send', 'net.deliver', 'net.drop', 'net.isolate', 'net.rejoin', 'net.partition', 'net.block', 'net.heal', 'node.crash', 'node.start',
]);

export interface TraceLine {
  readonly t: number;
  readonly ev: string;
  readonly id?: number;
  readonly from?: string;
  readonly to?: string;
  readonly m?: string;
  readonly lc?: number;
  readonly node?: string;
  readonly groups?: readonly (readonly string[])[];
  readonly pairs?: readonly (readonly [string, string])[];
}

export interface Message {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly sent_ns: number;
  /** When it arrived (null: lost, or still in flight). */
  delivered_ns: number | null;
  /** Its Lamport time at the receiver. */
  lamport: number | null;
  dropped: boolean;
}

/** A node down or cut off alone from start_ns until end_ns (null: still). */
export interface Outage {
  readonly node: string;
  readonly kind: 'down' | 'isolated';
  readonly start_ns: number;
  end_ns: number | null;
}

/** The network from t_ns on: the groups a partition made (empty: whole). */
export interface NetState {
  readonly t_ns: number;
  readonly groups: readonly (readonly string[])[];
}

export class ClusterModel {
  readonly messages: Message[] = [];
  readonly outages: Outage[] = [];
  readonly net: NetState[] = [{ t_ns: 0, groups: [] }];
  readonly timeline: TimelineSample[] = [];
  readonly events: TimelineEvent[] = [];
  /** Virtual time the run has reached (ns). */
  end_ns = 0;
  private readonly byId = new Map<number, Message>();

  /** nodes: the ones the view draws (in this order); lanes: every node a message may name. */
  constructor(readonly nodes: readonly string[], readonly lanes: readonly string[] = nodes) {}

  take(lines: readonly TraceLine[]): void {
    for (const e of lines) this.line(e);
  }

  private line(e: TraceLine): void {
    this.end_ns = Math.max(this.end_ns, e.t);
    switch (e.ev) {
      case 'net.send': {
        if (this.messages.length >= MESSAGES_MAX) return;
        const m: Message = { id: e.id!, from: e.from!, to: e.to!, kind: e.m ?? '', sent_ns: e.t, delivered_ns: null, lamport: null, dropped: false };
        this.messages.push(m);
        this.byId.set(m.id, m);
        return;
      }
      case 'net.deliver': {
        const m = this.byId.get(e.id!);
        if (m !== undefined && m.delivered_ns === null) { m.delivered_ns = e.t; m.lamport = e.lc ?? null; }
        return;
      }
      case 'net.drop': { const m = this.byId.get(e.id!); if (m !== undefined) m.dropped = true; return; }
      case 'node.crash': this.outages.push({ node: e.node!, kind: 'down', start_ns: e.t, end_ns: null }); return;
      case 'node.start': this.close(e.node!, 'down', e.t); return;
      case 'net.isolate': this.outages.push({ node: e.node!, kind: 'isolated', start_ns: e.t, end_ns: null }); return;
      case 'net.rejoin': this.close(e.node!, 'isolated', e.t); return;
      case 'net.partition': this.cut(e.t, withRest(e.groups ?? [], this.lanes)); return;
      case 'net.block': this.cut(e.t, mergeGroups(this.groupsAt(e.t), groupsOfPairs(e.pairs ?? []))); return;
      case 'net.heal':
        for (const o of this.outages) if (o.kind === 'isolated' && o.end_ns === null) o.end_ns = e.t;
        this.cut(e.t, []);
        return;
    }
  }

  /** A start ends the node's downtime; a rejoin restores every link, so it ends every isolation of the node. */
  private close(node: string, kind: Outage['kind'], t: number): void {
    for (const o of this.outages) if (o.node === node && o.kind === kind && o.end_ns === null) o.end_ns = t;
  }

  private cut(t_ns: number, groups: readonly (readonly string[])[]): void {
    if (this.net.length >= CUTS_MAX) return;
    this.net.push({ t_ns, groups });
  }

  /** The partition's groups at t (empty: no partition). */
  groupsAt(t_ns: number): readonly (readonly string[])[] {
    let s = this.net[0]!;
    for (const x of this.net) { if (x.t_ns <= t_ns) s = x; else break; }
    return s.groups;
  }

  /** The drawn nodes on the far side of a cut at t: cut off alone, or outside the largest group. */
  cutOffAt(t_ns: number): string[] {
    const groups = this.groupsAt(t_ns).map((g) => g.filter((id) => this.nodes.includes(id))).filter((g) => g.length > 0);
    const main = groups.reduce<readonly string[] | null>((best, g) => (best === null || g.length > best.length ? g : best), null);
    return this.nodes.filter((id) => (main !== null && !main.includes(id)) || this.outageAt(id, t_ns)?.kind === 'isolated');
  }

  outageAt(id: string, t_ns: number): Outage | undefined {
    return this.outages.find((o) => o.node === id && o.start_ns <= t_ns && (o.end_ns === null || t_ns < o.end_ns));
  }

  /** The timeline sample in force at t (Raft), if any. */
  sampleAt(t_ns: number): TimelineSample | undefined {
    const t_ms = t_ns / 1e6;
    let s: TimelineSample | undefined;
    for (const x of this.timeline) { if (x.t_ms <= t_ms) s = x; else break; }
    return s;
  }

  /** A node's state at t: down, isolated, else its Raft role (or 'up'), with a detail line. */
  stateAt(id: string, t_ns: number): { state: string; detail: string } {
    const out = this.outageAt(id, t_ns);
    if (out !== undefined) return { state: out.kind, detail: '' };
    const n = this.sampleAt(t_ns)?.nodes[id];
    if (n === undefined) return { state: 'up', detail: '' };
    if (n.status !== 'up') return { state: n.status, detail: '' };
    return { state: n.role, detail: `term ${n.term}, commit ${n.commit}` };
  }

  /** Messages sent before t and not yet delivered at t. */
  inFlightAt(t_ns: number): number {
    let n = 0;
    for (const m of this.messages) {
      if (m.sent_ns > t_ns) break;
      if (!m.dropped && (m.delivered_ns === null ? t_ns <= this.end_ns : m.delivered_ns > t_ns)) n++;
    }
    return n;
  }
}

/** A partition's groups with the nodes it names in none as one more group (as SimNetwork.partition has it). */
function withRest(groups: readonly (readonly string[])[], all: readonly string[]): string[][] {
  const rest = all.filter((id) => !groups.some((g) => g.includes(id)));
  return [...groups.map((g) => [...g]), ...(rest.length > 0 ? [rest] : [])];
}

/** The groups a set of cut links makes among the nodes they name: nodes stay together unless a link between them is cut. */
export function groupsOfPairs(pairs: readonly (readonly [string, string])[]): string[][] {
  const cut = new Set(pairs.map(([a, b]) => `${a}>${b}`));
  const named = [...new Set(pairs.flat())];
  const groups: string[][] = [];
  for (const id of named) {
    const g = groups.find((x) => x.every((o) => !cut.has(`${o}>${id}`) && !cut.has(`${id}>${o}`)));
    if (g !== undefined) g.push(id); else groups.push([id]);
  }
  return groups.length > 1 ? groups : [];
}

/** More cuts on a network already cut: two nodes are together when both states keep them together. */
function mergeGroups(a: readonly (readonly string[])[], b: readonly (readonly string[])[]): string[][] {
  if (a.length === 0) return b.map((g) => [...g]);
  if (b.length === 0) return a.map((g) => [...g]);
  const out: string[][] = [];
  for (const g of a) for (const h of b) { const both = g.filter((id) => h.includes(id)); if (both.length > 0) out.push(both); }
  return out;
}
