import { describe, expect, it } from 'vitest';
import { compareVersions, formatVersion, GeoSim, geoTopology, GeoConfigError, HybridClock, type GeoOp } from '../../src/geo/index.js';

const MS = 1_000_000;
const latency = (o: GeoOp): number => (o.ret_ns! - o.call_ns) / MS;

describe('geo topology and links', () => {
  it('defaults to 3 centres of 3 replicas, ~1 ms inside a centre and 80 ms median across', () => {
    const sim = new GeoSim({ seed: 1 });
    expect(sim.topology.centres).toEqual(['dc1', 'dc2', 'dc3']);
    expect(sim.topology.nodes).toHaveLength(9);
    const local = sim.cluster.net.link('dc1-r1', 'dc1-r2').latency;
    const wan = sim.cluster.net.link('dc1-r1', 'dc2-r1').latency;
    expect(local).toMatchObject({ kind: 'lognormal', median_ns: MS });
    expect(wan).toMatchObject({ kind: 'lognormal', median_ns: 80 * MS });
  });

  it('links are configurable, and bad shapes are refused with a clear error', () => {
    const sim = new GeoSim({ seed: 1, topology: { centres: 2, replicas_per_centre: 5 }, links: { wan: { latency: { kind: 'fixed', ns: 30 * MS } } } });
    expect(sim.topology.replicas.get('dc2')).toEqual(['dc2-r1', 'dc2-r2', 'dc2-r3', 'dc2-r4', 'dc2-r5']);
    expect(sim.cluster.net.link('dc2-r5', 'dc1-r1').latency).toEqual({ kind: 'fixed', ns: 30 * MS });
    expect(() => geoTopology({ centres: 0 })).toThrow(GeoConfigError);
    expect(() => geoTopology({ centre_names: ['a', 'a'] })).toThrow(/unique/);
  });
});

describe('hybrid logical clock', () => {
  it('never goes back when the physical clock steps back, and exceeds what it observed', () => {
    let pt = 1000;
    const h = new HybridClock('n', () => pt);
    const a = h.tick();
    pt = 10;
    const b = h.tick();
    expect(compareVersions(b, a)).toBeGreaterThan(0);
    h.observe({ l: 5000, c: 7, n: 'z' });
    const c = h.tick();
    expect(c).toEqual({ l: 5000, c: 8, n: 'n' });
    expect(compareVersions(h.tick({ l: 9000, c: 0, n: 'zz' }), { l: 9000, c: 0, n: 'zz' })).toBeGreaterThan(0);
  });
});

