// The namespace's fault soak: clients on three nodes make overlapping file operations (names, contents, appends,
// compare-and-set under a lock) through crashes, a partition, loss and duplication; every seed's history is
// linearizable under the file-system model. Reading a replica without the read barrier is not, and the check
// says so; one seed gives one run.
import { describe, expect, it } from 'vitest';
import { runGfsSoak } from '../../src/gfs/index.js';

describe('the global namespace\'s fault soak', () => {
  it('finds every history linearizable over 40 seeds with faults', () => {
    const bad: string[] = [];
    let ops = 0, unknown = 0, faulted = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runGfsSoak({ seed, ops: 40 });
      ops += r.operations;
      unknown += r.unknown;
      if (r.faults.length > 0) faulted++;
      if (r.verdict !== 'ok') bad.push(`seed ${seed}: ${r.verdict}: ${r.counterexample.join(' | ')} (faults: ${r.faults.join('; ')})`);
    }
    expect(bad).toEqual([]);
    expect(ops).toBeGreaterThan(40 * 100);
    expect(faulted).toBe(40);
    expect(unknown).toBeGreaterThan(0); // the faults did leave calls without an answer
  });

  it('catches stale reads when the read barrier is skipped', () => {
    const illegal = Array.from({ length: 20 }, (_, i) => runGfsSoak({ seed: i + 1, ops: 40, stale_reads: true })).filter((r) => r.verdict === 'illegal');
    expect(illegal.length).toBeGreaterThan(0);
    expect(illegal[0]!.counterexample.some((l) => l.includes('"op":"read"') || l.includes('"op":"lookup"'))).toBe(true);
  });

  it('runs the same way twice with one seed', () => {
    expect(runGfsSoak({ seed: 7, ops: 30 })).toEqual(runGfsSoak({ seed: 7, ops: 30 }));
  });
});
