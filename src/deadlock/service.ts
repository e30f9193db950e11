// The `dlm` node service: the distributed lock manager with its deadlock strategy, on every node of a cluster
// that chooses one. Each node is a resource manager for the files placement.ts gives it (manager.ts) and the home
// of its own processes' requests (home.ts: the LockManager its file server uses for the namespace's files); the
// strategy (edge-chasing.ts, collector.ts, order.ts, wait-die.ts) sees to deadlocks. Every node sends every
// other its lease a quarter lease apart; a node unheard of for a lease loses its owners' locks and waits at the
// managers. Events (a deadlock broken, a request refused) go to the observer as they happen.
import type { NodeContext, NodeService, TimerId } from '../node/index.js';
import type { LockOwner, LockRequest } from '../vfs/index.js';
import { Channel } from './channel.js';
import { Collector } from './collector.js';
import { Confirmations } from './confirm.js';
import { EdgeChasing } from './edge-chasing.js';
import { LockHome } from './home.js';
import { CONFIRM_TIMEOUT_NS, DEADLOCK_STRATEGIES, EVENTS_MAX, LEASE_NS_DEFAULT, PROBE_PERIOD_NS_DEFAULT, type DeadlockStrategy } from './limits.js';
import { ResourceManager, type ManagedWait } from './manager.js';
import { sortNodes } from './placement.js';
import type { DetectorPort } from './port.js';
import { mustDie } from './wait-die.js';
import { validateAnswer, validateDlm, validateRequest, type DetectionMessage, type HomeRequest, type Hop, type ManagerAnswer } from './wire.js';

export const DLM_SERVICE = 'dlm';

/** What happened, as the observer and the report see it. */
export type DeadlockEvent =
  | {
    readonly kind: 'broken'; readonly strategy: DeadlockStrategy; readonly node: string; readonly at_ns: number; readonly det: string;
    readonly victim: { readonly owner: string; readonly pid: number; readonly wait: number; readonly mgr: string };
    readonly cycle: readonly Hop[]; readonly messages: number; readonly started_ns: number;
  }
  | { readonly kind: 'refused'; readonly strategy: DeadlockStrategy; readonly node: string; readonly at_ns: number; readonly owner: string; readonly file: string; readonly rule: 'order' | 'wait-die' };

export interface LockServiceOptions {
  readonly strategy: DeadlockStrategy;
  readonly period_ns?: number;
  readonly lease_ns?: number;
  readonly observe?: (e: DeadlockEvent) => void;
  /**
   * Just before a victim's wait is aborted here (still in the table): the simulator's truth checker (soak.ts)
   * looks at the true global graph at this instant. Outside the protocol; sends nothing.
   */
  readonly beforeAbort?: (node: string, wait: number) => void;
}

export function parseDeadlockStrategy(s: string): DeadlockStrategy {
  if (!(DEADLOCK_STRATEGIES as readonly string[]).includes(s)) throw new Error(`deadlock strategy must be one of ${DEADLOCK_STRATEGIES.join(', ')} (or central), not '${s}'`);
  return s as DeadlockStrategy;
}

export class LockService implements NodeService {
  private ctx: NodeContext | undefined;
  private channel: Channel | undefined;
  manager: ResourceManager | undefined;
  home: LockHome | undefined;
  private chasing: EdgeChasing | undefined;
  private collector: Collector | undefined;
  private confirms: Confirmations | undefined;
  private timers: TimerId[] = [];
  private nodes: string[] = [];
  private readonly heard = new Map<string, number>();
  private readonly released = new Set<string>();
  readonly events: DeadlockEvent[] = [];
  /** Detection messages sent (probes, holds, reports, aborts), lock traffic (channel) and leases, malformed ones dropped. */
  readonly stats = { detection_messages: 0, channel_messages: 0, lease_messages: 0, abandoned: 0, malformed: 0 };
  readonly period_ns: number;
  readonly lease_ns: number;

  constructor(readonly opts: LockServiceOptions) {
    this.period_ns = opts.period_ns ?? PROBE_PERIOD_NS_DEFAULT;
    this.lease_ns = opts.lease_ns ?? LEASE_NS_DEFAULT;
    if (!(this.period_ns > 0) || !(this.lease_ns > 0)) throw new RangeError('dlm periods must be positive');
  }

  /** This node's name ('' before start). */
  get nodeId(): string {
    return this.ctx?.id ?? '';
  }

