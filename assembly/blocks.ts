// The kernel control blocks inside [KERNEL_BASE, SCRATCH_BASE): the node header, one block per hart and
// one TLB per hart. All hart state lives here, never in module globals, so one kernel instance can step any
// hart and several instances (one per worker thread) can share the memory. Mirrored in src/node/layout.ts.
import { KERNEL_BASE } from './layout';
import { HARTS_MAX, TLB_ENTRIES_MAX } from './limits';

// ---- node header ----------------------------------------------------------------------------------
export const NODE_BASE: u32 = KERNEL_BASE;
export const NODE_MAGIC: u32 = 0x4C4C4F54; // "TOLL"
export const N_MAGIC: u32 = 0; // u32
export const N_RAM_BYTES: u32 = 4; // u32: guest physical RAM size
export const N_HARTS: u32 = 8; // u32: harts initialised
export const N_FRAME_NEXT: u32 = 12; // u32: bump pointer (physical) of the frame allocator
export const N_FRAME_FREE: u32 = 16; // u32: head of the free-frame list (physical + 1; 0 = empty)
export const N_FRAMES_USED: u32 = 20; // u32: frames handed out and not freed

// ---- per-hart block -------------------------------------------------------------------------------
export const HARTS_BASE: u32 = KERNEL_BASE + 0x1000;
export const HART_BYTES: u32 = 0x400;
export const H_REGS: u32 = 0; // 32 x u32 (x0 kept zero)
export const H_PC: u32 = 128; // u32
export const H_SATP: u32 = 132; // u32: Sv32 satp (MODE bit 31, ASID bits 30..22, PPN bits 21..0)
export const H_CAUSE: u32 = 136; // u32: cause of the last trap (RISC-V scause encoding)
export const H_TVAL: u32 = 140; // u32: faulting address or instruction bits
export const H_RESV_ADDR: u32 = 144; // u32: host address of the LR reservation
export const H_RESV_VALID: u32 = 148; // u32: 1 when a reservation is held
export const H_RESV_VALUE: u32 = 152; // u32: the value LR read
export const H_TICK_INSNS: u32 = 156; // u32: instructions per mtime tick (clock rate / timebase)
export const H_INSTRET: u32 = 160; // u64: instructions retired
export const H_MTIME: u32 = 168; // u64: timer ticks
export const H_MTIMECMP: u32 = 176; // u64: the timer fires when mtime >= mtimecmp (all ones: disarmed)
export const H_SUBTICK: u32 = 184; // u32: instructions retired into the current tick
export const H_TLB_SETS: u32 = 188; // u32
export const H_TLB_WAYS: u32 = 192; // u32
export const H_TLB_HITS: u32 = 200; // u64
export const H_TLB_MISSES: u32 = 208; // u64
export const H_TLB_WALKS: u32 = 216; // u64
export const H_TLB_FLUSHES: u32 = 224; // u64
export const H_PAGE_FAULTS: u32 = 232; // u64
export const H_TIMER_IRQS: u32 = 240; // u64
export const H_QUANTUM: u32 = 248; // u32: ticks between timer interrupts the dispatcher arms (0: none)

// ---- per-hart TLB ---------------------------------------------------------------------------------
// Three tables (read, write, fetch), each way-major: way w of set s is at table + (w * sets + s) * 16.
export const TLB_BASE: u32 = KERNEL_BASE + 0x10_0000;
export const TLB_ENTRY_BYTES: u32 = 16;
export const TLB_TABLE_BYTES: u32 = TLB_ENTRIES_MAX * TLB_ENTRY_BYTES;
export const TLB_HART_BYTES: u32 = 4 * TLB_TABLE_BYTES;
export const E_TAG: u32 = 0; // u32: page | alignment bits (0) | asid << 3; TLB_TAG_INVALID when empty
export const E_ADDEND: u32 = 4; // u32: host offset of the page minus its virtual address
export const E_FLAGS: u32 = 8; // u32: TLBF_*
export const TLBF_GLOBAL: u32 = 1;
export const TLBF_SUPER: u32 = 2;
/** Bit 2 of a lookup key is never set (no access is 8 bytes), so this tag never matches. */
export const TLB_TAG_INVALID: u32 = 4;

export const KERNEL_BLOCKS_END: u32 = TLB_BASE + HARTS_MAX * TLB_HART_BYTES;

// @ts-ignore: decorator
@inline export function hartBase(hart: u32): u32 {
  return HARTS_BASE + hart * HART_BYTES;
}
// @ts-ignore: decorator
@inline export function tlbBase(hart: u32): u32 {
  return TLB_BASE + hart * TLB_HART_BYTES;
}
