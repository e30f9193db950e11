// The consuming side of a queue: subscribes (and re-subscribes as a heartbeat, so a lost subscription or
// a broker that forgot it recovers), accepts deliveries strictly in offset order, drops duplicates, and
// acknowledges cumulatively when the application calls ack(), so it consumes at its own pace.
// Deliveries ahead of a gap are held (bounded by the window) and the missing offset is asked for. With
// `durable: true` the processed position is synced to storage before it is acknowledged, so after a
// crash and restart delivery resumes exactly where processing stopped; without it, messages processed
// but not yet acknowledged at the crash are delivered again (at-least-once).
import type { NodeContext, TimerId } from '../node/index.js';
import { parseMqMessage } from './messages.js';

export interface Delivery {
  readonly off: number;
  readonly pid: string;
  readonly pseq: number;
  readonly body: unknown;
}

export interface ConsumerOptions {
  readonly broker: string;
  readonly queue: string;
  readonly broker_service?: string;
  /** Deliveries outstanding before the broker waits for acks (default 64, max 4096). */
  readonly window?: number;
  /** Re-subscribe interval (default 200 ms). */
  readonly resubscribe_ns?: number;
  /** While a gap stays open, ask again for the missing offsets this often (default 20 ms). */
  readonly nack_ns?: number;
  /** Persist the processed position in the service's storage. */
  readonly durable?: boolean;
  /** Called once per message, in order. Call ack(off) when it is processed (now or later). */
  readonly onMessage: (d: Delivery) => void;
}

export interface ConsumerStats {
  delivered: number;
  duplicates: number;
  gaps: number;
}

export class MqConsumer {
  readonly cid: string;
  /** The next offset to hand to the application. */
  private next = 0;
  /** Every offset below this was acknowledged by the application. */
  private processed = 0;
  private timer: TimerId | undefined;
  private readonly held = new Map<number, Delivery>();
  /** Highest offset seen: offsets between `next` and it that are not held are missing. */
  private highest = -1;
  private gapTimer: TimerId | undefined;
  private readonly window: number;
  private readonly svc: string;
  private readonly key: string;
  readonly stats: ConsumerStats = { delivered: 0, duplicates: 0, gaps: 0 };

  constructor(private readonly ctx: NodeContext, private readonly opts: ConsumerOptions) {
    this.cid = `${ctx.id}.${ctx.rng.nextU32().toString(16).padStart(8, '0')}`;
    this.svc = opts.broker_service ?? 'mq';
    this.window = Math.max(1, Math.min(opts.window ?? 64, 4096));
    this.key = `mq-consumer/${opts.queue}`;
    if (opts.durable) {
      const saved = Number(ctx.storage.get(this.key) ?? '0');
      if (Number.isSafeInteger(saved) && saved >= 0) this.next = this.processed = saved;
    }
  }

  start(): void {
    this.subscribe();
  }

  close(): void {
    if (this.timer !== undefined) this.ctx.clearTimer(this.timer);
    if (this.gapTimer !== undefined) this.ctx.clearTimer(this.gapTimer);
    this.timer = this.gapTimer = undefined;
  }

  /** Mark every offset up to and including `off` processed. */
  ack(off: number): void {
    if (off + 1 <= this.processed) return;
    this.processed = Math.min(off + 1, this.next);
    if (this.opts.durable) {
      this.ctx.storage.put(this.key, String(this.processed));
      this.ctx.storage.sync();
    }
    this.ctx.send(this.opts.broker, { t: 'mq.ack', q: this.opts.queue, cid: this.cid, next: this.processed }, this.svc);
  }

  handle(_from: string, msg: unknown): boolean {
    const m = parseMqMessage(msg);
    if (!m || m.t !== 'mq.msg') return false;
    if (m.q !== this.opts.queue) return true;
    // Offsets below head were acknowledged (by us before a restart, or by a previous consumer).
    if (this.next < m.head) {
      this.next = m.head;
      this.processed = Math.max(this.processed, m.head);
    }
    if (m.off < this.next) {
      this.stats.duplicates++;
      if (this.processed > m.head) {
        this.ctx.send(this.opts.broker, { t: 'mq.ack', q: this.opts.queue, cid: this.cid, next: this.processed }, this.svc);
      }
      return true;
    }
    if (m.off > this.next) {
      // an earlier delivery was lost: hold this one and ask for the missing offset once
      this.stats.gaps++;
      if (m.off >= this.next + this.window || this.held.has(m.off)) return true;
      this.held.set(m.off, { off: m.off, pid: m.pid, pseq: m.pseq, body: m.body });
      this.nackMissing(Math.max(this.next, this.highest + 1), m.off);
      if (m.off > this.highest) this.highest = m.off;
      if (this.gapTimer === undefined) this.armGapTimer();
      return true;
    }
    if (m.off > this.highest) this.highest = m.off;
    let d: Delivery | undefined = { off: m.off, pid: m.pid, pseq: m.pseq, body: m.body };
    while (d) {
      this.held.delete(d.off);
      this.next++;
      this.stats.delivered++;
      this.opts.onMessage(d);
      d = this.held.get(this.next);
    }
    for (const k of this.held.keys()) if (k < this.next) this.held.delete(k);
    return true;
  }

  private nackMissing(from: number, to: number): void {
    for (let off = from; off < to; off++) {
      if (!this.held.has(off)) this.ctx.send(this.opts.broker, { t: 'mq.nack', q: this.opts.queue, cid: this.cid, off }, this.svc);
    }
  }

  private armGapTimer(): void {
    this.gapTimer = this.ctx.setTimer(this.opts.nack_ns ?? 20_000_000, () => {
      this.gapTimer = undefined;
      if (this.held.size === 0) return;
      this.nackMissing(this.next, Math.min(this.highest, this.next + this.window));
      this.armGapTimer();
    });
  }

  private subscribe(): void {
    this.ctx.send(this.opts.broker, { t: 'mq.sub', q: this.opts.queue, cid: this.cid, next: this.processed, window: this.window, rsvc: this.ctx.service }, this.svc);
    this.timer = this.ctx.setTimer(this.opts.resubscribe_ns ?? 200_000_000, () => this.subscribe());
  }
}
