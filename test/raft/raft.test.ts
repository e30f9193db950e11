import { describe, expect, it } from 'vitest';
import { TestNet, data, testRng } from './harness.js';
import { Raft } from '../../src/raft/index.js';
import type { Message } from '../../src/raft/index.js';

const THREE = ['a', 'b', 'c'];
const FIVE = ['a', 'b', 'c', 'd', 'e'];

function elect(net: TestNet, id: string): void {
  net.node(id).campaign();
  net.stabilize();
  expect(net.node(id).role).toBe('leader');
}

describe('raft elections', () => {
  it('elects exactly one leader by timeouts and everyone follows it', () => {
    const net = new TestNet(FIVE);
    for (let i = 0; i < 40 && net.leaders().length === 0; i++) net.tickAll();
    expect(net.leaders()).toHaveLength(1);
    const lead = net.leaders()[0]!;
    for (const r of net.nodes.values()) {
      expect(r.lead).toBe(lead);
      expect(r.term).toBe(net.node(lead).term);
    }
  });

  it('a campaign with PreVote does not raise terms when it loses', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    const term = net.node('a').term;
    // c's log is behind: its pre-vote is refused and nobody's term moves.
    net.isolate('c');
    net.node('a').propose('x');
    net.stabilize();
    net.heal();
    // Leader's followers are in their lease: pre-votes are ignored outright.
    net.node('c').campaign();
    net.stabilize();
    expect(net.node('c').term).toBe(term);
    expect(net.node('a').role).toBe('leader');
    expect(net.node('a').term).toBe(term);
  });

  it('PreVote keeps a rejoining partitioned node from disrupting the leader', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    const term = net.node('a').term;
    net.isolate('c');
    // c times out many times while cut off; with PreVote it never raises its term.
    for (let i = 0; i < 50; i++) net.tickAll();
    expect(net.node('c').term).toBe(term);
    expect(net.node('c').role).toBe('pre-candidate');
    net.heal();
    net.tickAll(3);
    expect(net.node('a').role).toBe('leader');
    expect(net.node('a').term).toBe(term);
    expect(net.node('c').lead).toBe('a');
  });

  it('without PreVote a rejoining node bumps the term (the disruption PreVote prevents)', () => {
    const net = new TestNet(THREE, { pre_vote: false, check_quorum: false });
    elect(net, 'a');
    const term = net.node('a').term;
    net.isolate('c');
    for (let i = 0; i < 50; i++) net.tickAll();
    expect(net.node('c').term).toBeGreaterThan(term);
    net.heal();
    net.tickAll(25);
    expect(net.node('a').term).toBeGreaterThan(term);
  });

  it('CheckQuorum: a leader cut off from its quorum steps down', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.isolate('a');
    for (let i = 0; i < 25; i++) net.tickAll();
    expect(net.node('a').role).not.toBe('leader');
    // The others elected a new leader meanwhile.
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe('a');
  });

  it('a follower in its leader lease ignores vote requests (CheckQuorum)', () => {
    const net = new TestNet(THREE, { pre_vote: false });
    elect(net, 'a');
    const term = net.node('a').term;
    net.node('c').campaign();
    net.stabilize();
    // a and b are in their lease: they ignore c. c's term is higher, but a sees it only via stale responses.
    expect(net.node('b').term).toBe(term);
    expect(net.node('b').lead).toBe('a');
  });

  it('a candidate with a stale log cannot win', () => {
    const net = new TestNet(THREE, { check_quorum: false, pre_vote: false });
    elect(net, 'a');
    net.isolate('c');
    net.node('a').propose('x');
    net.stabilize();
    net.heal();
    net.isolate('a');
    net.node('c').campaign();
    net.stabilize();
    expect(net.node('c').role).not.toBe('leader');
    net.node('b').campaign();
    net.stabilize();
    expect(net.node('b').role).toBe('leader');
  });

  it('one vote per term: two candidates in a term cannot both win', () => {
    const net = new TestNet(THREE, { pre_vote: false, check_quorum: false });
    net.node('a').campaign();
    net.node('b').campaign();
    net.stabilize();
    const byTerm = new Map<number, number>();
    for (const r of net.nodes.values()) if (r.role === 'leader') byTerm.set(r.term, (byTerm.get(r.term) ?? 0) + 1);
    for (const n of byTerm.values()) expect(n).toBe(1);
  });
});

