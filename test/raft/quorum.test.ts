import { describe, expect, it } from 'vitest';
import { committedIndex, hasQuorum, majoritySize, maxFailures, voteResult } from '../../src/raft/index.js';

describe('quorum arithmetic', () => {
  it('a majority is floor(n / 2) + 1 and the cluster survives the loss of the rest', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(majoritySize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect([1, 2, 3, 4, 5, 6, 7].map(maxFailures)).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(() => majoritySize(-1)).toThrow(RangeError);
  });

  it('only voters count towards a quorum', () => {
    const voters = new Set(['a', 'b', 'c']);
    expect(hasQuorum(['a', 'learner', 'gone'], voters)).toBe(false);
    expect(hasQuorum(['a', 'c'], voters)).toBe(true);
  });

  it('an election is won by a majority of grants and lost by a majority of refusals', () => {
    const voters = new Set(['a', 'b', 'c', 'd', 'e']);
    expect(voteResult(new Map([['a', true], ['b', true], ['x', true]]), voters)).toBe('pending');
    expect(voteResult(new Map([['a', true], ['b', true], ['c', true]]), voters)).toBe('won');
    expect(voteResult(new Map([['a', true], ['b', false], ['c', false], ['d', false]]), voters)).toBe('lost');
  });

  it('the committed index is the highest one a majority holds', () => {
    expect(committedIndex([5, 3, 9])).toBe(5);
    expect(committedIndex([5, 3, 9, 1])).toBe(3);
    expect(committedIndex([7])).toBe(7);
    expect(committedIndex([])).toBe(0);
  });
});
