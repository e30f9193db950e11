// TLB shootdowns: when a mapping is removed, every other hart must drop its TLB entries before the frame
// can be reused. In deterministic mode (one thread) the requester flushes the other harts' TLBs itself; in
// threaded mode it posts a request (a generation number) to each hart and waits until each has flushed,
// serving requests posted to itself meanwhile so two requesters never wait on each other. A hart serves
// requests at the top of every dispatch pass, so the wait is bounded by one quantum of the slowest hart.
// A caller may hold kernel locks while it waits: a hart spinning for one serves its shootdowns (klock.ts).
import { hartBase, MACHINE_BASE, M_HARTS, KS, KS_THREADED, H_SHOOT_REQ, H_SHOOT_ACK, H_SHOOTDOWNS } from './blocks';
import { tlbFlush } from './tlb';

/** Serve a pending shootdown on this hart: flush its whole TLB. */
export function shootdownServe(hart: u32): void {
  const h = hartBase(hart);
  const req = atomic.load<u32>(h + H_SHOOT_REQ);
  if (req == atomic.load<u32>(h + H_SHOOT_ACK)) return;
  tlbFlush(hart, 0, 0, false, false);
  store<u64>(h + H_SHOOTDOWNS, load<u64>(h + H_SHOOTDOWNS) + 1);
  atomic.store<u32>(h + H_SHOOT_ACK, req);
}

/**
 * Make every hart other than `self` drop its TLB entries; returns when all have. self may be beyond the
 * configured harts (the host's own calls, which run on no hart): then every hart is shot down.
 */
export function shootdownOthers(self: u32): void {
  const harts = load<u32>(MACHINE_BASE + M_HARTS);
  const threaded = load<u32>(KS + KS_THREADED) != 0;
  const own = self < harts;
  for (let o: u32 = 0; o < harts; o++) {
    if (o == self) continue;
    const h = hartBase(o);
    if (!threaded) {
      tlbFlush(o, 0, 0, false, false);
      store<u64>(h + H_SHOOTDOWNS, load<u64>(h + H_SHOOTDOWNS) + 1);
      continue;
    }
    const gen = atomic.add<u32>(h + H_SHOOT_REQ, 1) + 1;
    while (((atomic.load<u32>(h + H_SHOOT_ACK) - gen) as i32) < 0) if (own) shootdownServe(self);
  }
}