describe('raft log replication', () => {
  it('replicates and commits a proposal on every node, in order', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    for (const x of ['x', 'y', 'z']) expect(net.node('a').propose(x).ok).toBe(true);
    net.stabilize();
    for (const id of THREE) expect(data(net.applied.get(id)!)).toEqual(['x', 'y', 'z']);
  });

  it('a follower refuses proposals and names the leader', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    expect(net.node('b').propose('x')).toEqual({ ok: false, reason: 'not-leader', leader: 'a' });
  });

  it('proposals between two Readys travel in one append message (batching)', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    const before = net.sent.length;
    for (let i = 0; i < 20; i++) net.node('a').propose(`v${i}`);
    net.stabilize();
    const apps = net.sent.slice(before).filter((m) => m.type === 'app' && m.entries.length > 0);
    expect(apps.length).toBe(2); // one per follower
    expect(data(net.applied.get('c')!)).toHaveLength(20);
  });

  it('the window of appends in flight is bounded while a follower does not answer', () => {
    const net = new TestNet(THREE, { max_inflight_msgs: 4 });
    elect(net, 'a');
    net.cutLink('a', 'c');
    const before = net.sent.length;
    for (let i = 0; i < 50; i++) {
      net.node('a').propose(`v${i}`);
      net.stabilize();
    }
    const toC = net.sent.slice(before).filter((m) => m.type === 'app' && m.to === 'c' && m.entries.length > 0).length;
    expect(toC).toBeLessThanOrEqual(4);
    net.heal();
    net.tickAll(3);
    expect(data(net.applied.get('c')!)).toHaveLength(50);
  });

  it('refuses proposals past the uncommitted bound instead of growing the log', () => {
    const net = new TestNet(THREE, { max_uncommitted_entries: 10 });
    elect(net, 'a');
    net.isolate('a');
    let refused = 0;
    for (let i = 0; i < 20; i++) if (!net.node('a').propose(`v${i}`).ok) refused++;
    expect(refused).toBe(10);
  });

  it('a follower with a long conflicting tail is repaired in a few round trips (fast backtracking)', () => {
    const net = new TestNet(THREE, { check_quorum: false, pre_vote: false, max_entries_per_msg: 1000 });
    elect(net, 'a');
    // a writes 100 entries that only it holds, in its term.
    net.isolate('a');
    for (let i = 0; i < 100; i++) net.node('a').propose(`lost${i}`);
    net.stabilize();
    net.heal();
    net.isolate('a');
    // b becomes leader and writes 100 other entries with c.
    net.node('b').campaign();
    net.stabilize();
    for (let i = 0; i < 100; i++) net.node('b').propose(`kept${i}`);
    net.stabilize();
    net.heal();
    const before = net.sent.length;
    net.tickAll(1);
    const rejects = net.sent.slice(before).filter((m) => m.type === 'app-resp' && m.from === 'a' && m.reject).length;
    expect(rejects).toBeLessThanOrEqual(2);
    expect(net.node('a').log.lastIndex()).toBe(net.node('b').log.lastIndex());
    expect(data(net.applied.get('a')!)).toEqual(data(net.applied.get('b')!));
    expect(data(net.applied.get('a')!).some((d) => d.startsWith('lost'))).toBe(false);
  });

  it('a leader does not commit an older-term entry by counting replicas (Figure 8)', () => {
    const net = new TestNet(FIVE, { check_quorum: false, pre_vote: false });
    elect(net, 'a');
    // a appends at index 2 (term 1) and reaches only b.
    for (const id of ['c', 'd', 'e']) net.cutLink('a', id);
    net.node('a').propose('old');
    net.stabilize();
    net.heal();
    // e becomes leader at term 2 (votes of c, d, e), appends one entry locally, then is cut off.
    net.isolate('a'); net.isolate('b');
    net.node('e').campaign();
    net.stabilize();
    net.heal();
    net.isolate('e');
    net.node('e').propose('e-entry');
    net.stabilize();
    // a comes back as leader at term 3 (votes b, c, d) and replicates "old" to c; index 2 has term 1.
    net.heal();
    net.isolate('e');
    net.node('a').campaign();
    net.stabilize();
    expect(net.node('a').role).toBe('leader');
    // The leader's own no-op of term 3 is what makes index 2 committed, never the count alone.
    const a = net.node('a');
    expect(a.log.term(a.log.committed)).toBe(a.term);
  });
});

