import { describe, expect, it } from 'vitest';
import { majorityQuorums, RegisterSim, thresholdQuorums, gridQuorums, type QuorumSystem, type RegisterOp } from '../../src/quorum/index.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i + 1}`);
const MS = 1_000_000;
const LOSSY = {
  latency: { kind: 'lognormal' as const, median_ns: 2 * MS, sigma: 0.8, min_ns: MS / 2, max_ns: 40 * MS },
  loss: 0.05, duplicate: 0.05, reorder: 0.05, reorder_window_ns: 5 * MS,
};

/** Five clients (one per node) in a closed loop for 2 s, with partitions that move around. */
function busyRun(system: QuorumSystem, seed: number): RegisterSim {
  const sim = new RegisterSim({ seed, system, link: LOSSY, deadline_ms: 150, anti_entropy_ms: 100 });
  const nodes = system.nodes;
  sim.closedLoop(nodes.map((n, i) => ({ id: `c${i + 1}`, node: n })), 2000, { write_fraction: 0.5, think_ms: 10 });
  const c = sim.cluster;
  c.sim.at(400 * MS, () => c.net.partition([nodes.slice(0, 2), nodes.slice(2)]));
  c.sim.at(900 * MS, () => c.net.heal());
  c.sim.at(1200 * MS, () => c.net.partition([[nodes[0]!, nodes[nodes.length - 1]!], nodes.slice(1, -1)]));
  c.sim.at(1600 * MS, () => c.net.heal());
  sim.runFor(2000);
  sim.settle();
  return sim;
}

const served = (ops: readonly RegisterOp[], kind: 'read' | 'write'): number => ops.filter((o) => o.kind === kind && o.result?.ok).length;

