// Instruction fields and immediates of the RV32 base formats (R, I, S, B, U, J), as inline helpers the
// interpreter uses directly on the 32-bit instruction word. No decode cache: the word is re-read each time,
// which is what keeps code written at run time (then FENCE.I) correct for free.

export const OP_LOAD: u32 = 0x03;
export const OP_MISC_MEM: u32 = 0x0F;
export const OP_IMM: u32 = 0x13;
export const OP_AUIPC: u32 = 0x17;
export const OP_STORE: u32 = 0x23;
export const OP_AMO: u32 = 0x2F;
export const OP_OP: u32 = 0x33;
export const OP_LUI: u32 = 0x37;
export const OP_BRANCH: u32 = 0x63;
export const OP_JALR: u32 = 0x67;
export const OP_JAL: u32 = 0x6F;
export const OP_SYSTEM: u32 = 0x73;

// @ts-ignore: decorator
@inline export function rdOf(i: u32): u32 { return (i >>> 7) & 31; }
// @ts-ignore: decorator
@inline export function rs1Of(i: u32): u32 { return (i >>> 15) & 31; }
// @ts-ignore: decorator
@inline export function rs2Of(i: u32): u32 { return (i >>> 20) & 31; }
// @ts-ignore: decorator
@inline export function f3Of(i: u32): u32 { return (i >>> 12) & 7; }
// @ts-ignore: decorator
@inline export function f7Of(i: u32): u32 { return i >>> 25; }
// @ts-ignore: decorator
@inline export function immI(i: u32): u32 { return ((i as i32) >> 20) as u32; }
// @ts-ignore: decorator
@inline export function immS(i: u32): u32 { return ((((i as i32) >> 25) << 5) as u32) | ((i >>> 7) & 31); }
// @ts-ignore: decorator
@inline export function immB(i: u32): u32 {
  return ((((i as i32) >> 31) << 12) as u32) | ((i << 4) & 0x800) | ((i >>> 20) & 0x7E0) | ((i >>> 7) & 0x1E);
}
// @ts-ignore: decorator
@inline export function immJ(i: u32): u32 {
  return ((((i as i32) >> 31) << 20) as u32) | (i & 0xF_F000) | ((i >>> 9) & 0x800) | ((i >>> 20) & 0x7FE);
}
