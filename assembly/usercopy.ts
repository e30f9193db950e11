// Kernel access to user memory for system calls: every word goes through the calling process's own page
// tables with the user's permissions (walk), so a bad pointer is an error for the caller, never a read
// of another process's or the kernel's memory. Returns host addresses; 0 means the access would fault.
import { walk, WALK_FAILED } from './mmu';
import { RAM_BASE } from './layout';
import { ACC_READ, ACC_WRITE } from './trap';

/** Host address of an aligned user word, or 0. */
export function userWord(satp: u32, va: u32, write: bool): u32 {
  if ((va & 3) != 0) return 0;
  const r = walk(satp, va, write ? ACC_WRITE : ACC_READ);
  if ((r & WALK_FAILED) != 0) return 0;
  return RAM_BASE + (r as u32);
}

/** Read a u32 at a user address (any alignment inside one page pair); false in ok[0] when it faults. */
export function readUser64(satp: u32, va: u32, out: u32): bool {
  // out: a host address of 8 bytes the caller owns (in the hart block).
  for (let i: u32 = 0; i < 8; i++) {
    const r = walk(satp, va + i, ACC_READ);
    if ((r & WALK_FAILED) != 0) return false;
    store<u8>(out + i, load<u8>(RAM_BASE + (r as u32)));
  }
  return true;
}

/** Write a u32 to an aligned user address; false when it is not writable. */
export function writeUser32(satp: u32, va: u32, v: u32): bool {
  const a = userWord(satp, va, true);
  if (a == 0) return false;
  atomic.store<u32>(a, v);
  return true;
}
