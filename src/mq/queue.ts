// One named queue inside the broker: a bounded log of messages from `head` (lowest unacknowledged
// offset) to `tail`, per-producer in-order deduplication, and the single active consumer's delivery
// window with go-back redelivery. Bounds: `capacity` retained messages (policy reject|block when full),
// 4096 producers (least recently seen forgotten), 4096 remembered rejections per producer.
import type { FullPolicy, MqDeliver, MqPublish } from './messages.js';

export const MAX_PRODUCERS_PER_QUEUE = 4096;
export const MAX_REMEMBERED_REJECTIONS = 4096;

interface Stored {
  readonly pid: string;
  readonly pseq: number;
  readonly body: unknown;
}

interface ProducerState {
  expected: number;
  readonly rejected: Set<number>;
}

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

  /** Apply a publish; the status goes back to the producer. */
  publish(m: MqPublish): 'ok' | 'rejected' | 'full' | 'ignore' {
    const p = this.producer(m.pid);
    if (m.seq < p.expected) {
      this.stats.duplicates++;
      return p.rejected.has(m.seq) ? 'rejected' : 'ok';
    }
    if (m.seq > p.expected) return 'ignore'; // a gap: the producer resends in order
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

  get hasOutstanding(): boolean {
    return this.consumer !== undefined && this.consumer.sentNext > this.head;
  }

  private producer(pid: string): ProducerState {
    let p = this.producers.get(pid);
    if (p) {
      this.producers.delete(pid);
    } else {
      p = { expected: 1, rejected: new Set() };
      if (this.producers.size >= MAX_PRODUCERS_PER_QUEUE) this.producers.delete(this.producers.keys().next().value!);
    }
    this.producers.set(pid, p);
    return p;
  }
}
