// Address-space identifiers: ASIDs 1..KS_ASID_LIMIT-1 are handed out first in order (KS_ASID_NEXT); an
// ended process's ASID goes into the FREED bitmap (atomically: processes end under the SCHED lock), because other harts' TLBs may still hold entries tagged
// with it. When the fresh ones are used up, one flush of every hart's TLB (this hart's own, a shootdown of
// the others) moves every FREED ASID to READY at once, so the cost is one flush per many process ends.
// While no ASID is free a process gets ASID 0, shared by all such processes, which flush on every switch
// (sched.ts). Bitmap words change with atomics; the recycling decision is made under the PROC lock.
import { hartBase, H_BATCH, KS, KS_ASID_LIMIT, KS_ASID_NEXT, KS_ASID_RECYCLES, ASID_BASE, ASID_FREED, ASID_READY, MACHINE_BASE, M_HARTS, LOCK_PROC } from './blocks';
import { ASIDS_MAX, HARTS_MAX, BATCH_PAGES } from './limits';
import { klock, kunlock } from './klock';
import { tlbFlush } from './tlb';
import { shootdownOthers } from './shootdown';

const WORDS: u32 = ASIDS_MAX / 32; // 16, within a hart's BATCH_PAGES-word batch area

// @ts-ignore: decorator
@inline function bit(map: u32, a: u32): u32 { return ASID_BASE + map + (a >>> 5) * 4; }

/** Take the lowest set bit of a bitmap (clearing it); 0 when empty (ASID 0 is never in a bitmap). */
function takeFrom(map: u32): u32 {
  for (let w: u32 = 0; w < WORDS; w++) {
    const a = ASID_BASE + map + w * 4;
    const v = atomic.load<u32>(a);
    if (v == 0) continue;
    const b = ctz<u32>(v);
    if ((atomic.and<u32>(a, ~(1 << b)) & (1 << b)) != 0) return w * 32 + b;
  }
  return 0;
}

function anyIn(map: u32): bool {
  for (let w: u32 = 0; w < WORDS; w++) if (atomic.load<u32>(ASID_BASE + map + w * 4) != 0) return true;
  return false;
}

/** An ASID for a new process or image (0 when none is free). Any lock (atomic). */
export function asidAlloc(): u32 {
  while (true) {
    const next = atomic.load<u32>(KS + KS_ASID_NEXT);
    if (next >= load<u32>(KS + KS_ASID_LIMIT)) break;
    if (atomic.cmpxchg<u32>(KS + KS_ASID_NEXT, next, next + 1) == next) return next;
  }
  return takeFrom(ASID_READY);
}

/** An ended process gives its ASID back (not reusable before asidRecycle's flush). Any lock (atomic). */
export function asidRelease(asid: u32): void {
  if (asid == 0 || asid >= ASIDS_MAX) return;
  const old = atomic.or<u32>(bit(ASID_FREED, asid), 1 << (asid & 31));
  assert((old & (1 << (asid & 31))) == 0, 'ASID released twice');
}

/**
 * Before a process is created on a hart: when no fresh or ready ASID is left but ended processes' ASIDs
 * wait, flush every hart's TLB and make them ready. hart may be ASID_NO_HART (the host, before the harts
 * run: every TLB is flushed directly). Takes the PROC lock itself; call with no kernel lock held.
 */
export function asidRecycle(hart: u32): void {
  const harts = load<u32>(MACHINE_BASE + M_HARTS);
  const own = hart < harts;
  klock(LOCK_PROC);
  const need = load<u32>(KS + KS_ASID_NEXT) >= load<u32>(KS + KS_ASID_LIMIT) && !anyIn(ASID_READY) && anyIn(ASID_FREED);
  if (need && !own) {
    // The host, with no hart running: flush every TLB directly.
    for (let h: u32 = 0; h < harts; h++) tlbFlush(h, 0, 0, false, false);
    moveFreed(ASID_BASE + ASID_FREED, true);
  }
  // On a hart: take the FREED set aside (in the hart's batch area), flush, and only then make it READY;
  // ASIDs freed meanwhile stay FREED for the next round.
  const spare = hartBase(hart < HARTS_MAX ? hart : 0) + H_BATCH;
  if (need && own) moveFreed(spare, false);
  kunlock(LOCK_PROC);
  if (!need || !own) return;
  tlbFlush(hart, 0, 0, false, false);
  shootdownOthers(hart);
  klock(LOCK_PROC);
  for (let w: u32 = 0; w < WORDS; w++) atomic.or<u32>(ASID_BASE + ASID_READY + w * 4, load<u32>(spare + w * 4));
  store<u32>(KS + KS_ASID_RECYCLES, load<u32>(KS + KS_ASID_RECYCLES) + 1);
  kunlock(LOCK_PROC);
}

/** Move the FREED bitmap to READY (ready) or to the WORDS words at `to`; FREED is left empty. */
function moveFreed(to: u32, ready: bool): void {
  assert(WORDS <= BATCH_PAGES, "ASID bitmap larger than the batch area");
  for (let w: u32 = 0; w < WORDS; w++) {
    const f = atomic.xchg<u32>(ASID_BASE + ASID_FREED + w * 4, 0);
    if (ready) atomic.or<u32>(ASID_BASE + ASID_READY + w * 4, f);
    else store<u32>(to + w * 4, f);
  }
  if (ready) store<u32>(KS + KS_ASID_RECYCLES, load<u32>(KS + KS_ASID_RECYCLES) + 1);
}

export const ASID_NO_HART: u32 = 0xFFFF_FFFF;
