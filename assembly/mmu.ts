// The Sv32 page-table walk, exactly as the RISC-V privileged spec describes it: two levels, V/R/W/X/U/G/A/D,
// 4 MiB superpages (a misaligned superpage is a page fault), A and D set by the walk with a compare-and-swap
// on the PTE (so concurrent harts never lose a bit). Page tables are real data in guest physical RAM.
// Harts run in user mode only, so every leaf must have U set.
import { RAM_BASE } from './layout';
import { MACHINE_BASE, M_RAM_BYTES } from './blocks';
import { WALK_RETRIES_MAX } from './limits';
import { ACC_WRITE, ACC_FETCH } from './trap';

// The PTE bits and satp's MODE bit are shared with the host (abi/defs.mjs).
import { PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D, SATP_MODE_SV32 } from './abi';
export { PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D, SATP_MODE_SV32 };

// A walk result: bits 0..31 the physical address, 32..39 the leaf's PTE flags, bit 40 superpage, and on
// failure bit 62 (page fault) or bit 63 (access fault).
export const WALK_SUPER: u64 = 1 << 40;
export const WALK_PAGE_FAULT: u64 = 1 << 62;
export const WALK_ACCESS_FAULT: u64 = 1 << 63;
export const WALK_FAILED: u64 = WALK_PAGE_FAULT | WALK_ACCESS_FAULT;
// A/D updates race with other harts' walks; a walk restarts at most WALK_RETRIES_MAX times (limits.ts).

export function satpAsid(satp: u32): u32 {
  return (satp >>> 22) & 0x1FF;
}

/** Translate va for a user-mode access; see the result encoding above. Updates A (and D on writes). */
export function walk(satp: u32, va: u32, access: u32): u64 {
  const ram = load<u32>(MACHINE_BASE + M_RAM_BYTES) as u64;
  if ((satp & SATP_MODE_SV32) == 0) {
    // Bare mode: physical = virtual, everything permitted inside RAM.
    if ((va as u64) >= ram) return WALK_ACCESS_FAULT;
    return (va as u64) | (((PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D) as u64) << 32);
  }
  for (let attempt: u32 = 0; attempt < WALK_RETRIES_MAX; attempt++) {
    let table = ((satp & 0x3F_FFFF) as u64) << 12;
    let level: i32 = 1;
    let pte: u32 = 0;
    let pteAddr: u64 = 0;
    while (true) {
      const vpn = level == 1 ? va >>> 22 : (va >>> 12) & 0x3FF;
      pteAddr = table + ((vpn << 2) as u64);
      if (pteAddr + 4 > ram) return WALK_ACCESS_FAULT;
      pte = atomic.load<u32>(RAM_BASE + (pteAddr as u32));
      if ((pte & PTE_V) == 0 || ((pte & PTE_R) == 0 && (pte & PTE_W) != 0)) return WALK_PAGE_FAULT;
      if ((pte & (PTE_R | PTE_X)) != 0) break;
      if (level == 0) return WALK_PAGE_FAULT;
      table = ((pte >>> 10) as u64) << 12;
      level = 0;
    }
    if ((pte & PTE_U) == 0) return WALK_PAGE_FAULT;
    const need = access == ACC_WRITE ? PTE_W : access == ACC_FETCH ? PTE_X : PTE_R;
    if ((pte & need) == 0) return WALK_PAGE_FAULT;
    const ppn = pte >>> 10;
    if (level == 1 && (ppn & 0x3FF) != 0) return WALK_PAGE_FAULT; // misaligned superpage
    const ad = access == ACC_WRITE ? PTE_A | PTE_D : PTE_A;
    if ((pte & ad) != ad) {
      const seen = atomic.cmpxchg<u32>(RAM_BASE + (pteAddr as u32), pte, pte | ad);
      if (seen != pte) continue; // the PTE changed under us: walk again
      pte |= ad;
    }
    let pa: u64;
    if (level == 1) pa = (((ppn >>> 10) as u64) << 22) | ((va & 0x3F_FFFF) as u64);
    else pa = ((ppn as u64) << 12) | ((va & 0xFFF) as u64);
    if (pa >= ram) return WALK_ACCESS_FAULT;
    let result = pa | (((pte & 0xFF) as u64) << 32);
    if (level == 1) result |= WALK_SUPER;
    return result;
  }
  return WALK_PAGE_FAULT;
}
