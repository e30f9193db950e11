// Address spaces: the kernel builds Sv32 page tables in guest physical RAM (root and level-0 tables are
// frames from frames.ts). Callers flush TLBs after changing a mapping (tlbFlush); the next step adds
// shootdowns to other harts here.
import { RAM_BASE } from './layout';
import { frameAlloc, frameFree, FRAME_NONE } from './frames';
import { PTE_V, PTE_R, PTE_W, PTE_X, walk, WALK_FAILED } from './mmu';

export const VM_OK: i32 = 0;
export const VM_NO_MEMORY: i32 = -1;
export const VM_EXISTS: i32 = -2;
export const VM_BAD_ARGUMENT: i32 = -3;

const LEAF_FLAGS: u32 = 0xFE; // R W X U G A D (V is added)

/** A fresh, empty root table; its physical address, or FRAME_NONE. */
export function vmCreate(): u32 {
  return frameAlloc();
}

// @ts-ignore: decorator
@inline function pteHost(table: u32, index: u32): u32 {
  return RAM_BASE + table + (index << 2);
}

/** Map one 4 KiB page va -> pa with the given R/W/X/U/G/A/D flags, allocating the level-0 table. */
export function vmMap(root: u32, va: u32, pa: u32, flags: u32): i32 {
  if ((va & 0xFFF) != 0 || (pa & 0xFFF) != 0 || (flags & (PTE_R | PTE_W | PTE_X)) == 0) return VM_BAD_ARGUMENT;
  if ((flags & (PTE_R | PTE_W)) == PTE_W) return VM_BAD_ARGUMENT;
  const l1 = pteHost(root, va >>> 22);
  let pte = load<u32>(l1);
  if ((pte & PTE_V) == 0) {
    const table = frameAlloc();
    if (table == FRAME_NONE) return VM_NO_MEMORY;
    pte = ((table >>> 12) << 10) | PTE_V;
    atomic.store<u32>(l1, pte);
  } else if ((pte & (PTE_R | PTE_X)) != 0) {
    return VM_EXISTS; // a superpage covers va
  }
  const l0 = pteHost((pte >>> 10) << 12, (va >>> 12) & 0x3FF);
  if ((load<u32>(l0) & PTE_V) != 0) return VM_EXISTS;
  atomic.store<u32>(l0, ((pa >>> 12) << 10) | (flags & LEAF_FLAGS) | PTE_V);
  return VM_OK;
}

/**
 * Map a 4 MiB superpage. pa need not be 4 MiB aligned: a misaligned superpage is written as asked (tests
 * use it) and the walk faults on it, as the spec requires.
 */
export function vmMapSuper(root: u32, va: u32, pa: u32, flags: u32): i32 {
  if ((va & 0x3F_FFFF) != 0 || (pa & 0xFFF) != 0 || (flags & (PTE_R | PTE_W | PTE_X)) == 0) return VM_BAD_ARGUMENT;
  const l1 = pteHost(root, va >>> 22);
  if ((load<u32>(l1) & PTE_V) != 0) return VM_EXISTS;
  atomic.store<u32>(l1, ((pa >>> 12) << 10) | (flags & LEAF_FLAGS) | PTE_V);
  return VM_OK;
}

/** The physical address of va's leaf PTE, or FRAME_NONE when no leaf maps va. */
export function vmPteAddress(root: u32, va: u32): u32 {
  const l1a = root + ((va >>> 22) << 2);
  const l1 = load<u32>(RAM_BASE + l1a);
  if ((l1 & PTE_V) == 0) return FRAME_NONE;
  if ((l1 & (PTE_R | PTE_X)) != 0) return l1a;
  const l0a = ((l1 >>> 10) << 12) + (((va >>> 12) & 0x3FF) << 2);
  if ((load<u32>(RAM_BASE + l0a) & PTE_V) == 0) return FRAME_NONE;
  return l0a;
}

/** Remove a 4 KiB mapping; returns the physical page it mapped, or FRAME_NONE. Optionally frees it. */
export function vmUnmap(root: u32, va: u32, free: bool): u32 {
  const a = vmPteAddress(root, va);
  if (a == FRAME_NONE || a < root + 4096 && a >= root) return FRAME_NONE; // absent, or a superpage
  const pte = load<u32>(RAM_BASE + a);
  atomic.store<u32>(RAM_BASE + a, 0);
  const pa = (pte >>> 10) << 12;
  if (free) frameFree(pa);
  return pa;
}

/**
 * Translate a user address on the kernel's behalf (system call arguments), with the user's permissions and
 * A/D updates: the host address, or 0 when the access would fault.
 */
export function vmTranslate(satp: u32, va: u32, access: u32): u32 {
  const r = walk(satp, va, access);
  if ((r & WALK_FAILED) != 0) return 0;
  return RAM_BASE + (r as u32);
}
