// Differential test: every committed guest program (guest/examples/*.elf, guest/tests/*.elf) runs under
// `atoll run` and under qemu-riscv32, and both must print the same stdout and end the same way: the
// same exit status, or, for a program killed by a signal under qemu, atoll exiting 128 + that signal.
// For programs that exit normally stderr must match too (atoll passes it through unchanged). Each runs in an
// empty directory of its own (atoll's guest sees it as its root) with a file on its standard input, so the
// file-system and stdin programs (guest/tests/fd_*, fs_*) see the same under both.
// Skipped, with the reason, when qemu-riscv32 is not installed or atoll is not built. Multi-threaded
// guests (threaded-guests.ts) are left to threads-differential.test.ts, which runs them in every hart mode.
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEEDS_THREADS } from './threaded-guests.js';
import { ROOT, atollNotBuilt, qemuMissing, scratch, underAtoll, underQemu } from './runners.js';

/** Arguments given to both runners. Heavy programs get a smaller workload than their default. */
const ARGS: Readonly<Record<string, readonly string[]>> = {
  'examples/hello.elf': ['alpha', 'two words', '--looks-like-a-flag', ''],
  'examples/compute.elf': ['4'],
  'examples/memory.elf': ['1'],
  'tests/syscalls.elf': ['x', 'y'],
  // many arguments, an empty one, non-ASCII bytes, a 5000-byte one
  'tests/args.elf': ['', 'é ü', 'x'.repeat(5000), ...Array.from({ length: 100 }, (_, i) => String(i + 1))],
};

function listElfs(): string[] {
  const out: string[] = [];
  for (const dir of ['examples', 'tests']) {
    const abs = join(ROOT, 'guest', dir);
    for (const name of readdirSync(abs).sort()) if (name.endsWith('.elf')) out.push(`${dir}/${name}`);
  }
  return out;
}

const ELFS = listElfs();
const SKIP_REASON = qemuMissing() ?? atollNotBuilt();

describe('the guest set', () => {
  it('has the four examples and the ISA suites, each ELF beside its source', () => {
    for (const name of ['hello', 'compute', 'memory', 'fault']) expect(ELFS).toContain(`examples/${name}.elf`);
    for (const suite of ['rv32ui', 'rv32um', 'rv32ua']) {
      expect(ELFS.filter((e) => e.startsWith(`tests/${suite}-`)).length, suite).toBeGreaterThan(5);
    }
    for (const elf of ELFS) {
      const base = elf.replace(/\.elf$/, '');
      const sources = [`guest/${base}.c`, `guest/${base.replace('tests/', 'tests/isa/')}.S`];
      expect(sources.some((s) => existsSync(join(ROOT, s))), `${elf} has no source`).toBe(true);
    }
  });
});

describe('atoll run matches qemu-riscv32', () => {
  for (const elf of ELFS.filter((e) => !NEEDS_THREADS.has(e))) {
    it(`${elf} prints the same and ends the same way`, async (ctx) => {
      ctx.skip(SKIP_REASON !== undefined, SKIP_REASON);
      const path = join(ROOT, 'guest', elf);
      const args = ARGS[elf] ?? [];
      const q = scratch(), a = scratch();
      let want, got;
      try {
        [want, got] = await Promise.all([underQemu(path, args, q), underAtoll([path, ...args], a)]);
      } finally {
        q.remove();
        a.remove();
      }
      expect(want.signal === 'SIGKILL' ? 'qemu timed out' : 'ok').toBe('ok');
      expect(got.signal, `atoll itself died by ${got.signal}`).toBeNull();
      expect(got.stdout).toBe(want.stdout);
      if (want.signal !== null) {
        const signo = constants.signals[want.signal];
        expect(got.status, `qemu: killed by ${want.signal}; atoll stderr: ${got.stderr}`).toBe(128 + signo);
        // atoll names the fault on stderr; a death by SIGPIPE stays silent, as a shell leaves it
        if (want.signal !== 'SIGPIPE') expect(got.stderr.trim().length, 'atoll names the fault on stderr').toBeGreaterThan(0);
      } else {
        expect(got.status, `atoll stderr: ${got.stderr}`).toBe(want.status);
        expect(got.stderr).toBe(want.stderr);
      }
    });
  }
});