describe('raft commit rule', () => {
  it('a new leader does not commit an old-term entry by counting replicas, only with its own entry', () => {
    // a holds [1:t1, 2:t1]; 2 never reached a majority in term 1. a wins term 3 and appends its no-op at 3.
    const entries = [
      { term: 1, index: 1, type: 'normal' as const, data: 'x' },
      { term: 1, index: 2, type: 'normal' as const, data: 'old' },
    ];
    const a = new Raft({ id: 'a', voters: FIVE, rng: testRng(1), pre_vote: false, hardState: { term: 2, vote: null, commit: 1 }, entries });
    a.campaign();
    for (const v of ['b', 'c']) a.step({ type: 'vote-resp', from: v, to: 'a', term: 3, reject: false });
    expect(a.role).toBe('leader');
    expect(a.log.lastIndex()).toBe(3);
    // A majority (a, b, c) now holds index 2, but it is a term-1 entry: not committed by counting.
    for (const v of ['b', 'c']) a.step({ type: 'app-resp', from: v, to: 'a', term: 3, index: 2, reject: false, rejectHint: 0, logTerm: 0 });
    expect(a.log.committed).toBe(1);
    // Once the term-3 no-op is on a majority, it commits and everything before it with it.
    for (const v of ['b', 'c']) a.step({ type: 'app-resp', from: v, to: 'a', term: 3, index: 3, reject: false, rejectHint: 0, logTerm: 0 });
    expect(a.log.committed).toBe(3);
  });

  it('a vote survives a restart: the restarted voter refuses a second candidate in the same term', () => {
    const net = new TestNet(THREE, { pre_vote: false, check_quorum: false });
    net.node('b').step({ type: 'vote', from: 'a', to: 'b', term: 5, index: 0, logTerm: 0, force: false });
    net.flushReady();
    const b = net.restart('b');
    expect(b.vote).toBe('a');
    b.step({ type: 'vote', from: 'c', to: 'b', term: 5, index: 0, logTerm: 0, force: false });
    const rd = b.ready();
    expect(rd.messages).toEqual([{ type: 'vote-resp', from: 'b', to: 'c', term: 5, reject: true }]);
  });
});

describe('raft snapshots', () => {
  it('a follower that fell behind a compaction is caught up by InstallSnapshot', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.isolate('c');
    for (let i = 0; i < 30; i++) net.node('a').propose(`v${i}`);
    net.stabilize();
    const snap = net.snapshotOf('a');
    expect(net.node('a').log.firstIndex()).toBe(snap.meta.index + 1);
    net.heal();
    const before = net.sent.length;
    net.tickAll(3);
    expect(net.countSent('snap', before)).toBeGreaterThanOrEqual(1);
    expect(net.node('c').log.snapIndex).toBe(snap.meta.index);
    expect(net.node('c').log.committed).toBe(net.node('a').log.committed);
    // The harness's snapshot data is the applied list: c now has everything a has.
    expect(data(net.applied.get('c')!)).toEqual(data(net.applied.get('a')!));
    net.node('a').propose('after');
    net.stabilize();
    expect(data(net.applied.get('c')!).at(-1)).toBe('after');
  });

  it('a snapshot in flight is not resent on every heartbeat, but is resent once presumed lost', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.isolate('c');
    for (let i = 0; i < 30; i++) net.node('a').propose(`v${i}`);
    net.stabilize();
    net.snapshotOf('a');
    net.heal();
    net.dropTypes.add('snap');
    const before = net.sent.length;
    net.tickAll(5);
    expect(net.countSent('snap', before)).toBe(1);
    net.tickAll(12);
    expect(net.countSent('snap', before)).toBe(2);
    net.dropTypes.clear();
    net.tickAll(15);
    expect(net.node('c').log.committed).toBe(net.node('a').log.committed);
  });

  it('a node restarts from its snapshot and log', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    for (let i = 0; i < 5; i++) net.node('a').propose(`v${i}`);
    net.stabilize();
    net.snapshotOf('b');
    net.node('a').propose('v5');
    net.stabilize();
    const before = net.node('b').status();
    const b = net.restart('b');
    expect(b.term).toBe(before.term);
    expect(b.log.lastIndex()).toBe(before.lastIndex);
    expect(b.log.snapIndex).toBe(before.snapIndex);
    net.tickAll(2);
    expect(b.log.applied).toBe(net.node('a').log.committed);
  });
});

