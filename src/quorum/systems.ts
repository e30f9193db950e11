// Quorum systems over a fixed list of nodes: which sets of nodes may serve a read and which a write.
// Every system here is monotone (a superset of a quorum is a quorum), which is what lets the checker in
// intersection.ts decide intersection from complements. Sets are bitmasks over the node list, so a
// system has at most QUORUM_NODES_MAX nodes.

/** The most nodes a quorum system may have: sets are 31-bit masks, and the checker walks all 2^N of them. */
export const QUORUM_NODES_MAX = 20;

export type QuorumKind = 'threshold' | 'majority' | 'rowa' | 'grid' | 'weighted' | 'explicit';

export interface QuorumSystem {
  readonly kind: QuorumKind;
  readonly nodes: readonly string[];
  /** One line for a report: "majority of 5 (R=3, W=3)". */
  readonly description: string;
  /** Whether the nodes in `mask` (bit i: nodes[i]) form a read quorum. */
  isReadQuorum(mask: number): boolean;
  isWriteQuorum(mask: number): boolean;
}

export class QuorumConfigError extends Error {
  override name = 'QuorumConfigError';
}

function checkNodes(nodes: readonly string[]): void {
  if (nodes.length < 1 || nodes.length > QUORUM_NODES_MAX) {
    throw new QuorumConfigError(`a quorum system needs 1..${QUORUM_NODES_MAX} nodes, got ${nodes.length}`);
  }
  if (new Set(nodes).size !== nodes.length) throw new QuorumConfigError(`node names must be unique: ${nodes.join(', ')}`);
}

/** Set bits of a mask. */
export function popcount(mask: number): number {
  let m = mask >>> 0, c = 0;
  while (m !== 0) { m &= m - 1; c++; }
  return c;
}

/** The mask of some of a system's nodes (by name). */
export function maskOf(nodes: readonly string[], members: Iterable<string>): number {
  let m = 0;
  for (const x of members) {
    const i = nodes.indexOf(x);
    if (i < 0) throw new QuorumConfigError(`'${x}' is not one of the nodes (${nodes.join(', ')})`);
    m |= 1 << i;
  }
  return m;
}

/** The node names in a mask, in node order. */
export function membersOf(nodes: readonly string[], mask: number): string[] {
  return nodes.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** Any R nodes read, any W nodes write (Dynamo's N, R, W). */
export function thresholdQuorums(nodes: readonly string[], r: number, w: number): QuorumSystem {
  checkNodes(nodes);
  const n = nodes.length;
  for (const [name, q] of [['R', r], ['W', w]] as const) {
    if (!Number.isSafeInteger(q) || q < 1 || q > n) throw new QuorumConfigError(`${name} must be between 1 and N=${n}, got ${q}`);
  }
  return {
    kind: 'threshold', nodes, description: `N=${n}, R=${r}, W=${w}`,
    isReadQuorum: (m) => popcount(m) >= r,
    isWriteQuorum: (m) => popcount(m) >= w,
  };
}

/** floor(N/2) + 1 for reads and for writes. */
export function majorityQuorums(nodes: readonly string[]): QuorumSystem {
  const q = Math.floor(nodes.length / 2) + 1;
  return { ...thresholdQuorums(nodes, q, q), kind: 'majority', description: `majority of ${nodes.length} (R=W=${q})` };
}

/** Read one, write all. */
export function rowaQuorums(nodes: readonly string[]): QuorumSystem {
  return { ...thresholdQuorums(nodes, 1, nodes.length), kind: 'rowa', description: `read-one/write-all of ${nodes.length} (R=1, W=${nodes.length})` };
}

/**
 * Nodes laid out row by row in a grid of `cols` columns: a read quorum holds one node of every column, a
 * write quorum holds a whole column and one node of every column (Cheung, Ammar and Ahamad's grid).
 */
export function gridQuorums(nodes: readonly string[], cols: number): QuorumSystem {
  checkNodes(nodes);
  if (!Number.isSafeInteger(cols) || cols < 1 || nodes.length % cols !== 0) {
    throw new QuorumConfigError(`a grid needs a column count that divides N=${nodes.length}, got ${cols}`);
  }
  const rows = nodes.length / cols;
  const column: number[] = [];
  for (let c = 0; c < cols; c++) {
    let m = 0;
    for (let r = 0; r < rows; r++) m |= 1 << (r * cols + c);
    column.push(m);
  }
  const coversEveryColumn = (m: number): boolean => column.every((c) => (m & c) !== 0);
  return {
    kind: 'grid', nodes, description: `grid ${rows}x${cols} (read: one per column; write: a column and one per column)`,
    isReadQuorum: coversEveryColumn,
    isWriteQuorum: (m) => coversEveryColumn(m) && column.some((c) => (m & c) === c),
  };
}

/** Gifford's weighted voting: a read needs votes >= r, a write votes >= w. */
export function weightedQuorums(votes: Readonly<Record<string, number>>, r: number, w: number): QuorumSystem {
  const nodes = Object.keys(votes);
  checkNodes(nodes);
  const weight = nodes.map((x) => votes[x]!);
  if (!weight.every((v) => Number.isSafeInteger(v) && v >= 0)) throw new QuorumConfigError('votes must be integers >= 0');
  const total = weight.reduce((a, b) => a + b, 0);
  for (const [name, q] of [['r', r], ['w', w]] as const) {
    if (!Number.isSafeInteger(q) || q < 1 || q > total) throw new QuorumConfigError(`${name} must be between 1 and the ${total} votes, got ${q}`);
  }
  const sum = (m: number): number => { let s = 0; for (let i = 0; i < weight.length; i++) if (m & (1 << i)) s += weight[i]!; return s; };
  return {
    kind: 'weighted', nodes,
    description: `weighted votes ${nodes.map((x) => `${x}:${votes[x]}`).join(' ')} (total ${total}, r=${r}, w=${w})`,
    isReadQuorum: (m) => sum(m) >= r,
    isWriteQuorum: (m) => sum(m) >= w,
  };
}

/** Quorums listed by name; any superset of a listed quorum is one too. */
export function explicitQuorums(nodes: readonly string[], reads: readonly (readonly string[])[], writes: readonly (readonly string[])[]): QuorumSystem {
  checkNodes(nodes);
  if (reads.length === 0 || writes.length === 0) throw new QuorumConfigError('an explicit system needs at least one read and one write quorum');
  const r = reads.map((q) => maskOf(nodes, q));
  const w = writes.map((q) => maskOf(nodes, q));
  const show = (qs: readonly (readonly string[])[]): string => qs.map((q) => `{${q.join(',')}}`).join(' ');
  return {
    kind: 'explicit', nodes, description: `explicit: reads ${show(reads)}; writes ${show(writes)}`,
    isReadQuorum: (m) => r.some((q) => (m & q) === q),
    isWriteQuorum: (m) => w.some((q) => (m & q) === q),
  };
}
