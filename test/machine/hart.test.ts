// Per-instruction semantics of the hart: each case assembles a few instructions, runs them in user mode
// under Sv32 and checks registers, memory and the trap the hart reports.
import { describe, it, expect } from 'vitest';
import { A } from './helpers/asm.js';
import { paged, CODE_VA, DATA_VA } from './helpers/machine.js';
import { CAUSE, EXIT_TRAP, PTE } from '../../src/machine/layout.js';

const a0 = 10, a1 = 11, a2 = 12, a3 = 13, t0 = 5;

/** Run `li a1, x; li a2, y; op a0, a1, a2; ecall` and return a0. */
async function binop(op: (rd: number, rs1: number, rs2: number) => number, x: number, y: number): Promise<number> {
  const m = await paged([...A.li(a1, x), ...A.li(a2, y), op(a0, a1, a2), A.ecall()]);
  expect(m.machine.kernel.run(0, 100)).toBe(EXIT_TRAP);
  expect(m.machine.cause(0)).toBe(CAUSE.ECALL_U);
  return m.machine.reg(0, a0);
}

const u = (x: number): number => x >>> 0;
const MIN = 0x8000_0000;

describe('RV32I and M arithmetic', () => {
  const cases: [string, (rd: number, rs1: number, rs2: number) => number, number, number, number][] = [
    ['add wraps', A.add, 0x7fff_ffff, 1, MIN],
    ['sub wraps', A.sub, 0, 1, 0xffff_ffff],
    ['sll uses the low 5 bits', A.sll, 1, 33, 2],
    ['srl is logical', A.srl, MIN, 31, 1],
    ['sra is arithmetic', A.sra, MIN, 31, 0xffff_ffff],
    ['slt is signed', A.slt, 0xffff_ffff, 0, 1],
    ['sltu is unsigned', A.sltu, 0xffff_ffff, 0, 0],
    ['xor', A.xor, 0xf0f0_f0f0, 0xffff_0000, 0x0f0f_f0f0],
    ['or', A.or, 0xf000_0000, 0x0000_000f, 0xf000_000f],
    ['and', A.and, 0xff00_ff00, 0x0ff0_0ff0, 0x0f00_0f00],
    ['mul keeps the low word', A.mul, 0x1234_5678, 0x9abc_def0, u(Number((0x1234_5678n * 0x9abc_def0n) & 0xffff_ffffn))],
    ['mulh signed x signed', A.mulh, 0xffff_ffff, 0xffff_ffff, 0],
    ['mulh of MIN x MIN', A.mulh, MIN, MIN, 0x4000_0000],
    ['mulhsu signed x unsigned', A.mulhsu, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff],
    ['mulhu unsigned', A.mulhu, 0xffff_ffff, 0xffff_ffff, 0xffff_fffe],
    ['div rounds toward zero', A.div, u(-7), 2, u(-3)],
    ['div by zero is -1', A.div, 5, 0, 0xffff_ffff],
    ['div overflow is MIN', A.div, MIN, 0xffff_ffff, MIN],
    ['divu by zero is all ones', A.divu, 5, 0, 0xffff_ffff],
    ['divu', A.divu, 0xffff_fffe, 2, 0x7fff_ffff],
    ['rem takes the dividend sign', A.rem, u(-7), 2, u(-1)],
    ['rem by zero is the dividend', A.rem, 9, 0, 9],
    ['rem overflow is 0', A.rem, MIN, 0xffff_ffff, 0],
    ['remu by zero is the dividend', A.remu, 0xffff_fff0, 0, 0xffff_fff0],
    ['remu', A.remu, 0xffff_ffff, 10, 5],
  ];
  for (const [name, op, x, y, want] of cases) {
    it(name, async () => { expect(await binop(op, x, y)).toBe(want >>> 0); });
  }

  it('immediates sign-extend and shifts by immediate work', async () => {
    const m = await paged([
      A.addi(a0, 0, -1), A.slti(a1, a0, 0), A.sltiu(a2, a0, -1), A.xori(a3, a0, 0x0f),
      A.srai(6, a0, 4), A.srli(7, a0, 28), A.slli(28, a1, 31), A.ecall(),
    ]);
    m.machine.kernel.run(0, 100);
    expect([a0, a1, a2, a3, 6, 7, 28].map((r) => m.machine.reg(0, r))).toEqual([0xffff_ffff, 1, 0, 0xffff_fff0, 0xffff_ffff, 0xf, MIN]);
  });

  it('writes to x0 are discarded', async () => {
    const m = await paged([A.addi(0, 0, 5), A.add(a0, 0, 0), A.lui(0, 1), A.ecall()]);
    m.machine.kernel.run(0, 100);
    expect(m.machine.reg(0, 0)).toBe(0);
    expect(m.machine.reg(0, a0)).toBe(0);
  });

  it('lui and auipc place the upper immediate', async () => {
    const m = await paged([A.lui(a0, 0xabcde), A.auipc(a1, 1), A.ecall()]);
    m.machine.kernel.run(0, 100);
    expect(m.machine.reg(0, a0)).toBe(0xabcd_e000);
    expect(m.machine.reg(0, a1)).toBe(CODE_VA + 4 + 0x1000);
  });
});