  get strategy(): DeadlockStrategy {
    return this.opts.strategy;
  }

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.nodes = sortNodes([ctx.id, ...ctx.peers]);
    const channel = new Channel(ctx, (from, body) => this.delivered(from, body), (peer) => this.peerRestarted(peer));
    this.channel = channel;
    const strategy = this.opts.strategy;
    const manager: ResourceManager = new ResourceManager({
      id: ctx.id, now: () => ctx.monotonic_ns(),
      answer: (home, a) => this.toChannel(home, a),
      admit: (file, req, stamp, blockers): 'EDEADLK' | null => (strategy === 'wait-die' && mustDie(stamp, blockers, (o) => manager.stamps.get(o)) ? this.refused(req.owner, file, 'wait-die') : null),
      beforeAbort: (w) => this.opts.beforeAbort?.(ctx.id, w.id),
      aborted: (w, det) => this.broken(w, det),
      changed: () => { if (strategy === 'wait-die') this.waitDieSweep(); },
    });
    this.manager = manager;
    this.home = new LockHome({
      id: ctx.id, nodes: this.nodes, ordered: strategy === 'ordered', lamport: () => ctx.lamport(),
      request: (mgr, r) => this.toChannel(mgr, r),
      refusedOutOfOrder: (owner, file) => { this.refused(owner, file, 'order'); },
    });
    this.confirms = new Confirmations({
      send: (to, m) => this.sendBare(to, m), setTimer: (ns, cb) => ctx.setTimer(ns, cb), clearTimer: (t) => ctx.clearTimer(t),
      abandoned: () => { this.stats.abandoned++; },
    });
    this.confirms.self = ctx.id;
    const port: DetectorPort = {
      id: ctx.id, nodes: this.nodes, manager, home: this.home, period_ns: this.period_ns, now: () => ctx.monotonic_ns(),
      send: (to, m) => this.sendBare(to, m),
      confirm: (det, cycle, sent, started) => this.confirms?.start(det, cycle, sent, started),
      after: (fn) => { ctx.setTimer(CONFIRM_TIMEOUT_NS * 2, fn); },
    };
    if (strategy === 'edge-chasing') this.chasing = new EdgeChasing(port);
    if (strategy === 'collector' || strategy === 'collector-naive') this.collector = new Collector(port, strategy === 'collector-naive');
    this.every(this.period_ns, () => { this.chasing?.tick(); this.collector?.tick(); manager.expireHolds(); });
    this.every(this.lease_ns / 4, () => this.leaseRound());
    ctx.setTimer(0, () => { if (this.ctx === ctx) this.leaseRound(); }); // the peers learn this boot at once
  }

  stop(): void {
    if (this.ctx !== undefined) for (const t of this.timers) this.ctx.clearTimer(t);
    this.timers = [];
    this.channel?.stop();
    this.ctx = undefined;
  }

  onMessage(from: string, raw: unknown): void {
    const ctx = this.ctx, channel = this.channel;
    if (ctx === undefined || channel === undefined) return;
    const m = validateDlm(raw);
    if (typeof m === 'string' || !ctx.peers.includes(from)) {
      this.stats.malformed++;
      ctx.log(`dlm ${ctx.id}: dropped a message from ${from}: ${typeof m === 'string' ? m : 'not a cluster member'}`);
      return;
    }
    this.heard.set(from, ctx.monotonic_ns());
    this.released.delete(from);
    switch (m.t) {
      case 'ch': return channel.onData(from, m);
      case 'ack': return channel.onAck(from, m);
      case 'lease': channel.heard(from, m.boot); return;
      default: return this.detection(from, m, 1);
    }
  }

  private detection(from: string, m: DetectionMessage, counted: number): void {
    const manager = this.manager!;
    switch (m.t) {
      case 'probe-home': return this.chasing?.atHome(m);
      case 'probe-wait': return this.chasing?.atManager(m);
      case 'hold': {
        const ok = manager.hold(m.det, m.hop.wait, m.hop.owner, m.hop.next);
        this.sendBare(from, { t: 'held', det: m.det, index: m.index, ok });
        return;
      }
      case 'held': return this.confirms?.held(m.det, m.index, m.ok, counted);
      case 'abort': {
        this.pendingAbort = m;
        manager.abort(m.det, m.wait, true);
        this.pendingAbort = null;
        manager.unhold(m.det);
        return;
      }
      case 'abort-now': {
        this.pendingAbort = m;
        manager.abort(m.det, m.wait, false);
        this.pendingAbort = null;
        return;
      }
      case 'unhold': return manager.unhold(m.det);
      case 'edges': return this.collector?.report(from, m);
      case 'lease': return;
    }
  }

  private pendingAbort: Extract<DetectionMessage, { t: 'abort' | 'abort-now' }> | null = null;

  private broken(w: ManagedWait, det: string): void {
    const a = this.pendingAbort;
    this.emit({
      kind: 'broken', strategy: this.opts.strategy, node: this.ctx!.id, at_ns: this.ctx!.monotonic_ns(), det,
      victim: { owner: w.owner.id, pid: w.owner.pid, wait: w.id, mgr: this.ctx!.id },
      cycle: a?.cycle ?? [], messages: a?.messages ?? 0, started_ns: a?.started_ns ?? 0,
    });
  }

  private refused(owner: LockOwner, file: string, rule: 'order' | 'wait-die'): 'EDEADLK' {
    this.emit({ kind: 'refused', strategy: this.opts.strategy, node: this.ctx!.id, at_ns: this.ctx!.monotonic_ns(), owner: owner.id, file, rule });
    return 'EDEADLK';
  }

  /** Wait-die again after a change: a wait now blocked by an older owner dies. */
  private waitDieSweep(): void {
    const manager = this.manager!;
    for (const e of manager.edges()) {
      if (mustDie(e.w.stamp, e.blockers, (o) => manager.stamps.get(o))) {
        this.refused(e.owner, e.file, 'wait-die');
        manager.refuseWaiting(e.id);
      }
    }
  }

  private emit(e: DeadlockEvent): void {
    this.events.push(e);
    if (this.events.length > EVENTS_MAX) this.events.shift();
    this.opts.observe?.(e);
  }

  /** The LockManager for this node's file server. */
  get locks(): LockHome {
    if (this.home === undefined) throw new Error('the dlm service is not running');
    return this.home;
  }

  private delivered(from: string, body: unknown): void {
    const k = (body as { k?: unknown } | null)?.k;
    if (k === 'answer' || k === 'ended' || k === 'tested' || k === 'released') {
      const a = validateAnswer(body);
      if (typeof a === 'string') { this.stats.malformed++; return; }
      this.home?.answered(a);
      return;
    }
    const r = validateRequest(body);
    if (typeof r === 'string') { this.stats.malformed++; return; }
    this.manager?.serve(from, r);
  }

  private toChannel(peer: string, body: HomeRequest | ManagerAnswer): boolean {
    const ctx = this.ctx;
    if (ctx === undefined) return false;
    if (peer === ctx.id) {
      ctx.setTimer(0, () => { if (this.ctx === ctx) this.delivered(peer, body); });
      return true;
    }
    this.stats.channel_messages++;
    return this.channel!.send(peer, body);
  }

  private sendBare(to: string, m: DetectionMessage): number {
    const ctx = this.ctx;
    if (ctx === undefined) return 0;
    if (to === ctx.id) {
      ctx.setTimer(0, () => { if (this.ctx === ctx) this.detection(to, m, 0); });
      return 0;
    }
    this.stats.detection_messages++;
    ctx.send(to, m);
    return 1;
  }

  private peerRestarted(peer: string): void {
    this.channel?.forget(peer);
    this.manager?.releaseHome(peer);
    this.home?.managerLost(peer);
    this.collector?.forget(peer);
  }

  private leaseRound(): void {
    const ctx = this.ctx!, manager = this.manager!;
    for (const p of ctx.peers) { this.stats.lease_messages++; ctx.send(p, { t: 'lease', boot: this.channel!.boot }); }
    const now = ctx.monotonic_ns();
    for (const p of ctx.peers) {
      if (this.released.has(p) || now - (this.heard.get(p) ?? 0) <= this.lease_ns || !manager.hasHome(p)) continue;
      this.released.add(p);
      manager.releaseHome(p);
    }
  }

  private every(ns: number, fn: () => void): void {
    const ctx = this.ctx!;
    const arm = (): void => {
      const t = ctx.setTimer(ns, () => { if (this.ctx !== ctx) return; this.timers = this.timers.filter((x) => x !== t); arm(); fn(); });
      this.timers.push(t);
    };
    arm();
  }
}
