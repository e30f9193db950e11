// The physical frame allocator: 4 KiB frames of guest RAM handed out zeroed, from a free list (linked
// through the first word of each free frame) and then a bump pointer. Bounded by the node's RAM size.
// Not safe against concurrent callers yet: the scheduler's step adds a spinlock around it.
import { RAM_BASE } from './layout';
import { NODE_BASE, N_RAM_BYTES, N_FRAME_NEXT, N_FRAME_FREE, N_FRAMES_USED } from './blocks';
import { PAGE_BYTES } from './limits';

/** Returned by frameAlloc when RAM is exhausted. */
export const FRAME_NONE: u32 = 0xFFFF_FFFF;

/** Allocate one zeroed frame; its guest physical address, or FRAME_NONE. */
export function frameAlloc(): u32 {
  let pa: u32;
  const head = load<u32>(NODE_BASE + N_FRAME_FREE);
  if (head != 0) {
    pa = head - 1;
    store<u32>(NODE_BASE + N_FRAME_FREE, load<u32>(RAM_BASE + pa));
  } else {
    pa = load<u32>(NODE_BASE + N_FRAME_NEXT);
    if (pa + PAGE_BYTES > load<u32>(NODE_BASE + N_RAM_BYTES) || pa + PAGE_BYTES < pa) return FRAME_NONE;
    store<u32>(NODE_BASE + N_FRAME_NEXT, pa + PAGE_BYTES);
  }
  memory.fill(RAM_BASE + pa, 0, PAGE_BYTES);
  store<u32>(NODE_BASE + N_FRAMES_USED, load<u32>(NODE_BASE + N_FRAMES_USED) + 1);
  return pa;
}

/** Return a frame to the free list. Returns false (and does nothing) for an address that is not a frame. */
export function frameFree(pa: u32): bool {
  if ((pa & (PAGE_BYTES - 1)) != 0 || pa >= load<u32>(NODE_BASE + N_FRAME_NEXT)) return false;
  store<u32>(RAM_BASE + pa, load<u32>(NODE_BASE + N_FRAME_FREE));
  store<u32>(NODE_BASE + N_FRAME_FREE, pa + 1);
  store<u32>(NODE_BASE + N_FRAMES_USED, load<u32>(NODE_BASE + N_FRAMES_USED) - 1);
  return true;
}

export function framesUsed(): u32 {
  return load<u32>(NODE_BASE + N_FRAMES_USED);
}
