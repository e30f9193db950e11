// Where a new process runs: the cluster's placement policies. `local` keeps it on the node that forks; `spread`
// deals new processes round robin over the other nodes that are up (starting after the forking node, so a
// cluster's forks fan out across it); `least-loaded` picks the node with the lowest load its last report gave
// (ties broken in the same round-robin order); an explicit node (spawn on a named node) wins over all. Pure and
// deterministic: the caller gives the nodes, their loads and its turn counter.

export const PLACEMENT_POLICIES = ['local', 'spread', 'least-loaded'] as const;
export type PlacementPolicy = (typeof PLACEMENT_POLICIES)[number];

export function isPlacementPolicy(x: string): x is PlacementPolicy {
  return (PLACEMENT_POLICIES as readonly string[]).includes(x);
}

export interface PlacementInput {
  /** The node asking (the forking process's). */
  readonly self: string;
  /** Every node of the cluster, in the cluster's order. */
  readonly nodes: readonly string[];
  /** Nodes believed up (self included); the others are never chosen. */
  readonly up: ReadonlySet<string>;
  /** The last load each node reported (runnable threads plus live processes); missing means unknown (0). */
  readonly loads: ReadonlyMap<string, number>;
  /** How many placements this node has made so far (the round robin's position). */
  readonly turn: number;
}

/** The candidates in round-robin order from the node after self, self last. */
function ring(input: PlacementInput): string[] {
  const i = Math.max(0, input.nodes.indexOf(input.self));
  const n = input.nodes.length;
  const out: string[] = [];
  for (let k = 1; k <= n; k++) {
    const id = input.nodes[(i + k) % n]!;
    if (id === input.self || input.up.has(id)) out.push(id);
  }
  return out;
}

/** The node a new process goes to under policy. */
export function placeProcess(policy: PlacementPolicy, input: PlacementInput): string {
  if (policy === 'local') return input.self;
  const candidates = ring(input);
  if (candidates.length === 0) return input.self;
  if (policy === 'spread') {
    // Round robin over the others first: self only when it is the only node up.
    const others = candidates.filter((id) => id !== input.self);
    if (others.length === 0) return input.self;
    return others[input.turn % others.length]!;
  }
  // The lowest load; among equals the first in round-robin order from this node's turn.
  const n = candidates.length;
  let best = candidates[input.turn % n]!;
  let bestLoad = input.loads.get(best) ?? 0;
  for (let k = 1; k < n; k++) {
    const id = candidates[(input.turn + k) % n]!;
    const load = input.loads.get(id) ?? 0;
    if (load < bestLoad) { best = id; bestLoad = load; }
  }
  return best;
}

/** n2 before n10. */
export function compareNodes(a: string, b: string): number {
  const na = /^n(\d+)$/.exec(a), nb = /^n(\d+)$/.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}
