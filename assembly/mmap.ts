// mmap2, munmap and mprotect for anonymous memory, and the host's entry points for file-backed private
// mappings. A private mapping is demand-zero: pages appear at their first touch (dispatch.ts asks
// vmaFault) and are copy-on-write after a fork; a shared one (MAP_SHARED | MAP_ANONYMOUS) gets its frames at
// once, marked PTE_SHARED, so a fork shares them as they are. Protections: PROT_READ, PROT_WRITE, PROT_EXEC
// (PTE X only with PROT_EXEC); any of them makes the page readable (as on the x86 hosts qemu-user runs on:
// a write-only or exec-only page reads); PROT_NONE parks a present page's frame in a PTE with V clear.
// Placement: MAP_FIXED where asked (replacing what was there), else the hint when it is free, else the
// highest gap below the stack region (USER_END - stack size - MMAP_GAP) and above the program break;
// brk never grows into a mapping (syscall.ts). Limits: VMAS_MAX areas per process (ENOMEM beyond), user
// space ends at LOAD_END. File mappings go to the host (SYS_HOST), which uses mmapPrivate and mmapFrame.
import { RAM_BASE, USER_BASE, LOAD_END, USER_END } from './layout';
import { LOCK_PROC, P_ROOT, P_ASID, P_BRK, P_BRK_START, P_STACK_LOW } from './blocks';
import { PAGE_BYTES } from './limits';
import {
  EINVAL, ENOMEM, EBADF, PROT_READ, PROT_WRITE, PROT_EXEC, MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_TYPE,
  MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MMAP_GAP, PTE_SHARED, PTE_COW, PTE_HOST, ACC_WRITE, ACC_FETCH,
} from './abi';
import { klock, kunlock, klockHart } from './klock';
import { frameAlloc, frameFree, frameRefs, FRAME_NONE } from './frames';
import { vmMap, vmLeafSlot, vmShrink, VM_OK } from './vm';
import { tlbFlush } from './tlb';
import { shootdownOthers } from './shootdown';
import { PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D } from './mmu';
import { procBase } from './proc';
import { vmaFind, vmaAt, vmaCut, vmaInsert, vmaGap, vmaOverlaps, VMA_NONE } from './vma';
import { V_PROT, V_FLAGS } from './blocks';
import { MACHINE_BASE, M_HARTS } from './blocks';

export const MMAP_HOST: u32 = 0xFFFF_FFFF; // mmap2 of a file: the host serves it

const PROT_ALL: u32 = PROT_READ | PROT_WRITE | PROT_EXEC;
const E: u32 = 0; // for clarity: results are addresses or -errno

function pageUp(a: u32): u32 { return (a + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1); }

/** The leaf PTE flags of a page with prot (never 0 for a present page: PROT_NONE is parked). */
function leafFlags(prot: u32, shared: bool): u32 {
  let f = PTE_U | PTE_A | PTE_R;
  if ((prot & PROT_WRITE) != 0) f |= PTE_W | PTE_D;
  if ((prot & PROT_EXEC) != 0) f |= PTE_X;
  if (shared) f |= PTE_SHARED;
  return f;
}

/** Drop the pages of [from, to) of process p (shot down, then freed). No kernel lock held. */
function unmapPages(p: u32, from: u32, to: u32): void {
  const b = procBase(p);
  vmShrink(klockHart(), load<u32>(b + P_ROOT), load<u32>(b + P_ASID), from, to);
}

/**
 * Reserve [addr, addr + len) (len page-aligned, not 0) for process p: the address chosen (see above) or
 * -errno. fixed: MAP_FIXED semantics (what was there goes). Populates every page for shared or populate.
 */
