// The kernel's own locks: the run-queue/thread lock (SCHED), the process-table lock (PROC), the frame
// allocator's (FRAME) and a leaf lock for the pid leases and the process-event ring (LEAF), all spinlocks from spinlock.ts of the kind the machine was started with (TTAS unless the
// host chose otherwise). Nesting order is PROC, then SCHED, then FRAME; LEAF may be taken inside any, and nothing inside it; no lock is held across run().
// A hart spinning for a kernel lock serves the TLB shootdowns posted to it meanwhile (shootdown.ts), so a
// holder may shoot down the other harts' TLBs without a deadlock: a copy-on-write fault, a fork, munmap.
// klockSetHart names the hart this kernel instance serves (dispatch sets it); the host's own instance has
// none.
import { KS, KS_LOCK_KIND, LOCK_SCHED, LOCK_PROC, LOCK_FRAME, LOCK_LEAF, SPINLOCK_WORD, SPINLOCK_OWNER, SPINLOCK_ACQUISITIONS, SPINLOCK_SPINS } from './blocks';
import { lockRelease, spinlockInit, LOCK_TAS, LOCK_TTAS, LOCK_TICKET, LOCK_NONE } from './spinlock';
import { shootdownServe } from './shootdown';
import { HARTS_MAX } from './limits';

/** The hart this instance is running (HARTS_MAX: none). */
let kHart: u32 = HARTS_MAX;

export function klockSetHart(hart: u32): void { kHart = hart; }
export function klockHart(): u32 { return kHart; }

// @ts-ignore: decorator
@inline function serve(): void {
  if (kHart < HARTS_MAX) shootdownServe(kHart);
}

export function klock(addr: u32): void {
  const kind = load<u32>(KS + KS_LOCK_KIND);
  let spins: u64 = 0;
  if (kind == LOCK_TICKET) {
    const ticket = atomic.add<u32>(addr + SPINLOCK_WORD, 1);
    while (atomic.load<u32>(addr + SPINLOCK_OWNER) != ticket) { spins++; serve(); }
  } else if (kind == LOCK_TAS || kind == LOCK_TTAS) {
    while (true) {
      if (kind == LOCK_TTAS) while (atomic.load<u32>(addr + SPINLOCK_WORD) != 0) { spins++; serve(); }
      if (atomic.xchg<u32>(addr + SPINLOCK_WORD, 1) == 0) break;
      spins++;
      serve();
    }
  } else {
    assert(kind == LOCK_NONE, 'klock: unknown lock kind');
    return;
  }
  store<u64>(addr + SPINLOCK_ACQUISITIONS, load<u64>(addr + SPINLOCK_ACQUISITIONS) + 1);
  store<u64>(addr + SPINLOCK_SPINS, load<u64>(addr + SPINLOCK_SPINS) + spins);
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
  spinlockInit(LOCK_LEAF);
}
