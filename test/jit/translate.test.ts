// The translator against the interpreter on the bare hart: seeded random loops of RV32IM arithmetic, loads and
// stores (aligned and not, over several pages, with a TLB small enough to miss), forward branches, calls and
// returns inside the page, run with budgets that end inside translated code. After every run() call the
// registers, pc, instret, mtime, TLB counters and the data pages must be the same with the translator on and
// off, and the translator must have retired most of the instructions.
import { describe, expect, it } from 'vitest';
import { A } from '../machine/helpers/asm.js';
import { paged, CODE_VA, DATA_VA, type Paged } from '../machine/helpers/machine.js';
import { CAUSE, EXIT_TRAP, PTE, hartBase, H_TLB_HITS, H_TLB_MISSES, H_TLB_WALKS, H_PAGE_FAULTS } from '../../src/machine/layout.js';
import { findBlocks } from '../../src/machine/jit/index.js';

const DATA_PAGES = 3;
const BASE = 20, COUNT = 21, LINK = 1;

/** A small seeded PRNG (xorshift32), so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

const ALU = [A.add, A.sub, A.sll, A.slt, A.sltu, A.xor, A.srl, A.sra, A.or, A.and, A.mul, A.mulh, A.mulhsu, A.mulhu, A.div, A.divu, A.rem, A.remu];
const IMM = [A.addi, A.slti, A.sltiu, A.xori, A.ori, A.andi];
const LOADS = [A.lb, A.lh, A.lw, A.lbu, A.lhu];
const STORES = [A.sb, A.sh, A.sw];
const SPECIAL = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 2, 31, 32];

/** A program: set up registers, then a loop of random instructions run `iterations` times, then ecall. */
function program(seed: number, iterations: number): number[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const reg = (): number => 5 + (r() % 11); // x5..x15
  const code: number[] = [];
  for (let x = 5; x <= 15; x++) code.push(...A.li(x, r() % 4 === 0 ? pick(SPECIAL) : r()));
  code.push(...A.li(BASE, DATA_VA), ...A.li(COUNT, iterations));
  // A leaf function after the loop: jal to it, jalr back (a jump out of and back into translated code).
  const body: number[] = [];
  const n = 20 + (r() % 40);
  for (let k = 0; k < n; k++) {
    const c = r() % 20;
    if (c < 8) body.push(pick(ALU)(reg(), reg(), reg()));
    else if (c < 11) body.push(pick(IMM)(reg(), reg(), (r() % 4096) - 2048));
    else if (c < 12) body.push(A.slli(reg(), reg(), r() % 32), A.srai(reg(), reg(), r() % 32));
    else if (c < 13) body.push(A.lui(reg(), r() & 0xfffff), A.auipc(reg(), r() & 0xfff));
    else if (c < 16) {
      // an address in one of the data pages: x16 = base + page offset, then an access at a small offset
      const off = (r() % DATA_PAGES) * 4096 + (r() % 4000);
      body.push(...A.li(16, off), A.add(16, 16, BASE));
      const misaligned = r() % 8 === 0;
      const imm = misaligned ? 1 + (r() % 3) : 0;
      if (r() % 2 === 0) body.push(A.andi(16, 16, misaligned ? -1 : -4), pick(LOADS)(reg(), 16, imm));
      else body.push(A.andi(16, 16, misaligned ? -1 : -4), pick(STORES)(reg(), 16, imm));
    } else if (c < 19) {
      const skip = 1 + (r() % 2);
      body.push([A.beq, A.bne, A.blt, A.bge, A.bltu, A.bgeu][r() % 6]!(reg(), reg(), 4 * (skip + 1)));
      for (let s = 0; s < skip; s++) body.push(pick(ALU)(reg(), reg(), reg()));
    } else body.push(0xffff_ffff); // call placeholder, patched below
  }
  const loop = code.length;
  code.push(...body);
  code.push(A.addi(COUNT, COUNT, -1));
  code.push(A.bne(COUNT, 0, 4 * (loop - code.length)));
  code.push(A.ecall());
  const fn = code.length;
  code.push(A.xor(5, 5, 6), A.addi(7, 7, 3), A.jalr(0, LINK, 0));
  for (let k = loop; k < fn; k++) if (code[k] === 0xffff_ffff) code[k] = A.jal(LINK, 4 * (fn - k));
  expect(code.length).toBeLessThan(1024);
  return code;
}

async function machineFor(code: number[], jit: boolean, tlb: number): Promise<Paged> {
  const m = await paged(code, { jit, tlb_entries: tlb, tlb_ways: 1 });
  for (let p = 1; p < DATA_PAGES; p++) m.map(DATA_VA + p * 4096, PTE.U | PTE.R | PTE.W);
  return m;
}

function state(m: Paged): unknown {
  const mc = m.machine;
  const b = hartBase(0);
  const data: number[] = [];
  for (let a = 0; a < DATA_PAGES * 4096; a += 4) data.push(m.peek(DATA_VA + a));
  return {
    regs: Array.from({ length: 32 }, (_, r) => mc.reg(0, r)), pc: mc.pc(0), instret: mc.instructions(0), mtime: mc.mtime(0),
    tlb: [mc.u64(b + H_TLB_HITS), mc.u64(b + H_TLB_MISSES), mc.u64(b + H_TLB_WALKS)], page_faults: mc.u64(b + H_PAGE_FAULTS), cause: mc.cause(0), tval: mc.tval(0), data,
  };
}

