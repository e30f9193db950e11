// The message-queue broker as a node service (`mq` in the registry): named queues created on first use
// with a stated bound and full policy, acknowledgement and redelivery to one active consumer per queue,
// and messages kept while the consumer is away. Options: { capacity?: number, policy?: 'reject'|'block',
// redeliver_ns?: number, queues?: { [name]: { capacity?, policy? } } }. Bound: 1024 queues per broker.
// Limit: the broker's queues are volatile (a broker crash loses them).
import type { NodeContext, NodeService, TimerId } from '../node/index.js';
import { parseMqMessage, type FullPolicy, type MqMessage } from './messages.js';
import { BrokerQueue } from './queue.js';

export const MAX_QUEUES = 1024;

interface QueueConfig {
  readonly capacity: number;
  readonly policy: FullPolicy;
}

function readQueueConfig(o: unknown, fallback: QueueConfig): QueueConfig {
  if (o === null || typeof o !== 'object') return fallback;
  const r = o as Record<string, unknown>;
  const capacity = typeof r['capacity'] === 'number' && Number.isSafeInteger(r['capacity']) && r['capacity'] > 0 ? r['capacity'] : fallback.capacity;
  const policy = r['policy'] === 'reject' || r['policy'] === 'block' ? r['policy'] : fallback.policy;
  return { capacity, policy };
}

export class MqBrokerService implements NodeService {
  private ctx: NodeContext | undefined;
  readonly queues = new Map<string, BrokerQueue>();
  private readonly defaults: QueueConfig;
  private readonly perQueue: Map<string, QueueConfig>;
  private readonly redeliver_ns: number;
  private timer: TimerId | undefined;

  constructor(options: Readonly<Record<string, unknown>> = {}) {
    this.defaults = readQueueConfig(options, { capacity: 10_000, policy: 'block' });
    this.perQueue = new Map();
    const qs = options['queues'];
    if (qs && typeof qs === 'object') {
      for (const [name, cfg] of Object.entries(qs as Record<string, unknown>)) this.perQueue.set(name, readQueueConfig(cfg, this.defaults));
    }
    const r = options['redeliver_ns'];
    this.redeliver_ns = typeof r === 'number' && r > 0 ? r : 100_000_000;
  }

  start(ctx: NodeContext): void {
    this.ctx = ctx;
  }

  stop(): void {
    if (this.ctx && this.timer !== undefined) this.ctx.clearTimer(this.timer);
    this.ctx = undefined;
  }

  onMessage(from: string, msg: unknown): void {
    const m = parseMqMessage(msg);
    if (!m || !this.ctx) return;
    this.handle(from, m, this.ctx);
  }

  queue(name: string): BrokerQueue | undefined {
    const existing = this.queues.get(name);
    if (existing) return existing;
    if (this.queues.size >= MAX_QUEUES) return undefined;
    const cfg = this.perQueue.get(name) ?? this.defaults;
    const q = new BrokerQueue(name, cfg.capacity, cfg.policy);
    this.queues.set(name, q);
    return q;
  }

  private handle(from: string, m: MqMessage, ctx: NodeContext): void {
    const q = m.t === 'mq.pubr' || m.t === 'mq.msg' ? undefined : this.queue(m.q);
    if (!q) return;
    switch (m.t) {
      case 'mq.pub':
        for (const o of q.publish(m)) ctx.send(from, { t: 'mq.pubr', q: m.q, pid: m.pid, seq: o.seq, status: o.status }, m.rsvc);
        break;
      case 'mq.nack': {
        const c = q.consumer;
        const d = c && c.cid === m.cid ? q.redeliver(m.off) : undefined;
        if (c && d) ctx.send(c.node, d, c.svc);
        break;
      }
      case 'mq.sub': {
        const c = q.consumer;
        if (!c || c.cid !== m.cid || c.node !== from) {
          q.consumer = { node: from, svc: m.rsvc, cid: m.cid, window: Math.max(1, Math.min(m.window, 4096)), sentNext: q.head, checkedHead: -1 };
        } else {
          c.window = Math.max(1, Math.min(m.window, 4096));
        }
        q.ack(m.next);
        break;
      }
      case 'mq.ack':
        if (q.consumer && q.consumer.cid === m.cid) q.ack(m.next);
        break;
    }
    this.pump(q, ctx);
  }

  private pump(q: BrokerQueue, ctx: NodeContext): void {
    const c = q.consumer;
    if (!c) return;
    for (const d of q.takeDeliveries()) ctx.send(c.node, d, c.svc);
    if (q.hasOutstanding && this.timer === undefined) this.armTimer(ctx);
  }

  private armTimer(ctx: NodeContext): void {
    this.timer = ctx.setTimer(this.redeliver_ns, () => {
      this.timer = undefined;
      let outstanding = false;
      for (const q of this.queues.values()) {
        if (q.checkRedelivery()) this.pump(q, ctx);
        outstanding ||= q.hasOutstanding;
      }
      if (outstanding && this.timer === undefined) this.armTimer(ctx);
    });
  }
}
