// Proves or refutes that a quorum system is safe for a register: every read quorum meets every write
// quorum (a read sees the last write) and every two write quorums meet (writes are ordered). For a
// monotone system, a read quorum disjoint from a write quorum exists iff some set S is a read quorum and
// its complement is a write quorum, so walking all 2^N sets decides it exactly: the walk is the proof,
// and a failing S, shrunk to minimal quorums on both sides, is the counterexample. Bound: N <= 20.
import { membersOf, QUORUM_NODES_MAX, type QuorumSystem } from './systems.js';

export type IntersectionProperty = 'read-write' | 'write-write';

export type PropertyVerdict =
  | { readonly holds: true; readonly property: IntersectionProperty }
  /** Two disjoint quorums: the first a read (or write) quorum, the second a write quorum. */
  | { readonly holds: false; readonly property: IntersectionProperty; readonly quorums: readonly [readonly string[], readonly string[]] };

export interface IntersectionReport {
  readonly system: string;
  readonly nodes: readonly string[];
  /** Both properties hold. */
  readonly intersects: boolean;
  readonly read_write: PropertyVerdict;
  readonly write_write: PropertyVerdict;
  /** Sets examined: 2^N when the walk ran to the end (the proof). */
  readonly sets_checked: number;
}

/** Drop members one at a time while the set keeps its property: a minimal quorum inside `mask`. */
function shrink(mask: number, n: number, still: (m: number) => boolean): number {
  let m = mask;
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    if ((m & bit) !== 0 && still(m & ~bit)) m &= ~bit;
  }
  return m;
}

export function checkIntersection(q: QuorumSystem): IntersectionReport {
  const n = q.nodes.length;
  if (n < 1 || n > QUORUM_NODES_MAX) throw new RangeError(`intersection check: 1..${QUORUM_NODES_MAX} nodes, got ${n}`);
  const full = n === 31 ? 0x7fffffff : (1 << n) - 1;
  let rw: number | undefined;
  let ww: number | undefined;
  let checked = 0;
  for (let s = 0; s <= full && (rw === undefined || ww === undefined); s++) {
    checked++;
    const rest = full & ~s;
    if (!q.isWriteQuorum(rest)) continue;
    if (rw === undefined && q.isReadQuorum(s)) rw = s;
    if (ww === undefined && q.isWriteQuorum(s)) ww = s;
  }
  const verdict = (property: IntersectionProperty, s: number | undefined, first: (m: number) => boolean): PropertyVerdict => {
    if (s === undefined) return { holds: true, property };
    const a = shrink(s, n, first);
    const b = shrink(full & ~s, n, (m) => q.isWriteQuorum(m));
    if ((a & b) !== 0 || !first(a) || !q.isWriteQuorum(b)) throw new Error('intersection check: a counterexample failed its own test');
    return { holds: false, property, quorums: [membersOf(q.nodes, a), membersOf(q.nodes, b)] };
  };
  const read_write = verdict('read-write', rw, (m) => q.isReadQuorum(m));
  const write_write = verdict('write-write', ww, (m) => q.isWriteQuorum(m));
  return { system: q.description, nodes: q.nodes, intersects: read_write.holds && write_write.holds, read_write, write_write, sets_checked: checked };
}

/** The report as text: the proof, or each counterexample. */
export function formatIntersection(r: IntersectionReport): string {
  const lines = [`${r.system}: ${r.intersects ? 'quorums intersect' : 'quorums do NOT intersect'}`];
  for (const v of [r.read_write, r.write_write]) {
    const what = v.property === 'read-write' ? 'every read quorum meets every write quorum' : 'every two write quorums meet';
    if (v.holds) lines.push(`  ${what}: proved (all ${r.sets_checked} subsets of ${r.nodes.length} nodes checked)`);
    else {
      const first = v.property === 'read-write' ? 'read quorum' : 'write quorum';
      lines.push(`  ${what}: refuted: ${first} {${v.quorums[0].join(',')}} and write quorum {${v.quorums[1].join(',')}} are disjoint`);
    }
  }
  return lines.join('\n') + '\n';
}
