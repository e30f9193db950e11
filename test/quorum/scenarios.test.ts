import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCap } from '../../src/scenarios/cap.js';
import { runQuorumScenario } from '../../src/scenarios/quorum.js';
import { minimalWitness } from '../../src/scenarios/quorum-report.js';
import { checkOperations, registerModel } from '../../src/check/index.js';
import { RegisterSim, thresholdQuorums } from '../../src/quorum/index.js';

describe('atoll scenario quorum', () => {
  it('W1 on {S1,S2,S3}, W2 on {S3,S4,S5}: S3 takes both in order and the read returns W2', () => {
    const r = runQuorumScenario(1);
    expect(r.passed).toBe(true);
    const [w1, w2, read] = r.majority.steps.map((s) => s.op);
    expect(w1).toMatchObject({ kind: 'write', outcome: 'served', stored: ['S1', 'S2', 'S3'], tag: '(1, W1.1)' });
    expect(w2).toMatchObject({ kind: 'write', outcome: 'served', stored: ['S3', 'S4', 'S5'], tag: '(2, W2.1)' });
    expect(read).toMatchObject({ kind: 'read', outcome: 'served', value: 'W2.1' });
    expect(r.majority.saw_both).toEqual(['S3']);
    expect(r.majority.verdict).toBe('ok');
  });

  it('with R=W=2 both writes take version 1, nobody sees both, and both checkers object', () => {
    const r = runQuorumScenario(1);
    expect(r.disjoint.saw_both).toEqual([]);
    expect(r.disjoint.intersection.intersects).toBe(false);
    expect(r.disjoint.verdict).toBe('illegal');
    expect(r.disjoint.counterexample?.join('\n')).toMatch(/read -> W1\.1/);
  });

  it('passes on other seeds too', () => {
    for (const seed of [2, 3, 4, 5]) expect(runQuorumScenario(seed).passed, `seed ${seed}`).toBe(true);
  });
});

describe('atoll scenario cap', () => {
  it('consistency first: N=6 3|3 refuses every write and stays linearizable; N=5 3|2 serves only the majority', () => {
    const r = runCap(1);
    const [even, odd] = r.runs;
    for (const s of even!.sides) {
      expect(s.writes_served).toBe(0);
      expect(s.writes_refused).toBeGreaterThan(0);
      expect(s.reads_served).toBeGreaterThan(0);
      expect(s.verdict).toBe('ok');
    }
    expect(odd!.sides[0].writes_served).toBeGreaterThan(10);
    expect(odd!.sides[1]).toMatchObject({ reads_served: 0, writes_served: 0 });
    expect(odd!.verdict).toBe('ok');
    expect(even!.conflicts).toEqual([]);
  });

  it('availability first: both sides write, conflicting versions are listed, the heal converges on the highest tag', () => {
    const r = runCap(1);
    for (const run of r.runs.slice(2)) {
      expect(run.sides.every((s) => s.writes_served > 0 && s.writes_refused === 0)).toBe(true);
      expect(run.verdict).toBe('illegal');
      expect(run.conflicts.length).toBeGreaterThan(0);
      for (const c of run.conflicts) {
        expect(new Set(c.writes.map((w) => w.side))).toEqual(new Set(['A', 'B']));
        expect(c.writes.map((w) => w.value)).toContain(c.winner);
      }
      expect(run.converged && run.final_reads_agree).toBe(true);
      expect(run.counterexample!.length).toBeLessThanOrEqual(4);
    }
  });

  it('passes on several seeds (a side that holds a write cut by the split refuses its reads, and says so)', () => {
    for (const seed of [2, 3, 5]) {
      const r = runCap(seed);
      expect(r.passed, `seed ${seed}`).toBe(true);
      for (const s of r.runs[0]!.sides) if (s.reads_served === 0) expect(s.unstable_tag).not.toBeNull();
    }
  });
});

describe('counterexample witness', () => {
  it('is itself illegal and far smaller than the history', () => {
    const sim = new RegisterSim({ seed: 4, system: thresholdQuorums(['S1', 'S2', 'S3'], 1, 1) });
    sim.closedLoop([{ id: 'a', node: 'S1' }, { id: 'b', node: 'S2' }, { id: 'c', node: 'S3' }], 500);
    sim.cluster.sim.at(100_000_000, () => sim.cluster.net.partition([['S1'], ['S2', 'S3']]));
    sim.runFor(600);
    sim.settle();
    const ops = sim.history();
    expect(checkOperations(registerModel, ops).verdict).toBe('illegal');
    const w = minimalWitness(ops)!;
    expect(w.length).toBeLessThan(6);
    expect(checkOperations(registerModel, w).verdict).toBe('illegal');
  });
});

describe('the CLI', () => {
  const run = (name: string): string => execFileSync(process.execPath, ['bin/atoll.js', 'scenario', name, '--seed', '1', '--json'], { encoding: 'utf8' });
  it('prints --json reports with pinned trace digests: same seed, same run', () => {
    const q = JSON.parse(run('quorum')) as { trace_hash: string; passed: boolean };
    const c = JSON.parse(run('cap')) as { trace_hash: string; passed: boolean };
    expect(q).toMatchObject({ passed: true, trace_hash: 'e6d93bfdacbb8d9fbcf52c67ecc9cee5dbb49ff2701c2a84f4b1f91245ab409c' });
    expect(c).toMatchObject({ passed: true, trace_hash: '07cabd9e8c0cbbb54ebdaa3fdea153e5993137253099f174ebdc1261b71c791d' });
    expect(run('cap')).toBe(JSON.stringify(c) + '\n');
  }, 60_000);
});
