import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/cluster/sim-cluster.js';
import { formatFaultScript, Nemesis, majoritiesRing, parseFaultScript, scheduleFaults } from '../../src/net/index.js';
import { ms } from '../../src/sim/index.js';
import { Probe, probe } from './probe.js';

const ids = ['a', 'b', 'c', 'd', 'e'];
function cluster(seed = 1, link = {}): SimCluster {
  return new SimCluster({ seed, nodes: ids.map((id) => ({ id, services: { p: probe } })), link, trace: { keep_max_lines: 100_000 } });
}
const p = (c: SimCluster, id: string): Probe => c.service<Probe>(id, 'p')!;
function blast(c: SimCluster, from: string, to: string, n: number): void {
  for (let i = 0; i < n; i++) p(c, from).ctx!.send(to, { t: 'x', i });
}
const got = (c: SimCluster, id: string): number[] => p(c, id).received.map((r) => (r.msg as { i: number }).i);

describe('simulated network', () => {
  it('delivers in link order with fixed latency, taking exactly that latency', () => {
    const c = cluster(1, { latency: { kind: 'fixed', ns: ms(3) } });
    blast(c, 'a', 'b', 50);
    c.sim.run();
    expect(got(c, 'b')).toEqual([...Array(50).keys()]);
    expect(p(c, 'b').received.every((r) => r.t === ms(3))).toBe(true);
  });

  it('keeps uniform and log-normal latencies inside their bounds', () => {
    const u = cluster(2, { latency: { kind: 'uniform', min_ns: ms(1), max_ns: ms(9) } });
    const sent = u.sim.now_ns;
    u.sim.run({ until_ns: 0 });
    for (let i = 0; i < 200; i++) u.sim.at(i * ms(20), () => blast(u, 'a', 'b', 1));
    u.sim.run();
    const lat = p(u, 'b').received.map((r, i) => r.t - i * ms(20) - sent);
    expect(Math.min(...lat)).toBeGreaterThanOrEqual(ms(1));
    expect(Math.max(...lat)).toBeLessThanOrEqual(ms(9));
    expect(new Set(lat).size).toBeGreaterThan(50);
    const l = cluster(2, { latency: { kind: 'lognormal', median_ns: ms(2), sigma: 0.5, min_ns: ms(1) } });
    for (let i = 0; i < 400; i++) l.sim.at(i * ms(50), () => blast(l, 'a', 'b', 1));
    l.sim.run();
    const ll = p(l, 'b').received.map((r, i) => r.t - i * ms(50)).sort((x, y) => x - y);
    expect(ll[0]!).toBeGreaterThanOrEqual(ms(1));
    expect(ll[200]!).toBeGreaterThan(ms(1.7));
    expect(ll[200]!).toBeLessThan(ms(2.3));
  });

  it('loses about the configured share of messages', () => {
    const c = cluster(3, { loss: 0.3 });
    blast(c, 'a', 'b', 2000);
    c.sim.run();
    const n = got(c, 'b').length;
    expect(n).toBeGreaterThan(1250);
    expect(n).toBeLessThan(1550);
    expect(c.net.stats.lost).toBe(2000 - n);
  });

  it('duplicates and reorders messages when told to', () => {
    const c = cluster(4, { duplicate: 0.2, reorder: 0.2 });
    blast(c, 'a', 'b', 1000);
    c.sim.run();
    const g = got(c, 'b');
    expect(g.length).toBeGreaterThan(1100);
    expect(new Set(g).size).toBe(1000);
    const inversions = g.filter((v, i) => i > 0 && v < g[i - 1]!).length;
    expect(inversions).toBeGreaterThan(50);
  });

  it('cuts links between partition groups and restores them on heal', () => {
    const c = cluster();
    c.net.partition([['a', 'b'], ['c', 'd', 'e']]);
    blast(c, 'a', 'b', 1);
    blast(c, 'a', 'c', 1);
    blast(c, 'e', 'd', 1);
    blast(c, 'd', 'b', 1);
    c.sim.run();
    expect([got(c, 'b').length, got(c, 'c').length, got(c, 'd').length]).toEqual([1, 0, 1]);
    c.net.heal();
    blast(c, 'a', 'c', 1);
    c.sim.run();
    expect(got(c, 'c').length).toBe(1);
  });

  it('drops messages already in flight when a partition starts', () => {
    const c = cluster(1, { latency: { kind: 'fixed', ns: ms(10) } });
    blast(c, 'a', 'b', 1);
    c.sim.at(ms(5), () => c.net.partition([['a'], ['b']]));
    c.sim.run();
    expect(got(c, 'b')).toEqual([]);
  });

  it('blocks only one direction under a one-way partition', () => {
    const c = cluster();
    c.net.partitionOneWay(['a'], ['b', 'c']);
    blast(c, 'a', 'b', 1);
    blast(c, 'b', 'a', 1);
    blast(c, 'c', 'a', 1);
    c.sim.run();
    expect(got(c, 'b')).toEqual([]);
    expect(got(c, 'a').length).toBe(2);
  });

  it('lets every node reach a majority in a majorities ring', () => {
    for (const n of [3, 4, 5, 7]) {
      const order = Array.from({ length: n }, (_, i) => `n${i}`);
      const blocked = new Set(majoritiesRing(order).map(([x, y]) => `${x}>${y}`));
      for (const x of order) {
        const reach = order.filter((y) => y === x || !blocked.has(`${x}>${y}`)).length;
        expect(reach).toBeGreaterThan(n / 2);
        if (n >= 5) expect(reach).toBeLessThan(n);
      }
    }
  });

  it('holds deliveries to a paused node and hands them over in order on resume', () => {
    const c = cluster();
    c.pause('b');
    blast(c, 'a', 'b', 5);
    c.sim.run({ until_ns: ms(100) });
    expect(got(c, 'b')).toEqual([]);
    c.resume('b');
    c.sim.run();
    expect(got(c, 'b')).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses sends to a crashed node and drops what was in flight to it', () => {
    const c = cluster(1, { latency: { kind: 'fixed', ns: ms(10) } });
    blast(c, 'a', 'b', 1);
    c.sim.at(ms(5), () => c.crash('b'));
    c.sim.run();
    expect(p(c, 'a').ctx!.send('b', { t: 'x', i: 9 })).toBe(false);
    c.restart('b');
    expect(p(c, 'b').received).toEqual([]);
    expect(p(c, 'a').ctx!.send('b', { t: 'x', i: 9 })).toBe(true);
  });

  it('applies a fault script at its times and records each fault in the trace', () => {
    const c = cluster();
    const script = parseFaultScript(`
      # cut, then heal
      at 10ms partition a,b|c,d,e
      at 20ms heal
      at 30ms crash c
      at 40ms restart c
      at 50ms skew d -25ms
      at 60ms loss 0.5
    `, ids);
    scheduleFaults(c, script);
    c.sim.at(ms(15), () => blast(c, 'a', 'c', 1));
    c.sim.at(ms(25), () => blast(c, 'a', 'c', 1));
    c.sim.run();
    const faults = c.sim.trace.records().filter((r) => r.ev === 'fault').map((r) => [r.t, r['kind']]);
    expect(faults).toEqual([[ms(10), 'partition'], [ms(20), 'heal'], [ms(30), 'crash'], [ms(40), 'restart'], [ms(50), 'skew'], [ms(60), 'link']]);
    expect(c.node('c').incarnation).toBe(2);
    expect(c.net.link('a', 'b').loss).toBe(0.5);
    expect(() => parseFaultScript('at 1s partition a|zz', ids)).toThrow(/line 1: unknown node 'zz'/);
    expect(() => parseFaultScript('at soon heal')).toThrow(/not a duration/);
  });

  it('delivers copies of JSON messages, as TCP would, and refuses values JSON cannot carry', () => {
    const c = cluster(1, { duplicate: 1 });
    const msg = { t: 'x', list: [1] };
    p(c, 'a').ctx!.send('b', msg);
    msg.list.push(2);
    expect(p(c, 'a').ctx!.send('b', () => 1)).toBe(false);
    expect(p(c, 'a').ctx!.send('b', undefined)).toBe(false);
    c.sim.run();
    const got = p(c, 'b').received.map((r) => r.msg as { list: number[] });
    expect(got).toEqual([{ t: 'x', list: [1] }, { t: 'x', list: [1] }]);
    expect(got[0]).not.toBe(got[1]);
  });

  it('keeps what a service synced across a crash and loses what it did not', () => {
    const c = cluster();
    const st = (): NonNullable<Probe['ctx']>['storage'] => p(c, 'a').ctx!.storage;
    st().put('term', '3');
    st().sync();
    st().put('term', '4');
    st().put('vote', 'b');
    p(c, 'a').received.push({ from: 'x', msg: 'volatile', t: 0 });
    c.crash('a');
    c.restart('a');
    expect(p(c, 'a').received).toEqual([]);
    expect(st().get('term')).toBe('3');
    expect(st().get('vote')).toBeUndefined();
    expect(c.node('a').incarnation).toBe(2);
  });

  it('leaves a node down when a service fails while starting, and records why', () => {
    let boom = true;
    const c = new SimCluster({
      seed: 1, trace: { keep_max_lines: 100 },
      nodes: [{ id: 'a', services: { x: () => ({ start() { if (boom) throw new Error('no disk'); }, onMessage() {}, stop() {} }) } }],
    });
    expect(c.node('a').status).toBe('down');
    expect(c.node('a').actor).toBeUndefined();
    expect(c.sim.trace.lines().some((l) => l.includes('"service.error"') && l.includes('no disk'))).toBe(true);
    boom = false;
    c.start('a');
    expect(c.node('a').status).toBe('up');
  });

  it('writes a fault script that reads back as the same faults', () => {
    const text = 'at 1200ms crash n2\nat 1.5s restart n2\nat 250us partition a,b|c\nat 2s one-way a -> b,c\nat 3s heal\n' +
      'at 4s skew a -20ms\nat 4s drift b 150\nat 5s loss 0.25\nat 6s isolate c\nat 7s rejoin c\n';
    const script = parseFaultScript(text);
    expect(script).toHaveLength(10);
    const written = formatFaultScript(script);
    expect(written).toContain('at 1500ms restart n2\n');
    expect(written).toContain('at 250000ns partition a,b|c\n');
    expect(parseFaultScript(written)).toEqual(script);
  });

  it('reads partition groups written in braces', () => {
    expect(parseFaultScript('at 1s partition {a,b}|{c,d,e}', ids)[0]!.fault).toEqual({ kind: 'partition', groups: [['a', 'b'], ['c', 'd', 'e']] });
  });

  it('replays a nemesis run byte for byte from its seed', () => {
    const run = (seed: number): string => {
      const c = cluster(seed, { loss: 0.05, latency: { kind: 'uniform', min_ns: ms(1), max_ns: ms(4) } });
      new Nemesis(c, { rng: c.sim.rng.split('nemesis'), kinds: ['halves', 'ring', 'kill', 'pause', 'skew'], interval_ns: ms(50), stop_ns: ms(1000) });
      for (let i = 0; i < 100; i++) {
        c.sim.at(i * ms(10), () => {
          for (const x of ids) if (c.node(x).status === 'up') for (const y of ids) if (x !== y) p(c, x).ctx!.send(y, { t: 'x', i });
        });
      }
      c.sim.run();
      expect(c.sim.trace.records().filter((r) => r.ev === 'fault').length).toBeGreaterThan(10);
      return c.sim.trace.digest();
    };
    const h = run(77);
    expect(run(77)).toBe(h);
    expect(run(78)).not.toBe(h);
  });
});
