import { describe, expect, it } from 'vitest';
import { ALL_GUARANTEES, checkSessions, GeoSim, NO_GUARANTEES, totalViolations, type SessionOp, type Version } from '../../src/geo/index.js';

const MS = 1_000_000;
const v = (l: number, n = 'dc1-r1'): Version => ({ l, c: 0, n });
const op = (session: string, kind: 'read' | 'write', key: string, l: number | null, call_ms: number): SessionOp =>
  ({ session, kind, key, version: l === null ? null : l === 0 ? { l: 0, c: 0, n: '' } : v(l), call_ns: call_ms * MS });

describe('the session checker', () => {
  it('counts each guarantee broken in a hand-made bad history', () => {
    const bad: SessionOp[] = [
      op('s1', 'write', '/a', 10, 1),
      op('s1', 'read', '/a', 5, 2), // read-your-writes: 5 < 10
      op('s2', 'read', '/b', 20, 1),
      op('s2', 'read', '/b', 15, 2), // monotonic reads: 15 < 20
      op('s3', 'write', '/c', 30, 1),
      op('s3', 'write', '/d', 25, 2), // monotonic writes: 25 <= 30
      op('s4', 'read', '/e', 40, 1),
      op('s4', 'write', '/f', 35, 2), // writes follow reads: 35 <= 40
      op('s5', 'write', '/g', 50, 1),
      op('s5', 'read', '/g', 0, 2), // read-your-writes: not found after writing
    ];
    const c = checkSessions(bad);
    expect(c.violations).toEqual({ read_your_writes: 2, monotonic_reads: 1, monotonic_writes: 1, writes_follow_reads: 1 });
    expect(c.examples.read_your_writes[0]).toMatch(/s1 at 2\.000 ms: read \/a -> 5\.0@dc1-r1, after writing 10\.0@dc1-r1/);
    expect(c.sessions).toBe(5);
  });

  it('passes a good history, and ignores failed operations and other sessions\' writes', () => {
    const good: SessionOp[] = [
      op('s1', 'write', '/a', 10, 1),
      op('s2', 'read', '/a', 0, 1.5), // another session may not see it yet
      op('s1', 'read', '/a', 12, 2),
      op('s1', 'read', '/a', 12, 3),
      op('s1', 'write', '/b', null, 4), // failed: no version, no write of the session
      op('s1', 'write', '/b', 13, 5),
      op('s1', 'read', '/a', 3, 0.5), // called before the write: no floor yet (call order decides)
    ];
    expect(totalViolations(checkSessions(good))).toBe(0);
  });
});

