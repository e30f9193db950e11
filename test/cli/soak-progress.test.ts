// `atoll soak` over several seeds reports progress on stderr as plain lines (seeds done, failures, time
// left), and keeps stdout for the results.
import { describe, expect, it } from 'vitest';
import { ATOLL, runProcess } from '../guest/runners.js';

describe('atoll soak progress', () => {
  it('prints one plain progress line per seed on stderr, none on stdout', async () => {
    const o = await runProcess(process.execPath, [ATOLL, 'soak', '--seeds', '2', '--fault-ms', '2000', '--nodes', '3']);
    expect(o.status).toBe(0);
    const lines = o.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^soak: 1\/2 seeds, 0 failed, about \d+ s left$/);
    expect(lines[1]).toMatch(/^soak: 2\/2 seeds, 0 failed, about 0 s left$/);
    expect(o.stderr).not.toContain('\u001b');
    expect(o.stdout).toMatch(/^seed 1: ok .*\nseed 2: ok .*\n2\/2 seeds passed\n$/);
  }, 60_000);
});
