// Majority arithmetic, in one place: how many voters make a quorum, whether a set of votes or
// acknowledgements reaches one, what a majority of match indexes has committed, and how many voters a
// cluster can lose. Pure functions over counts and sets; joint consensus is not supported (one config).

import type { NodeId } from './types.js';

/** Voters needed for a decision among `voters`: floor(n / 2) + 1 (1 for an empty config). */
export function majoritySize(voters: number): number {
  if (!Number.isSafeInteger(voters) || voters < 0) throw new RangeError(`quorum: voter count ${voters} is not a natural number`);
  return Math.floor(voters / 2) + 1;
}

/** The most voters that may fail with a majority still standing: the largest minority, floor((n - 1) / 2). */
export function maxFailures(voters: number): number {
  return voters === 0 ? 0 : voters - majoritySize(voters);
}

/** How many of `ids` are voters. */
export function countVoters(ids: Iterable<NodeId>, voters: ReadonlySet<NodeId>): number {
  let n = 0;
  for (const id of ids) if (voters.has(id)) n++;
  return n;
}

/** Do the voters among `ids` form a majority of `voters`? Non-voters (learners, removed nodes) do not count. */
export function hasQuorum(ids: Iterable<NodeId>, voters: ReadonlySet<NodeId>): boolean {
  return countVoters(ids, voters) >= majoritySize(voters.size);
}

export type VoteResult = 'won' | 'lost' | 'pending';

/** An election's state: won once a majority granted, lost once a majority refused. Only voters count. */
export function voteResult(votes: ReadonlyMap<NodeId, boolean>, voters: ReadonlySet<NodeId>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const [id, g] of votes) {
    if (!voters.has(id)) continue;
    if (g) granted++;
    else rejected++;
  }
  const q = majoritySize(voters.size);
  if (granted >= q) return 'won';
  return rejected >= q ? 'lost' : 'pending';
}

/** The highest index held by a majority, given one match index per voter (0 when there are none). */
export function committedIndex(matchIndexes: readonly number[]): number {
  if (matchIndexes.length === 0) return 0;
  const sorted = [...matchIndexes].sort((a, b) => b - a);
  return sorted[majoritySize(sorted.length) - 1]!;
}
