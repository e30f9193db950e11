// Instruction encodings a Linux process on an RV32IMA hart sees: reserved fields, RV64-only and
// privileged instructions raise SIGILL (exit 128 + 4); misaligned LR/SC SIGBUS; loads/stores through a
// bad address SIGSEGV; hints and the fields FENCE and FENCE.I ignore do nothing. Each word runs in
// guest/tests/qa_insn.elf (a0 = 5, a1 = 7 on entry; it prints a0). The expected outcomes were checked
// against qemu-riscv32, which agrees on every word listed; the words it accepts only because its default
// CPU has more extensions (Zbb's rori/xnor, F's fcsr) are left out (docs/qa.md). When qemu-riscv32 is
// installed, the same words are run under it too.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ELF = join(ROOT, 'guest', 'tests', 'qa_insn.elf');
const SIGILL = 132, SIGBUS = 135, SIGSEGV = 139;

/** word -> exit status, or the a0 it leaves (printed by the program, exit 0). */
const CASES: ReadonlyArray<readonly [string, number | string, string]> = [
  ['02051513', SIGILL, 'slli with shamt bit 5 (RV64 only)'],
  ['02055513', SIGILL, 'srli with shamt bit 5'],
  ['42055513', SIGILL, 'srai with shamt bit 5'],
  ['40055513', '00000005', 'srai by 0'],
  ['20055513', SIGILL, 'srli with a reserved funct7 bit'],
  ['00052503', SIGSEGV, 'lw from address 5: misaligned and unmapped'],
  ['00056503', SIGILL, 'lwu (RV64 only)'],
  ['00057503', SIGILL, 'load funct3 7'],
  ['00b52023', SIGSEGV, 'sw to address 5'],
  ['00b53023', SIGILL, 'sd (RV64 only)'],
  ['00b54023', SIGILL, 'store funct3 4'],
  ['00b57023', SIGILL, 'store funct3 7'],
  ['00b5302f', SIGILL, 'amoadd.d (RV64 only)'],
  ['1005252f', SIGBUS, 'lr.w from a misaligned address'],
  ['04b50533', SIGILL, 'OP with funct7 2'],
  ['02b50533', '00000023', 'mul 5 * 7'],
  ['02a50533', '00000019', 'mul 5 * 5'],
  ['20b50533', SIGILL, 'OP with funct7 0x10'],
  ['0005051b', SIGILL, 'addiw (RV64 only)'],
  ['00b5053b', SIGILL, 'addw (RV64 only)'],
  ['0ff0000f', '00000005', 'fence iorw, iorw'],
  ['8330000f', '00000005', 'fence.tso'],
  ['0100000f', '00000005', 'pause (fence w, 0)'],
  ['0000100f', '00000005', 'fence.i'],
  ['00a5100f', '00000005', 'fence.i with nonzero rs1/imm fields (ignored)'],
  ['00100073', 133, 'ebreak: SIGTRAP'],
  ['00200073', SIGILL, 'uret'],
  ['10200073', SIGILL, 'sret in user mode'],
  ['30200073', SIGILL, 'mret in user mode'],
  ['10500073', SIGILL, 'wfi in user mode'],
  ['12000073', SIGILL, 'sfence.vma in user mode'],
  ['c0001573', SIGILL, 'csrrw to cycle (read-only)'],
  ['c0059573', SIGILL, 'csrrw cycle from a1'],
  ['c005a573', SIGILL, 'csrrs cycle with rs1 != 0 (a write)'],
  ['7c002573', SIGILL, 'a custom machine CSR'],
  ['f1402573', SIGILL, 'mhartid'],
  ['30002573', SIGILL, 'mstatus'],
  ['10002573', SIGILL, 'sstatus'],
  ['00000013', '00000005', 'nop'],
  ['00100013', '00000005', 'addi x0, x0, 1 (a hint)'],
  ['00001013', '00000005', 'slli x0, x0, 0 (a hint)'],
  ['7ff00013', '00000005', 'addi x0, x0, 2047 (a hint)'],
  ['00b5250f', SIGILL, 'MISC-MEM funct3 2'],
];

function run(cmd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync('sh', ['-c', 'ulimit -c 0; exec "$@"', 'sh', cmd, ...args], { encoding: 'utf8', timeout: 60_000 });
  // qemu takes the guest's signal itself (the shell exec'd it): report it as a shell would, 128 + signal
  return { code: r.signal !== null ? 128 + constants.signals[r.signal] : r.status, out: r.stdout };
}
const outcome = (r: { code: number | null; out: string }): number | string => (r.code === 0 ? r.out.trim().split(' ').pop()! : r.code ?? -1);
const hasQemu = spawnSync('qemu-riscv32', ['--version']).status === 0;

describe('instruction encodings in user mode', () => {
  for (const [word, want, what] of CASES) {
    it(`${word}: ${what}`, () => {
      expect(outcome(run(process.execPath, [join(ROOT, 'bin', 'atoll.js'), 'run', ELF, word]))).toBe(want);
      if (hasQemu) expect(outcome(run('qemu-riscv32', [ELF, word])), 'qemu-riscv32').toBe(want);
    });
  }
});
