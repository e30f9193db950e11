// The simulated network: per directed link a latency distribution, loss, duplication and reordering;
// partitions between arbitrary groups, one-way partitions and heal. Links are FIFO unless a message is
// chosen for reordering, like a TCP stream that a fault may scramble. Every send, drop, duplicate and
// delivery goes to the trace. Bound: `max_in_flight` messages (beyond: dropped as overflow).
import type { Prng, Simulation } from '../sim/index.js';
import { checkLatency, sampleLatency, type LatencyDist } from './latency.js';

export interface LinkParams {
  readonly latency: LatencyDist;
  /** Probability a message is lost. */
  readonly loss: number;
  /** Probability a message is delivered twice. */
  readonly duplicate: number;
  /** Probability a message leaves link order, delayed by up to reorder_window_ns extra. */
  readonly reorder: number;
  readonly reorder_window_ns: number;
}

export const DEFAULT_LINK: LinkParams = {
  latency: { kind: 'fixed', ns: 1_000_000 },
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorder_window_ns: 5_000_000,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  partitioned: number;
  duplicated: number;
  reordered: number;
  overflow: number;
}

export type DeliverFn<P> = (from: string, to: string, payload: P, msg_id: number) => void;

export interface SimNetworkOptions<P> {
  readonly rng: Prng;
  readonly deliver: DeliverFn<P>;
  readonly link?: Partial<LinkParams>;
  readonly max_in_flight?: number;
  /** Summarise a payload for the trace (default: its `t` field when it has one). */
  readonly describe?: (payload: P) => string | undefined;
}