describe('the translator runs random loops as the interpreter does', () => {
  const seen = { budget: 0, tlb_miss: 0, leave: 0, instructions: 0, all: 0 };
  const seeds = Array.from({ length: 24 }, (_, k) => 1000 + k * 7919);
  for (const seed of seeds) {
    const tlb = seed % 3 === 0 ? 2 : 256;
    it(`seed ${seed}, TLB ${tlb} entries`, async () => {
      const code = program(seed, 300);
      const off = await machineFor(code, false, tlb);
      const on = await machineFor(code, true, tlb);
      const budgets = prng(seed ^ 0x5a5a);
      for (let calls = 0; calls < 10_000; calls++) {
        const budget = calls % 3 === 0 ? 1 + (budgets() % 200) : 1 + (budgets() % 20_000);
        const a = off.machine.kernel.run(0, budget);
        const b = on.machine.kernel.run(0, budget);
        expect(b).toBe(a);
        expect(state(on)).toEqual(state(off));
        if (a === EXIT_TRAP) break;
      }
      expect({ cause: off.machine.cause(0), pc: off.machine.pc(0) }).toEqual({ cause: 8, pc: CODE_VA + 4 * code.lastIndexOf(A.ecall(), code.length - 4) });
      const s = on.machine.jit.stats();
      expect(s.regions).toBeGreaterThan(0);
      expect(s.instructions).toBeGreaterThan(0);
      seen.budget += s.exits.budget; seen.tlb_miss += s.exits.tlb_miss; seen.leave += s.exits.leave;
      if (tlb === 256) { seen.instructions += s.instructions; seen.all += Number(on.machine.instructions(0)); }
      expect(off.machine.jit.stats().entries).toBe(0);
    });
  }
  it('covered exits at the budget, at TLB misses and out of the region; with the big TLB most instructions ran translated', () => {
    expect(seen.budget).toBeGreaterThan(0);
    expect(seen.tlb_miss).toBeGreaterThan(0);
    expect(seen.leave).toBeGreaterThan(0);
    // about half: a misaligned access (one in eight) always leaves, and the rest of its pass is interpreted
    expect(seen.instructions / seen.all).toBeGreaterThan(0.45);
  });
});

describe('a compute loop', () => {
  it('stays in translated code until its budget ends, with instret exact', async () => {
    // x5 = 1000000; loop: x6 += x5; x7 ^= x6; x5 -= 1; bnez x5, loop; ecall
    const code = [...A.li(5, 1_000_000), A.add(6, 6, 5), A.xor(7, 7, 6), A.addi(5, 5, -1), A.bne(5, 0, -12), A.ecall()];
    const on = await machineFor(code, true, 256);
    const off = await machineFor(code, false, 256);
    expect(on.machine.kernel.run(0, 3_000_001)).toBe(off.machine.kernel.run(0, 3_000_001));
    expect(state(on)).toEqual(state(off));
    expect(on.machine.kernel.run(0, 10_000_000)).toBe(EXIT_TRAP);
    expect(off.machine.kernel.run(0, 10_000_000)).toBe(EXIT_TRAP);
    expect(state(on)).toEqual(state(off));
    expect(on.machine.instructions(0)).toBe(2n + 4n * 1_000_000n);
    const s = on.machine.jit.stats();
    expect(s.instructions / 4_000_002).toBeGreaterThan(0.99);
    expect(s.entries).toBeLessThan(5);
  });
});

describe('a fault in translated code', () => {
  it('traps at the faulting load with the interpreter\'s cause, tval, pc and counters', async () => {
    // x16 = DATA_VA; loop: x5 += *x16; x16 += 4; j loop (runs off the last mapped data page)
    const code = [...A.li(16, DATA_VA), A.lw(6, 16, 0), A.add(5, 5, 6), A.addi(16, 16, 4), A.jal(0, -12)];
    const on = await machineFor(code, true, 2);
    const off = await machineFor(code, false, 2);
    expect(on.machine.kernel.run(0, 1_000_000)).toBe(EXIT_TRAP);
    expect(off.machine.kernel.run(0, 1_000_000)).toBe(EXIT_TRAP);
    expect(state(on)).toEqual(state(off));
    expect({ cause: on.machine.cause(0), tval: on.machine.tval(0), pc: on.machine.pc(0) })
      .toEqual({ cause: CAUSE.LOAD_PAGE_FAULT, tval: DATA_VA + DATA_PAGES * 4096, pc: CODE_VA + 8 });
    expect(on.machine.jit.stats().exits.tlb_miss).toBe(1);
  });
});

describe('region discovery', () => {
  it('cuts blocks at branch targets, follows jumps in the page and stops at what it leaves out', () => {
    const code = new Uint32Array(1024);
    const words = [A.addi(5, 5, 1), A.beq(5, 6, 12), A.addi(6, 6, 1), A.jal(0, -12), A.ecall()];
    words.forEach((w, k) => { code[k] = w; });
    const blocks = findBlocks(code, 0);
    expect(blocks.map((b) => [b.start, b.end, b.last])).toEqual([[0, 8, 'branch'], [8, 16, 'jal'], [16, 16, 'out']]);
    expect(findBlocks(code, 16)).toEqual([]);
  });
});
