// `atoll cluster run --deadlock <strategy>`: the per-node lock managers chosen from the command line, a report
// line per cycle broken (--json: the events), one clear error and status 2 for an unknown strategy.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);
const atoll = (...args: string[]) => spawnSync(process.execPath, ['bin/atoll.js', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
const ring = ['--nodes', '3', '--place', 'spread', '--', 'n1:guest/cluster/lock_ring.elf', '3', 'cycle'];

describe.skipIf(!built)('atoll cluster run --deadlock', () => {
  it('edge-chasing: the ring of 3 is broken once, and the report says by whom and at what cost', () => {
    const r = atoll('cluster', 'run', '--deadlock', 'edge-chasing', ...ring);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| cycle of 3: EDEADLK 1, granted or done 2, other 0$/m);
    expect(r.stderr).toMatch(/^deadlock: edge-chasing broke p\d+ -> p\d+ -> p\d+ -> p\d+ at [0-9.]+ ms: victim p\d+ \(pid \d+\) gets EDEADLK at n\d; \d+ messages/m);
    expect(r.stderr).toMatch(/^deadlock: edge-chasing: 1 cycle broken, 0 requests refused$/m);
  });
  it('--json carries the events', () => {
    const r = atoll('cluster', 'run', '--deadlock', 'collector', '--json', ...ring);
    const j = JSON.parse(r.stdout) as { deadlock: { strategy: string; events: { kind: string; cycle: unknown[] }[] } };
    expect(j.deadlock.strategy).toBe('collector');
    expect(j.deadlock.events.filter((e) => e.kind === 'broken')).toHaveLength(1);
    expect(j.deadlock.events[0]!.cycle).toHaveLength(3);
  });
  it('an unknown strategy is one clear error, status 2', () => {
    const r = atoll('cluster', 'run', '--deadlock', 'bogus', ...ring);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("atoll cluster: --deadlock bogus: deadlock strategy must be one of edge-chasing, collector, collector-naive, ordered, wait-die (or central), not 'bogus'");
  });
});
