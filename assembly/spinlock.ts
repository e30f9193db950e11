// The kernel's spinlocks on Wasm atomics: test-and-set (atomic.xchg), test-and-test-and-set (poll with a
// plain atomic load, then xchg) and a ticket lock (atomic.add a ticket, poll until served; FIFO-fair).
// A lock is a 32-byte struct at an address the caller gives (8-aligned, no globals, no allocation):
//
//   +0  u32 word          TAS/TTAS: 1 while held; ticket: the next ticket to hand out
//   +4  u32 owner         ticket: the ticket now served
//   +8  u64 acquisitions  counted by the holder, under the lock
//   +16 u64 spins         failed attempts and polls while waiting, added by the holder under the lock
//   +24 (reserved)
//
// Locks that different harts take often should sit 64 bytes apart (a cache line each), or they slow each
// other down through false sharing. Waiters only spin: memory.atomic.wait is never used (V8's Liftoff in Node 20 corrupts locals in functions
// that use it). A holder must release with the same kind it acquired with. Spinning is unbounded by design
// (the kernel holds these locks for a bounded number of instructions); the host bounds benchmark loops.
import { SCRATCH_BASE, SCRATCH_BYTES } from './layout';

// The struct's size and offsets (blocks.ts) and the lock kinds (abi.ts) are shared with the host; LOCK_NONE
// takes no lock (to show the race is real).
import { SPINLOCK_BYTES, SPINLOCK_WORD, SPINLOCK_OWNER, SPINLOCK_ACQUISITIONS, SPINLOCK_SPINS } from './blocks';
import { LOCK_TAS, LOCK_TTAS, LOCK_TICKET, LOCK_NONE } from './abi';
export { SPINLOCK_BYTES, SPINLOCK_WORD, SPINLOCK_OWNER, SPINLOCK_ACQUISITIONS, SPINLOCK_SPINS, LOCK_TAS, LOCK_TTAS, LOCK_TICKET, LOCK_NONE };

/** Where the host may put benchmark locks and counters: the layout's scratch region. */
export function spinlockScratchBase(): u32 {
  return SCRATCH_BASE;
}
export function spinlockScratchBytes(): u32 {
  return SCRATCH_BYTES;
}

@inline function checkAddr(addr: u32): void {
  assert(addr != 0 && (addr & 7) == 0, 'spinlock: address must be non-zero and 8-aligned');
}

// Called by the new holder: its counters are plain memory protected by the lock itself.
@inline function countAcquired(addr: u32, spins: u64): void {
  store<u64>(addr + SPINLOCK_ACQUISITIONS, load<u64>(addr + SPINLOCK_ACQUISITIONS) + 1);
  store<u64>(addr + SPINLOCK_SPINS, load<u64>(addr + SPINLOCK_SPINS) + spins);
}

/** Acquisitions counted so far (for the host's statistics; exact once no one holds the lock). */
export function spinlockAcquisitions(addr: u32): u64 {
  checkAddr(addr);
  return atomic.load<u64>(addr + SPINLOCK_ACQUISITIONS);
}

/** Spins counted so far (failed attempts and polls while waiting). */
export function spinlockSpins(addr: u32): u64 {
  checkAddr(addr);
  return atomic.load<u64>(addr + SPINLOCK_SPINS);
}

/** Clear a lock's state and counters. Only while no one uses the lock. */
export function spinlockInit(addr: u32): void {
  checkAddr(addr);
  atomic.store<u32>(addr + SPINLOCK_WORD, 0);
  atomic.store<u32>(addr + SPINLOCK_OWNER, 0);
  atomic.store<u64>(addr + SPINLOCK_ACQUISITIONS, 0);
  atomic.store<u64>(addr + SPINLOCK_SPINS, 0);
}

export function tasAcquire(addr: u32): void {
  checkAddr(addr);
  let spins: u64 = 0;
  while (atomic.xchg<u32>(addr + SPINLOCK_WORD, 1) != 0) spins++;
  countAcquired(addr, spins);
}

/** One attempt: true when the lock was taken. */
export function tasTryAcquire(addr: u32): bool {
  checkAddr(addr);
  if (atomic.xchg<u32>(addr + SPINLOCK_WORD, 1) != 0) return false;
  countAcquired(addr, 0);
  return true;
}