describe('control flow', () => {
  it('branches compare signed and unsigned and jal/jalr link pc+4', async () => {
    const m = await paged([
      A.addi(a1, 0, -1), // 0
      A.blt(a1, 0, 8), // 4: taken (signed -1 < 0) -> 12
      A.addi(a0, 0, 99), // 8: skipped
      A.bltu(a1, 0, 8), // 12: not taken (unsigned max > 0)
      A.jal(a2, 8), // 16 -> 24, a2 = 20
      A.addi(a0, 0, 98), // 20: skipped
      A.auipc(t0, 0), // 24
      A.jalr(a3, t0, 12), // 28 -> 36, a3 = 32
      A.addi(a0, 0, 97), // 32: skipped
      A.ecall(), // 36
    ]);
    m.machine.kernel.run(0, 100);
    expect(m.machine.pc(0)).toBe(CODE_VA + 36);
    expect(m.machine.reg(0, a0)).toBe(0);
    expect(m.machine.reg(0, a2)).toBe(CODE_VA + 20);
    expect(m.machine.reg(0, a3)).toBe(CODE_VA + 32);
  });

  it('jalr clears bit 0 of the target and a jump to a misaligned target traps with the target in tval', async () => {
    const m = await paged([A.auipc(t0, 0), A.jalr(a0, t0, 13), 0, A.ecall(), A.addi(t0, t0, 2), A.jalr(0, t0, 0)]);
    m.machine.kernel.run(0, 100);
    expect(m.machine.cause(0)).toBe(CAUSE.ECALL_U);
    m.machine.setPc(0, CODE_VA + 16);
    expect(m.machine.kernel.run(0, 100)).toBe(EXIT_TRAP);
    expect(m.machine.cause(0)).toBe(CAUSE.FETCH_MISALIGNED);
    expect(m.machine.tval(0)).toBe(CODE_VA + 2);
    expect(m.machine.pc(0)).toBe(CODE_VA + 20);
  });
});

describe('loads and stores', () => {
  it('sub-word loads sign- or zero-extend and stores write only their bytes', async () => {
    const m = await paged([
      ...A.li(t0, DATA_VA), ...A.li(a1, 0x8081_8283), A.sw(a1, t0, 0), A.sb(0, t0, 1), A.sh(a1, t0, 4),
      A.lb(a0, t0, 0), A.lbu(a1, t0, 0), A.lh(a2, t0, 2), A.lhu(a3, t0, 2), A.lw(6, t0, 4), A.ecall(),
    ]);
    m.machine.kernel.run(0, 100);
    expect(m.peek(DATA_VA)).toBe(0x8081_0083);
    expect([a0, a1, a2, a3, 6].map((r) => m.machine.reg(0, r))).toEqual([0xffff_ff83, 0x83, 0xffff_8081, 0x8081, 0x8283]);
  });

  it('misaligned loads and stores work, also across a page boundary', async () => {
    const m = await paged([...A.li(t0, DATA_VA + 0xffe), ...A.li(a1, 0x1122_3344), A.sw(a1, t0, 0), A.lw(a0, t0, 0), A.lh(a2, t0, 1), A.ecall()]);
    m.map(DATA_VA + 0x1000, PTE.U | PTE.R | PTE.W);
    m.machine.kernel.run(0, 100);
    expect(m.machine.cause(0)).toBe(CAUSE.ECALL_U);
    expect(m.machine.reg(0, a0)).toBe(0x1122_3344);
    expect(m.machine.reg(0, a2)).toBe(0x2233);
    expect(m.peek(DATA_VA + 0xffc) >>> 16).toBe(0x3344);
    expect(m.peek(DATA_VA + 0x1000) & 0xffff).toBe(0x1122);
  });

  it('a straddling store into an unmapped page faults on that page and writes nothing', async () => {
    const m = await paged([...A.li(t0, DATA_VA + 0xffe), ...A.li(a1, -1), A.sw(a1, t0, 0), A.ecall()]);
    expect(m.machine.kernel.run(0, 100)).toBe(EXIT_TRAP);
    expect(m.machine.cause(0)).toBe(CAUSE.STORE_PAGE_FAULT);
    expect(m.machine.tval(0)).toBe(DATA_VA + 0x1001);
    expect(m.peek(DATA_VA + 0xffc)).toBe(0);
    expect(m.machine.pc(0)).toBe(CODE_VA + 16);
  });
});

