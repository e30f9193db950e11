// Address spaces: the kernel builds Sv32 page tables in guest physical RAM (root and level-0 tables are
// frames from frames.ts). Callers of vmMap and vmUnmap flush TLBs after changing a mapping (tlbFlush);
// vmShrink, which takes pages away from a running process, flushes and shoots down itself. A leaf PTE that
// is not zero holds its frame (one reference, frames.ts), even with V clear: a PROT_NONE page keeps its
// frame in a PTE with V = 0 (a "parked" page, mmap.ts), which the walk treats as absent.
import { hartBase, H_BATCH, LOCK_PROC, MACHINE_BASE, M_HARTS } from './blocks';
import { RAM_BASE } from './layout';
import { PAGE_BYTES, BATCH_PAGES } from './limits';
import { klock, kunlock } from './klock';
import { frameAlloc, frameFree, FRAME_NONE } from './frames';
import { PTE_V, PTE_R, PTE_W, PTE_X } from './mmu';
import { tlbFlush } from './tlb';
import { shootdownOthers } from './shootdown';

export const VM_OK: i32 = 0;
export const VM_NO_MEMORY: i32 = -1;
export const VM_EXISTS: i32 = -2;
export const VM_BAD_ARGUMENT: i32 = -3;

const LEAF_FLAGS: u32 = 0x3FE; // R W X U G A D and the two software bits (V is added)
/** Level-1 entries of a root table: every one may point to a level-0 table of the process's own. */
const L1_ENTRIES: u32 = 1024;

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

/**
 * The physical address of va's level-0 PTE slot, whatever it holds (0, a mapping, a parked page), or
 * FRAME_NONE when no level-0 table covers va (or a superpage does).
 */
export function vmLeafSlot(root: u32, va: u32): u32 {
  const l1 = load<u32>(RAM_BASE + root + ((va >>> 22) << 2));
  if ((l1 & PTE_V) == 0 || (l1 & (PTE_R | PTE_X)) != 0) return FRAME_NONE;
  return ((l1 >>> 10) << 12) + (((va >>> 12) & 0x3FF) << 2);
}

/**
 * As vmLeafSlot, allocating the level-0 table when none covers va: FRAME_NONE only when a superpage covers
 * va or no frame is left for the table. Under the PROC lock.
 */
export function vmLeafSlotMake(root: u32, va: u32): u32 {
  const l1 = pteHost(root, va >>> 22);
  let pte = load<u32>(l1);
  if ((pte & PTE_V) == 0) {
    const table = frameAlloc();
    if (table == FRAME_NONE) return FRAME_NONE;
    pte = ((table >>> 12) << 10) | PTE_V;
    atomic.store<u32>(l1, pte);
  } else if ((pte & (PTE_R | PTE_X)) != 0) {
    return FRAME_NONE;
  }
  return ((pte >>> 10) << 12) + (((va >>> 12) & 0x3FF) << 2);
}

/** True when a parked page (a PROT_NONE page's frame, kept in a PTE with V clear) is at va. */
export function vmParked(root: u32, va: u32): bool {
  const slot = vmLeafSlot(root, va);
  if (slot == FRAME_NONE) return false;
  const pte = load<u32>(RAM_BASE + slot);
  return pte != 0 && (pte & PTE_V) == 0;
}

/** Remove a 4 KiB mapping (or parked page); returns the physical page it held, or FRAME_NONE. Optionally frees it. */
export function vmUnmap(root: u32, va: u32, free: bool): u32 {
  const a = vmLeafSlot(root, va);
  if (a == FRAME_NONE) return FRAME_NONE; // absent, or a superpage
  const pte = load<u32>(RAM_BASE + a);
  if (pte == 0) return FRAME_NONE;
  atomic.store<u32>(RAM_BASE + a, 0);
  const pa = (pte >>> 10) << 12;
  if (free) frameFree(pa);
  return pa;
}

