// Node-wide setup: validates the RAM size against the memory actually provided and that AssemblyScript's
// static data fits below KERNEL_BASE, then resets the node header (and with it the frame allocator) and the
// kernel's tables and locks.
import { KERNEL_BASE, RAM_BASE, WASM_PAGE_BYTES } from './layout';
import { NODE_BASE, NODE_MAGIC, N_MAGIC, N_RAM_BYTES, N_HARTS, N_FRAME_NEXT, N_FRAME_FREE, N_FRAMES_USED } from './blocks';
import { HARTS_MAX, RAM_BYTES_MAX, RAM_BYTES_MIN, PAGE_BYTES } from './limits';
import { kernelReset } from './kernel';

export const INIT_OK: i32 = 0;
export const INIT_BAD_RAM: i32 = -1;
export const INIT_MEMORY_TOO_SMALL: i32 = -2;
export const INIT_STATIC_DATA_TOO_BIG: i32 = -3;
export const INIT_BAD_HARTS: i32 = -4;

export function nodeInit(ramBytes: u32, harts: u32): i32 {
  if (ramBytes < RAM_BYTES_MIN || ramBytes > RAM_BYTES_MAX || (ramBytes & (PAGE_BYTES - 1)) != 0) return INIT_BAD_RAM;
  if (harts == 0 || harts > HARTS_MAX) return INIT_BAD_HARTS;
  if ((__heap_base as u32) > KERNEL_BASE) return INIT_STATIC_DATA_TOO_BIG;
  if ((memory.size() as u64) * (WASM_PAGE_BYTES as u64) < (RAM_BASE as u64) + (ramBytes as u64)) return INIT_MEMORY_TOO_SMALL;
  store<u32>(NODE_BASE + N_MAGIC, NODE_MAGIC);
  store<u32>(NODE_BASE + N_RAM_BYTES, ramBytes);
  store<u32>(NODE_BASE + N_HARTS, harts);
  store<u32>(NODE_BASE + N_FRAME_NEXT, 0);
  store<u32>(NODE_BASE + N_FRAME_FREE, 0);
  store<u32>(NODE_BASE + N_FRAMES_USED, 0);
  kernelReset();
  return INIT_OK;
}
