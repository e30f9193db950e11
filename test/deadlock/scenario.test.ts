// `atoll scenario deadlock`: the ring of three under every strategy (local views without a cycle, the global graph
// with it, one EDEADLK or a refusal, the survivors finish, the guests agree) and the naive collector's phantom;
// same seed, same digest; one clear error for a strategy that is not one.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runDeadlock } from '../../src/scenarios/deadlock.js';
import { DEADLOCK_STRATEGIES } from '../../src/deadlock/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);
const atoll = (...args: string[]) => spawnSync(process.execPath, ['bin/atoll.js', 'scenario', 'deadlock', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('scenario deadlock', () => {
  it('every strategy side by side: every check holds, the phantom shown, the guests agree', async () => {
    const r = await runDeadlock({ strategies: [...DEADLOCK_STRATEGIES], nodes: 3, seed: 1 });
    expect(r.checks).toEqual(Object.fromEntries(Object.keys(r.checks).map((k) => [k, true])));
    expect(r.runs.map((x) => x.strategy)).toEqual([...DEADLOCK_STRATEGIES]);
    const ec = r.runs[0]!;
    expect(ec.local_views).toHaveLength(3);
    expect(ec.local_views.every((v) => v.waits.length === 1 && !v.cycle_here)).toBe(true);
    expect(ec.global_cycles).toEqual(['p1 -> p2 -> p3 -> p1']);
    expect(ec.guests?.stdout).toBe('cycle of 3: EDEADLK 1, granted or done 2, other 0\n');
    expect(r.phantom[0]!.real).toEqual([false]);
    expect(r.phantom[1]!.broken).toBe(0);
  });
  it('same seed, same digest; on 5 nodes too', async () => {
    const a = await runDeadlock({ strategies: ['edge-chasing', 'wait-die'], nodes: 5, seed: 3, guests: false });
    const b = await runDeadlock({ strategies: ['edge-chasing', 'wait-die'], nodes: 5, seed: 3, guests: false });
    expect(a.passed).toBe(true);
    expect(b.trace_hash).toBe(a.trace_hash);
  });
  it.skipIf(!built)('the command: --strategy one, --json, a bad strategy is one clear error', () => {
    const j = atoll('--strategy', 'collector', '--json');
    expect(j.status).toBe(0);
    const rep = JSON.parse(j.stdout) as { passed: boolean; runs: { strategy: string }[]; trace_hash: string };
    expect(rep.passed).toBe(true);
    expect(rep.runs.map((x) => x.strategy)).toEqual(['collector']);
    expect(atoll('--strategy', 'collector', '--json').stdout).toBe(j.stdout);
    const bad = atoll('--strategy', 'random');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--strategy random: deadlock strategy must be one of edge-chasing, collector, collector-naive, ordered, wait-die \(or all\), not 'random'/);
    const s = atoll('--soak', '2', '--strategy', 'edge-chasing');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/PASS: 0 false deadlocks, 0 cycles missed past the bound/);
  });
});