describe('atomics', () => {
  const amoCases: [string, number, number, number, number][] = [
    ['amoswap', 0x01, 5, 9, 9], ['amoadd', 0x00, 5, 9, 14], ['amoxor', 0x04, 6, 3, 5], ['amoand', 0x0c, 6, 3, 2],
    ['amoor', 0x08, 6, 3, 7], ['amomin is signed', 0x10, 0xffff_ffff, 1, 0xffff_ffff], ['amomax is signed', 0x14, 0xffff_ffff, 1, 1],
    ['amominu is unsigned', 0x18, 0xffff_ffff, 1, 1], ['amomaxu is unsigned', 0x1c, 0xffff_ffff, 1, 0xffff_ffff],
  ];
  for (const [name, f5, old, src, want] of amoCases) {
    it(`${name} returns the old value and stores the result`, async () => {
      const m = await paged([...A.li(t0, DATA_VA + 8), ...A.li(a1, src), A.amo(f5, a0, t0, a1), A.ecall()]);
      m.poke(DATA_VA + 8, [old]);
      m.machine.kernel.run(0, 100);
      expect(m.machine.reg(0, a0)).toBe(old >>> 0);
      expect(m.peek(DATA_VA + 8)).toBe(want >>> 0);
    });
  }

  it('sc succeeds after lr and fails without a reservation', async () => {
    const m = await paged([
      ...A.li(t0, DATA_VA), A.addi(a1, 0, 7),
      A.amo(0x02, a0, t0, 0), A.amo(0x03, a2, t0, a1), // lr; sc -> 0
      A.amo(0x03, a3, t0, 0), // sc without reservation -> 1
      A.ecall(),
    ]);
    m.poke(DATA_VA, [3]);
    m.machine.kernel.run(0, 100);
    expect([a0, a2, a3].map((r) => m.machine.reg(0, r))).toEqual([3, 0, 1]);
    expect(m.peek(DATA_VA)).toBe(7);
  });

  it('a misaligned AMO traps as a store/AMO misaligned access', async () => {
    const m = await paged([...A.li(t0, DATA_VA + 2), A.amo(0x00, a0, t0, 0), A.ecall()]);
    expect(m.machine.kernel.run(0, 100)).toBe(EXIT_TRAP);
    expect(m.machine.cause(0)).toBe(CAUSE.STORE_MISALIGNED);
    expect(m.machine.tval(0)).toBe(DATA_VA + 2);
  });
});

describe('system instructions', () => {
  it('reads instret, cycle and time counters; writing them is illegal', async () => {
    const m = await paged([A.addi(0, 0, 0), A.addi(0, 0, 0), A.csrrs(a0, 0xc02, 0), A.csrrs(a1, 0xc00, 0), A.csrrs(a2, 0xc82, 0), A.csrrw(a3, 0xc00, a0)]);
    expect(m.machine.kernel.run(0, 100)).toBe(EXIT_TRAP);
    expect(m.machine.reg(0, a0)).toBe(2);
    expect(m.machine.reg(0, a1)).toBe(3);
    expect(m.machine.reg(0, a2)).toBe(0);
    expect(m.machine.cause(0)).toBe(CAUSE.ILLEGAL);
    expect(m.machine.tval(0)).toBe(A.csrrw(a3, 0xc00, a0));
    expect(m.machine.stats(0).instructions).toBe(5n);
  });

  it('ecall and ebreak trap without retiring; an unknown opcode is illegal with its bits in tval', async () => {
    const m = await paged([A.ebreak(), 0xffff_ffff]);
    m.machine.kernel.run(0, 100);
    expect(m.machine.cause(0)).toBe(CAUSE.BREAKPOINT);
    expect(m.machine.stats(0).instructions).toBe(0n);
    m.machine.setPc(0, CODE_VA + 4);
    m.machine.kernel.run(0, 100);
    expect(m.machine.cause(0)).toBe(CAUSE.ILLEGAL);
    expect(m.machine.tval(0)).toBe(0xffff_ffff);
  });

  it('code written at run time runs after fence.i', async () => {
    // Store "addi a0, x0, 42; ecall" at CODE_VA + 0x100 of a RWX page, fence.i, jump there.
    const m = await paged([
      ...A.li(t0, CODE_VA + 0x100), ...A.li(a1, A.addi(a0, 0, 42)), A.sw(a1, t0, 0), ...A.li(a1, A.ecall()), A.sw(a1, t0, 4),
      A.fence_i(), A.jalr(0, t0, 0),
    ]);
    const k = m.machine.kernel;
    const pa = k.vmUnmap(m.root, CODE_VA, 0) >>> 0;
    k.tlbFlush(0, CODE_VA, 0, 1, 0);
    expect(k.vmMap(m.root, CODE_VA, pa, PTE.U | PTE.R | PTE.W | PTE.X)).toBe(0);
    k.run(0, 100);
    expect(m.machine.cause(0)).toBe(CAUSE.ECALL_U);
    expect(m.machine.reg(0, a0)).toBe(42);
  });
});