describe('session guarantees in the store', () => {
  it('a read at a replica that lacks the session\'s write waits for another local replica', () => {
    const sim = new GeoSim({ seed: 2, store: { read_quorum: 1 } });
    const c = sim.client('c', 'dc1', { home: 'dc1-r1' });
    sim.cluster.net.block([['dc1-r1', 'dc1-r3']]);
    const w = sim.put(c, '/a', 'mine');
    sim.runFor(20);
    expect(w.result?.ok).toBe(true);
    expect(sim.replica('dc1-r3')!.get('/a')).toBeUndefined();
    sim.move(c, 'dc1', 'dc1-r3');
    const r = sim.get(c, '/a');
    sim.runFor(20);
    expect(r.result).toMatchObject({ ok: true, value: 'mine' });
    expect(sim.store('dc1-r3')!.stats.session_waits).toBe(1);
    // without the guarantee the same read returns at once from dc1-r3 alone: nothing
    const sim2 = new GeoSim({ seed: 2, store: { read_quorum: 1 }, guarantees: NO_GUARANTEES });
    const c2 = sim2.client('c', 'dc1', { home: 'dc1-r1' });
    sim2.cluster.net.block([['dc1-r1', 'dc1-r3']]);
    sim2.put(c2, '/a', 'mine');
    sim2.runFor(20);
    sim2.move(c2, 'dc1', 'dc1-r3');
    const r2 = sim2.get(c2, '/a');
    sim2.runFor(20);
    expect(r2.result).toMatchObject({ ok: true, value: null });
    expect(sim2.checkSessions().violations.read_your_writes).toBe(1);
  });

  it('a session that travels faster than replication gets a clear error, never an older value', () => {
    const sim = new GeoSim({ seed: 3 });
    const c = sim.client('c', 'dc1');
    sim.put(c, '/a', 'mine');
    sim.runFor(10);
    sim.move(c, 'dc2');
    const early = sim.get(c, '/a');
    sim.runFor(60);
    expect(early.result).toMatchObject({ ok: false, error: 'session-behind' });
    expect(early.result!.ok ? '' : early.result!.message).toMatch(/older than .* that this session wrote or read; it has not reached dc2/);
    sim.runFor(400);
    const later = sim.get(c, '/a');
    sim.runFor(20);
    expect(later.result).toMatchObject({ ok: true, value: 'mine' });
  });

  it('monotonic writes and writes-follow-reads hold across clocks 5 s apart, when asked for', () => {
    for (const guarantees of [NO_GUARANTEES, ALL_GUARANTEES]) {
      const sim = new GeoSim({ seed: 4, guarantees });
      for (const n of sim.topology.replicas.get('dc3')!) sim.cluster.skew(n, 5000 * MS);
      const other = sim.client('other', 'dc3');
      const c = sim.client('c', 'dc3');
      sim.put(other, '/b');
      sim.runFor(5);
      sim.put(c, '/a');
      sim.runFor(5);
      const r = sim.get(c, '/b');
      sim.runFor(5);
      expect(r.result).toMatchObject({ ok: true, value: 'other.1' });
      sim.move(c, 'dc2'); // faster than replication: dc2's clocks have not heard of dc3's yet
      const w = sim.put(c, '/c');
      sim.runFor(20);
      expect(w.result?.ok).toBe(true);
      const check = sim.checkSessions();
      if (guarantees === ALL_GUARANTEES) expect(totalViolations(check)).toBe(0);
      else expect(check.violations).toMatchObject({ monotonic_writes: 1, writes_follow_reads: 1 });
    }
  });

  const roaming = (seed: number, guarantees: typeof ALL_GUARANTEES): GeoSim => {
    const faulty = { loss: 0.03, duplicate: 0.02, reorder: 0.05 };
    const sim = new GeoSim({ seed, guarantees, store: { read_quorum: 1 }, links: { local: faulty, wan: faulty } });
    const clients = sim.topology.centres.flatMap((dc) => [1, 2, 3, 4].map((i) => sim.client(`${dc}.c${i}`, dc)));
    sim.closedLoop(clients, 1500, { write_fraction: 0.4, keys: Array.from({ length: 8 }, (_, i) => `/f/${i}`), switch_replica: 0.3, travel: 0.02 });
    sim.cluster.sim.at(400 * MS, () => sim.cutWan());
    sim.cluster.sim.at(600 * MS, () => sim.cluster.crash('dc1-r1'));
    sim.cluster.sim.at(900 * MS, () => sim.cluster.start('dc1-r1'));
    sim.cluster.sim.at(1000 * MS, () => sim.heal());
    sim.cluster.sim.at(1100 * MS, () => sim.cluster.skew('dc3-r2', -200 * MS));
    sim.runFor(1500);
    sim.settle();
    return sim;
  };

  it('no session guarantee is broken over many seeds, with reads from one replica, roaming clients and faults', () => {
    let reads = 0, waits = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const sim = roaming(seed, ALL_GUARANTEES);
      const c = sim.checkSessions();
      expect(c.violations, `seed ${seed}: ${JSON.stringify(c.examples)}`).toEqual({ read_your_writes: 0, monotonic_reads: 0, monotonic_writes: 0, writes_follow_reads: 0 });
      reads += sim.ops.filter((o) => o.kind === 'read' && o.result?.ok).length;
      waits += sim.topology.nodes.reduce((n, id) => n + (sim.store(id)?.stats.session_waits ?? 0), 0);
    }
    expect(reads).toBeGreaterThan(3000);
    expect(waits).toBeGreaterThan(0); // the guarantees did work: some reads had to wait
  });

  it('the same runs without sessions break them: the checker sees it', () => {
    let total = 0;
    for (let seed = 1; seed <= 4; seed++) total += totalViolations(roaming(seed, NO_GUARANTEES).checkSessions());
    expect(total).toBeGreaterThan(0);
  });
});
