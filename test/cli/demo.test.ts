// `npm start` runs `atoll demo`: the main job a new user sees. It must run every example to its
// expected result and close with two cluster scenarios that pass their own checks.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);

describe.skipIf(!built)('atoll demo (npm start)', () => {
  it('runs the examples and the cluster scenarios, each to its checked result', () => {
    const r = spawnSync(process.execPath, ['bin/atoll.js', 'demo', '--quick'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('hello from atoll');
    expect(r.stdout).toContain('counter = 80000 (expected 80000): exact');
    expect(r.stdout).toMatch(/guest killed by SIGSEGV \(signal 11\)/);
    expect(r.stdout).toContain('telemetry delivered exactly once, in order per robot: yes');
    expect(r.stdout).toContain('linearizable: ok');
    expect(r.stdout.match(/^PASS$/gm)).toHaveLength(2);
  });

  it('rejects an unknown flag with one line and exit status 2', () => {
    const r = spawnSync(process.execPath, ['bin/atoll.js', 'demo', '--fast'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unknown flag '--fast'");
  });
});