describe('raft membership', () => {
  it('adds a learner, refuses to promote it before it catches up, then promotes it', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    for (let i = 0; i < 10; i++) net.node('a').propose(`v${i}`);
    net.stabilize();
    net.add('d', THREE, 42);
    net.cutLink('a', 'd');
    expect(net.node('a').proposeConfChange({ kind: 'add-voter', node: 'd' }).ok).toBe(false);
    expect(net.node('a').proposeConfChange({ kind: 'add-learner', node: 'd' }).ok).toBe(true);
    net.stabilize();
    expect(net.node('a').confState().learners).toEqual(['d']);
    // Cut off, d cannot catch up: promotion refused.
    expect(net.node('a').proposeConfChange({ kind: 'add-voter', node: 'd' })).toMatchObject({ ok: false, reason: 'bad-conf' });
    net.heal();
    net.tickAll(3);
    expect(net.node('d').log.committed).toBe(net.node('a').log.committed);
    expect(net.node('d').role).toBe('follower');
    expect(net.node('a').proposeConfChange({ kind: 'add-voter', node: 'd' }).ok).toBe(true);
    net.stabilize();
    net.tickAll(1);
    for (const id of ['a', 'b', 'c', 'd']) expect(net.node(id).confState().voters).toEqual(['a', 'b', 'c', 'd']);
    expect(data(net.applied.get('d')!)).toContain('v9');
  });

  it('allows one configuration change at a time', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.add('d', THREE, 42);
    net.add('e', THREE, 43);
    expect(net.node('a').proposeConfChange({ kind: 'add-learner', node: 'd' }).ok).toBe(true);
    expect(net.node('a').proposeConfChange({ kind: 'add-learner', node: 'e' })).toMatchObject({ ok: false, reason: 'conf-pending' });
    net.stabilize();
    expect(net.node('a').proposeConfChange({ kind: 'add-learner', node: 'e' }).ok).toBe(true);
  });

  it('after removing a voter the rest commit with the smaller quorum', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    expect(net.node('a').proposeConfChange({ kind: 'remove', node: 'c' }).ok).toBe(true);
    net.stabilize();
    net.isolate('c');
    net.node('a').propose('two-of-two');
    net.stabilize();
    expect(data(net.applied.get('b')!)).toContain('two-of-two');
    expect(net.node('a').confState().voters).toEqual(['a', 'b']);
  });

  it('a leader that removes itself steps down and the others elect a new leader', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.node('a').proposeConfChange({ kind: 'remove', node: 'a' });
    net.stabilize();
    expect(net.node('a').role).toBe('follower');
    for (let i = 0; i < 40 && net.leaders().length === 0; i++) net.tickAll();
    expect(net.leaders()).toHaveLength(1);
    expect(net.leaders()[0]).not.toBe('a');
  });
});