/**
 * Map a fresh zeroed frame at page (demand paging) unless something maps it already: VM_OK, VM_EXISTS, or
 * VM_NO_MEMORY when no frame (for the page or its table) is left.
 */
export function vmMapZero(root: u32, page: u32, flags: u32): i32 {
  if (vmPteAddress(root, page) != FRAME_NONE) return VM_EXISTS;
  const pa = frameAlloc();
  if (pa == FRAME_NONE) return VM_NO_MEMORY;
  if (vmMap(root, page, pa, flags) != VM_OK) {
    frameFree(pa);
    return VM_NO_MEMORY;
  }
  return VM_OK;
}

/**
 * Unmap the pages of [from, to) (page-aligned) from the address space of root, tagged asid, and free their
 * frames, in batches of BATCH_PAGES: clear the PTEs under the PROC lock, flush this hart, shoot down the
 * others, and only then free the frames (no hart can still reach them). Takes the PROC lock itself.
 */
export function vmShrink(hart: u32, root: u32, asid: u32, from: u32, to: u32): void {
  // The host (on no hart) unmaps one page per shootdown, keeping the frame in a local.
  const own = hart < load<u32>(MACHINE_BASE + M_HARTS);
  const h = hartBase(own ? hart : 0);
  const batch: u32 = own ? BATCH_PAGES : 1;
  let va = from;
  while (va < to) {
    let n: u32 = 0;
    let single: u32 = 0;
    klock(LOCK_PROC);
    while (va < to && n < batch) {
      const pa = vmUnmap(root, va, false);
      if (pa != FRAME_NONE) {
        if (own) store<u32>(h + H_BATCH + n * 4, pa);
        else single = pa;
        n++;
      }
      va += PAGE_BYTES;
    }
    kunlock(LOCK_PROC);
    if (n == 0) continue;
    if (own) tlbFlush(hart, 0, asid, false, true);
    shootdownOthers(hart);
    for (let i: u32 = 0; i < n; i++) frameFree(own ? load<u32>(h + H_BATCH + i * 4) : single);
  }
}

/** Zero the bytes of [from, to) that lie in mapped pages (a regrown break reads as zero). */
export function vmZeroMapped(root: u32, from: u32, to: u32): void {
  let a = from;
  while (a < to) {
    const pageEnd = (a & ~(PAGE_BYTES - 1)) + PAGE_BYTES;
    const end = to < pageEnd ? to : pageEnd;
    const pteAddr = vmPteAddress(root, a & ~(PAGE_BYTES - 1));
    if (pteAddr != FRAME_NONE) {
      const pte = load<u32>(RAM_BASE + pteAddr);
      const host = RAM_BASE + ((pte >>> 10) << 12) + (a & (PAGE_BYTES - 1));
      memory.fill(host, 0, end - a);
    }
    a = end;
  }
}

/**
 * Drop every frame an address space holds: its pages (one reference each: a shared frame lives on), its
 * level-0 tables and the root. Returns how many frames went back to the free list. The caller makes sure
 * no hart can still use it (no thread runs it, TLBs flushed or its ASID never used again unflushed).
 */
export function vmDestroy(root: u32): u32 {
  let freed: u32 = 0;
  for (let i: u32 = 0; i < L1_ENTRIES; i++) {
    const a1 = RAM_BASE + root + (i << 2);
    const l1 = load<u32>(a1);
    if ((l1 & PTE_V) == 0) continue;
    store<u32>(a1, 0);
    if ((l1 & (PTE_R | PTE_X)) != 0) continue; // a superpage is not the process's own frame
    const table = (l1 >>> 10) << 12;
    for (let j: u32 = 0; j < 1024; j++) {
      const pte = load<u32>(RAM_BASE + table + (j << 2));
      if (pte != 0 && frameFree((pte >>> 10) << 12)) freed++;
    }
    if (frameFree(table)) freed++;
  }
  if (frameFree(root)) freed++;
  return freed;
}
