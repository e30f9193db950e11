// The producing side of a queue: asynchronous send into a bounded outbox, a window of unacknowledged
// publishes resent (go-back-N) until the broker answers, so every message is queued exactly once and in
// the producer's order despite loss, duplication and disconnection. When the broker's queue is full
// under the block policy the producer holds its messages and retries; when its own outbox is full,
// send() returns 'blocked' and `onDrain` fires once there is room again.
import type { NodeContext, TimerId } from '../node/index.js';
import { parseMqMessage, type MqPublish } from './messages.js';

export interface ProducerOptions {
  readonly broker: string;
  readonly queue: string;
  /** The broker's service name (default 'mq'). */
  readonly broker_service?: string;
  /** Unacknowledged publishes on the wire (default 64). */
  readonly window?: number;
  /** Messages held before send() blocks (default 10 000). */
  readonly outbox_max?: number;
  /** Resend interval without progress (default 50 ms). */
  readonly rto_ns?: number;
  readonly pid?: string;
}

export interface ProducerStats {
  sent: number;
  acked: number;
  rejected: number;
  retransmits: number;
  blocked: number;
}

interface OutMsg {
  readonly seq: number;
  readonly body: unknown;
  done: boolean;
}

export class MqProducer {
  readonly pid: string;
  private nextSeq = 1;
  private outbox: OutMsg[] = [];
  private sentUpTo = 0; // outbox index: entries below were sent at least once
  private timer: TimerId | undefined;
  private wasBlocked = false;
  private readonly window: number;
  private readonly outboxMax: number;
  private readonly rto_ns: number;
  private readonly svc: string;
  readonly stats: ProducerStats = { sent: 0, acked: 0, rejected: 0, retransmits: 0, blocked: 0 };
  /** Called with (seq, status) when the broker settles a message. */
  onResult: ((seq: number, status: 'ok' | 'rejected') => void) | undefined;
  /** Called once room frees up after send() returned 'blocked'. */
  onDrain: (() => void) | undefined;

  constructor(private readonly ctx: NodeContext, private readonly opts: ProducerOptions) {
    this.pid = opts.pid ?? `${ctx.id}.${ctx.rng.nextU32().toString(16).padStart(8, '0')}`;
    this.window = opts.window ?? 64;
    this.outboxMax = opts.outbox_max ?? 10_000;
    this.rto_ns = opts.rto_ns ?? 50_000_000;
    this.svc = opts.broker_service ?? 'mq';
  }

  /** Messages not yet settled by the broker. */
  get pending(): number {
    return this.outbox.length;
  }

  send(body: unknown): 'queued' | 'blocked' {
    if (this.outbox.length >= this.outboxMax) {
      this.stats.blocked++;
      this.wasBlocked = true;
      return 'blocked';
    }
    this.outbox.push({ seq: this.nextSeq++, body, done: false });
    this.pump();
    return 'queued';
  }

  handle(_from: string, msg: unknown): boolean {
    const m = parseMqMessage(msg);
    if (!m || m.t !== 'mq.pubr') return false;
    if (m.pid !== this.pid || m.q !== this.opts.queue) return true;
    const first = this.outbox[0];
    if (!first) return true;
    const idx = m.seq - first.seq;
    const e = this.outbox[idx];
    if (!e || e.done) return true;
    if (m.status === 'full') return true; // held; the retransmit timer probes again
    if (m.status === 'missing') {
      if (idx < this.sentUpTo) {
        this.stats.retransmits++;
        this.transmit(e);
      }
      return true;
    }
    e.done = true;
    if (m.status === 'ok') this.stats.acked++;
    else this.stats.rejected++;
    this.onResult?.(e.seq, m.status);
    let k = 0;
    while (k < this.outbox.length && this.outbox[k]!.done) k++;
    if (k > 0) {
      this.outbox.splice(0, k);
      this.sentUpTo = Math.max(0, this.sentUpTo - k);
      this.restartTimer();
    }
    this.pump();
    if (this.wasBlocked && this.outbox.length < this.outboxMax) {
      this.wasBlocked = false;
      this.onDrain?.();
    }
    return true;
  }

  close(): void {
    if (this.timer !== undefined) this.ctx.clearTimer(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    const limit = Math.min(this.outbox.length, this.window);
    while (this.sentUpTo < limit) {
      this.transmit(this.outbox[this.sentUpTo]!);
      this.sentUpTo++;
    }
    if (this.outbox.length > 0 && this.timer === undefined) this.restartTimer();
    if (this.outbox.length === 0 && this.timer !== undefined) {
      this.ctx.clearTimer(this.timer);
      this.timer = undefined;
    }
  }

  private transmit(e: OutMsg): void {
    const m: MqPublish = { t: 'mq.pub', q: this.opts.queue, pid: this.pid, seq: e.seq, body: e.body, rsvc: this.ctx.service };
    this.stats.sent++;
    this.ctx.send(this.opts.broker, m, this.svc);
  }

  private restartTimer(): void {
    if (this.timer !== undefined) this.ctx.clearTimer(this.timer);
    this.timer = undefined;
    if (this.outbox.length === 0) return;
    this.timer = this.ctx.setTimer(this.rto_ns, () => {
      this.timer = undefined;
      // go-back-N: resend every unsettled message in the window
      for (let i = 0; i < this.sentUpTo; i++) {
        const e = this.outbox[i]!;
        if (!e.done) {
          this.stats.retransmits++;
          this.transmit(e);
        }
      }
      this.restartTimer();
    });
  }
}
