// The committed RV32 UI/UM/UA self-tests (guest/tests/rv32*.elf) pass on the hart: each exits 0, or with
// the number of the first failing check.
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram } from '../../src/machine/session.js';

const DIR = join(import.meta.dirname, '../../guest/tests');
const programs = readdirSync(DIR).filter((f) => /^rv32u[ima]-.*\.elf$/.test(f)).sort();

describe('RISC-V ISA self-tests', () => {
  it('finds the rv32ui, rv32um and rv32ua programs', () => {
    for (const set of ['rv32ui-', 'rv32um-', 'rv32ua-']) expect(programs.some((p) => p.startsWith(set))).toBe(true);
  });
  for (const p of programs) {
    it(`${p} exits 0`, async () => {
      let out = '';
      const s = await runProgram(join(DIR, p), [], { ram_bytes: 16 << 20 }, { write: (_fd, b) => { out += new TextDecoder().decode(b); } }, () => 0, 50_000_000);
      expect({ result: s.result, out }).toEqual({ result: { kind: 'exit', code: 0 }, out: expect.any(String) });
    });
  }
});
