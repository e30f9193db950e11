// The kernel's test guests print the same under atoll as under qemu-riscv32 (Debian's qemu-user), on one
// hart, two harts, and two harts on worker threads (needs `npm run build`; skipped without qemu).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from './helpers.js';

const QEMU = '/usr/bin/qemu-riscv32';
const ATOLL = join(import.meta.dirname, '../../bin/atoll.js');
const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });

describe.skipIf(!existsSync(QEMU))('against qemu-riscv32', () => {
  it.each([
    [['futex']], [['counter', '3', '5000']], [['faults', 'efault']],
  ])('%j prints the same with --harts 1, --harts 2 and --harts 2 --threaded', (prog) => {
    const [name, ...args] = prog;
    const expected = run(QEMU, [fixture(name!), ...args]);
    for (const flags of [['--harts', '1'], ['--harts', '2'], ['--harts', '2', '--threaded']]) {
      expect(run('node', [ATOLL, 'run', ...flags, fixture(name!), ...args])).toBe(expected);
    }
  }, 60_000);
});
