import { describe, expect, it } from 'vitest';
import {
  checkIntersection, explicitQuorums, formatIntersection, gridQuorums, majorityQuorums, maskOf, QuorumConfigError,
  rowaQuorums, thresholdQuorums, weightedQuorums, type QuorumSystem,
} from '../../src/quorum/index.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i + 1}`);

/** Brute force over pairs of sets, independent of the checker's complement argument. */
function disjointPairExists(q: QuorumSystem, first: (m: number) => boolean): boolean {
  const full = (1 << q.nodes.length) - 1;
  for (let a = 0; a <= full; a++) {
    if (!first(a)) continue;
    for (let b = 0; b <= full; b++) if ((a & b) === 0 && q.isWriteQuorum(b)) return true;
  }
  return false;
}

describe('quorum systems', () => {
  it('majority of N is floor(N/2)+1 for reads and writes', () => {
    const q = majorityQuorums(names(5));
    expect(q.isWriteQuorum(maskOf(q.nodes, ['S1', 'S2', 'S3']))).toBe(true);
    expect(q.isWriteQuorum(maskOf(q.nodes, ['S4', 'S5']))).toBe(false);
    expect(majorityQuorums(names(6)).isReadQuorum(maskOf(names(6), ['S1', 'S2', 'S3']))).toBe(false);
  });

  it('read-one/write-all reads from any node and writes only to all', () => {
    const q = rowaQuorums(names(4));
    expect(q.isReadQuorum(maskOf(q.nodes, ['S3']))).toBe(true);
    expect(q.isWriteQuorum(maskOf(q.nodes, ['S1', 'S2', 'S3']))).toBe(false);
    expect(q.isWriteQuorum(0b1111)).toBe(true);
  });

  it('a grid reads one node per column and writes a column plus one per column', () => {
    const q = gridQuorums(names(9), 3); // rows S1 S2 S3 / S4 S5 S6 / S7 S8 S9
    expect(q.isReadQuorum(maskOf(q.nodes, ['S1', 'S5', 'S9']))).toBe(true);
    expect(q.isReadQuorum(maskOf(q.nodes, ['S1', 'S4', 'S7']))).toBe(false);
    expect(q.isWriteQuorum(maskOf(q.nodes, ['S1', 'S4', 'S7', 'S5', 'S9']))).toBe(true);
    expect(q.isWriteQuorum(maskOf(q.nodes, ['S1', 'S5', 'S9']))).toBe(false);
  });

  it('weighted votes count votes, not nodes', () => {
    const q = weightedQuorums({ a: 3, b: 1, c: 1 }, 3, 3);
    expect(q.isWriteQuorum(maskOf(q.nodes, ['a']))).toBe(true);
    expect(q.isWriteQuorum(maskOf(q.nodes, ['b', 'c']))).toBe(false);
  });

  it('rejects configurations that cannot work, with a clear message', () => {
    expect(() => thresholdQuorums(names(3), 0, 2)).toThrow(QuorumConfigError);
    expect(() => thresholdQuorums(names(3), 2, 4)).toThrow(/W must be between 1 and N=3/);
    expect(() => gridQuorums(names(5), 2)).toThrow(/divides N=5/);
    expect(() => explicitQuorums(names(3), [['S1', 'S9']], [['S1']])).toThrow(/'S9' is not one of the nodes/);
    expect(() => majorityQuorums(names(21))).toThrow(/1\.\.20 nodes/);
  });
});

describe('intersection checker', () => {
  it('proves majority, read-one/write-all, grid and weighted systems safe by walking every subset', () => {
    for (const q of [majorityQuorums(names(5)), majorityQuorums(names(6)), rowaQuorums(names(4)), gridQuorums(names(12), 4), weightedQuorums({ a: 2, b: 1, c: 1, d: 1 }, 3, 3)]) {
      const r = checkIntersection(q);
      expect(r.intersects, q.description).toBe(true);
      expect(r.sets_checked).toBe(2 ** q.nodes.length);
    }
  });

  it('agrees with R+W>N and 2W>N for every threshold system up to N=7', () => {
    for (let n = 1; n <= 7; n++) {
      for (let r = 1; r <= n; r++) {
        for (let w = 1; w <= n; w++) {
          const rep = checkIntersection(thresholdQuorums(names(n), r, w));
          expect(rep.read_write.holds, `N=${n} R=${r} W=${w}`).toBe(r + w > n);
          expect(rep.write_write.holds, `N=${n} R=${r} W=${w}`).toBe(2 * w > n);
        }
      }
    }
  });

  it('agrees with a brute force over pairs of quorums on explicit and weighted systems', () => {
    const systems = [
      explicitQuorums(names(4), [['S1', 'S2'], ['S3', 'S4']], [['S1', 'S3'], ['S2', 'S4']]),
      explicitQuorums(names(4), [['S1', 'S2'], ['S2', 'S3']], [['S2', 'S4'], ['S1', 'S2', 'S3']]),
      weightedQuorums({ a: 2, b: 2, c: 1, d: 1 }, 2, 4),
      weightedQuorums({ a: 2, b: 2, c: 1, d: 1 }, 3, 4),
    ];
    for (const q of systems) {
      const r = checkIntersection(q);
      expect(r.read_write.holds, q.description).toBe(!disjointPairExists(q, (m) => q.isReadQuorum(m)));
      expect(r.write_write.holds, q.description).toBe(!disjointPairExists(q, (m) => q.isWriteQuorum(m)));
    }
  });

  it('refutes N=5, R=W=2 with two minimal disjoint quorums', () => {
    const q = thresholdQuorums(names(5), 2, 2);
    const r = checkIntersection(q);
    expect(r.intersects).toBe(false);
    if (r.read_write.holds || r.write_write.holds) throw new Error('expected both properties refuted');
    const [a, b] = r.read_write.quorums;
    expect(a.length).toBe(2);
    expect(b.length).toBe(2);
    expect(a.filter((x) => b.includes(x))).toEqual([]);
    expect(q.isReadQuorum(maskOf(q.nodes, a)) && q.isWriteQuorum(maskOf(q.nodes, b))).toBe(true);
    expect(formatIntersection(r)).toMatch(/refuted: read quorum \{S\d,S\d\} and write quorum \{S\d,S\d\} are disjoint/);
  });

  it('an explicit list of two disjoint write quorums is caught as a write-write failure only', () => {
    const q = explicitQuorums(names(4), [['S1', 'S2', 'S3', 'S4']], [['S1', 'S2'], ['S3', 'S4']]);
    const r = checkIntersection(q);
    expect(r.read_write.holds).toBe(true);
    expect(r.write_write).toEqual({ holds: false, property: 'write-write', quorums: [['S1', 'S2'], ['S3', 'S4']] });
  });

  it('a grid whose writes need no full column lets two writes miss each other', () => {
    // one per column is a read quorum of the grid; used as the write rule it is not safe
    const g = gridQuorums(names(4), 2);
    const q: QuorumSystem = { ...g, description: 'grid 2x2, writes one per column', isWriteQuorum: g.isReadQuorum };
    const r = checkIntersection(q);
    expect(r.write_write.holds).toBe(false);
    if (!r.write_write.holds) expect(r.write_write.quorums).toEqual([['S1', 'S2'], ['S3', 'S4']]);
  });
});
