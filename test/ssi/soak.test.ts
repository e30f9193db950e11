import { describe, expect, it } from 'vitest';
import { runSsiSoak } from './soak.js';

/** SSI_SOAK_SEEDS=500 npx vitest run test/ssi/soak.test.ts runs more seeds. */
const SEEDS = Number(process.env['SSI_SOAK_SEEDS'] ?? 50);

describe('procs under faults', () => {
  it(`never grants a pid twice nor places one on two nodes, and loses no acknowledged grant (${SEEDS} seeds)`, () => {
    const totals: Record<string, number> = {};
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runSsiSoak({ seed });
      if (r.violations.length > 0) throw new Error(`seed ${seed} (${r.nodes} nodes): ${r.violations.slice(0, 5).join('; ')}`);
      for (const [k, n] of Object.entries(r.counts)) totals[k] = (totals[k] ?? 0) + n;
    }
    // The workload really ran into every path it checks.
    for (const k of ['grants', 'placed', 'rivals_won', 'refused', 'moved', 'reaped', 'eagain', 'node_down', 'failed']) {
      expect(totals[k], k).toBeGreaterThan(0);
    }
  });

  it('replays a seed exactly: same seed, same trace digest and outcomes; another seed differs', () => {
    const a = runSsiSoak({ seed: 7, fault_ms: 3000 });
    const b = runSsiSoak({ seed: 7, fault_ms: 3000 });
    expect(b.digest).toBe(a.digest);
    expect(b.counts).toEqual(a.counts);
    expect(runSsiSoak({ seed: 9, fault_ms: 3000 }).digest).not.toBe(a.digest);
  });
});
