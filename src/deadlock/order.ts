// Prevention by a global order on resources: every lock is a resource ranked by (file key, first byte); an
// owner may wait only for a resource ranked above everything it holds, so every waits-for edge climbs the
// order and no cycle can close. A waiting request out of order is refused at once with EDEADLK, at the asker's
// home (which knows what its owners hold), with no message. A request that cannot wait (F_SETLK, LOCK_NB) is
// never refused: it waits for nothing. The price: some requests are refused that would not have deadlocked.

/** A held range, [start, end), of one file. */
export interface HeldRange { readonly start: number; readonly end: number; readonly type: 'read' | 'write' }

const fileRank = (file: string): number | string => (/^[0-9]+$/.test(file) ? Number(file) : file);
const before = (a: string, b: string): boolean => {
  const ra = fileRank(a), rb = fileRank(b);
  return typeof ra === typeof rb ? ra < rb : typeof ra === 'number';
};

/** Whether an owner holding held may wait for [start, end) of file. */
export function inOrder(held: ReadonlyMap<string, readonly HeldRange[]>, file: string, start: number, end: number, type: 'read' | 'write'): boolean {
  for (const [f, ranges] of held) {
    if (f === file) {
      // What it asks for it already holds as strongly: nothing to wait for.
      if (ranges.some((r) => r.start <= start && r.end >= end && (r.type === 'write' || type === 'read'))) return true;
    }
  }
  for (const [f, ranges] of held) {
    if (before(f, file)) continue;
    if (f !== file) return false;
    if (ranges.some((r) => r.end > start)) return false;
  }
  return true;
}

/** ranges after [start, end) is set to type (or removed: null), as the lock table merges and splits. */
export function updateHeld(ranges: readonly HeldRange[], start: number, end: number, type: 'read' | 'write' | null): HeldRange[] {
  const out: HeldRange[] = [];
  for (const r of ranges) {
    if (r.end <= start || r.start >= end) { out.push(r); continue; }
    if (r.start < start) out.push({ ...r, end: start });
    if (r.end > end) out.push({ ...r, start: end });
  }
  if (type !== null) out.push({ start, end, type });
  return out.sort((a, b) => a.start - b.start);
}
