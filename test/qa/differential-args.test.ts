// The conformance programs that take their case from the command line, run under qemu-riscv32 and under
// `atoll run` (in every hart mode for the threaded ones) with each case: stdout and the exit status must
// match, and stderr too when the program exits normally. Skipped, with the reason, without qemu-riscv32.
// Without qemu, atoll's own exit statuses are still checked against the values qemu gave.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatus, qemuMissing, underAtoll, underQemu } from '../guest/runners.js';

const HAS_QEMU = qemuMissing() === undefined;
const MODES: readonly (readonly string[])[] = [[], ['--harts', '2'], ['--harts', '2', '--threaded']];

const qemu = (elf: string, args: readonly string[]) => underQemu(elf, args);
const atoll = (mode: readonly string[], elf: string, args: readonly string[]) => underAtoll([...mode, elf, ...args]);

/** [program, arguments, the exit status qemu-riscv32 gives, threaded (run in every hart mode)] */
const CASES: ReadonlyArray<readonly [string, readonly string[], number, boolean]> = [
  ...(['n', 'w', 'k', 'h', 'j', 'x', 'i', 'z', 'c', 's', 'u', 'S', 'M', 'V'] as const).map((c) => ['tests/qa_faults.elf', [c], c === 'n' || c === 'w' || c === 'k' || c === 'h' || c === 'j' || c === 'x' ? 139 : 132, false] as const),
  ['tests/qa_faults.elf', ['K'], 139, false],
  ['tests/qa_faults.elf', ['H'], 139, false],
  ['tests/qa_faults.elf', ['b'], 133, false],
  ['tests/qa_faults.elf', ['a'], 135, false],
  ['tests/qa_faults.elf', ['l'], 135, false],
  ['tests/qa_faults.elf', ['r'], 0, false],
  ...([['0', 0], ['255', 255], ['256', 0], ['257', 1], ['-1', 255], ['-255', 1], ['1000', 232], ['-2147483648', 0]] as const).flatMap(([code, status]) =>
    (['e', 'g', 'r'] as const).map((how) => ['tests/qa_exitcode.elf', [how, code], status, false] as const)),
  ['tests/qa_thread_edge.elf', ['g'], 77, true],
  ['tests/qa_thread_edge.elf', ['m'], 9, true],
  ['tests/qa_thread_edge.elf', ['t'], 0, true],
  ['tests/qa_thread_edge.elf', ['f'], 139, true],
];

describe('argument-driven conformance programs', () => {
  for (const [elf, args, status, threaded] of CASES) {
    const path = join('guest', elf);
    const modes = threaded ? MODES : MODES.slice(0, 1);
    it(`${elf} ${args.join(' ')} ends with status ${status} under atoll (the status qemu-riscv32 gives)`, async () => {
      const runs = await Promise.all(modes.map((m) => atoll(m, path, args)));
      for (const got of runs) expect(exitStatus(got), got.stderr).toBe(status);
    });
    it.skipIf(!HAS_QEMU)(`${elf} ${args.join(' ')} prints what qemu-riscv32 prints${HAS_QEMU ? '' : ` (skipped: ${qemuMissing()})`}`, async () => {
      // qemu runs alone, before atoll: with other processes competing for the two CPUs its threads'
      // interleaving (qemu runs them in parallel) can drift from the one the guest expects.
      const want = await qemu(path, args);
      const runs = await Promise.all(modes.map((m) => atoll(m, path, args)));
      expect(exitStatus(want)).toBe(status);
      for (const got of runs) {
        expect(got.stdout).toBe(want.stdout);
        if (status < 128) expect(got.stderr).toBe(want.stderr);
      }
    });
  }
});
