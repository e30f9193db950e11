import { describe, expect, it } from 'vitest';
import { runSoak } from '../../src/soak/index.js';

describe('raft under faults (simulated cluster, bounded seeds)', () => {
  it('keeps safety, linearizable histories and liveness on 60 seeds of crashes, partitions, loss and drift', () => {
    const failures: string[] = [];
    let ops = 0;
    let elections = 0;
    // 5-node clusters, and 3-node ones (where a single lost vote or entry is enough to break a quorum).
    for (let seed = 1; seed <= 60; seed++) {
      const r = runSoak(seed <= 35 ? { seed } : { seed, nodes: 3 });
      ops += r.history.completed;
      elections += r.stats.elections;
      if (!r.ok) failures.push(`seed ${seed}: ${r.violations.join('; ')} (replay: ${r.replay})`);
    }
    expect(failures).toEqual([]);
    // The runs did real work: many elections and thousands of completed client operations.
    expect(elections).toBeGreaterThan(100);
    expect(ops).toBeGreaterThan(5000);
  });

  it('runs a given fault script instead of the random nemesis', () => {
    const script = [
      'at 500ms partition n1,n2|n3,n4,n5', 'at 1500ms heal', 'at 1600ms crash n3', 'at 1700ms crash n4',
      'at 2500ms restart n3', 'at 2600ms restart n4', 'at 2700ms loss 0.3', 'at 2700ms duplicate 0.2',
      'at 3s reorder 0.3', 'at 3s one-way n1 -> n2,n3', 'at 3500ms drift n2 200000', 'at 4s heal',
    ].join('\n');
    for (let seed = 1; seed <= 5; seed++) {
      const r = runSoak({ seed, fault_script: script });
      expect(r.violations).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.stats.faults).toBe(12);
    }
  });

  it('replays a seed exactly: same seed, same trace digest and history', () => {
    const a = runSoak({ seed: 7, fault_ms: 3000 });
    const b = runSoak({ seed: 7, fault_ms: 3000 });
    expect(a.trace_digest).toBe(b.trace_digest);
    expect(a.history).toEqual(b.history);
    expect(runSoak({ seed: 8, fault_ms: 3000 }).trace_digest).not.toBe(a.trace_digest);
  });

  it('prints a replay command that names the seed and the non-default options', () => {
    expect(runSoak({ seed: 3, nodes: 3, fault_ms: 2000 }).replay).toBe('npm run soak -- --seed 3 --nodes 3 --fault-ms 2000');
  });
});
