// The portable guests (compute, memory, printf) compiled for the host with the C library in place of
// the runtime print exactly what the RISC-V ELF prints under qemu-riscv32. That makes the native
// build a fair speed reference (it does the same work) and checks the runtime's printf against the
// host C library's. Skipped, with the reason, without a host C compiler or qemu-riscv32.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GUEST = join(ROOT, 'guest');
const PORTABLE = ['examples/compute', 'examples/memory', 'tests/printf'] as const;
const RUN_TIMEOUT_MS = 60_000;

function whyNotRunnable(): string | undefined {
  const cc = spawnSync('cc', ['--version']);
  if (cc.error || cc.status !== 0) return 'no host C compiler (cc)';
  const qemu = spawnSync('qemu-riscv32', ['--version']);
  if (qemu.error || qemu.status !== 0) return 'qemu-riscv32 is not installed (apt-get install qemu-user)';
  return undefined;
}

const SKIP_REASON = whyNotRunnable();
const WORK = mkdtempSync(join(tmpdir(), 'atoll-native-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('native builds of the portable guests match the RISC-V builds', () => {
  for (const program of PORTABLE) {
    it(`${program} prints the same natively and under qemu-riscv32`, (ctx) => {
      ctx.skip(SKIP_REASON !== undefined, SKIP_REASON);
      const exe = join(WORK, program.replace('/', '-'));
      const cc = spawnSync('cc', ['-O2', '-DATOLL_NATIVE', `-I${join(GUEST, 'include')}`, join(GUEST, `${program}.c`), '-o', exe], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const native = spawnSync(exe, [], { encoding: 'latin1', timeout: RUN_TIMEOUT_MS });
      const qemu = spawnSync('qemu-riscv32', [join(GUEST, `${program}.elf`)], { encoding: 'latin1', timeout: RUN_TIMEOUT_MS });
      expect(qemu.status).toBe(0);
      expect(native.status).toBe(0);
      expect(native.stdout.length).toBeGreaterThan(0);
      expect(native.stdout).toBe(qemu.stdout);
    });
  }
});