describe('geo store', () => {
  it('acknowledges a write after 2 of 3 local replicas, then replicates to the other centres in the background', () => {
    const sim = new GeoSim({ seed: 3 });
    const c = sim.client('c1', 'dc1');
    const w = sim.put(c, '/a', 'hello');
    sim.runFor(20);
    expect(w.result).toMatchObject({ ok: true, value: 'hello' });
    expect(latency(w)).toBeLessThan(15);
    if (!w.result?.ok) throw new Error('write failed');
    expect(w.result.replicas).toHaveLength(2);
    expect(w.result.replicas.every((n) => n.startsWith('dc1-'))).toBe(true);
    expect(sim.replica('dc2-r1')!.get('/a')).toBeUndefined(); // the WAN is 80 ms away
    sim.runFor(300);
    for (const n of sim.topology.nodes) expect(sim.replica(n)!.get('/a')?.value).toBe('hello');
    const r = sim.get(sim.client('c2', 'dc3'), '/a');
    sim.runFor(20);
    expect(r.result).toMatchObject({ ok: true, value: 'hello' });
    expect(latency(r)).toBeLessThan(15);
  });

  it('a request that finds no local quorum fails at its deadline with a clear error, and the other centres carry on', () => {
    const sim = new GeoSim({ seed: 4, store: { deadline_ns: 40 * MS } });
    sim.cluster.crash('dc1-r2');
    sim.cluster.crash('dc1-r3');
    const c = sim.client('c1', 'dc1');
    const w = sim.put(c, '/x');
    const r = sim.get(c, '/x');
    const other = sim.put(sim.client('c2', 'dc2'), '/y');
    sim.settle();
    expect(w.result).toMatchObject({ ok: false, error: 'no-local-quorum', maybe_applied: true });
    expect(w.result!.ok ? '' : w.result!.message).toMatch(/1 of 3 replicas of dc1 acknowledged within 40 ms, 2 needed/);
    expect(latency(w)).toBeCloseTo(40, 0);
    expect(r.result).toMatchObject({ ok: false, error: 'no-local-quorum' });
    expect(latency(r)).toBeCloseTo(40, 0);
    expect(other.result?.ok).toBe(true);
    expect(latency(other)).toBeLessThan(15);
  });

  it('concurrent writes from two centres during a WAN cut: the higher version wins everywhere, the loser is logged', () => {
    const sim = new GeoSim({ seed: 5 });
    sim.cutWan();
    const a = sim.put(sim.client('a', 'dc1'), '/doc', 'from dc1');
    sim.runFor(3);
    const b = sim.put(sim.client('b', 'dc2'), '/doc', 'from dc2');
    sim.runFor(50);
    expect(a.result?.ok && b.result?.ok).toBe(true);
    sim.heal();
    expect(sim.runUntilConverged(5000)).not.toBeNull();
    const va = a.result!.ok ? a.result!.version : undefined;
    const vb = b.result!.ok ? b.result!.version : undefined;
    const winner = compareVersions(va!, vb!) > 0 ? a : b;
    const loser = winner === a ? b : a;
    for (const n of sim.topology.nodes) expect(sim.replica(n)!.get('/doc')?.value).toBe(winner.value);
    const log = sim.conflicts();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ key: '/doc', loser_value: loser.value });
    expect(formatVersion(log[0]!.loser)).toBe(formatVersion(loser.result!.ok ? loser.result!.version : va!));
    expect(sim.lostWrites()).toEqual([]);
  });

  it('the lost-write check is not vacuous: with no room in the conflict log, the overruled write is reported lost', () => {
    const sim = new GeoSim({ seed: 5, store: { limits: { max_conflicts: 0 } } });
    sim.cutWan();
    sim.put(sim.client('a', 'dc1'), '/doc', 'from dc1');
    sim.put(sim.client('b', 'dc2'), '/doc', 'from dc2');
    sim.runFor(50);
    sim.heal();
    expect(sim.runUntilConverged(5000)).not.toBeNull();
    expect(sim.conflicts()).toEqual([]);
    expect(sim.lostWrites()).toHaveLength(1);
    expect(sim.topology.nodes.some((n) => sim.replica(n)!.conflicts_unlogged > 0)).toBe(true);
  });

  it('a write that saw the previous one is no conflict', () => {
    const sim = new GeoSim({ seed: 6 });
    sim.put(sim.client('a', 'dc1'), '/k', 'one');
    sim.runFor(400);
    sim.put(sim.client('b', 'dc2'), '/k', 'two');
    expect(sim.runUntilConverged(5000)).not.toBeNull();
    expect(sim.replica('dc3-r2')!.get('/k')?.value).toBe('two');
    expect(sim.conflicts()).toEqual([]);
  });

  it('anti-entropy alone repairs a replica that was down and a centre that replication skipped', () => {
    const sim = new GeoSim({ seed: 7, store: { replicate: false } });
    sim.cluster.crash('dc2-r3');
    const c = sim.client('c', 'dc1');
    for (let i = 0; i < 20; i++) sim.put(c, `/f/${i}`);
    sim.settle();
    sim.runFor(50);
    expect(sim.replica('dc3-r1')!.size).toBeLessThan(20);
    sim.cluster.start('dc2-r3');
    expect(sim.runUntilConverged(10_000)).not.toBeNull();
    expect(sim.replica('dc2-r3')!.size).toBe(20);
  });

  for (const seed of [11, 12, 13, 14]) {
    it(`converges with nothing acknowledged lost after a WAN cut, crashes, loss and duplication (seed ${seed})`, () => {
      const faulty = { loss: 0.05, duplicate: 0.02, reorder: 0.02 };
      const sim = new GeoSim({ seed, links: { local: faulty, wan: faulty } });
      const clients = sim.topology.centres.flatMap((dc) => [1, 2, 3].map((i) => sim.client(`${dc}.c${i}`, dc)));
      sim.closedLoop(clients, 2500, { write_fraction: 0.5, keys: Array.from({ length: 16 }, (_, i) => `/f/${i}`) });
      const at = (ms: number, f: () => void): void => { sim.cluster.sim.at(ms * MS, f); };
      at(300, () => sim.cutWan());
      at(500, () => sim.cluster.crash('dc1-r2'));
      at(900, () => sim.cluster.start('dc1-r2'));
      at(1200, () => sim.heal());
      at(1500, () => sim.cluster.crash('dc3-r1'));
      at(1700, () => sim.cluster.skew('dc2-r1', -5_000 * MS));
      at(2000, () => sim.cluster.start('dc3-r1'));
      sim.runFor(2500);
      sim.settle();
      expect(sim.runUntilConverged(20_000)).not.toBeNull();
      const writes = sim.ops.filter((o) => o.kind === 'write' && o.result?.ok);
      expect(writes.length).toBeGreaterThan(300);
      expect(sim.conflicts().length).toBeGreaterThan(0);
      expect(sim.lostWrites()).toEqual([]);
      // every acknowledged write is the final version or lost to a later one
      const ref = sim.replica('dc2-r2')!;
      for (const w of writes) expect(compareVersions(ref.version(w.key), w.result!.ok ? w.result!.version : ref.version(w.key))).toBeGreaterThanOrEqual(0);
    });
  }
});
