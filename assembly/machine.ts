// Machine-wide setup: checks that the layout the kernel was compiled with holds together (every region
// ends before the next begins, every field lies inside its block, bit widths match the limits they encode:
// layoutCheck, generated from abi/defs.mjs), validates the RAM size against the memory actually provided
// and that AssemblyScript's static data fits below KERNEL_BASE, then resets the machine header (and with it
// the frame allocator) and the kernel's tables and locks.
import { KERNEL_BASE, RAM_BASE, WASM_PAGE_BYTES } from './layout';
import {
  MACHINE_BASE, MACHINE_MAGIC, M_MAGIC, M_RAM_BYTES, M_HARTS, M_FRAME_NEXT, M_FRAME_FREE, M_FRAMES_USED,
} from './blocks';
import { HARTS_MAX, RAM_BYTES_MAX, RAM_BYTES_MIN, PAGE_BYTES } from './limits';
import {
  INIT_OK, INIT_BAD_RAM, INIT_MEMORY_TOO_SMALL, INIT_STATIC_DATA_TOO_BIG, INIT_BAD_HARTS, layoutCheck,
} from './abi';
import { kernelReset } from './kernel';

export function machineInit(ramBytes: u32, harts: u32): i32 {
  const layout = layoutCheck();
  if (layout != INIT_OK) return layout;
  if (ramBytes < RAM_BYTES_MIN || ramBytes > RAM_BYTES_MAX || (ramBytes & (PAGE_BYTES - 1)) != 0) return INIT_BAD_RAM;
  if (harts == 0 || harts > HARTS_MAX) return INIT_BAD_HARTS;
  if ((__heap_base as u32) > KERNEL_BASE) return INIT_STATIC_DATA_TOO_BIG;
  if ((memory.size() as u64) * (WASM_PAGE_BYTES as u64) < (RAM_BASE as u64) + (ramBytes as u64)) return INIT_MEMORY_TOO_SMALL;
  store<u32>(MACHINE_BASE + M_MAGIC, MACHINE_MAGIC);
  store<u32>(MACHINE_BASE + M_RAM_BYTES, ramBytes);
  store<u32>(MACHINE_BASE + M_HARTS, harts);
  store<u32>(MACHINE_BASE + M_FRAME_NEXT, 0);
  store<u32>(MACHINE_BASE + M_FRAME_FREE, 0);
  store<u32>(MACHINE_BASE + M_FRAMES_USED, 0);
  kernelReset();
  return INIT_OK;
}
