// Process and thread ids: every pid and tid the kernel hands out comes from here. A current range
// [next, end) and at most one spare range the host installs (a cluster node leases ranges of the cluster's
// PID space); when the current range is used up the spare becomes current, and with no spare left an
// allocation fails (fork and clone answer -EAGAIN, procCreate PROC_NO_PID). After kernelReset the current
// range is [PID_FIRST, PID_RESET_END): a lone machine numbers exactly as it always has.
// Each range is one u64 word (next | end << 32). An id is taken with one compare-and-swap on the current
// range, lock-free and allocation-free; moving the spare in, leasing and clearing happen under LOCK_LEAF.
import { KS, KS_PID_RANGE, KS_PID_SPARE, LOCK_LEAF } from './blocks';
import { PID_FIRST, PID_RESET_END, PID_LIMIT } from './abi';
import { klock, kunlock } from './klock';

/** No id left (0 is never a pid). */
export const PID_NONE: u32 = 0;
/** Compare-and-swap attempts before giving up: each failure means another hart took an id meanwhile. */
const PID_RETRIES_MAX: u32 = 1 << 20;

// @ts-ignore: decorator
@inline function pack(next: u32, end: u32): u64 {
  return (next as u64) | ((end as u64) << 32);
}
// @ts-ignore: decorator
@inline function idsIn(range: u64): u32 {
  const next = range as u32, end = (range >> 32) as u32;
  return next < end ? end - next : 0;
}

/** Boot: the whole positive range, no spare. */
export function pidReset(): void {
  atomic.store<u64>(KS + KS_PID_RANGE, pack(PID_FIRST, PID_RESET_END));
  atomic.store<u64>(KS + KS_PID_SPARE, 0);
}

/** The next pid or tid, or PID_NONE when the current and the spare range are used up. Any lock may be held. */
export function pidAlloc(): u32 {
  for (let i: u32 = 0; i < PID_RETRIES_MAX; i++) {
    const cur = atomic.load<u64>(KS + KS_PID_RANGE);
    if (idsIn(cur) != 0) {
      if (atomic.cmpxchg<u64>(KS + KS_PID_RANGE, cur, cur + 1) == cur) return cur as u32;
    } else if (!spareTakeOver(cur)) {
      return PID_NONE;
    }
  }
  assert(false, 'pid allocation: the range word kept changing');
  return PID_NONE;
}

/** The current range `used` is used up: the spare becomes current. False when there is none. */
function spareTakeOver(used: u64): bool {
  klock(LOCK_LEAF);
  let ok = true;
  if (atomic.load<u64>(KS + KS_PID_RANGE) == used) { // no one moved it in meanwhile
    const spare = atomic.load<u64>(KS + KS_PID_SPARE);
    if (spare == 0) ok = false;
    else {
      atomic.store<u64>(KS + KS_PID_RANGE, spare);
      atomic.store<u64>(KS + KS_PID_SPARE, 0);
    }
  }
  kunlock(LOCK_LEAF);
  return ok;
}

/**
 * Install [start, start + count) as the spare range: 0, or -1 when a spare is already installed, count is
 * 0, start is 0, or the range reaches past PID_LIMIT (ids are positive 32-bit integers).
 */
export function kernelPidLease(start: u32, count: u32): i32 {
  if (count == 0 || start == 0 || (start as u64) + (count as u64) > (PID_LIMIT as u64)) return -1;
  klock(LOCK_LEAF);
  const free = atomic.load<u64>(KS + KS_PID_SPARE) == 0;
  if (free) atomic.store<u64>(KS + KS_PID_SPARE, pack(start, start + count));
  kunlock(LOCK_LEAF);
  return free ? 0 : -1;
}

/** Ids left in the current and the spare range together. */
export function kernelPidsLeft(): u32 {
  klock(LOCK_LEAF);
  const n = idsIn(atomic.load<u64>(KS + KS_PID_RANGE)) + idsIn(atomic.load<u64>(KS + KS_PID_SPARE));
  kunlock(LOCK_LEAF);
  return n;
}

/** No range at all: a cluster node starts so and gets leases before it loads its first process. */
export function kernelPidClear(): void {
  klock(LOCK_LEAF);
  atomic.store<u64>(KS + KS_PID_RANGE, 0);
  atomic.store<u64>(KS + KS_PID_SPARE, 0);
  kunlock(LOCK_LEAF);
}