function checkProb(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${p}`);
}

export function checkLink(l: LinkParams): void {
  checkLatency(l.latency);
  checkProb('loss', l.loss);
  checkProb('duplicate', l.duplicate);
  checkProb('reorder', l.reorder);
  if (!(l.reorder_window_ns >= 0)) throw new RangeError('reorder_window_ns must be >= 0');
}

export class SimNetwork<P> {
  private defaults: LinkParams;
  private readonly links = new Map<string, LinkParams>();
  private readonly blocked = new Set<string>();
  private readonly fifoTail = new Map<string, number>();
  private readonly nodes: string[] = [];
  private readonly rng: Prng;
  private readonly deliver: DeliverFn<P>;
  private readonly maxInFlight: number;
  private readonly describe: (payload: P) => string | undefined;
  private nextId = 1;
  inFlight = 0;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, partitioned: 0, duplicated: 0, reordered: 0, overflow: 0 };

  constructor(private readonly sim: Simulation, opts: SimNetworkOptions<P>) {
    this.rng = opts.rng;
    this.deliver = opts.deliver;
    this.maxInFlight = opts.max_in_flight ?? 1_000_000;
    this.describe = opts.describe ?? defaultDescribe;
    this.defaults = { ...DEFAULT_LINK, ...opts.link };
    checkLink(this.defaults);
  }

  addNode(id: string): void {
    if (!this.nodes.includes(id)) this.nodes.push(id);
  }

  get nodeIds(): readonly string[] {
    return this.nodes;
  }

  /** Change the parameters of every link without its own override. */
  configure(params: Partial<LinkParams>): void {
    const next = { ...this.defaults, ...params };
    checkLink(next);
    this.defaults = next;
    this.sim.record('net.configure', { params: JSON.parse(JSON.stringify(params)) });
  }

  /** Override one directed link. */
  setLink(from: string, to: string, params: Partial<LinkParams>): void {
    const next = { ...this.link(from, to), ...params };
    checkLink(next);
    this.links.set(`${from}>${to}`, next);
    this.sim.record('net.link', { from, to, params: JSON.parse(JSON.stringify(params)) });
  }

  link(from: string, to: string): LinkParams {
    return this.links.get(`${from}>${to}`) ?? this.defaults;
  }

  /** Cut every link between different groups; nodes in no group form one more group. */
  partition(groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<string, number>();
    groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
    for (const a of this.nodes) {
      for (const b of this.nodes) {
        if (a !== b && (groupOf.get(a) ?? -1) !== (groupOf.get(b) ?? -1)) this.blocked.add(`${a}>${b}`);
      }
    }
    this.sim.record('net.partition', { groups: groups.map((g) => [...g]) });
  }

  /** Cut the links from every node in `from` to every node in `to` (replies still flow back). */
  partitionOneWay(from: readonly string[], to: readonly string[]): void {
    for (const a of from) for (const b of to) if (a !== b) this.blocked.add(`${a}>${b}`);
    this.sim.record('net.partition-one-way', { from: [...from], to: [...to] });
  }

  /** Cut exactly these directed links. */
  block(pairs: readonly (readonly [string, string])[]): void {
    for (const [a, b] of pairs) this.blocked.add(`${a}>${b}`);
    this.sim.record('net.block', { pairs: pairs.map(([a, b]) => [a, b]) });
  }

  /** Cut a node off from every other node (both directions); other cuts stay as they are. */
  isolate(node: string): void {
    for (const o of this.nodes) {
      if (o === node) continue;
      this.blocked.add(`${node}>${o}`);
      this.blocked.add(`${o}>${node}`);
    }
    this.sim.record('net.isolate', { node });
  }

  /** Undo isolate(node): restore every link to and from the node. */
  rejoin(node: string): void {
    for (const o of this.nodes) {
      this.blocked.delete(`${node}>${o}`);
      this.blocked.delete(`${o}>${node}`);
    }
    this.sim.record('net.rejoin', { node });
  }

  heal(): void {
    this.blocked.clear();
    this.sim.record('net.heal');
  }

  isBlocked(from: string, to: string): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  /** Send a payload; returns the message id used in the trace. */
  send(from: string, to: string, payload: P): number {
    const id = this.nextId++;
    this.stats.sent++;
    const what = this.describe(payload);
    this.sim.record('net.send', what === undefined ? { id, from, to } : { id, from, to, m: what });
    const key = `${from}>${to}`;
    if (this.blocked.has(key)) {
      this.stats.partitioned++;
      this.sim.record('net.drop', { id, why: 'partition' });
      return id;
    }
    const l = this.links.get(key) ?? this.defaults;
    if (this.rng.chance(l.loss)) {
      this.stats.lost++;
      this.sim.record('net.drop', { id, why: 'loss' });
      return id;
    }
    let at = this.sim.now_ns + sampleLatency(l.latency, this.rng);
    if (this.rng.chance(l.reorder)) {
      at += Math.round(this.rng.uniform(0, l.reorder_window_ns));
      this.stats.reordered++;
      this.sim.record('net.reorder', { id });
    } else {
      at = Math.max(at, this.fifoTail.get(key) ?? 0);
      this.fifoTail.set(key, at);
    }
    this.schedule(at, key, from, to, payload, id);
    if (this.rng.chance(l.duplicate)) {
      this.stats.duplicated++;
      const dupAt = this.sim.now_ns + sampleLatency(l.latency, this.rng) + Math.round(this.rng.uniform(0, l.reorder_window_ns));
      this.sim.record('net.dup', { id });
      this.schedule(dupAt, key, from, to, payload, id);
    }
    return id;
  }

  /** `key` is the link's "from>to", built once per send: a delivery re-checks partitions without a new string. */
  private schedule(at: number, key: string, from: string, to: string, payload: P, id: number): void {
    if (this.inFlight >= this.maxInFlight) {
      this.stats.overflow++;
      this.sim.record('net.drop', { id, why: 'overflow' });
      return;
    }
    this.inFlight++;
    this.sim.at(at, () => {
      this.inFlight--;
      if (this.blocked.has(key)) {
        this.stats.partitioned++;
        this.sim.record('net.drop', { id, why: 'partition' });
        return;
      }
      this.stats.delivered++;
      this.deliver(from, to, payload, id);
    });
  }
}

function defaultDescribe(payload: unknown): string | undefined {
  if (payload !== null && typeof payload === 'object' && 't' in payload) {
    const t = (payload as { t: unknown }).t;
    if (typeof t === 'string') return t;
  }
  return undefined;
}
