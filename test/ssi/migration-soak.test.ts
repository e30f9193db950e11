// Migration under faults (src/ssi/migration-soak.ts): the memory-busy worker moved 2..5 times by random methods
// while links lose and duplicate, a clock drifts, a node is cut off and another crashes; over many seeds: never
// two copies (one pid, each round's line at most once, in order), no acknowledged line lost when the worker
// survives (its parent's output exactly the calm run's), a worker killed with its node reaped by its parent.
import { describe, expect, it } from 'vitest';
import { migrationSoakSeed } from '../../src/ssi/index.js';

const elf = new URL('../../guest/cluster/migrate_worker.elf', import.meta.url).pathname;

describe('migration soak', () => {
  it('30 seeds of moves under loss, duplication, drift, a partition and a crash: every check holds', async () => {
    const outcomes = [];
    for (let seed = 1; seed <= 30; seed++) outcomes.push(await migrationSoakSeed(seed, elf));
    expect(outcomes.filter((o) => o.violations.length > 0).map((o) => `seed ${o.seed}: ${o.violations.join('; ')}`)).toEqual([]);
    // Not vacuous: moves happened, some were refused or failed on the way, and some workers died with their node.
    expect(outcomes.reduce((n, o) => n + o.moved, 0)).toBeGreaterThan(25);
    expect(outcomes.some((o) => o.run.migrations.some((m) => !m.ok && /restarted|could not be reached/.test(m.error ?? '')))).toBe(true);
    expect(outcomes.some((o) => o.killed)).toBe(true);
    expect(outcomes.some((o) => !o.killed && o.moved >= 2)).toBe(true);
  }, 180_000);

  it('same seed, same run', async () => {
    const a = await migrationSoakSeed(12, elf);
    const b = await migrationSoakSeed(12, elf);
    expect(b.run.trace_hash).toBe(a.run.trace_hash);
  }, 60_000);
});
