import { describe, expect, it } from 'vitest';
import { runLeaderCrash } from '../../src/scenarios/leader-crash.js';
import { runRaftPartition } from '../../src/scenarios/raft-partition.js';
import { parseFaultScript } from '../../src/net/index.js';
import { raftSimNodeIds } from '../../src/scenarios/index.js';

const ids = raftSimNodeIds(5, 2);

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

  it('leader-crash with a fault script: its crashes and cuts act at their times, and the same faults replay the same run', () => {
    const faults = parseFaultScript('at 1200ms crash n2\nat 2500ms restart n2\nat 5000ms partition n1,n2|n3,n4,n5\nat 5600ms heal\n', ids);
    const plain = runLeaderCrash({ seed: 7, nodes: 5, crashes: 5 });
    const a = runLeaderCrash({ seed: 7, nodes: 5, crashes: 5, faults });
    const b = runLeaderCrash({ seed: 7, nodes: 5, crashes: 5, faults });
    expect(a.trace_hash).not.toBe(plain.trace_hash);
    expect(b.trace_hash).toBe(a.trace_hash);
    expect(a.events).toEqual(expect.arrayContaining([{ t_ms: 1200, what: 'fault: crash n2' }, { t_ms: 5600, what: 'fault: heal' }]));
    const at = (t_ms: number) => a.timeline.find((s) => s.t_ms === t_ms)!.nodes;
    expect(at(1300)['n2']!.status).toBe('down');
    expect(at(2600)['n2']!.status).toBe('up');
    expect(a.passed).toBe(true);
  });

  it('leader-crash with faults that leave no majority fails its checks instead of passing', () => {
    const faults = parseFaultScript('at 1000ms crash n1\nat 1000ms crash n2\nat 1000ms crash n3\n', ids);
    const r = runLeaderCrash({ seed: 7, nodes: 5, crashes: 5, faults });
    expect(r.passed).toBe(false);
    expect(r.crashes.some((c) => c.election_ms === null) || r.crashes.length < 5).toBe(true);
  });

  it('raft-partition: a script\'s partition cuts servers only, so the clients still reach every server', () => {
    const faults = parseFaultScript('at 6000ms partition n1|n2,n3,n4,n5\nat 6500ms heal\n', ids);
    const sends = new Map<number, [string, string]>();
    const cut: [string, string][] = [];
    const trace_sink = (line: string): void => {
      const e = JSON.parse(line) as { t: number; ev: string; id?: number; from?: string; to?: string; why?: string };
      if (e.ev === 'net.send') sends.set(e.id!, [e.from!, e.to!]);
      else if (e.ev === 'net.drop' && e.why === 'partition' && e.t >= 6000e6 && e.t < 6500e6) cut.push(sends.get(e.id!)!);
    };
    const r = runRaftPartition({ seed: 7, nodes: 5, faults, trace_sink });
    expect(r.events.map((e) => e.what)).toContain('fault: partition n1|n2,n3,n4,n5');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every(([a, b]) => (a === 'n1') !== (b === 'n1') && a.startsWith('n') && b.startsWith('n'))).toBe(true);
    expect(r.checks['linearizable']).toBe(true);
    expect(r.checks['safety_held']).toBe(true);
  });
});
