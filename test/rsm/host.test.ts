import { describe, expect, it } from 'vitest';
import { SimCluster, type NodeContext, type NodeService } from '../../src/cluster/index.js';
import { MemoryStorage } from '../../src/raft/index.js';
import { RsmHost, SessionTable, validateRaftWire, type ProposalDone, type StateMachine } from '../../src/rsm/index.js';

/** A replicated counter: `add <n>` returns the new total. */
class Counter implements StateMachine<number> {
  total = 0;
  readonly seen: number[] = [];
  apply(index: number, data: string): number {
    this.seen.push(index);
    this.total += Number(data.split(' ')[1]);
    return this.total;
  }
  snapshot(): string {
    return String(this.total);
  }
  restore(snapshot: string): void {
    this.total = Number(snapshot);
  }
}

class CounterService implements NodeService {
  host: RsmHost<number> | undefined;
  readonly machine = new Counter();
  start(ctx: NodeContext): void {
    this.host = new RsmHost({ ctx, machine: this.machine, voters: ['a', 'b', 'c'], storage: new MemoryStorage(), snapshot_entries: 5 });
    this.host.start();
  }
  onMessage(from: string, msg: unknown): void {
    const m = msg as Record<string, unknown>;
    const w = validateRaftWire(m);
    if (typeof w !== 'string') this.host?.step(from, w);
  }
  stop(): void {
    this.host?.stop();
  }
}

describe('rsm host', () => {
  it('runs any state machine on Raft: proposals complete with their result, every replica applies them in order', () => {
    const services = new Map<string, CounterService>();
    const c = new SimCluster({
      seed: 3, nodes: ['a', 'b', 'c'].map((id) => ({ id, services: { counter: () => { const s = new CounterService(); services.set(id, s); return s; } } })),
    });
    c.sim.run({ until_ns: 1_000_000_000 });
    const leader = [...services.values()].find((s) => s.host?.raft.role === 'leader')!;
    const follower = [...services.values()].find((s) => s !== leader)!;
    const results: ProposalDone<number>[] = [];
    for (let i = 1; i <= 12; i++) leader.host!.propose(`add ${i}`, (r) => results.push(r));
    const refused: ProposalDone<number>[] = [];
    follower.host!.propose('add 100', (r) => refused.push(r));
    c.sim.run({ until_ns: 2_000_000_000 });
    expect(results.map((r) => (r.ok ? r.result : r.reason))).toEqual([1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66, 78]);
    expect(refused).toEqual([{ ok: false, reason: 'not the leader', leader: leader.host!.id }]);
    for (const s of services.values()) {
      expect(s.machine.total).toBe(78);
      expect(s.host!.applied).toBe(s.host!.raft.log.applied);
    }
    // Snapshots were taken along the way (every 5 applied entries).
    expect(leader.host!.raft.log.snapIndex).toBeGreaterThan(0);
    let read = false;
    leader.host!.read((r) => { read = r.ok; });
    c.sim.run({ until_ns: 2_500_000_000 });
    expect(read).toBe(true);
  });
});

describe('session table', () => {
  it('tells new commands from retries and stale ones, and evicts the least recently used session', () => {
    const t = new SessionTable<string>(2);
    expect(t.check('a', 1, 1)).toEqual({ kind: 'new' });
    t.record('a', 1, 1, 'r1');
    expect(t.check('a', 1, 2)).toEqual({ kind: 'retry', result: 'r1' });
    t.record('a', 2, 3, 'r2');
    expect(t.check('a', 1, 4)).toEqual({ kind: 'stale', last: 2 });
    t.record('b', 1, 5, 'x');
    t.record('c', 1, 6, 'y');
    expect(t.entries().map(([k]) => k)).toEqual(['b', 'c']);
  });
});
