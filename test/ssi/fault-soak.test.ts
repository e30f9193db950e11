// The single-system image under faults, seed by seed (crashes and restarts, a partition, loss, duplication,
// clock drift): no PID given twice, no process on two nodes, no RPC executed twice, every acknowledged queue
// message delivered once and in order. ATOLL_SSI_SOAK_SEEDS=N runs more seeds.
import { describe, expect, it } from 'vitest';
import { soakSeed } from '../../src/ssi/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const SEEDS = Number(process.env['ATOLL_SSI_SOAK_SEEDS'] ?? 100);

describe('single-system image fault soak', () => {
  it(`holds its invariants over ${SEEDS} seeds`, async () => {
    const failures: string[] = [];
    let crashedKills = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const o = await soakSeed(seed, guest);
      for (const v of o.violations) failures.push(`seed ${seed}: ${v} (faults ${JSON.stringify(o.faults)})`);
      crashedKills += o.run.processes.filter((p) => p.node === 'n4' && p.signal === 'SIGKILL').length;
    }
    expect(failures).toEqual([]);
    // The faults did happen: n4's processes were killed by its crashes.
    expect(crashedKills).toBeGreaterThan(0);
  }, 300_000);

  it('gives the same run for the same seed, faults included', async () => {
    const [a, b] = [await soakSeed(9, guest), await soakSeed(9, guest)];
    expect(b.run.trace_hash).toBe(a.run.trace_hash);
  });
});
