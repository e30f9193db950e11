// Differential runs of every committed guest (guest/examples/*.elf, guest/tests/*.elf) with the translator on
// and off, in-process and deterministic: the same stdout and stderr, the same end of every process, the same
// instret and every statistic of the run but the translator's own (wall time and MIPS aside). Each run has an
// empty directory of its own as its root and an empty stdin. The hot guests must really have run translated
// code, the self-modifying one must have dropped translations, and the RISC-V ISA self-tests must pass.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../../src/machine/session.js';
import type { GuestInput } from '../../src/machine/console.js';
import type { RunStats } from '../../src/machine/session.js';

const ROOT = join(import.meta.dirname, '../..');
const ARGS: Readonly<Record<string, readonly string[]>> = {
  'examples/compute.elf': ['4'],
  'examples/memory.elf': ['1'],
  'tests/syscalls.elf': ['x', 'y'],
};
const INSTRUCTIONS_MAX = 400_000_000;
const empty: GuestInput = { read: () => 0, wait: (ready) => ready() };

const elfs = ['examples', 'tests'].flatMap((d) => readdirSync(join(ROOT, 'guest', d)).filter((f) => f.endsWith('.elf')).sort().map((f) => `${d}/${f}`));

async function run(elf: string, jit: boolean, tlb: { tlb_entries?: number; tlb_ways?: number } = {}): Promise<{ out: string; results: unknown; stats: RunStats }> {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-jit-'));
  try {
    let out = '';
    const io = { write: (fd: 1 | 2, b: Uint8Array): void => { out += `${fd}:${Buffer.from(b).toString('latin1')}`; } };
    const s = await runProgram(join(ROOT, 'guest', elf), ARGS[elf] ?? [], { jit, root: dir, stdin: empty, ram_bytes: 256 << 20, ...tlb }, io, () => 0, INSTRUCTIONS_MAX);
    return { out, results: s.results, stats: s.stats };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const comparable = (s: RunStats): unknown => {
  const { wall_ms: _w, mips: _m, jit: _j, ...rest } = s;
  return rest;
};

describe('guests with the translator on and off', () => {
  it('finds the examples, the ISA suites and the self-modifying guests', () => {
    for (const e of ['examples/compute.elf', 'examples/hello.elf', 'examples/fault.elf', 'tests/fencei.elf', 'tests/smc_loop.elf', 'tests/rv32um-div.elf']) expect(elfs).toContain(e);
  });
  for (const elf of elfs) {
    it(`${elf}: same output, ends, instret and statistics`, async () => {
      const off = await run(elf, false);
      const on = await run(elf, true);
      expect(on.out).toBe(off.out);
      expect(on.results).toEqual(off.results);
      expect(comparable(on.stats)).toEqual(comparable(off.stats));
      expect(off.stats.jit).toBeUndefined();
      expect(on.stats.jit).toBeDefined();
      if (/^tests\/rv32u[ima]-/.test(elf)) expect(on.results).toEqual([{ kind: 'exit', code: 0 }]);
      if (elf === 'examples/compute.elf' || elf === 'examples/memory.elf') {
        expect(on.stats.jit!.instructions / on.stats.instructions, 'share of instructions run translated').toBeGreaterThan(0.8);
      }
      if (elf === 'tests/smc_loop.elf') {
        expect(on.stats.jit!.invalidations).toBeGreaterThanOrEqual(2);
        expect(on.stats.jit!.exits.code_store).toBeGreaterThan(0);
      }
    }, 120_000);
  }
  for (const elf of ['examples/memory.elf', 'examples/compute.elf', 'tests/smc_loop.elf', 'tests/misaligned.elf', 'tests/fork_cow.elf']) {
    it(`${elf} with a 16-entry direct-mapped TLB: the same with the translator on and off`, async () => {
      const off = await run(elf, false, { tlb_entries: 16, tlb_ways: 1 });
      const on = await run(elf, true, { tlb_entries: 16, tlb_ways: 1 });
      expect(on.out).toBe(off.out);
      expect(on.results).toEqual(off.results);
      expect(comparable(on.stats)).toEqual(comparable(off.stats));
      expect(on.stats.tlb.misses).toBeGreaterThan(0);
    }, 120_000);
  }
});
