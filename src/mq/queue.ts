// One named queue inside the broker: a bounded log of messages from `head` (lowest unacknowledged
// offset) to `tail`, per-producer in-order deduplication, and the single active consumer's delivery
// window with go-back redelivery. Publishes that arrive ahead of a gap are held (up to 1024 per
// producer) and the missing one is asked for at once. Bounds: `capacity` retained messages (policy
// reject|block when full), 4096 producers (least recently seen forgotten), 4096 remembered rejections
// per producer.
import type { FullPolicy, MqDeliver, MqPublish } from './messages.js';

export const MAX_PRODUCERS_PER_QUEUE = 4096;
export const MAX_REMEMBERED_REJECTIONS = 4096;
export const MAX_HELD_PER_PRODUCER = 1024;

interface Stored {
  readonly pid: string;
  readonly pseq: number;
  readonly body: unknown;
}

interface ProducerState {
  expected: number;
  readonly rejected: Set<number>;
  readonly held: Map<number, MqPublish>;
  /** Highest seq seen from this producer: seqs between `expected` and it that are not held are missing. */
  highest: number;
}

export type PublishOutcome = { readonly seq: number; readonly status: 'ok' | 'rejected' | 'full' | 'missing' };

export interface ConsumerState {
  readonly node: string;
  readonly svc: string;
  readonly cid: string;
  window: number;
  /** Highest offset sent (+1): offsets below were sent at least once to this consumer. */
  sentNext: number;
  /** Acknowledgement progress seen at the last redelivery check. */
  checkedHead: number;
}

export interface QueueStats {
  accepted: number;
  duplicates: number;
  rejected: number;
  full: number;
  delivered: number;
  redelivered: number;
  acked: number;
}

export class BrokerQueue {
  private items: Stored[] = [];
  private start = 0; // index of `head` in items
  head = 0;
  private readonly producers = new Map<string, ProducerState>();
  consumer: ConsumerState | undefined;
  readonly stats: QueueStats = { accepted: 0, duplicates: 0, rejected: 0, full: 0, delivered: 0, redelivered: 0, acked: 0 };

  constructor(readonly name: string, readonly capacity: number, readonly policy: FullPolicy) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`queue ${name}: capacity must be >= 1`);
  }

  get length(): number {
    return this.items.length - this.start;
  }

  get tail(): number {
    return this.head + this.length;
  }

  /** Apply a publish; every outcome goes back to the producer. */
  publish(m: MqPublish): PublishOutcome[] {
    const p = this.producer(m.pid);
    if (m.seq < p.expected) {
      this.stats.duplicates++;
      return [{ seq: m.seq, status: p.rejected.has(m.seq) ? 'rejected' : 'ok' }];
    }
    if (m.seq > p.expected) {
      if (p.held.size >= MAX_HELD_PER_PRODUCER || m.seq >= p.expected + MAX_HELD_PER_PRODUCER) return [];
      p.held.set(m.seq, m);
      // ask at once for every seq skipped since the highest one seen (each gap is asked for once here;
      // the producer's retransmit timer covers a lost request)
      const out: PublishOutcome[] = [];
      for (let s = Math.max(p.expected, p.highest + 1); s < m.seq; s++) if (!p.held.has(s)) out.push({ seq: s, status: 'missing' });
      if (m.seq > p.highest) p.highest = m.seq;
      return out;
    }
    const out: PublishOutcome[] = [];
    if (m.seq > p.highest) p.highest = m.seq;
    let next: MqPublish | undefined = m;
    while (next) {
      const status = this.accept(p, next);
      out.push({ seq: next.seq, status });
      if (status === 'full') break;
      next = p.held.get(p.expected);
      if (next) p.held.delete(next.seq);
    }
    return out;
  }

  private accept(p: ProducerState, m: MqPublish): 'ok' | 'rejected' | 'full' {
    if (this.length >= this.capacity) {
      if (this.policy === 'block') {
        this.stats.full++;
        return 'full';
      }
      this.stats.rejected++;
      p.expected++;
      p.rejected.add(m.seq);
      if (p.rejected.size > MAX_REMEMBERED_REJECTIONS) p.rejected.delete(p.rejected.values().next().value!);
      return 'rejected';
    }
    p.expected++;
    this.items.push({ pid: m.pid, pseq: m.seq, body: m.body });
    this.stats.accepted++;
    return 'ok';
  }

  /** Everything below `next` is processed: drop it. */
  ack(next: number): void {
    const upto = Math.min(next, this.tail);
    if (upto <= this.head) return;
    this.stats.acked += upto - this.head;
    this.start += upto - this.head;
    this.head = upto;
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  /** Deliveries allowed now by the consumer's window, advancing its send pointer. */
  takeDeliveries(): MqDeliver[] {
    const c = this.consumer;
    if (!c) return [];
    const out: MqDeliver[] = [];
    if (c.sentNext < this.head) c.sentNext = this.head;
    const limit = Math.min(this.tail, this.head + c.window);
    while (c.sentNext < limit) {
      const s = this.items[this.start + (c.sentNext - this.head)]!;
      out.push({ t: 'mq.msg', q: this.name, off: c.sentNext, head: this.head, pid: s.pid, pseq: s.pseq, body: s.body });
      c.sentNext++;
    }
    this.stats.delivered += out.length;
    return out;
  }

  /** Called periodically: if the consumer made no progress since the last check, resend its window. */
  checkRedelivery(): boolean {
    const c = this.consumer;
    if (!c || c.sentNext <= this.head) return false;
    if (c.checkedHead === this.head) {
      this.stats.redelivered += c.sentNext - this.head;
      c.sentNext = this.head;
      return true;
    }
    c.checkedHead = this.head;
    return false;
  }

  /** The consumer lost one delivery: resend just that offset. */
  redeliver(off: number): MqDeliver | undefined {
    if (off < this.head || off >= this.tail || !this.consumer || off >= this.consumer.sentNext) return undefined;
    const s = this.items[this.start + (off - this.head)]!;
    this.stats.redelivered++;
    return { t: 'mq.msg', q: this.name, off, head: this.head, pid: s.pid, pseq: s.pseq, body: s.body };
  }

  get hasOutstanding(): boolean {
    return this.consumer !== undefined && this.consumer.sentNext > this.head;
  }

  private producer(pid: string): ProducerState {
    let p = this.producers.get(pid);
    if (p) {
      this.producers.delete(pid);
    } else {
      p = { expected: 1, rejected: new Set(), held: new Map(), highest: 0 };
      if (this.producers.size >= MAX_PRODUCERS_PER_QUEUE) this.producers.delete(this.producers.keys().next().value!);
    }
    this.producers.set(pid, p);
    return p;
  }
}
