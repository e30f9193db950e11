// The Sv32 MMU and the TLB as a guest sees them: superpages, misaligned superpages, permission faults,
// A/D updates, ASID isolation, global entries, SFENCE.VMA variants and the TLB counters.
import { describe, it, expect } from 'vitest';
import { A } from './helpers/asm.js';
import { paged, CODE_VA, DATA_VA, type Paged } from './helpers/machine.js';
import { CAUSE, EXIT_TRAP, PTE, SATP_SV32, RAM_BASE } from '../../src/machine/layout.js';

const a0 = 10, a1 = 11, t0 = 5;
// CODE_VA: load a0 <- [t0]; +8: store a1 -> [t0]; +16: jump to t0.
const PROGRAM = [A.lw(a0, t0, 0), A.ecall(), A.sw(a1, t0, 0), A.ecall(), A.jalr(0, t0, 0)];

function access(m: Paged, kind: 'load' | 'store' | 'fetch', va: number, value = 0): { cause: number; value: number } {
  m.machine.setReg(0, t0, va);
  m.machine.setReg(0, a1, value);
  m.machine.setPc(0, CODE_VA + (kind === 'load' ? 0 : kind === 'store' ? 8 : 16));
  expect(m.machine.kernel.run(0, 10)).toBe(EXIT_TRAP);
  return { cause: m.machine.cause(0), value: m.machine.reg(0, a0) };
}

function pte(m: Paged, root: number, va: number): number {
  return m.machine.view.getUint32(RAM_BASE + (m.machine.kernel.vmPteAddress(root, va) >>> 0), true);
}

/** A second address space with its own ASID sharing the code page. */
function secondSpace(m: Paged, asid: number): { root: number; satp: number } {
  const k = m.machine.kernel;
  const root = k.vmCreate() >>> 0;
  const codePa = (pte(m, m.root, CODE_VA) >>> 10) * 4096;
  expect(k.vmMap(root, CODE_VA, codePa, PTE.U | PTE.R | PTE.X)).toBe(0);
  return { root, satp: (SATP_SV32 | (asid << 22) | (root >>> 12)) >>> 0 };
}

