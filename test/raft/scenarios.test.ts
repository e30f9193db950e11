import { describe, expect, it } from 'vitest';
import { runLeaderCrash } from '../../src/scenarios/leader-crash.js';
import { runRaftPartition } from '../../src/scenarios/raft-partition.js';

describe('raft scenarios', () => {
  it('leader-crash: every crashed leader is replaced within an election timeout range, safely', () => {
    const r = runLeaderCrash({ seed: 3, nodes: 5, crashes: 4 });
    expect(r.passed).toBe(true);
    expect(r.crashes).toHaveLength(4);
    for (const c of r.crashes) {
      expect(c.new_leader).not.toBe(c.leader);
      expect(c.new_term!).toBeGreaterThan(c.term);
      // election timeout is 10..20 ticks of 10 ms, plus a PreVote and a vote round trip
      expect(c.election_ms!).toBeGreaterThan(90);
      expect(c.election_ms!).toBeLessThan(1000);
    }
    expect(r.history.verdict).toBe('ok');
    expect(r.timeline.length).toBeGreaterThan(10);
  });

  it('leader-crash: the same seed gives the same report', () => {
    expect(JSON.stringify(runLeaderCrash({ seed: 5, nodes: 3, crashes: 2 }))).toBe(JSON.stringify(runLeaderCrash({ seed: 5, nodes: 3, crashes: 2 })));
  });

  it('raft-partition: the majority elects, the old leader steps down, the rejoin does not raise the term', () => {
    for (const nodes of [3, 5]) {
      const r = runRaftPartition({ seed: 2, nodes });
      expect(r.checks).toEqual({
        majority_elected_a_leader: true, old_leader_stepped_down: true, minority_committed_nothing_new: true,
        majority_kept_committing: true, rejoin_did_not_raise_term: true, converged: true, safety_held: true, linearizable: true,
      });
      expect(r.minority).toContain(r.old_leader);
      expect(r.majority).toContain(r.new_leader);
    }
  });
});
