// The per-hart TLB: three set-associative tables (read, write, fetch) so a hit needs no permission check.
// An entry is a tag (page | asid << 3; the low bits stay zero so a misaligned access never hits) and an
// addend (host offset of the page minus its virtual address): a hit is shift, mask, compare, add.
// The hot loop probes way 0 only; everything else (other ways, walks, faults, fills) is tlbSlow, the one
// slow path. Global entries match any ASID; flushes follow SFENCE.VMA. Geometry: entries x ways, both
// powers of two, entries <= TLB_ENTRIES_MAX, ways <= TLB_WAYS_MAX.
import { RAM_BASE } from './layout';
import {
  hartBase, tlbBase, H_SATP, H_TLB_SETS, H_TLB_WAYS, H_TLB_HITS, H_TLB_MISSES, H_TLB_WALKS, H_TLB_FLUSHES, H_PAGE_FAULTS, H_CAUSE, H_TVAL,
  TLB_TABLE_BYTES, TLB_ENTRY_BYTES, E_TAG, E_ADDEND, E_FLAGS, TLBF_GLOBAL, TLBF_SUPER, TLB_TAG_INVALID,
} from './blocks';
import { TLB_ENTRIES_MAX, TLB_WAYS_MAX, HARTS_MAX } from './limits';
import { walk, satpAsid, WALK_FAILED, WALK_PAGE_FAULT, WALK_SUPER, PTE_G, PTE_D } from './mmu';
import { raise, pageFaultCause, accessFaultCause, ACC_WRITE } from './trap';

// @ts-ignore: decorator
@inline function bump(addr: u32): void {
  store<u64>(addr, load<u64>(addr) + 1);
}

function isPow2(x: u32): bool {
  return x != 0 && (x & (x - 1)) == 0;
}

/** Set the geometry and empty the TLB. Returns 0, or -1 for a bad hart or geometry. */
export function tlbConfigure(hart: u32, entries: u32, ways: u32): i32 {
  if (hart >= HARTS_MAX || !isPow2(entries) || !isPow2(ways) || entries > TLB_ENTRIES_MAX || ways > TLB_WAYS_MAX || ways > entries) return -1;
  const h = hartBase(hart);
  store<u32>(h + H_TLB_SETS, entries / ways);
  store<u32>(h + H_TLB_WAYS, ways);
  tlbInvalidateAll(hart);
  return 0;
}

function tlbInvalidateAll(hart: u32): void {
  const t = tlbBase(hart);
  for (let i: u32 = 0; i < 3 * TLB_ENTRIES_MAX; i++) {
    const e = t + (i / TLB_ENTRIES_MAX) * TLB_TABLE_BYTES + (i % TLB_ENTRIES_MAX) * TLB_ENTRY_BYTES;
    store<u32>(e + E_TAG, TLB_TAG_INVALID);
    store<u32>(e + E_FLAGS, 0);
  }
}

/**
 * SFENCE.VMA: with no address and no ASID, everything; with an ASID, that ASID's non-global entries; with an
 * address, the entries translating it (a superpage entry matches its whole 4 MiB); with both, non-global
 * entries of that ASID for that address.
 */
export function tlbFlush(hart: u32, va: u32, asid: u32, hasVa: bool, hasAsid: bool): void {
  const h = hartBase(hart);
  const entries = load<u32>(h + H_TLB_SETS) * load<u32>(h + H_TLB_WAYS);
  const t = tlbBase(hart);
  for (let k: u32 = 0; k < 3; k++) {
    for (let i: u32 = 0; i < entries; i++) {
      const e = t + k * TLB_TABLE_BYTES + i * TLB_ENTRY_BYTES;
      const tag = load<u32>(e + E_TAG);
      if ((tag & TLB_TAG_INVALID) != 0) continue;
      const flags = load<u32>(e + E_FLAGS);
      if (hasAsid && ((flags & TLBF_GLOBAL) != 0 || ((tag >>> 3) & 0x1FF) != (asid & 0x1FF))) continue;
      if (hasVa) {
        const shift: u32 = (flags & TLBF_SUPER) != 0 ? 22 : 12;
        if ((tag >>> shift) != (va >>> shift)) continue;
      }
      store<u32>(e + E_TAG, TLB_TAG_INVALID);
    }
  }
  bump(h + H_TLB_FLUSHES);
}