describe('Sv32 translation', () => {
  it('a 4 MiB superpage maps every address in it to the same offset of an aligned physical region', async () => {
    const m = await paged(PROGRAM, { ram_bytes: 16 << 20 });
    expect(m.machine.kernel.vmMapSuper(m.root, 0x0040_0000, 0x0080_0000, PTE.U | PTE.R | PTE.W)).toBe(0);
    m.machine.view.setUint32(RAM_BASE + 0x0083_4568, 0xcafe_f00d, true);
    expect(access(m, 'load', 0x0043_4568)).toEqual({ cause: CAUSE.ECALL_U, value: 0xcafe_f00d });
    expect(access(m, 'store', 0x007f_fffc, 77).cause).toBe(CAUSE.ECALL_U);
    expect(m.machine.view.getUint32(RAM_BASE + 0x00bf_fffc, true)).toBe(77);
  });

  it('a misaligned superpage is a page fault', async () => {
    const m = await paged(PROGRAM, { ram_bytes: 16 << 20 });
    expect(m.machine.kernel.vmMapSuper(m.root, 0x0040_0000, 0x0080_1000, PTE.U | PTE.R | PTE.W)).toBe(0);
    expect(access(m, 'load', 0x0040_0010).cause).toBe(CAUSE.LOAD_PAGE_FAULT);
    expect(m.machine.tval(0)).toBe(0x0040_0010);
  });

  it('R, W, X and U permissions are enforced with the matching page-fault cause', async () => {
    const m = await paged(PROGRAM);
    m.map(0x3_0000, PTE.U | PTE.R); // read-only
    m.map(0x3_1000, PTE.U | PTE.X); // execute-only
    m.map(0x3_2000, PTE.R | PTE.W); // supervisor page
    expect(access(m, 'load', 0x3_0000).cause).toBe(CAUSE.ECALL_U);
    expect(access(m, 'store', 0x3_0000).cause).toBe(CAUSE.STORE_PAGE_FAULT);
    expect(access(m, 'load', 0x3_1000).cause).toBe(CAUSE.LOAD_PAGE_FAULT);
    expect(access(m, 'fetch', DATA_VA).cause).toBe(CAUSE.FETCH_PAGE_FAULT);
    expect(m.machine.tval(0)).toBe(DATA_VA);
    expect(access(m, 'load', 0x3_2000).cause).toBe(CAUSE.LOAD_PAGE_FAULT);
    expect(access(m, 'load', 0x7000_0000).cause).toBe(CAUSE.LOAD_PAGE_FAULT);
    expect(m.machine.stats(0).page_faults).toBe(5n);
  });

  it('the walk sets A on any access and D on a write', async () => {
    const m = await paged(PROGRAM);
    m.map(0x3_0000, PTE.U | PTE.R | PTE.W);
    expect(pte(m, m.root, 0x3_0000) & (PTE.A | PTE.D)).toBe(0);
    access(m, 'load', 0x3_0000);
    expect(pte(m, m.root, 0x3_0000) & (PTE.A | PTE.D)).toBe(PTE.A);
    access(m, 'store', 0x3_0000, 1);
    expect(pte(m, m.root, 0x3_0000) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
  });

  it('a PTE pointing outside RAM is an access fault', async () => {
    const m = await paged(PROGRAM);
    expect(m.machine.kernel.vmMap(m.root, 0x3_0000, 0x4000_0000, PTE.U | PTE.R)).toBe(0);
    expect(access(m, 'load', 0x3_0000).cause).toBe(CAUSE.LOAD_ACCESS);
  });
});

describe('TLB', () => {
  it('ASIDs isolate address spaces without a flush', async () => {
    const m = await paged(PROGRAM, { asid: 1 });
    const other = secondSpace(m, 2);
    const k = m.machine.kernel;
    const pa2 = k.frameAlloc() >>> 0;
    k.vmMap(other.root, DATA_VA, pa2, PTE.U | PTE.R | PTE.W);
    m.poke(DATA_VA, [111]);
    m.machine.view.setUint32(RAM_BASE + pa2, 222, true);
    const flushes = m.machine.stats(0).tlb.flushes;
    expect(access(m, 'load', DATA_VA).value).toBe(111);
    k.hartSetSatp(0, other.satp);
    expect(access(m, 'load', DATA_VA).value).toBe(222);
    k.hartSetSatp(0, m.satp);
    const walks = m.machine.stats(0).tlb.walks;
    expect(access(m, 'load', DATA_VA).value).toBe(111);
    expect(m.machine.stats(0).tlb.walks).toBe(walks); // still cached under ASID 1
    expect(m.machine.stats(0).tlb.flushes).toBe(flushes);
  });

  it('a global entry serves every ASID until a flush of everything; a flush by ASID keeps it', async () => {
    const m = await paged(PROGRAM, { asid: 1 });
    const k = m.machine.kernel;
    const gva = 0x5_0000;
    const gpa = m.map(gva, PTE.U | PTE.R | PTE.G);
    m.machine.view.setUint32(RAM_BASE + gpa, 1, true);
    const other = secondSpace(m, 2);
    const pa2 = k.frameAlloc() >>> 0;
    k.vmMap(other.root, gva, pa2, PTE.U | PTE.R);
    m.machine.view.setUint32(RAM_BASE + pa2, 2, true);
    expect(access(m, 'load', gva).value).toBe(1);
    k.hartSetSatp(0, other.satp);
    expect(access(m, 'load', gva).value).toBe(1); // the global entry
    k.tlbFlush(0, 0, 2, 0, 1);
    expect(access(m, 'load', gva).value).toBe(1);
    k.tlbFlush(0, 0, 0, 0, 0);
    expect(access(m, 'load', gva).value).toBe(2);
  });

  it('SFENCE by address drops that page only; by ASID drops that ASID only', async () => {
    const m = await paged(PROGRAM, { asid: 1 });
    const k = m.machine.kernel;
    const oldPa = m.map(0x3_0000, PTE.U | PTE.R | PTE.W);
    m.machine.view.setUint32(RAM_BASE + oldPa, 5, true);
    expect(access(m, 'load', 0x3_0000).value).toBe(5);
    expect(access(m, 'load', DATA_VA).value).toBe(0);
    // Remap 0x30000 to a new frame behind the TLB's back: the stale entry still answers.
    k.vmUnmap(m.root, 0x3_0000, 0);
    const newPa = m.map(0x3_0000, PTE.U | PTE.R | PTE.W);
    m.machine.view.setUint32(RAM_BASE + newPa, 6, true);
    expect(access(m, 'load', 0x3_0000).value).toBe(5);
    k.tlbFlush(0, 0x3_0abc, 0, 1, 0);
    const walks = m.machine.stats(0).tlb.walks;
    expect(access(m, 'load', 0x3_0000).value).toBe(6);
    expect(access(m, 'load', DATA_VA).value).toBe(0);
    expect(m.machine.stats(0).tlb.walks - walks).toBe(1n); // DATA_VA and the code page were kept
    k.tlbFlush(0, 0, 7, 0, 1); // another ASID: nothing of ours goes
    const w2 = m.machine.stats(0).tlb.walks;
    access(m, 'load', DATA_VA);
    expect(m.machine.stats(0).tlb.walks).toBe(w2);
    k.tlbFlush(0, 0, 1, 0, 1);
    access(m, 'load', DATA_VA);
    expect(m.machine.stats(0).tlb.walks - w2).toBe(2n); // code page and data page walked again
  });

  it('a superpage entry is flushed by any address inside the superpage', async () => {
    const m = await paged(PROGRAM, { ram_bytes: 16 << 20 });
    const k = m.machine.kernel;
    k.vmMapSuper(m.root, 0x0040_0000, 0x0080_0000, PTE.U | PTE.R);
    access(m, 'load', 0x0040_1000);
    const walks = m.machine.stats(0).tlb.walks;
    k.tlbFlush(0, 0x007f_0000, 0, 1, 0);
    access(m, 'load', 0x0040_1000);
    expect(m.machine.stats(0).tlb.walks - walks).toBe(1n);
  });

  it('counts hits, misses, walks and flushes; a 1-entry TLB misses on every alternation', async () => {
    const m = await paged([...A.li(t0, DATA_VA), ...A.li(a1, DATA_VA + 0x1000), A.lw(a0, t0, 0), A.lw(a0, a1, 0), A.lw(a0, t0, 0), A.ecall()], { tlb_entries: 1, tlb_ways: 1 });
    m.map(DATA_VA + 0x1000, PTE.U | PTE.R);
    m.machine.kernel.run(0, 100);
    const s = m.machine.stats(0).tlb;
    expect(s.entries).toBe(1);
    // read table: 3 loads, all misses (pages alternate); fetch table: 1 miss (one code page).
    expect(s.misses).toBe(4n);
    expect(s.walks).toBe(4n);
    expect(s.hits).toBe(0n);
    const big = await paged([...A.li(t0, DATA_VA), ...A.li(a1, DATA_VA + 0x1000), A.lw(a0, t0, 0), A.lw(a0, a1, 0), A.lw(a0, t0, 0), A.ecall()], { tlb_entries: 64, tlb_ways: 4 });
    big.map(DATA_VA + 0x1000, PTE.U | PTE.R);
    big.machine.kernel.run(0, 100);
    expect(big.machine.stats(0).tlb.misses).toBe(3n);
    expect(big.machine.stats(0).tlb.hits).toBe(1n);
    const f = big.machine.stats(0).tlb.flushes;
    big.machine.kernel.tlbFlush(0, 0, 0, 0, 0);
    expect(big.machine.stats(0).tlb.flushes).toBe(f + 1n);
  });

  it('rejects a geometry that is not entries x ways powers of two within the limits', async () => {
    const m = await paged(PROGRAM);
    const k = m.machine.kernel;
    expect(k.tlbConfigure(0, 48, 4)).toBe(-1);
    expect(k.tlbConfigure(0, 64, 3)).toBe(-1);
    expect(k.tlbConfigure(0, 8192, 4)).toBe(-1);
    expect(k.tlbConfigure(0, 4, 8)).toBe(-1);
    expect(k.tlbConfigure(0, 4096, 16)).toBe(0);
  });
});
