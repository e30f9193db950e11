// A tiny RV32IMA encoder for tests: builds instruction words from mnemonics' fields, so a test program is
// an array of numbers. Register numbers are plain integers (x0..x31); a0 = 10, a7 = 17, sp = 2.
const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (imm: number, rs2: number, rs1: number, f3: number, op: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | op) >>> 0;
const b = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;

export const A = {
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  auipc: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0,
  jal: (rd: number, off: number) =>
    ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0,
  jalr: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x67),
  beq: (a: number, c: number, off: number) => b(off, c, a, 0),
  bne: (a: number, c: number, off: number) => b(off, c, a, 1),
  blt: (a: number, c: number, off: number) => b(off, c, a, 4),
  bge: (a: number, c: number, off: number) => b(off, c, a, 5),
  bltu: (a: number, c: number, off: number) => b(off, c, a, 6),
  bgeu: (a: number, c: number, off: number) => b(off, c, a, 7),
  lb: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x03),
  lh: (rd: number, rs1: number, imm: number) => i(imm, rs1, 1, rd, 0x03),
  lw: (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x03),
  lbu: (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x03),
  lhu: (rd: number, rs1: number, imm: number) => i(imm, rs1, 5, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 0, 0x23),
  sh: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 1, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 2, 0x23),
  addi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x13),
  slti: (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x13),
  sltiu: (rd: number, rs1: number, imm: number) => i(imm, rs1, 3, rd, 0x13),
  xori: (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x13),
  ori: (rd: number, rs1: number, imm: number) => i(imm, rs1, 6, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => i(sh, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => i(sh, rs1, 5, rd, 0x13),
  srai: (rd: number, rs1: number, sh: number) => i(0x400 | sh, rs1, 5, rd, 0x13),
  add: (rd: number, a: number, c: number) => r(0, c, a, 0, rd, 0x33),
  sub: (rd: number, a: number, c: number) => r(0x20, c, a, 0, rd, 0x33),
  sll: (rd: number, a: number, c: number) => r(0, c, a, 1, rd, 0x33),
  slt: (rd: number, a: number, c: number) => r(0, c, a, 2, rd, 0x33),
  sltu: (rd: number, a: number, c: number) => r(0, c, a, 3, rd, 0x33),
  xor: (rd: number, a: number, c: number) => r(0, c, a, 4, rd, 0x33),
  srl: (rd: number, a: number, c: number) => r(0, c, a, 5, rd, 0x33),
  sra: (rd: number, a: number, c: number) => r(0x20, c, a, 5, rd, 0x33),
  or: (rd: number, a: number, c: number) => r(0, c, a, 6, rd, 0x33),
  and: (rd: number, a: number, c: number) => r(0, c, a, 7, rd, 0x33),
  mul: (rd: number, a: number, c: number) => r(1, c, a, 0, rd, 0x33),
  mulh: (rd: number, a: number, c: number) => r(1, c, a, 1, rd, 0x33),
  mulhsu: (rd: number, a: number, c: number) => r(1, c, a, 2, rd, 0x33),
  mulhu: (rd: number, a: number, c: number) => r(1, c, a, 3, rd, 0x33),
  div: (rd: number, a: number, c: number) => r(1, c, a, 4, rd, 0x33),
  divu: (rd: number, a: number, c: number) => r(1, c, a, 5, rd, 0x33),
  rem: (rd: number, a: number, c: number) => r(1, c, a, 6, rd, 0x33),
  remu: (rd: number, a: number, c: number) => r(1, c, a, 7, rd, 0x33),
  /** AMO with funct5 (0x00 add, 0x01 swap, 0x02 lr, 0x03 sc, 0x04 xor, 0x08 or, 0x0c and, 0x10 min, 0x14 max, 0x18 minu, 0x1c maxu). */
  amo: (f5: number, rd: number, addr: number, src: number) => r(f5 << 2, src, addr, 2, rd, 0x2f),
  fence: () => 0x0ff0000f,
  fence_i: () => 0x0000100f,
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
  csrrs: (rd: number, csr: number, rs1: number) => i(csr, rs1, 2, rd, 0x73),
  csrrw: (rd: number, csr: number, rs1: number) => i(csr, rs1, 1, rd, 0x73),
  /** Load a 32-bit constant in two instructions (lui + addi). */
  li: (rd: number, v: number): number[] => {
    const lo = (v << 20) >> 20;
    const hi = ((v - lo) >>> 12) & 0xfffff;
    return [A.lui(rd, hi), A.addi(rd, rd, lo)];
  },
};