export function mmapArea(p: u32, addr: u32, len: u32, prot: u32, flags: u32, populate: bool): u32 {
  const b = procBase(p);
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
  const shared = (flags & MAP_TYPE) != MAP_PRIVATE;
  let start = addr;
  if (fixed) {
    if ((addr & (PAGE_BYTES - 1)) != 0) return -EINVAL;
    if (addr + len < addr || addr + len > LOAD_END || addr < USER_BASE) return -ENOMEM;
    if ((flags & MAP_FIXED) != 0) {
      klock(LOCK_PROC);
      const ok = vmaCut(p, addr, addr + len);
      kunlock(LOCK_PROC);
      if (!ok) return -ENOMEM;
      unmapPages(p, addr, addr + len);
    }
  }
  klock(LOCK_PROC);
  if (fixed) {
    if (vmaOverlaps(p, start, start + len)) { kunlock(LOCK_PROC); return -17; } // EEXIST (MAP_FIXED_NOREPLACE)
  } else {
    const low = pageUp(load<u32>(b + P_BRK) > load<u32>(b + P_BRK_START) ? load<u32>(b + P_BRK) : load<u32>(b + P_BRK_START));
    const stackLow = load<u32>(b + P_STACK_LOW);
    const high = stackLow < USER_END && stackLow > MMAP_GAP ? stackLow - MMAP_GAP : LOAD_END;
    const hint = addr & ~(PAGE_BYTES - 1);
    if (hint >= low && hint + len > hint && hint + len <= high && !vmaOverlaps(p, hint, hint + len)) start = hint;
    else start = vmaGap(p, len, low, high);
    if (start == VMA_NONE) { kunlock(LOCK_PROC); return -ENOMEM; }
  }
  if (!vmaInsert(p, start, start + len, prot, flags & MAP_TYPE)) { kunlock(LOCK_PROC); return -ENOMEM; }
  let ok = true;
  if (shared || populate) {
    const root = load<u32>(b + P_ROOT);
    for (let va = start; va < start + len && ok; va += PAGE_BYTES) {
      const pa = frameAlloc();
      if (pa == FRAME_NONE) { ok = false; break; }
      let f = leafFlags(prot, shared);
      if ((prot & PROT_ALL) == 0) f &= ~PTE_R; // kept with V clear below
      if (vmMap(root, va, pa, (prot & PROT_ALL) == 0 ? PTE_R | PTE_U | (shared ? PTE_SHARED : 0) : f) != VM_OK) { frameFree(pa); ok = false; break; }
      if ((prot & PROT_ALL) == 0) {
        const slot = vmLeafSlot(root, va);
        atomic.store<u32>(RAM_BASE + slot, atomic.load<u32>(RAM_BASE + slot) & ~PTE_V);
      }
    }
  }
  if (!ok) vmaCut(p, start, start + len);
  kunlock(LOCK_PROC);
  if (!ok) {
    unmapPages(p, start, start + len);
    return -ENOMEM;
  }
  return start;
}

/**
 * mmap2(addr, len, prot, flags, fd, pgoff) of the current caller: the address, -errno, or MMAP_HOST for a
 * file mapping (fd >= 0 without MAP_ANONYMOUS).
 */
export function mmap2(p: u32, addr: u32, len: u32, prot: u32, flags: u32, fd: u32): u32 {
  if (len == 0) return -EINVAL;
  if ((prot & ~PROT_ALL) != 0) return -EINVAL;
  const type = flags & MAP_TYPE;
  if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return -EINVAL;
  const size = pageUp(len);
  if (size == 0) return -ENOMEM;
  if ((flags & MAP_ANONYMOUS) == 0) return <i32>fd < 0 ? -EBADF : MMAP_HOST;
  return mmapArea(p, addr, size, prot, flags, false);
}

/** munmap(addr, len): 0 or -errno. */
export function munmap(p: u32, addr: u32, len: u32): u32 {
  if ((addr & (PAGE_BYTES - 1)) != 0 || len == 0) return -EINVAL;
  const end = pageUp(addr + len);
  if (addr + len < addr || end > LOAD_END || end < addr) return -EINVAL;
  klock(LOCK_PROC);
  const ok = vmaCut(p, addr, end);
  kunlock(LOCK_PROC);
  if (!ok) return -ENOMEM;
  unmapPages(p, addr, end);
  return 0;
}