export function tasRelease(addr: u32): void {
  atomic.store<u32>(addr + SPINLOCK_WORD, 0);
}

export function ttasAcquire(addr: u32): void {
  checkAddr(addr);
  let spins: u64 = 0;
  while (true) {
    // Poll with loads, which keep the cache line shared, and try the xchg only when it looks free.
    while (atomic.load<u32>(addr + SPINLOCK_WORD) != 0) spins++;
    if (atomic.xchg<u32>(addr + SPINLOCK_WORD, 1) == 0) break;
    spins++;
  }
  countAcquired(addr, spins);
}

export function ttasRelease(addr: u32): void {
  atomic.store<u32>(addr + SPINLOCK_WORD, 0);
}

export function ticketAcquire(addr: u32): void {
  checkAddr(addr);
  const ticket = atomic.add<u32>(addr + SPINLOCK_WORD, 1);
  let spins: u64 = 0;
  while (atomic.load<u32>(addr + SPINLOCK_OWNER) != ticket) spins++;
  countAcquired(addr, spins);
}

export function ticketRelease(addr: u32): void {
  // Only the holder writes owner, so a plain read of it is current.
  atomic.store<u32>(addr + SPINLOCK_OWNER, load<u32>(addr + SPINLOCK_OWNER) + 1);
}

/** Acquire a lock of the given kind (LOCK_NONE does nothing). */
export function lockAcquire(kind: u32, addr: u32): void {
  if (kind == LOCK_TAS) tasAcquire(addr);
  else if (kind == LOCK_TTAS) ttasAcquire(addr);
  else if (kind == LOCK_TICKET) ticketAcquire(addr);
  else assert(kind == LOCK_NONE, 'spinlock: unknown lock kind');
}

export function lockRelease(kind: u32, addr: u32): void {
  if (kind == LOCK_TAS) tasRelease(addr);
  else if (kind == LOCK_TTAS) ttasRelease(addr);
  else if (kind == LOCK_TICKET) ticketRelease(addr);
  else assert(kind == LOCK_NONE, 'spinlock: unknown lock kind');
}

// The counter block of lockLoop (16 bytes at counterAddr, zeroed by the host before the loops start).
export const LOOP_COUNTER: u32 = 0; // u32, incremented under the lock
export const LOOP_CALLERS: u32 = 4; // u32, atomic: hands each concurrent lockLoop call its id (1, 2, ...)
export const LOOP_HOLDER: u32 = 8; // u32, under the lock: id of the caller that last held the lock
export const LOOP_HANDOFFS: u32 = 12; // u32, under the lock: acquisitions that followed another caller's

/**
 * The benchmark and mutual-exclusion loop: `iterations` times acquire, increment the plain (non-atomic)
 * u32 at counterAddr, note whether the lock came from another caller (a handoff: fair locks hand off,
 * test-and-set lets the releaser take it straight back), release. With LOCK_NONE nothing is protected,
 * so concurrent loops lose updates. Returns the counter's value after the last increment by this caller.
 */
export function lockLoop(kind: u32, addr: u32, counterAddr: u32, iterations: u32): u32 {
  assert(kind <= LOCK_NONE, 'spinlock: unknown lock kind');
  assert((counterAddr & 3) == 0, 'spinlock: counter must be 4-aligned');
  const self = atomic.add<u32>(counterAddr + LOOP_CALLERS, 1) + 1;
  let last: u32 = 0;
  for (let i: u32 = 0; i < iterations; i++) {
    lockAcquire(kind, addr);
    last = load<u32>(counterAddr + LOOP_COUNTER) + 1;
    store<u32>(counterAddr + LOOP_COUNTER, last);
    if (load<u32>(counterAddr + LOOP_HOLDER) != self) {
      store<u32>(counterAddr + LOOP_HANDOFFS, load<u32>(counterAddr + LOOP_HANDOFFS) + 1);
      store<u32>(counterAddr + LOOP_HOLDER, self);
    }
    lockRelease(kind, addr);
    if (kind == LOCK_NONE) atomic.load<u32>(addr); // keeps the unprotected increment a real load and store per pass
  }
  return last;
}
