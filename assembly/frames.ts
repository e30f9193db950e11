// The physical frame allocator: 4 KiB frames of guest RAM handed out zeroed, from a free list (linked
// through the first word of each free frame) and then a bump pointer. Bounded by the machine's RAM size.
// Every frame has a reference count (FRAME_REFS, one u32 per frame): 1 when handed out, one more for each
// further mapping that shares it (a fork's copy-on-write pages, MAP_SHARED pages), and it goes back to the
// free list when the count reaches zero. Guarded by the FRAME spinlock, so harts on different worker
// threads may allocate at once; a frame is zeroed after the lock is dropped (it is already the caller's).
import { RAM_BASE } from './layout';
import { MACHINE_BASE, M_RAM_BYTES, M_FRAME_NEXT, M_FRAME_FREE, M_FRAMES_USED, LOCK_FRAME, FRAME_REFS } from './blocks';
import { klock, kunlock } from './klock';
import { PAGE_BYTES, FRAMES_MAX } from './limits';

/** Returned by frameAlloc when RAM is exhausted. */
import { FRAME_NONE } from './abi';
export { FRAME_NONE };

// @ts-ignore: decorator
@inline function refAddr(pa: u32): u32 {
  assert((pa >>> 12) < FRAMES_MAX, 'frame beyond FRAMES_MAX');
  return FRAME_REFS + (pa >>> 12) * 4;
}

/** Allocate one zeroed frame; its guest physical address, or FRAME_NONE. */
export function frameAlloc(): u32 {
  let pa: u32;
  klock(LOCK_FRAME);
  const head = load<u32>(MACHINE_BASE + M_FRAME_FREE);
  if (head != 0) {
    pa = head - 1;
    store<u32>(MACHINE_BASE + M_FRAME_FREE, load<u32>(RAM_BASE + pa));
  } else {
    pa = load<u32>(MACHINE_BASE + M_FRAME_NEXT);
    if (pa + PAGE_BYTES > load<u32>(MACHINE_BASE + M_RAM_BYTES) || pa + PAGE_BYTES < pa) {
      kunlock(LOCK_FRAME);
      return FRAME_NONE;
    }
    store<u32>(MACHINE_BASE + M_FRAME_NEXT, pa + PAGE_BYTES);
  }
  store<u32>(MACHINE_BASE + M_FRAMES_USED, load<u32>(MACHINE_BASE + M_FRAMES_USED) + 1);
  assert(load<u32>(refAddr(pa)) == 0, 'frame handed out with references');
  store<u32>(refAddr(pa), 1);
  kunlock(LOCK_FRAME);
  memory.fill(RAM_BASE + pa, 0, PAGE_BYTES);
  return pa;
}

/** Frames still available (free list plus the untouched rest of RAM). */
export function framesFree(): u32 {
  klock(LOCK_FRAME);
  const total = load<u32>(MACHINE_BASE + M_RAM_BYTES) / PAGE_BYTES;
  const used = load<u32>(MACHINE_BASE + M_FRAMES_USED);
  kunlock(LOCK_FRAME);
  assert(used <= total, 'more frames in use than RAM holds');
  return total - used;
}

/**
 * Drop one reference to a frame; at the last one it goes back to the free list. Returns true when the frame
 * was freed; false while others still hold it, and (doing nothing) for an address that is not a frame.
 * Freeing a free frame traps.
 */
export function frameFree(pa: u32): bool {
  if ((pa & (PAGE_BYTES - 1)) != 0) return false;
  klock(LOCK_FRAME);
  if (pa >= load<u32>(MACHINE_BASE + M_FRAME_NEXT)) {
    kunlock(LOCK_FRAME);
    return false;
  }
  assert(load<u32>(refAddr(pa)) != 0, 'frame count underflow: a frame freed twice');
  const refs = load<u32>(refAddr(pa)) - 1;
  store<u32>(refAddr(pa), refs);
  if (refs != 0) {
    kunlock(LOCK_FRAME);
    return false;
  }
  store<u32>(RAM_BASE + pa, load<u32>(MACHINE_BASE + M_FRAME_FREE));
  store<u32>(MACHINE_BASE + M_FRAME_FREE, pa + 1);
  const used = load<u32>(MACHINE_BASE + M_FRAMES_USED);
  assert(used != 0, 'frame count underflow');
  store<u32>(MACHINE_BASE + M_FRAMES_USED, used - 1);
  kunlock(LOCK_FRAME);
  return true;
}

export function framesUsed(): u32 {
  return load<u32>(MACHINE_BASE + M_FRAMES_USED);
}

/** One more reference to a frame in use (a second mapping shares it). False for an address that is not one. */
export function frameRetain(pa: u32): bool {
  if ((pa & (PAGE_BYTES - 1)) != 0) return false;
  klock(LOCK_FRAME);
  const ok = pa < load<u32>(MACHINE_BASE + M_FRAME_NEXT) && load<u32>(refAddr(pa)) != 0;
  if (ok) store<u32>(refAddr(pa), load<u32>(refAddr(pa)) + 1);
  kunlock(LOCK_FRAME);
  return ok;
}

/** The reference count of the frame at pa (0: free, or not a frame). */
export function frameRefs(pa: u32): u32 {
  if ((pa & (PAGE_BYTES - 1)) != 0 || (pa >>> 12) >= FRAMES_MAX) return 0;
  return atomic.load<u32>(refAddr(pa));
}
