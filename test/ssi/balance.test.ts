// Rebalancing by migration (src/ssi/balance.ts): the decision (which node, which process) and a cluster run of
// four CPU-bound guests started on one node of three: with --balance they spread by moves, each prints what it
// prints without them, and the run ends sooner in virtual time.
import { describe, expect, it } from 'vitest';
import { balanceCandidate, balanceTarget, BALANCE_GAP, BALANCE_REFUSED_NS } from '../../src/ssi/balance.js';
import { runCluster, type ClusterRunResult } from '../../src/ssi/index.js';

const compute = new URL('../../guest/examples/compute.elf', import.meta.url).pathname;

describe('balance: the decision', () => {
  const up = new Set(['n1', 'n2', 'n3']);
  it('moves toward the lightest node it has heard from, once ahead by the gap', () => {
    expect(balanceTarget({ self: 'n1', load: 8, loads: new Map([['n2', 2], ['n3', 0]]), up })).toBe('n3');
    expect(balanceTarget({ self: 'n1', load: 4, loads: new Map([['n2', 2], ['n3', 2]]), up })).toBeNull();
    expect(balanceTarget({ self: 'n1', load: BALANCE_GAP, loads: new Map([['n2', 0]]), up })).toBe('n2');
    // Never to a node not up, nor one never heard from; ties go to the first by name.
    expect(balanceTarget({ self: 'n1', load: 9, loads: new Map([['n2', 0], ['n3', 0]]), up: new Set(['n1', 'n3']) })).toBe('n3');
    expect(balanceTarget({ self: 'n1', load: 9, loads: new Map(), up })).toBeNull();
    expect(balanceTarget({ self: 'n1', load: 9, loads: new Map([['n3', 1], ['n2', 1]]), up })).toBe('n2');
  });
  it('picks the youngest running process that is no parent and was not refused lately', () => {
    const ps = [{ pid: 5, ppid: 0, state: 'running' }, { pid: 7, ppid: 5, state: 'running' }, { pid: 9, ppid: 0, state: 'dying' }];
    expect(balanceCandidate(ps, new Map(), 0)).toBe(7);
    expect(balanceCandidate(ps, new Map([[7, 0]]), 1)).toBeNull(); // 5 is 7's parent
    expect(balanceCandidate(ps, new Map([[7, 0]]), BALANCE_REFUSED_NS)).toBe(7);
  });
});

describe('balance: a cluster run', () => {
  const run = (balance: boolean): Promise<ClusterRunResult> => runCluster({
    seed: 1, nodes: 3, balance,
    programs: Array.from({ length: 4 }, () => ({ node: 'n1', path: compute, args: ['12'] })),
  });
  it('four busy processes on n1 spread over n1..n3: same output each, the run ends sooner', async () => {
    const still = await run(false);
    const spread = await run(true);
    expect(still.migrations).toEqual([]);
    expect(spread.migrations.length).toBeGreaterThanOrEqual(2);
    expect(spread.migrations.every((m) => m.ok && m.from === 'n1')).toBe(true);
    expect(new Set(spread.processes.map((p) => p.node))).toEqual(new Set(['n1', 'n2', 'n3']));
    const out = (r: ClusterRunResult): string[] => r.processes.map((p) => `${p.pid} ${p.exit_code} ${p.stdout}`);
    expect(out(spread)).toEqual(out(still));
    expect(spread.virtual_ns).toBeLessThan(still.virtual_ns * 0.6);
    expect((await run(true)).trace_hash).toBe(spread.trace_hash);
  }, 120_000);
});
