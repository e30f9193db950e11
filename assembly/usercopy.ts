// Kernel access to user memory for system calls and the host: every byte goes through a process's own page
// tables with the user's permissions and A/D updates (walk), so a bad pointer is an error for the caller,
// never a read of another process's or the kernel's memory. The only file that reads or writes user memory
// by virtual address. Host addresses come back as such; 0 (or false) means the access would fault. A write
// to a copy-on-write page breaks it first (cow.ts), as the user's own store would, except in writeUser32 and
// copyUserToUser, whose callers hold the SCHED lock (below PROC in the lock order): they check their
// ranges with userWord or userRange beforehand, which do break it.
import { walk, WALK_FAILED } from './mmu';
import { cowBreak, COW_DONE } from './cow';
import { klockHart } from './klock';
import { RAM_BASE } from './layout';
import { PAGE_BYTES } from './limits';
import { ACC_READ, ACC_WRITE } from './trap';

/**
 * Translate a user address with the user's permissions for `access` (ACC_READ, ACC_WRITE or ACC_FETCH):
 * the host address, or 0 when the access would fault. The host's copies of system call buffers use it.
 */
export function vmTranslate(satp: u32, va: u32, access: u32): u32 {
  const r = access == ACC_WRITE ? walkWrite(satp, va, false) : walk(satp, va, access);
  if ((r & WALK_FAILED) != 0) return 0;
  return RAM_BASE + (r as u32);
}

/** A write walk that breaks copy-on-write on a fault (procLocked: the caller holds the PROC lock). */
function walkWrite(satp: u32, va: u32, procLocked: bool): u64 {
  const r = walk(satp, va, ACC_WRITE);
  if ((r & WALK_FAILED) == 0 || cowBreak(satp, va, klockHart(), procLocked) != COW_DONE) return r;
  return walk(satp, va, ACC_WRITE);
}

/** Host address of an aligned user word, or 0. */
export function userWord(satp: u32, va: u32, write: bool): u32 {
  if ((va & 3) != 0) return 0;
  return vmTranslate(satp, va, write ? ACC_WRITE : ACC_READ);
}

/** Copy 8 bytes at a user address (any alignment, across a page boundary) to host address out. */
export function readUser64(satp: u32, va: u32, out: u32): bool {
  // out: a host address of 8 bytes the caller owns (in the hart block).
  for (let i: u32 = 0; i < 8; i++) {
    const a = vmTranslate(satp, va + i, ACC_READ);
    if (a == 0) return false;
    store<u8>(out + i, load<u8>(a));
  }
  return true;
}

/** Write a u32 to an aligned user address; false when it is not writable (copy-on-write is not broken). */
export function writeUser32(satp: u32, va: u32, v: u32): bool {
  if ((va & 3) != 0) return false;
  const r = walk(satp, va, ACC_WRITE);
  if ((r & WALK_FAILED) != 0) return false;
  atomic.store<u32>(RAM_BASE + (r as u32), v);
  return true;
}

/**
 * True when [va, va + n) is accessible (read, or write) through satp's page tables; a write check breaks
 * copy-on-write on the way. The caller holds the PROC lock.
 */
export function userRange(satp: u32, va: u32, n: u32, write: bool): bool {
  if (n == 0) return true;
  if (va + n < va) return false;
  let a = va;
  const end = va + n;
  while (a < end) {
    if (((write ? walkWrite(satp, a, true) : walk(satp, a, ACC_READ)) & WALK_FAILED) != 0) return false;
    a = (a & ~(PAGE_BYTES - 1)) + PAGE_BYTES;
    if (a == 0) break;
  }
  return true;
}

/**
 * Copy n bytes from (srcSatp, src) to (dstSatp, dst), one process's pages to another's, page piece by page
 * piece; false if either side faults (the pieces before it are copied).
 */
export function copyUserToUser(srcSatp: u32, src: u32, dstSatp: u32, dst: u32, n: u32): bool {
  let done: u32 = 0;
  while (done < n) {
    const s = walk(srcSatp, src + done, ACC_READ);
    const d = walk(dstSatp, dst + done, ACC_WRITE);
    if ((s & WALK_FAILED) != 0 || (d & WALK_FAILED) != 0) return false;
    const sOff = (src + done) & (PAGE_BYTES - 1), dOff = (dst + done) & (PAGE_BYTES - 1);
    let chunk = n - done;
    if (chunk > PAGE_BYTES - sOff) chunk = PAGE_BYTES - sOff;
    if (chunk > PAGE_BYTES - dOff) chunk = PAGE_BYTES - dOff;
    memory.copy(RAM_BASE + (d as u32), RAM_BASE + (s as u32), chunk);
    done += chunk;
  }
  return true;
}

/**
 * Copy n bytes between the user address va (through satp) and the kernel address k, page piece by page piece:
 * to the user when toUser, else from it; false if the user side faults (the pieces before it are copied).
 */
function copyKernel(satp: u32, va: u32, k: u32, n: u32, toUser: bool): bool {
  let done: u32 = 0;
  while (done < n) {
    const u = walk(satp, va + done, toUser ? ACC_WRITE : ACC_READ);
    if ((u & WALK_FAILED) != 0) return false;
    const off = (va + done) & (PAGE_BYTES - 1);
    const chunk = n - done < PAGE_BYTES - off ? n - done : PAGE_BYTES - off;
    if (toUser) memory.copy(RAM_BASE + (u as u32), k + done, chunk);
    else memory.copy(k + done, RAM_BASE + (u as u32), chunk);
    done += chunk;
  }
  return true;
}

/** Copy n bytes from kernel address src to (satp, dst); false if dst faults. */
export function copyKernelToUser(satp: u32, dst: u32, src: u32, n: u32): bool { return copyKernel(satp, dst, src, n, true); }

/** Copy n bytes from (satp, src) to kernel address dst; false if src faults. */
export function copyUserToKernel(satp: u32, src: u32, dst: u32, n: u32): bool { return copyKernel(satp, src, dst, n, false); }

/** Write 8 bytes (any alignment, across a page boundary) to a user address; false, with nothing written, when either end is not writable. */
export function writeUser64(satp: u32, va: u32, v: u64): bool {
  if (vmTranslate(satp, va, ACC_WRITE) == 0 || vmTranslate(satp, va + 7, ACC_WRITE) == 0) return false;
  for (let i: u32 = 0; i < 8; i++) store<u8>(vmTranslate(satp, va + i, ACC_WRITE), (v >> ((i * 8) as u64)) as u8);
  return true;
}