/**
 * The slow path of every access: look in the other ways, else walk the page table and fill way 0.
 * Returns the host address of va, or 0 after recording a page or access fault in the hart block.
 */
export function tlbSlow(h: u32, t: u32, va: u32, access: u32): u32 {
  const satp = load<u32>(h + H_SATP);
  const asidTag = satpAsid(satp) << 3;
  const sets = load<u32>(h + H_TLB_SETS);
  const ways = load<u32>(h + H_TLB_WAYS);
  const table = t + access * TLB_TABLE_BYTES;
  const set = (va >>> 12) & (sets - 1);
  const wayStride = sets * TLB_ENTRY_BYTES;
  const first = table + set * TLB_ENTRY_BYTES;
  const page = va & 0xFFFF_F000;
  // A hit in another way (or a global entry tagged with another ASID): move it to way 0.
  for (let w: u32 = 0; w < ways; w++) {
    const e = first + w * wayStride;
    const tag = load<u32>(e + E_TAG);
    if ((tag & TLB_TAG_INVALID) != 0 || (tag & 0xFFFF_F000) != page) continue;
    const flags = load<u32>(e + E_FLAGS);
    if ((tag & 0xFF8) != asidTag && (flags & TLBF_GLOBAL) == 0) continue;
    const addend = load<u32>(e + E_ADDEND);
    shiftDown(first, wayStride, w);
    store<u32>(first + E_TAG, page | asidTag);
    store<u32>(first + E_ADDEND, addend);
    store<u32>(first + E_FLAGS, flags);
    bump(h + H_TLB_HITS);
    return va + addend;
  }
  bump(h + H_TLB_MISSES);
  bump(h + H_TLB_WALKS);
  const r = walk(satp, va, access);
  if ((r & WALK_FAILED) != 0) {
    raise(h, (r & WALK_PAGE_FAULT) != 0 ? pageFaultCause(access) : accessFaultCause(access), va);
    return 0;
  }
  const pa = r as u32;
  const pteFlags = (r >> 32) as u32;
  const host = RAM_BASE + pa;
  // A write entry is only filled once D is set, so later writes need no walk to set it.
  if (access != ACC_WRITE || (pteFlags & PTE_D) != 0) {
    shiftDown(first, wayStride, ways - 1);
    store<u32>(first + E_TAG, page | asidTag);
    store<u32>(first + E_ADDEND, (host & 0xFFFF_F000) - page);
    store<u32>(first + E_FLAGS, ((pteFlags & PTE_G) != 0 ? TLBF_GLOBAL : 0) | ((r & WALK_SUPER) != 0 ? TLBF_SUPER : 0));
  }
  return host;
}

/**
 * tlbSlow for translated code (src/machine/jit), which calls it on a way-0 miss of an aligned access without
 * leaving Wasm: the host address, or 0 with no trace (counters, cause and tval as before the call) so the
 * interpreter retries the access and raises the fault itself, counted once. t is the hart's TLB base.
 */
export function jitTlbFill(h: u32, t: u32, va: u32, access: u32): u32 {
  const misses = load<u64>(h + H_TLB_MISSES), walks = load<u64>(h + H_TLB_WALKS), faults = load<u64>(h + H_PAGE_FAULTS);
  const cause = load<u32>(h + H_CAUSE), tval = load<u32>(h + H_TVAL);
  const a = tlbSlow(h, t, va, access);
  if (a == 0) {
    store<u64>(h + H_TLB_MISSES, misses);
    store<u64>(h + H_TLB_WALKS, walks);
    store<u64>(h + H_PAGE_FAULTS, faults);
    store<u32>(h + H_CAUSE, cause);
    store<u32>(h + H_TVAL, tval);
  }
  return a;
}

/** Move ways 0..w-1 of a set one way down (way w is overwritten), freeing way 0. */
function shiftDown(first: u32, wayStride: u32, w: u32): void {
  for (let k = w; k > 0; k--) {
    const dst = first + k * wayStride;
    const src = dst - wayStride;
    store<u32>(dst + E_TAG, load<u32>(src + E_TAG));
    store<u32>(dst + E_ADDEND, load<u32>(src + E_ADDEND));
    store<u32>(dst + E_FLAGS, load<u32>(src + E_FLAGS));
  }
}