/** mprotect(addr, len, prot): 0 or -errno. The caller's hart flushes, the others are shot down. */
export function mprotect(p: u32, addr: u32, len: u32, prot: u32): u32 {
  if ((addr & (PAGE_BYTES - 1)) != 0) return -EINVAL;
  if ((prot & ~PROT_ALL) != 0) return -EINVAL;
  // As qemu-user 7.2 (the reference): an empty range is ENOMEM, and pages outside any mapping are not an
  // error (Linux: 0 and ENOMEM).
  const end = pageUp(addr + len);
  if (len == 0 || end <= addr || end > LOAD_END) return -ENOMEM;
  const b = procBase(p);
  klock(LOCK_PROC);
  // The VMAs of the range take the new protection (pieces outside any VMA keep none).
  let split = true;
  for (let va = addr; va < end && split;) {
    const i = vmaFind(p, va);
    if (i == VMA_NONE) { va += PAGE_BYTES; continue; }
    const v = vmaAt(p, i);
    const vend = load<u32>(v + 4);
    const flags = load<u32>(v + V_FLAGS);
    const to = vend < end ? vend : end;
    split = vmaCut(p, va, to) && vmaInsert(p, va, to, prot, flags);
    va = to;
  }
  if (!split) { kunlock(LOCK_PROC); return -ENOMEM; }
  const root = load<u32>(b + P_ROOT);
  for (let va = addr; va < end; va += PAGE_BYTES) {
    const slot = vmLeafSlot(root, va);
    if (slot == FRAME_NONE) continue;
    const a = RAM_BASE + slot;
    const pte = atomic.load<u32>(a);
    if (pte == 0 || (pte & PTE_HOST) == PTE_HOST) continue; // a host-kept page's permissions are the host's
    const shared = (pte & PTE_SHARED) != 0;
    let f = leafFlags(prot, shared) | PTE_V;
    if ((f & PTE_W) != 0 && !shared && frameRefs((pte >>> 10) << 12) > 1) f = (f & ~(PTE_W | PTE_D)) | PTE_COW;
    if ((prot & PROT_ALL) == 0) f &= ~PTE_V;
    atomic.store<u32>(a, (pte & ~0x3FF) | f);
  }
  kunlock(LOCK_PROC);
  const hart = klockHart();
  if (hart < load<u32>(MACHINE_BASE + M_HARTS)) tlbFlush(hart, 0, load<u32>(b + P_ASID), false, true);
  shootdownOthers(hart);
  return 0;
}

/** vmaFault's results. */
export const VMA_SERVED: u32 = 0; // mapped (or another thread mapped it meanwhile): retry the access
export const VMA_DENIED: u32 = 1; // the VMA's protection refuses the access: SIGSEGV
export const VMA_NO_MEMORY: u32 = 2; // no frame left
export const VMA_OUTSIDE: u32 = 3; // va is in no VMA (the heap or the stack may serve it)

/** A page fault at va inside a VMA of process p: map a zeroed page with the VMA's protection. VMA_*. */
export function vmaFault(p: u32, va: u32, access: u32): u32 {
  const b = procBase(p);
  const page = va & ~(PAGE_BYTES - 1);
  klock(LOCK_PROC);
  const i = vmaFind(p, va);
  if (i == VMA_NONE) { kunlock(LOCK_PROC); return VMA_OUTSIDE; }
  const v = vmaAt(p, i);
  const prot = load<u32>(v + V_PROT);
  const need = access == ACC_WRITE ? PROT_WRITE : access == ACC_FETCH ? PROT_EXEC : PROT_ALL;
  const root = load<u32>(b + P_ROOT);
  const slot = vmLeafSlot(root, page);
  let r = VMA_DENIED;
  if ((prot & need) != 0 && (slot == FRAME_NONE || load<u32>(RAM_BASE + slot) == 0)) {
    const pa = frameAlloc();
    if (pa == FRAME_NONE) r = VMA_NO_MEMORY;
    else if (vmMap(root, page, pa, leafFlags(prot, load<u32>(v + V_FLAGS) != MAP_PRIVATE)) != VM_OK) { frameFree(pa); r = VMA_NO_MEMORY; }
    else r = VMA_SERVED;
  } else if ((prot & need) != 0 && slot != FRAME_NONE && (load<u32>(RAM_BASE + slot) & PTE_V) != 0) {
    r = VMA_SERVED; // another thread mapped it meanwhile: retry
  }
  kunlock(LOCK_PROC);
  return r;
}

/**
 * For the host's file mappings: reserve and populate a private mapping of len bytes in process p (addr as
 * mmap's, with MAP_FIXED in flags to insist): the address, or -errno. The host then copies the file's
 * bytes into the frames (mmapFrame) by physical address.
 */
export function mmapPrivate(p: u32, addr: u32, len: u32, prot: u32, flags: u32): u32 {
  if (len == 0 || (prot & ~PROT_ALL) != 0) return -EINVAL;
  const size = pageUp(len);
  if (size == 0) return -ENOMEM;
  return mmapArea(p, addr, size, prot, (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) | MAP_PRIVATE, true);
}

/** The physical address of the frame behind va in process p (present or PROT_NONE), or FRAME_NONE. */
export function mmapFrame(p: u32, va: u32): u32 {
  const slot = vmLeafSlot(load<u32>(procBase(p) + P_ROOT), va & ~(PAGE_BYTES - 1));
  if (slot == FRAME_NONE) return FRAME_NONE;
  const pte = atomic.load<u32>(RAM_BASE + slot);
  return pte == 0 ? FRAME_NONE : (pte >>> 10) << 12;
}
