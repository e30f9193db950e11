import { describe, expect, it } from 'vitest';
import type { NodeContext, NodeService } from '../../src/cluster/index.js';
import { LeaseKeeper, procsOf, type LeaseGrant, type ListAnswer, type LookupAnswer, type ProcsService } from '../../src/ssi/index.js';
import { layout } from '../../src/machine/index.js';
import { Outcome, ProcsSim } from './sim.js';

const { CLD_KILLED, SIGKILL, CLD_EXITED } = layout;

function expectDisjoint(grants: readonly LeaseGrant[]): void {
  const sorted = [...grants].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.start + sorted[i - 1]!.count);
}

/** Ask every node (listed) for `rounds` leases of `count`; returns the outcomes per node. */
function leaseFromAll(s: ProcsSim, nodes: readonly string[], rounds: number, count: number, timeout_ms?: number): Map<string, Outcome<LeaseGrant>[]> {
  const out = new Map<string, Outcome<LeaseGrant>[]>();
  for (const id of nodes) {
    const list: Outcome<LeaseGrant>[] = [];
    for (let i = 0; i < rounds; i++) {
      const o = new Outcome<LeaseGrant>(s);
      s.procs(id)!.lease(count, o.cb, timeout_ms === undefined ? {} : { timeout_ms });
      list.push(o);
    }
    out.set(id, list);
  }
  return out;
}

const grantsOf = (m: Map<string, Outcome<LeaseGrant>[]>): LeaseGrant[] => [...m.values()].flat().map((o) => o.value);

