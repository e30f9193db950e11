// A process's mmap areas (VMAs): up to VMAS_MAX entries [start, end) with their PROT_* and MAP_SHARED or
// MAP_PRIVATE, sorted by address and never overlapping, in vmaTable(p). Only mmap2 makes them; the ELF
// segments, the heap and the stack are outside this table (their pages are in the page tables, with the
// bounds in the process slot). Under the PROC lock.
import { procBase } from './proc';
import { vmaTable, P_VMAS, VMA_BYTES, V_START, V_END, V_PROT, V_FLAGS } from './blocks';
import { VMAS_MAX } from './limits';

export const VMA_NONE: u32 = 0xFFFF_FFFF;

// @ts-ignore: decorator
@inline export function vmaAt(p: u32, i: u32): u32 {
  assert(i < VMAS_MAX, 'VMA index out of range');
  return vmaTable(p) + i * VMA_BYTES;
}

export function vmaCount(p: u32): u32 { return load<u32>(procBase(p) + P_VMAS); }

/** The index of the VMA holding va, or VMA_NONE. */
export function vmaFind(p: u32, va: u32): u32 {
  const n = vmaCount(p);
  for (let i: u32 = 0; i < n; i++) {
    const v = vmaAt(p, i);
    if (va >= load<u32>(v + V_START) && va < load<u32>(v + V_END)) return i;
  }
  return VMA_NONE;
}

/** True when some VMA overlaps [from, to). */
export function vmaOverlaps(p: u32, from: u32, to: u32): bool {
  const n = vmaCount(p);
  for (let i: u32 = 0; i < n; i++) {
    const v = vmaAt(p, i);
    if (load<u32>(v + V_START) < to && load<u32>(v + V_END) > from) return true;
  }
  return false;
}

/** Insert [start, end) (free of VMAs) in order, merged with equal neighbours; false when the table is full. */
export function vmaInsert(p: u32, start: u32, end: u32, prot: u32, flags: u32): bool {
  const n = vmaCount(p);
  let i: u32 = 0;
  while (i < n && load<u32>(vmaAt(p, i) + V_START) < start) i++;
  if (i > 0) {
    const prev = vmaAt(p, i - 1);
    if (load<u32>(prev + V_END) == start && load<u32>(prev + V_PROT) == prot && load<u32>(prev + V_FLAGS) == flags) {
      store<u32>(prev + V_END, end);
      if (i < n) {
        const next = vmaAt(p, i);
        if (load<u32>(next + V_START) == end && load<u32>(next + V_PROT) == prot && load<u32>(next + V_FLAGS) == flags) {
          store<u32>(prev + V_END, load<u32>(next + V_END));
          vmaRemove(p, i);
        }
      }
      return true;
    }
  }
  if (i < n) {
    const next = vmaAt(p, i);
    if (load<u32>(next + V_START) == end && load<u32>(next + V_PROT) == prot && load<u32>(next + V_FLAGS) == flags) {
      store<u32>(next + V_START, start);
      return true;
    }
  }
  if (n == VMAS_MAX) return false;
  if (i < n) memory.copy(vmaAt(p, i + 1), vmaAt(p, i), (n - i) * VMA_BYTES);
  const v = vmaTable(p) + i * VMA_BYTES;
  store<u32>(v + V_START, start);
  store<u32>(v + V_END, end);
  store<u32>(v + V_PROT, prot);
  store<u32>(v + V_FLAGS, flags);
  store<u32>(procBase(p) + P_VMAS, n + 1);
  return true;
}

function vmaRemove(p: u32, i: u32): void {
  const n = vmaCount(p);
  if (i + 1 < n) memory.copy(vmaAt(p, i), vmaAt(p, i + 1), (n - i - 1) * VMA_BYTES);
  store<u32>(procBase(p) + P_VMAS, n - 1);
}

/**
 * Cut [from, to) out of every VMA. False (nothing changed) when a VMA would split in two with the table
 * full.
 */
export function vmaCut(p: u32, from: u32, to: u32): bool {
  let n = vmaCount(p);
  for (let i: u32 = 0; i < n; i++) {
    const v = vmaAt(p, i);
    if (load<u32>(v + V_START) < from && load<u32>(v + V_END) > to && n == VMAS_MAX) return false;
  }
  let i: u32 = 0;
  while (i < n) {
    const v = vmaAt(p, i);
    const s = load<u32>(v + V_START), e = load<u32>(v + V_END);
    if (e <= from || s >= to) { i++; continue; }
    if (s >= from && e <= to) { vmaRemove(p, i); n--; continue; }
    if (s < from && e > to) {
      // split: [s, from) stays here, [to, e) goes after it
      memory.copy(vmaAt(p, i + 2), vmaAt(p, i + 1), (n - i - 1) * VMA_BYTES);
      const w = vmaTable(p) + (i + 1) * VMA_BYTES;
      store<u32>(w + V_START, to);
      store<u32>(w + V_END, e);
      store<u32>(w + V_PROT, load<u32>(v + V_PROT));
      store<u32>(w + V_FLAGS, load<u32>(v + V_FLAGS));
      store<u32>(v + V_END, from);
      n++;
      store<u32>(procBase(p) + P_VMAS, n);
      i += 2;
      continue;
    }
    if (s < from) store<u32>(v + V_END, from);
    else store<u32>(v + V_START, to);
    i++;
  }
  return true;
}

/** The highest gap of len bytes in [low, high) free of VMAs (page-aligned), or VMA_NONE. */
export function vmaGap(p: u32, len: u32, low: u32, high: u32): u32 {
  const n = vmaCount(p);
  for (let k: u32 = 0; k <= n; k++) {
    const i = n - k; // the gap below VMA i (below `high` when i == n) and above VMA i - 1
    let top = i < n ? load<u32>(vmaAt(p, i) + V_START) : high;
    if (top > high) top = high;
    let bottom = i > 0 ? load<u32>(vmaAt(p, i - 1) + V_END) : low;
    if (bottom < low) bottom = low;
    if (top > bottom && top - bottom >= len) return top - len;
  }
  return VMA_NONE;
}
