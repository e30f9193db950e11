// Prevention by timestamps, wait-die: every owner carries its age (wire.ts's Stamp: the Lamport time of its
// first request, fixed while it lives); an owner may wait only for younger owners. A request that would wait for
// an older owner dies: it is refused with EDEADLK. The rule is applied wherever an edge forms: at the request,
// and again whenever a release hands a lock to someone else while others keep waiting for it (the new holder
// may be older than they are). Edges then only run from older to younger, so no cycle can form. Wound-wait (the
// older takes the younger's lock) is not offered: a POSIX lock cannot be taken from the process that holds it.
import type { LockOwner } from '../vfs/index.js';
import { olderThan, type Stamp } from './wire.js';

/** Whether an owner of stamp must die rather than wait for blockers (some blocker is older). */
export function mustDie(stamp: Stamp, blockers: readonly LockOwner[], stampOf: (owner: string) => Stamp | undefined): boolean {
  return blockers.some((b) => {
    const s = stampOf(b.id);
    return s !== undefined && olderThan(s, stamp);
  });
}
