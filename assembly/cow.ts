// Copy-on-write: how a fork shares a process's private pages, and how a store to a shared one is served.
// vmFork copies the page tables (never shares them): each leaf of the parent appears in the child with the
// same frame, one more reference on that frame (frames.ts); a writable private page loses W and gains the
// software bit PTE_COW in both, a MAP_SHARED page (PTE_SHARED) is mapped as it is, read-only and parked
// (PROT_NONE) pages are copied as they are. cowBreak serves a store to a PTE_COW page: a frame no one else
// holds any more is taken over (W back on, no TLB change needed: there was no writable entry), else the
// page is copied into a fresh frame, the PTE switched to it, and the old translation flushed from this
// hart and shot down on the others (other threads of the process, or its earlier harts, may hold it).
// Both run under the PROC lock, which every change to a process's page tables takes; cowBreak may shoot
// down while holding it (klock.ts: spinning harts serve shootdowns).
import { RAM_BASE } from './layout';
import { MACHINE_BASE, M_HARTS, KS, KS_COW_COPIES, KS_COW_REUSES, LOCK_PROC } from './blocks';
import { PAGE_BYTES } from './limits';
import { klock, kunlock } from './klock';
import { frameAlloc, frameFree, frameRetain, frameRefs, FRAME_NONE } from './frames';
import { vmLeafSlot } from './vm';
import { tlbFlush } from './tlb';
import { shootdownOthers } from './shootdown';
import { satpAsid, PTE_V, PTE_W, PTE_U, PTE_A, PTE_D, PTE_R, PTE_X } from './mmu';
import { PTE_COW, PTE_SHARED } from './abi';
export { PTE_COW, PTE_SHARED };

export const COW_NONE: u32 = 0; // not a copy-on-write page: the fault is someone else's
export const COW_DONE: u32 = 1; // the page is writable now
export const COW_NO_MEMORY: u32 = 2; // no frame for the copy

const L1_ENTRIES: u32 = 1024;

/**
 * Copy the page tables of parentRoot into the empty root childRoot, sharing every frame (see above).
 * Returns true when a parent PTE lost W (the caller flushes the parent's ASID everywhere before the parent
 * goes on), in the low bit, and bit 1 set when a level-0 table could not be allocated (the child is
 * incomplete: the caller destroys it). Under the PROC lock.
 */
export function vmFork(parentRoot: u32, childRoot: u32): u32 {
  let lostW: u32 = 0;
  for (let i: u32 = 0; i < L1_ENTRIES; i++) {
    const l1 = load<u32>(RAM_BASE + parentRoot + (i << 2));
    if ((l1 & PTE_V) == 0) continue;
    if ((l1 & (PTE_R | PTE_X)) != 0) continue; // a superpage (tests only) is nobody's frame: not inherited
    const ptable = (l1 >>> 10) << 12;
    const ctable = frameAlloc();
    if (ctable == FRAME_NONE) return lostW | 2;
    store<u32>(RAM_BASE + childRoot + (i << 2), ((ctable >>> 12) << 10) | PTE_V);
    for (let j: u32 = 0; j < 1024; j++) {
      const pa = RAM_BASE + ptable + (j << 2);
      const pte = atomic.load<u32>(pa);
      if (pte == 0) continue;
      let cpte = pte;
      if ((pte & PTE_V) != 0 && (pte & PTE_SHARED) == 0 && (pte & PTE_W) != 0) {
        // Two atomic steps keep the A/D bits a walk may be setting; a store in between faults and waits
        // for the PROC lock, then finds PTE_COW.
        atomic.and<u32>(pa, ~PTE_W);
        atomic.or<u32>(pa, PTE_COW);
        cpte = (atomic.load<u32>(pa) & ~(PTE_A | PTE_D)) | PTE_A;
        lostW = 1;
      }
      frameRetain((pte >>> 10) << 12);
      store<u32>(RAM_BASE + ctable + (j << 2), cpte);
    }
  }
  return lostW;
}

/**
 * Make the page at va writable in the address space of satp if it is a copy-on-write page. hart: the hart
 * serving the access (its TLB is flushed directly), or one beyond the configured harts for the host's own
 * copies. locked: the caller holds the PROC lock already.
 */
export function cowBreak(satp: u32, va: u32, hart: u32, locked: bool): u32 {
  const root = (satp & 0x3F_FFFF) << 12;
  const page = va & ~(PAGE_BYTES - 1);
  if (!locked) klock(LOCK_PROC);
  const slot = vmLeafSlot(root, page);
  let r = COW_NONE;
  let copied = false;
  if (slot != FRAME_NONE) {
    const a = RAM_BASE + slot;
    const pte = atomic.load<u32>(a);
    if ((pte & (PTE_V | PTE_U | PTE_COW | PTE_SHARED)) == (PTE_V | PTE_U | PTE_COW)) { // not a host-kept page (both bits)
      const pa = (pte >>> 10) << 12;
      const keep = (pte & 0x3FF & ~PTE_COW) | PTE_W | PTE_A | PTE_D;
      if (frameRefs(pa) <= 1) {
        atomic.store<u32>(a, (pte & ~0x3FF) | keep);
        store<u32>(KS + KS_COW_REUSES, load<u32>(KS + KS_COW_REUSES) + 1);
        r = COW_DONE;
      } else {
        const copy = frameAlloc();
        if (copy == FRAME_NONE) r = COW_NO_MEMORY;
        else {
          memory.copy(RAM_BASE + copy, RAM_BASE + pa, PAGE_BYTES);
          atomic.store<u32>(a, ((copy >>> 12) << 10) | keep);
          frameFree(pa); // others hold it: only our reference goes
          store<u32>(KS + KS_COW_COPIES, load<u32>(KS + KS_COW_COPIES) + 1);
          copied = true;
          r = COW_DONE;
        }
      }
    }
  }
  if (copied) {
    if (hart < load<u32>(MACHINE_BASE + M_HARTS)) tlbFlush(hart, page, satpAsid(satp), true, true);
    shootdownOthers(hart);
  }
  if (!locked) kunlock(LOCK_PROC);
  return r;
}
