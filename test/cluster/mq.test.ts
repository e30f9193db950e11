import { describe, expect, it } from 'vitest';
import type { NodeContext, NodeService } from '../../src/node/index.js';
import { SimCluster } from '../../src/cluster/sim-cluster.js';
import { MqBrokerService, MqConsumer, MqProducer, type Delivery } from '../../src/mq/index.js';
import { ms } from '../../src/sim/index.js';

class Prod implements NodeService {
  producer!: MqProducer;
  results: [number, string][] = [];
  start(ctx: NodeContext): void {
    this.producer = new MqProducer(ctx, { broker: 'broker', queue: 'q', outbox_max: 200, window: 16, rto_ns: ms(20) });
    this.producer.onResult = (seq, status) => this.results.push([seq, status]);
  }
  onMessage(from: string, msg: unknown): void {
    this.producer.handle(from, msg);
  }
  stop(): void {}
}

/** Consumer that processes one message every `pace_ns`; its log survives restarts (kept by the test). */
class Cons implements NodeService {
  consumer!: MqConsumer;
  private backlog: Delivery[] = [];
  private busy = false;
  private ctx!: NodeContext;
  constructor(readonly log: Delivery[], readonly durable: boolean, readonly pace_ns: number) {}
  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.consumer = new MqConsumer(ctx, { broker: 'broker', queue: 'q', window: 8, durable: this.durable, resubscribe_ns: ms(50), onMessage: (d) => this.take(d) });
    this.consumer.start();
  }
  private take(d: Delivery): void {
    this.backlog.push(d);
    if (!this.busy) this.work();
  }
  private work(): void {
    const d = this.backlog.shift();
    if (!d) { this.busy = false; return; }
    this.busy = true;
    this.ctx.setTimer(this.pace_ns, () => {
      this.log.push(d);
      this.consumer.ack(d.off);
      this.work();
    });
  }
  onMessage(from: string, msg: unknown): void {
    this.consumer.handle(from, msg);
  }
  stop(): void {}
}

function setup(opts: { seed?: number; capacity?: number; policy?: 'reject' | 'block'; durable?: boolean; pace_ns?: number; link?: object }) {
  const log: Delivery[] = [];
  const c = new SimCluster({
    seed: opts.seed ?? 1,
    link: opts.link ?? {},
    nodes: [
      { id: 'prod', services: { p: () => new Prod() } },
      { id: 'broker', services: { mq: () => new MqBrokerService({ capacity: opts.capacity ?? 1000, policy: opts.policy ?? 'block', redeliver_ns: ms(30) }) } },
      { id: 'cons', services: { c: () => new Cons(log, opts.durable ?? false, opts.pace_ns ?? ms(1)) } },
    ],
  });
  const prod = (): Prod => c.service<Prod>('prod', 'p')!;
  const broker = (): MqBrokerService => c.service<MqBrokerService>('broker', 'mq')!;
  return { c, log, prod, broker };
}

const bodies = (log: Delivery[]): number[] => log.map((d) => d.body as number);

describe('message queues', () => {
  it('delivers every message exactly once and in order over a lossy, duplicating network', () => {
    const { c, log, prod } = setup({ seed: 3, link: { loss: 0.2, duplicate: 0.2, reorder: 0.1 } });
    let i = 0;
    const feed = (): void => {
      while (i < 500 && prod().producer.send(i) === 'queued') i++;
      if (i < 500) prod().producer.onDrain = feed;
    };
    feed();
    c.sim.run({ until_ns: ms(60_000) });
    expect(bodies(log)).toEqual([...Array(500).keys()]);
    expect(prod().producer.stats.retransmits).toBeGreaterThan(0);
  });

  it('rejects messages beyond the bound under the reject policy and tells the producer', () => {
    const { c, prod, broker } = setup({ capacity: 10, policy: 'reject' });
    c.crash('cons'); // nobody consumes: the queue fills
    for (let i = 0; i < 30; i++) prod().producer.send(i);
    c.sim.run({ until_ns: ms(1000) });
    const q = broker().queues.get('q')!;
    expect(q.length).toBe(10);
    expect(prod().results.filter(([, s]) => s === 'ok').length).toBe(10);
    expect(prod().results.filter(([, s]) => s === 'rejected').map(([seq]) => seq)).toEqual([...Array(20).keys()].map((k) => k + 11));
  });

  it('blocks the producer when the queue is full under the block policy, then drains', () => {
    const { c, log, prod, broker } = setup({ capacity: 10, policy: 'block' });
    c.crash('cons');
    let accepted = 0;
    for (let i = 0; i < 250; i++) if (prod().producer.send(i) === 'queued') accepted++;
    expect(accepted).toBe(200); // the producer's outbox bound
    expect(prod().producer.send(999)).toBe('blocked');
    let drained = false;
    prod().producer.onDrain = () => { drained = true; };
    c.sim.run({ until_ns: ms(1000) });
    expect(broker().queues.get('q')!.length).toBe(10);
    expect(prod().producer.pending).toBe(190);
    c.start('cons');
    c.sim.run({ until_ns: ms(10_000) });
    expect(bodies(log)).toEqual([...Array(200).keys()]);
    expect(drained).toBe(true);
    expect(prod().producer.pending).toBe(0);
  });

  it('keeps messages for a disconnected consumer and delivers them in order when it returns', () => {
    const { c, log, prod } = setup({});
    c.sim.run({ until_ns: ms(10) });
    c.net.partition([['cons'], ['prod', 'broker']]);
    for (let i = 0; i < 40; i++) prod().producer.send(i);
    c.sim.run({ until_ns: ms(2000) });
    expect(log).toEqual([]);
    c.net.heal();
    c.sim.run({ until_ns: ms(4000) });
    expect(bodies(log)).toEqual([...Array(40).keys()]);
  });

  it('redelivers unacknowledged messages after a consumer crash, in order, exactly once when durable', () => {
    const { c, log, prod, broker } = setup({ durable: true, pace_ns: ms(5) });
    for (let i = 0; i < 100; i++) prod().producer.send(i);
    c.sim.at(ms(120), () => c.crash('cons'));
    c.sim.at(ms(400), () => c.start('cons'));
    c.sim.run({ until_ns: ms(5000) });
    expect(bodies(log)).toEqual([...Array(100).keys()]);
    expect(broker().queues.get('q')!.stats.redelivered).toBeGreaterThan(0);
  });

  it('without durability redelivers what was processed but not acknowledged, still in order', () => {
    const { c, log, prod } = setup({ durable: false, pace_ns: ms(5) });
    for (let i = 0; i < 100; i++) prod().producer.send(i);
    c.sim.at(ms(100), () => c.net.partitionOneWay(['cons'], ['broker'])); // acks get lost
    c.sim.at(ms(150), () => { c.crash('cons'); c.net.heal(); });
    c.sim.at(ms(400), () => c.start('cons'));
    c.sim.run({ until_ns: ms(5000) });
    const got = bodies(log);
    expect(new Set(got).size).toBe(100);
    // one run of the ack in flight at the crash is seen twice; the order restarts at the first unacknowledged
    const firstRepeat = got.findIndex((v, i) => i > 0 && v <= got[i - 1]!);
    expect(firstRepeat).toBeGreaterThan(0);
    expect(got.slice(firstRepeat)).toEqual([...Array(100 - got[firstRepeat]!).keys()].map((k) => k + got[firstRepeat]!));
  });
});
