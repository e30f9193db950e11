// The physical frame allocator: 4 KiB frames of guest RAM handed out zeroed, from a free list (linked
// through the first word of each free frame) and then a bump pointer. Bounded by the machine's RAM size.
// Guarded by the FRAME spinlock, so harts on different worker threads may allocate at once; a frame is
// zeroed after the lock is dropped (it is already the caller's).
import { RAM_BASE } from './layout';
import { MACHINE_BASE, M_RAM_BYTES, M_FRAME_NEXT, M_FRAME_FREE, M_FRAMES_USED, LOCK_FRAME } from './blocks';
import { klock, kunlock } from './klock';
import { PAGE_BYTES } from './limits';

/** Returned by frameAlloc when RAM is exhausted. */
import { FRAME_NONE } from './abi';
export { FRAME_NONE };

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

/** Return a frame to the free list. Returns false (and does nothing) for an address that is not a frame. */
export function frameFree(pa: u32): bool {
  if ((pa & (PAGE_BYTES - 1)) != 0) return false;
  klock(LOCK_FRAME);
  if (pa >= load<u32>(MACHINE_BASE + M_FRAME_NEXT)) {
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
