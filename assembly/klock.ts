// The kernel's own locks: the run-queue/thread lock (SCHED), the process-table lock (PROC) and the frame
// allocator's (FRAME), all spinlocks from spinlock.ts of the kind the machine was started with (TTAS unless the
// host chose otherwise). Nesting order is PROC, then SCHED, then FRAME; no lock is held across run().
import { KS, KS_LOCK_KIND, LOCK_SCHED, LOCK_PROC, LOCK_FRAME } from './blocks';
import { lockAcquire, lockRelease, spinlockInit, LOCK_TTAS, LOCK_TICKET } from './spinlock';

// @ts-ignore: decorator
@inline export function klock(addr: u32): void {
  lockAcquire(load<u32>(KS + KS_LOCK_KIND), addr);
}

// @ts-ignore: decorator
@inline export function kunlock(addr: u32): void {
  lockRelease(load<u32>(KS + KS_LOCK_KIND), addr);
}

/** Reset the kernel locks (machine boot, before any hart runs). kind: LOCK_TAS, LOCK_TTAS or LOCK_TICKET. */
export function klockInit(kind: u32): void {
  store<u32>(KS + KS_LOCK_KIND, kind <= LOCK_TICKET ? kind : LOCK_TTAS);
  spinlockInit(LOCK_SCHED);
  spinlockInit(LOCK_PROC);
  spinlockInit(LOCK_FRAME);
}