describe('procs on a simulated cluster', () => {
  for (const nodes of [3, 5]) {
    it(`grants disjoint leases to every node of ${nodes}, the leader's own and the followers' forwarded ones`, () => {
      const s = new ProcsSim({ seed: 11 + nodes, nodes });
      s.run(1000);
      const leader = s.leader();
      expect(leader).not.toBeNull();
      const asked = leaseFromAll(s, s.ids, 4, 32);
      s.run(1000);
      const grants = grantsOf(asked);
      expect(grants).toHaveLength(4 * nodes);
      expect(grants.every((g) => g.count === 32)).toBe(true);
      expectDisjoint(grants);
      expect(Math.min(...grants.map((g) => g.start))).toBe(1);
      // Every replica holds the same table, each grant under the node that asked for it.
      for (const id of s.ids) {
        const table = s.procs(id)!.machine.leaseTable();
        expect(table).toEqual(s.procs(leader!)!.machine.leaseTable());
        for (const [node, list] of asked) for (const o of list) expect(table).toContainEqual({ ...o.value, node });
      }
      // owner() from any node's own applied state.
      const first = asked.get(s.ids[1]!)![0]!.value;
      for (const id of s.ids) expect(s.procs(id)!.leaseOwner(first.start + 5)).toBe(s.ids[1]);
    });
  }

  it('keeps granting on the majority side of a partition; a minority node gets an error after its deadline', () => {
    const s = new ProcsSim({ seed: 5, nodes: 5 });
    s.run(1000);
    const old = s.leader()!;
    const minority = [old, s.ids.find((x) => x !== old)!];
    const majority = s.ids.filter((x) => !minority.includes(x));
    s.c.net.partition([minority, majority]);
    const start = s.now_ms;
    const maj = leaseFromAll(s, majority, 3, 16, 3000);
    const min = leaseFromAll(s, minority, 2, 16, 1500);
    s.run(4000);
    expectDisjoint(grantsOf(maj));
    for (const o of [...min.values()].flat()) {
      expect(o.result?.ok).toBe(false);
      if (o.result?.ok === false) expect(['no-leader', 'timeout']).toContain(o.result.error.kind);
      expect(o.at_ms - start).toBeGreaterThanOrEqual(1500);
      expect(o.at_ms - start).toBeLessThan(1600);
    }
    const newLeader = s.leader(majority);
    expect(newLeader).not.toBeNull();
    // After healing the old side catches up and holds exactly the majority's grants.
    s.c.net.heal();
    s.run(2000);
    const table = s.procs(newLeader!)!.machine.leaseTable();
    expect(table).toHaveLength(9);
    for (const id of s.ids) expect(s.procs(id)!.machine.leaseTable()).toEqual(table);
    const after = leaseFromAll(s, minority, 1, 16);
    s.run(1000);
    expectDisjoint([...grantsOf(maj), ...grantsOf(after)]);
  });

  it('survives the leader crashing: the others elect a leader and grant; the old leader restarts and catches up', () => {
    const s = new ProcsSim({ seed: 21, nodes: 3 });
    s.run(1000);
    const first = leaseFromAll(s, s.ids, 2, 8);
    s.run(500);
    const old = s.leader()!;
    s.c.crash(old);
    const rest = s.ids.filter((x) => x !== old);
    const during = leaseFromAll(s, rest, 2, 8);
    s.run(2000);
    expect(s.leader(rest)).not.toBeNull();
    s.c.restart(old);
    s.run(1500);
    const back = leaseFromAll(s, [old], 2, 8);
    s.run(1000);
    const all = [...grantsOf(first), ...grantsOf(during), ...grantsOf(back)];
    expect(all).toHaveLength(12);
    expectDisjoint(all);
    for (const id of s.ids) expect(s.procs(id)!.machine.leaseTable()).toHaveLength(12);
  });

  it('keeps the directory: place, lookup from another node, move, end, forget, node-down; one location per pid', () => {
    const s = new ProcsSim({ seed: 8, nodes: 3 });
    s.run(1000);
    const [a, b, c] = s.ids.map((id) => s.procs(id)!) as [ProcsService, ProcsService, ProcsService];
    const g = new Outcome<LeaseGrant>(s);
    a.lease(10, g.cb);
    s.run(300);
    const pid = g.value.start;
    // Two nodes claim the same pid at once: exactly one wins.
    const mine = new Outcome<{ pid: number; node: string }>(s);
    const rival = new Outcome<{ pid: number; node: string }>(s);
    a.place({ pid, ppid: 0, pgid: pid, sid: pid, program: '/bin/init' }, mine.cb);
    b.place({ pid, ppid: 0, pgid: pid, sid: pid, program: '/bin/rival' }, rival.cb);
    s.run(300);
    expect([mine.result?.ok, rival.result?.ok].filter(Boolean)).toHaveLength(1);
    const winner = mine.result?.ok ? s.ids[0] : s.ids[1];
    const loser = mine.result?.ok ? rival : mine;
    expect(loser.result).toMatchObject({ ok: false, error: { kind: 'refused', message: `pid ${pid} already runs on ${winner}` } });
    const seen = new Outcome<LookupAnswer>(s);
    c.lookup(pid, seen.cb);
    s.run(300);
    expect(seen.value).toMatchObject({ pid, lease_node: s.ids[0], entry: { node: winner, state: 'running' } });
    const moved = new Outcome<{ pid: number; node: string }>(s);
    c.move(pid, winner!, s.ids[2]!, moved.cb);
    s.run(300);
    expect(moved.value).toEqual({ pid, node: s.ids[2] });
    for (const p of [pid + 1, pid + 2]) a.place({ pid: p, ppid: pid, pgid: pid, sid: pid, program: 'worker' }, () => {});
    s.run(300);
    const down = new Outcome<{ node: string; ended: number }>(s);
    b.nodeDown(s.ids[0]!, down.cb);
    s.run(300);
    expect(down.value).toEqual({ node: s.ids[0], ended: 2 });
    const ps = new Outcome<ListAnswer>(s);
    b.list(ps.cb);
    s.run(300);
    expect(ps.value.entries.map((e) => [e.pid, e.node, e.state, e.exit])).toEqual([
      [pid, s.ids[2], 'running', null],
      [pid + 1, s.ids[0], 'zombie', { code: CLD_KILLED, status: SIGKILL }],
      [pid + 2, s.ids[0], 'zombie', { code: CLD_KILLED, status: SIGKILL }],
    ]);
    const ended = new Outcome<{ pid: number }>(s);
    c.end(pid, { code: CLD_EXITED, status: 0 }, ended.cb);
    s.run(300);
    const gone = new Outcome<{ pid: number }>(s);
    a.forget(pid, gone.cb);
    const early = new Outcome<{ pid: number }>(s);
    a.forget(pid + 5, early.cb);
    s.run(300);
    expect(gone.value).toEqual({ pid });
    expect(early.result).toMatchObject({ ok: false, error: { kind: 'refused', message: `no process ${pid + 5}` } });
    for (const svc of [a, b, c]) expect(svc.localOwner(pid)).toEqual({ node: s.ids[0], source: 'lease' });
  });

  it('lets another service of the node reach procs in-process; a LeaseKeeper keeps a current and a spare range', () => {
    const keepers = new Map<string, LeaseKeeper>();
    const arrived: [string, number, number][] = [];
    class Forker implements NodeService {
      private keeper: LeaseKeeper | undefined;
      start(ctx: NodeContext): void {
        const procs = procsOf(ctx);
        if (!procs) throw new Error('no procs service on this node');
        const k = new LeaseKeeper({ source: procs, timers: ctx, lease_count: 16, low_water: 8, onLease: (st, n) => arrived.push([ctx.id, st, n]) });
        keepers.set(ctx.id, k);
        this.keeper = k;
        k.start();
      }
      onMessage(): void {}
      stop(): void {
        this.keeper?.stop();
      }
    }
    const s = new ProcsSim({ seed: 3, nodes: 3, extra: { forker: () => new Forker() } });
    s.run(1500);
    for (const id of s.ids) expect(keepers.get(id)!.held()).toHaveLength(2);
    expect(arrived).toHaveLength(6);
    const k = keepers.get('n2')!;
    const pids: number[] = [];
    for (let i = 0; i < 20; i++) pids.push(k.take()!);
    // The first range is used up, the spare became current, and a new spare is on its way.
    expect(new Set(pids).size).toBe(20);
    s.run(500);
    expect(k.held()).toHaveLength(2);
    expect(k.left()).toBe(28);
    // Cut off in a minority, the node uses up what it holds and then gets no pid at all.
    s.c.net.partition([['n2'], ['n1', 'n3']]);
    s.run(100);
    const cut: (number | null)[] = [];
    for (let i = 0; i < 40; i++) cut.push(k.take());
    expect(cut.filter((p) => p !== null)).toHaveLength(28);
    expect(cut.slice(28).every((p) => p === null)).toBe(true);
    s.run(3000);
    expect(k.take()).toBeNull();
    expect(k.stats.failed).toBeGreaterThan(0);
    s.c.net.heal();
    s.run(2000);
    expect(k.take()).not.toBeNull();
    const all = arrived.map(([, start, count]) => ({ start, count }));
    expectDisjoint(all);
    const taken = [...pids, ...cut.filter((p): p is number => p !== null)];
    for (const p of taken) expect(s.procs('n1')!.leaseOwner(p)).toBe('n2');
  });

  it('grants one range per request when its command is duplicated and its answers are lost (at most once)', () => {
    const s = new ProcsSim({ seed: 4, nodes: 3, link: { duplicate: 0.5 } });
    s.run(1000);
    const leader = s.leader()!;
    const f = s.ids.find((x) => x !== leader)!;
    const asked = leaseFromAll(s, [f], 5, 8, 6000);
    s.run(2);
    // The commands reached the leader; its answers (and its appends) to f are lost for a while.
    s.c.net.partitionOneWay([leader], [f]);
    s.run(800);
    s.c.net.heal();
    s.run(3000);
    expect(grantsOf(asked)).toHaveLength(5);
    expect(s.procs(leader)!.served.commands).toBeGreaterThan(10);
    const table = s.procs(leader)!.machine.leaseTable();
    expect(table.filter((l) => l.node === f)).toEqual(grantsOf(asked).map((g) => ({ ...g, node: f })));
  });

  it('fails calls at once with busy past the bound, and with stopped when the node stops', () => {
    const s = new ProcsSim({ seed: 2, nodes: 3, procs: { max_calls: 2 } });
    s.run(1000);
    const p = s.procs('n1')!;
    const outs = [0, 1, 2].map(() => new Outcome<LeaseGrant>(s));
    for (const o of outs) p.lease(1, o.cb);
    expect(outs[2]!.result).toMatchObject({ ok: false, error: { kind: 'busy' } });
    s.run(500);
    expectDisjoint([outs[0]!.value, outs[1]!.value]);
    s.c.net.partition([['n1'], ['n2', 'n3']]);
    const late = new Outcome<LeaseGrant>(s);
    p.lease(1, late.cb, { timeout_ms: 10_000 });
    expect(late.result).toBeUndefined();
    s.c.node('n1').stop();
    expect(late.result).toMatchObject({ ok: false, error: { kind: 'stopped' } });
  });
});
