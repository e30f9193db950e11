// A checker of session guarantees over a recorded history: each session's operations in the order it
// issued them (a session is sequential), judged against the store's version order. Counted, with a few
// examples each:
//   read-your-writes: a read of k returned a version below the session's own earlier write of k;
//   monotonic reads: a read of k returned a version below one an earlier read of k returned;
//   monotonic writes: a write got a version not above an earlier write of the session (so, by the
//     last-writer-wins order, a replica could keep the earlier write over the later one);
//   writes-follow-reads: a write got a version not above a version the session had read before.
// Only operations that succeeded count; a failed write is no write of the session.
import { compareVersions, formatVersion, VERSION_ZERO, type Version } from './hlc.js';

export interface SessionOp {
  readonly session: string;
  readonly kind: 'read' | 'write';
  readonly key: string;
  /** write: the version written; read: the version returned (VERSION_ZERO: not found). null: failed. */
  readonly version: Version | null;
  readonly call_ns: number;
}

export type Guarantee = 'read_your_writes' | 'monotonic_reads' | 'monotonic_writes' | 'writes_follow_reads';

export interface SessionCheck {
  readonly sessions: number;
  readonly operations: number;
  readonly violations: Readonly<Record<Guarantee, number>>;
  /** Up to `examples_max` descriptions per guarantee. */
  readonly examples: Readonly<Record<Guarantee, readonly string[]>>;
}

export function checkSessions(ops: readonly SessionOp[], examples_max = 3): SessionCheck {
  const bySession = new Map<string, SessionOp[]>();
  for (const o of ops) {
    if (o.version === null) continue;
    let l = bySession.get(o.session);
    if (!l) bySession.set(o.session, (l = []));
    l.push(o);
  }
  const violations: Record<Guarantee, number> = { read_your_writes: 0, monotonic_reads: 0, monotonic_writes: 0, writes_follow_reads: 0 };
  const examples: Record<Guarantee, string[]> = { read_your_writes: [], monotonic_reads: [], monotonic_writes: [], writes_follow_reads: [] };
  const flag = (g: Guarantee, text: string): void => {
    violations[g]++;
    if (examples[g].length < examples_max) examples[g].push(text);
  };
  let counted = 0;
  for (const [s, list] of bySession) {
    list.sort((a, b) => a.call_ns - b.call_ns);
    const wrote = new Map<string, Version>();
    const readV = new Map<string, Version>();
    let maxW = VERSION_ZERO, maxR = VERSION_ZERO;
    for (const o of list) {
      counted++;
      const v = o.version!;
      const at = `${s} at ${(o.call_ns / 1e6).toFixed(3)} ms`;
      if (o.kind === 'read') {
        const w = wrote.get(o.key);
        if (w && compareVersions(v, w) < 0) flag('read_your_writes', `${at}: read ${o.key} -> ${formatVersion(v)}, after writing ${formatVersion(w)}`);
        const r = readV.get(o.key);
        if (r && compareVersions(v, r) < 0) flag('monotonic_reads', `${at}: read ${o.key} -> ${formatVersion(v)}, after reading ${formatVersion(r)}`);
        if (!r || compareVersions(v, r) > 0) readV.set(o.key, v);
        if (compareVersions(v, maxR) > 0) maxR = v;
      } else {
        if (compareVersions(v, maxW) <= 0 && maxW !== VERSION_ZERO) flag('monotonic_writes', `${at}: wrote ${o.key} as ${formatVersion(v)}, after writing ${formatVersion(maxW)}`);
        if (compareVersions(v, maxR) <= 0 && maxR !== VERSION_ZERO) flag('writes_follow_reads', `${at}: wrote ${o.key} as ${formatVersion(v)}, after reading ${formatVersion(maxR)}`);
        const w = wrote.get(o.key);
        if (!w || compareVersions(v, w) > 0) wrote.set(o.key, v);
        if (compareVersions(v, maxW) > 0) maxW = v;
      }
    }
  }
  return { sessions: bySession.size, operations: counted, violations, examples };
}

export const totalViolations = (c: SessionCheck): number => Object.values(c.violations).reduce((a, b) => a + b, 0);
