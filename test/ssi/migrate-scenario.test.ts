// `atoll scenario migrate`: the three methods side by side on the memory-busy worker (src/scenarios/migrate.ts).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/scenarios/migrate.js';

describe('atoll scenario migrate', () => {
  it('moves the worker by each method with its pid, every pipe line once, a clock that never goes back; same seed, same runs', async () => {
    const r = await runMigrate({ methods: ['stop', 'precopy', 'postcopy'], pages: 64, seed: 1 });
    expect(r.passed).toBe(true);
    expect(r.runs.map((x) => x.method)).toEqual(['stop', 'precopy', 'postcopy']);
    for (const x of r.runs) {
      expect(x.moves).toEqual(['n3', 'n2', 'n1']);
      expect([x.pid_kept, x.same_output, x.monotonic_ok, x.lines, x.lines_lost, x.lines_duplicated]).toEqual([true, true, true, 30, 0, 0]);
      expect(x.migrations.every((m) => m.ok && m.method === x.method)).toBe(true);
    }
    const down = (m: string): number => r.runs.find((x) => x.method === m)!.migrations.reduce((a, f) => a + f.downtime_ns, 0);
    expect(down('precopy')).toBeLessThan(down('stop'));
    expect(down('postcopy')).toBeLessThan(down('stop'));
    const again = await runMigrate({ methods: ['postcopy'], pages: 64, seed: 1 });
    expect(again.runs[0]!.trace_hash).toBe(r.runs[2]!.trace_hash);
    expect(again.baseline_trace_hash).toBe(r.baseline_trace_hash);
    // The report's trace_hash is sha256 over every run's digest, the run without a move first.
    const over = (x: typeof r): string => createHash('sha256').update([x.baseline_trace_hash, ...x.runs.map((y) => y.trace_hash)].join('')).digest('hex');
    expect(r.trace_hash).toBe(over(r));
    expect(again.trace_hash).toBe(over(again));
    expect(again.trace_hash).not.toBe(r.trace_hash);
  }, 120_000);
});