describe('raft leader transfer', () => {
  it('transfers leadership to an up-to-date follower at once (TimeoutNow)', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.node('a').propose('x');
    net.stabilize();
    expect(net.node('a').transferLeader('c')).toBe(true);
    net.stabilize();
    expect(net.node('c').role).toBe('leader');
    expect(net.node('a').lead).toBe('c');
  });

  it('catches a lagging target up first, and refuses proposals while transferring', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.cutLink('a', 'c');
    net.node('a').propose('x');
    net.stabilize();
    net.heal();
    net.node('a').transferLeader('c');
    expect(net.node('a').propose('y')).toMatchObject({ ok: false, reason: 'transferring' });
    net.stabilize();
    expect(net.node('c').role).toBe('leader');
    expect(data(net.applied.get('c')!)).toEqual(['x']);
  });

  it('abandons a transfer to an unreachable target after an election timeout', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.isolate('c');
    net.node('a').transferLeader('c');
    net.tickAll(12);
    expect(net.node('a').role).toBe('leader');
    expect(net.node('a').propose('y').ok).toBe(true);
  });
});

describe('raft reads', () => {
  it('ReadIndex returns the commit index after a quorum confirms leadership', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.node('a').propose('x');
    net.stabilize();
    expect(net.node('a').readIndex('r1').ok).toBe(true);
    net.stabilize();
    expect(net.reads.get('a')).toEqual([{ index: net.node('a').log.committed, context: 'r1' }]);
  });

  it('ReadIndex on a leader cut off from its quorum never answers', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    net.isolate('a');
    expect(net.node('a').readIndex('r1').ok).toBe(true);
    net.stabilize();
    expect(net.reads.get('a')).toEqual([]);
  });

  it('a follower refuses ReadIndex and a fresh leader refuses before its first commit', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    expect(net.node('b').readIndex('r')).toMatchObject({ ok: false, reason: 'not-leader', leader: 'a' });
    net.isolate('b');
    net.node('b').campaign();
    // b cannot even pre-vote: still a follower of a.
    const fresh = new TestNet(THREE);
    fresh.node('a').campaign();
    fresh.flushReady();
    // votes not yet delivered: not leader; once leader but before commit: not ready
    expect(fresh.node('a').readIndex('r').ok).toBe(false);
  });

  it('lease reads answer without a heartbeat round', () => {
    const net = new TestNet(THREE, { read_only: 'lease' });
    elect(net, 'a');
    const before = net.sent.length;
    net.node('a').readIndex('r');
    net.flushReady();
    expect(net.reads.get('a')).toHaveLength(1);
    expect(net.countSent('heartbeat', before)).toBe(0);
  });
});

describe('raft persistence contract', () => {
  it('a vote is in the hard state of the Ready that carries the vote response', () => {
    const r = new Raft({ id: 'b', voters: THREE, rng: testRng(1) });
    const vote: Message = { type: 'vote', from: 'a', to: 'b', term: 1, index: 0, logTerm: 0, force: false };
    r.step(vote);
    const rd = r.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
    expect(rd.messages).toEqual([{ type: 'vote-resp', from: 'b', to: 'a', term: 1, reject: false }]);
  });

  it('restarting refuses a stored commit index beyond the stored log', () => {
    expect(() => new Raft({ id: 'a', voters: THREE, rng: testRng(1), hardState: { term: 1, vote: null, commit: 5 }, entries: [] }))
      .toThrow(/beyond the stored log/);
  });
});

describe('raft input hardening', () => {
  it('a malformed configuration entry from the log is skipped on every replica alike', () => {
    const net = new TestNet(THREE);
    elect(net, 'a');
    const a = net.node('a');
    // Forge a conf entry as a (buggy or hostile) leader would replicate it.
    net.node('b').step({
      type: 'app', from: 'a', to: 'b', term: a.term, index: a.log.lastIndex(), logTerm: a.log.lastTerm(), commit: a.log.lastIndex() + 1,
      entries: [{ term: a.term, index: a.log.lastIndex() + 1, type: 'conf', data: '{"kind":"explode"' }],
    });
    expect(() => net.flushReady()).not.toThrow();
    expect(net.node('b').confState().voters).toEqual(THREE);
  });
});