describe('quorum register (ABD) on the simulator', () => {
  it('is linearizable on intersecting quorums under loss, duplication, reordering and partitions', () => {
    const systems = [majorityQuorums(names(5)), thresholdQuorums(names(5), 2, 4), gridQuorums(names(6), 3)];
    for (const system of systems) {
      for (const seed of [1, 2, 3]) {
        const sim = busyRun(system, seed);
        const r = sim.check();
        expect(r.verdict, `${system.description}, seed ${seed}`).toBe('ok');
        expect(served(sim.ops, 'write')).toBeGreaterThan(50);
        expect(served(sim.ops, 'read')).toBeGreaterThan(50);
        expect(sim.ops.some((o) => o.result && !o.result.ok), 'the partitions refuse some operations').toBe(true);
      }
    }
  });

  it('on non-intersecting quorums (N=5, R=W=2) the checker finds a violation', () => {
    let found = 0;
    for (const seed of [1, 2, 3]) {
      const sim = busyRun(thresholdQuorums(names(5), 2, 2), seed);
      const r = sim.check();
      if (r.verdict === 'illegal') found++;
      expect(r.verdict).not.toBe('unknown');
    }
    expect(found).toBe(3);
  });

  it('shows the violation: a write acknowledged by one side, then a read on the other side that misses it', () => {
    const sim = new RegisterSim({ seed: 7, system: thresholdQuorums(names(3), 1, 1) });
    const c = sim.cluster;
    c.net.partition([['S1'], ['S2', 'S3']]);
    const w = sim.write('alice', 'S1');
    sim.runFor(50);
    const r = sim.read('bob', 'S3');
    sim.settle();
    expect(w.result).toMatchObject({ ok: true, value: 'alice.1', stored: ['S1'] });
    expect(r.result).toMatchObject({ ok: true, value: null });
    expect(r.call_ns).toBeGreaterThan(w.ret_ns!);
    const check = sim.check();
    expect(check.verdict).toBe('illegal');
    expect(check.counterexample?.ops.map((o) => [o.client, o.input.op, o.output])).toEqual([['alice', 'write', null], ['bob', 'read', null]]);
  });

  it('the same scripted run on a majority refuses the minority write and stays linearizable', () => {
    const sim = new RegisterSim({ seed: 7, system: majorityQuorums(names(3)), deadline_ms: 100 });
    sim.cluster.net.partition([['S1'], ['S2', 'S3']]);
    const w = sim.write('alice', 'S1');
    sim.runFor(50);
    const r = sim.read('bob', 'S3');
    sim.settle();
    expect(w.result).toMatchObject({ ok: false, error: 'no-query-quorum', maybe_applied: false });
    expect(r.result).toMatchObject({ ok: true, value: null });
    expect(sim.check().verdict).toBe('ok');
  });

  it('a read that sees a tag no write quorum is known to hold writes it back before returning', () => {
    const sim = new RegisterSim({ seed: 3, system: thresholdQuorums(names(5), 2, 4), deadline_ms: 100 });
    const c = sim.cluster;
    const w = sim.write('alice', 'S1');
    // links take 1 ms: the version query is answered at 2 ms, the stores leave then and are cut in flight
    c.sim.at(2.5 * MS, () => c.net.partition([['S1', 'S2'], ['S3', 'S4', 'S5']]));
    sim.settle();
    expect(w.result).toMatchObject({ ok: false, error: 'no-store-quorum', maybe_applied: true });
    expect(['S1', 'S2', 'S3', 'S4', 'S5'].map((n) => sim.replica(n)!.state.value)).toEqual(['alice.1', 'alice.1', null, null, null]);
    c.net.heal();
    c.net.partition([['S1', 'S2', 'S3', 'S4'], ['S5']]);
    const r1 = sim.read('bob', 'S2');
    sim.settle();
    expect(r1.result).toMatchObject({ ok: true, value: 'alice.1' });
    if (!r1.result?.ok) throw new Error('unreachable');
    expect(r1.result.stored.length).toBeGreaterThanOrEqual(4);
    // now stable: a read that sees it returns at once
    const r2 = sim.read('carol', 'S3');
    sim.settle();
    expect(r2.result).toMatchObject({ ok: true, value: 'alice.1', stored: [] });
    expect(sim.check().verdict).toBe('ok');
  });

  it('orders two writers by (version, writer): every replica ends with the same tag', () => {
    const sim = new RegisterSim({ seed: 5, system: majorityQuorums(names(5)), anti_entropy_ms: 50 });
    sim.write('a', 'S1');
    sim.write('b', 'S5');
    sim.settle();
    sim.runFor(200);
    const states = names(5).map((n) => sim.replica(n)!.state);
    expect(new Set(states.map((s) => JSON.stringify([s.tag, s.value]))).size).toBe(1);
    expect(states[0]!.tag.v).toBeGreaterThanOrEqual(1);
    expect(sim.check().verdict).toBe('ok');
  });

  it('stays linearizable when replicas crash and restart (their synced state survives)', () => {
    for (const seed of [1, 2]) {
      const system = majorityQuorums(names(5));
      const sim = new RegisterSim({ seed, system, link: LOSSY, deadline_ms: 150, anti_entropy_ms: 100 });
      sim.closedLoop(names(5).map((n, i) => ({ id: `c${i + 1}`, node: n })), 1500, { think_ms: 10 });
      const c = sim.cluster;
      c.sim.at(300 * MS, () => c.crash('S2'));
      c.sim.at(400 * MS, () => c.crash('S3'));
      c.sim.at(700 * MS, () => c.restart('S2'));
      c.sim.at(900 * MS, () => c.restart('S3'));
      let before = '';
      c.sim.at(400 * MS - 1, () => { before = JSON.stringify(sim.replica('S3')!.state); });
      c.sim.at(900 * MS + 1, () => { expect(JSON.stringify(sim.replica('S3')!.state)).toBe(before); });
      sim.runFor(1500);
      sim.settle();
      expect(before).not.toBe('');
      expect(sim.check().verdict, `seed ${seed}`).toBe('ok');
      expect(served(sim.ops, 'write')).toBeGreaterThan(30);
    }
  });

  it('the same seed gives the same run, byte for byte', () => {
    const run = (): string => {
      const sim = busyRun(majorityQuorums(names(5)), 11);
      return `${sim.cluster.sim.trace.digest()} ${JSON.stringify(sim.ops)}`;
    };
    expect(run()).toBe(run());
  });
});

describe('the closed-loop workload', () => {
  it('refuses a zero think time, which would spin without virtual time moving where a quorum is one local replica', () => {
    const sim = new RegisterSim({ seed: 1, system: thresholdQuorums(names(3), 1, 1) });
    expect(() => sim.closedLoop([{ id: 'a', node: 'S1' }], 100, { think_ms: 0 })).toThrow(/think_ms must be > 0/);
  });
});
