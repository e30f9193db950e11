import { describe, expect, it } from 'vitest';
import {
  PidStateMachine, PID_LAST, LEASE_COUNT_MAX, PROGRAM_MAX_BYTES, encodeCommand, validateWire, type PidOp, type PidResult,
} from '../../src/ssi/index.js';
import { layout } from '../../src/machine/index.js';

const { CLD_EXITED, CLD_KILLED, SIGKILL } = layout;

/** Applies ops in log order on one session, as the rsm host would. */
class Log {
  index = 0;
  seq = 0;
  constructor(readonly m = new PidStateMachine(), readonly client = 'n1~1/0') {}
  run(op: PidOp): PidResult {
    return this.m.apply(++this.index, encodeCommand({ client: this.client, seq: ++this.seq, op }))!;
  }
  ok(op: PidOp): Record<string, unknown> {
    const r = this.run(op);
    if (!r.ok) throw new Error(`refused: ${r.error}`);
    return r.value;
  }
  refused(op: PidOp): string {
    const r = this.run(op);
    if (r.ok) throw new Error(`applied: ${JSON.stringify(r.value)}`);
    return r.error;
  }
}

const place = (pid: number, node: string, extra: Partial<{ ppid: number; program: string }> = {}): PidOp =>
  ({ op: 'place', pid, node, ppid: extra.ppid ?? 1, pgid: 1, sid: 1, program: extra.program ?? '/bin/sh' });

describe('pid state machine: leases', () => {
  it('grants disjoint ranges in increasing order from pid 1, never the same pid twice', () => {
    const log = new Log();
    const grants = [log.ok({ op: 'lease', node: 'a', count: 10 }), log.ok({ op: 'lease', node: 'b', count: 5 }), log.ok({ op: 'lease', node: 'a', count: 1 })];
    expect(grants).toEqual([{ kind: 'lease', start: 1, count: 10 }, { kind: 'lease', start: 11, count: 5 }, { kind: 'lease', start: 16, count: 1 }]);
    expect(log.m.leaseTable()).toEqual([{ start: 1, count: 10, node: 'a' }, { start: 11, count: 5, node: 'b' }, { start: 16, count: 1, node: 'a' }]);
    expect(log.m.leaseOwner(10)).toBe('a');
    expect(log.m.leaseOwner(11)).toBe('b');
    expect(log.m.leaseOwner(17)).toBeNull();
    expect(log.m.next).toBe(17);
  });

  it('answers a retried command with the first result instead of granting again', () => {
    const m = new PidStateMachine();
    const cmd = encodeCommand({ client: 'n1~1/0', seq: 1, op: { op: 'lease', node: 'n1', count: 8 } });
    const first = m.apply(1, cmd);
    expect(m.apply(2, cmd)).toEqual(first);
    expect(m.leaseTable()).toHaveLength(1);
    expect(m.apply(3, encodeCommand({ client: 'n1~1/0', seq: 2, op: { op: 'lease', node: 'n1', count: 8 } }))).toEqual({ ok: true, value: { kind: 'lease', start: 9, count: 8 } });
    expect(m.apply(4, cmd)).toEqual({ ok: false, error: 'stale request: client n1~1/0 seq 1 after 2' });
  });

  it('grants the rest when the space is nearly spent, then refuses: the space is exhausted for good', () => {
    const log = new Log(new PidStateMachine({ pid_last: 20 }));
    log.ok({ op: 'lease', node: 'a', count: 16 });
    expect(log.ok({ op: 'lease', node: 'b', count: 16 })).toEqual({ kind: 'lease', start: 17, count: 4 });
    expect(log.refused({ op: 'lease', node: 'a', count: 1 })).toMatch(/pid space exhausted: every pid up to 20 was granted/);
    expect(log.m.next).toBe(21);
  });

  it('refuses lease counts and node ids out of bounds', () => {
    const log = new Log();
    expect(log.refused({ op: 'lease', node: 'a', count: 0 })).toMatch(/lease count must be an integer in \[1, 65536\]/);
    expect(log.refused({ op: 'lease', node: 'a', count: LEASE_COUNT_MAX + 1 })).toMatch(/lease count/);
    expect(log.refused({ op: 'lease', node: '', count: 1 })).toMatch(/node ids/);
    expect(log.refused({ op: 'lease', node: 'x'.repeat(65), count: 1 })).toMatch(/node ids/);
    expect(log.m.leaseTable()).toEqual([]);
  });

  it('retires the oldest lease record past the table bound; its pids are never granted again', () => {
    const log = new Log(new PidStateMachine({ lease_table_max: 2 }));
    for (const node of ['a', 'b', 'c']) log.ok({ op: 'lease', node, count: 4 });
    expect(log.m.leaseTable().map((l) => l.start)).toEqual([5, 9]);
    expect(log.m.retired_end).toBe(5);
    expect(log.m.leaseOwner(2)).toBeNull();
    expect(log.refused(place(2, 'a'))).toBe('pid 2 lies in a retired lease');
    expect(log.ok({ op: 'lease', node: 'a', count: 1 })).toEqual({ kind: 'lease', start: 13, count: 1 });
  });
});

describe('pid state machine: the directory', () => {
  it('places a leased pid on one node only, and only a pid of a granted lease', () => {
    const log = new Log();
    log.ok({ op: 'lease', node: 'a', count: 10 });
    expect(log.refused(place(11, 'a'))).toBe('pid 11 was never leased');
    expect(log.ok(place(3, 'a'))).toEqual({ kind: 'placed', pid: 3, node: 'a' });
    expect(log.refused(place(3, 'b'))).toBe('pid 3 already runs on a');
    // The same placement again (a retry after a timeout, on a new seq) is answered as done.
    expect(log.ok(place(3, 'a'))).toEqual({ kind: 'placed', pid: 3, node: 'a' });
    expect(log.refused(place(3, 'a', { program: '/bin/other' }))).toBe('pid 3 already runs on a');
    // A pid leased to a may be placed elsewhere (a fork on a that starts its child on b).
    expect(log.ok(place(4, 'b'))).toEqual({ kind: 'placed', pid: 4, node: 'b' });
    expect(log.m.owner(3)).toEqual({ node: 'a', source: 'directory' });
    expect(log.m.owner(4)).toEqual({ node: 'b', source: 'directory' });
    expect(log.m.owner(5)).toEqual({ node: 'a', source: 'lease' });
    expect(log.m.owner(50)).toBeNull();
  });

  it('ends, forgets and moves by the rules: a zombie until reaped, moves only from where it runs', () => {
    const log = new Log();
    log.ok({ op: 'lease', node: 'a', count: 10 });
    log.ok(place(1, 'a'));
    expect(log.refused({ op: 'forget', pid: 1 })).toBe('pid 1 is still running on a');
    expect(log.refused({ op: 'move', pid: 1, from: 'b', to: 'c' })).toBe('pid 1 runs on a, not on b');
    expect(log.ok({ op: 'move', pid: 1, from: 'a', to: 'b' })).toEqual({ kind: 'moved', pid: 1, node: 'b' });
    expect(log.m.entry(1)?.node).toBe('b');
    expect(log.ok({ op: 'end', pid: 1, code: CLD_EXITED, status: 3 })).toEqual({ kind: 'ended', pid: 1 });
    expect(log.m.entry(1)).toMatchObject({ state: 'zombie', exit: { code: CLD_EXITED, status: 3 }, node: 'b' });
    expect(log.ok({ op: 'end', pid: 1, code: CLD_EXITED, status: 3 })).toEqual({ kind: 'ended', pid: 1 });
    expect(log.refused({ op: 'end', pid: 1, code: CLD_KILLED, status: 9 })).toMatch(/pid 1 already ended/);
    expect(log.refused({ op: 'move', pid: 1, from: 'b', to: 'a' })).toBe('pid 1 has ended');
    expect(log.refused(place(1, 'b'))).toBe('pid 1 already ended on b');
    expect(log.ok({ op: 'forget', pid: 1 })).toEqual({ kind: 'forgotten', pid: 1 });
    expect(log.m.entry(1)).toBeNull();
    expect(log.refused({ op: 'forget', pid: 1 })).toBe('no process 1');
    expect(log.refused({ op: 'end', pid: 2, code: CLD_EXITED, status: 0 })).toBe('no process 2');
    expect(log.refused({ op: 'end', pid: 2, code: 7, status: 0 })).toMatch(/exit code must be CLD_EXITED/);
    expect(log.refused({ op: 'end', pid: 2, code: CLD_EXITED, status: 256 })).toMatch(/exit status/);
  });

  it('ends every running process of a node that went down by SIGKILL, and leaves the others', () => {
    const log = new Log();
    log.ok({ op: 'lease', node: 'a', count: 10 });
    for (const [pid, node] of [[5, 'a'], [2, 'a'], [3, 'b'], [4, 'a']] as const) log.ok(place(pid, node));
    log.ok({ op: 'end', pid: 4, code: CLD_EXITED, status: 0 });
    expect(log.ok({ op: 'node-down', node: 'a' })).toEqual({ kind: 'node-down', node: 'a', ended: 2 });
    expect(log.m.entry(2)).toMatchObject({ state: 'zombie', exit: { code: CLD_KILLED, status: SIGKILL } });
    expect(log.m.entry(5)).toMatchObject({ state: 'zombie', exit: { code: CLD_KILLED, status: SIGKILL } });
    expect(log.m.entry(4)?.exit).toEqual({ code: CLD_EXITED, status: 0 });
    expect(log.m.entry(3)?.state).toBe('running');
    expect(log.ok({ op: 'node-down', node: 'a' })).toEqual({ kind: 'node-down', node: 'a', ended: 0 });
  });

  it('refuses entries beyond its bound and bad placements with one clear error each', () => {
    const log = new Log(new PidStateMachine({ directory_max: 2 }));
    log.ok({ op: 'lease', node: 'a', count: 10 });
    log.ok(place(1, 'a'));
    log.ok(place(2, 'a'));
    expect(log.refused(place(3, 'a'))).toBe('process directory full (2 entries)');
    expect(log.refused(place(3, 'a', { program: 'x'.repeat(PROGRAM_MAX_BYTES + 1) }))).toMatch(/program must be a string of at most 256 bytes/);
    expect(log.refused(place(3, 'a', { ppid: -1 }))).toMatch(/ppid/);
    expect(log.refused(place(0, 'a'))).toMatch(/pid must be an integer in \[1, 2147483646\]/);
    expect(log.refused(place(PID_LAST + 1, 'a'))).toMatch(/pid must be/);
    log.ok({ op: 'end', pid: 1, code: CLD_EXITED, status: 0 });
    log.ok({ op: 'forget', pid: 1 });
    expect(log.ok(place(3, 'a'))).toEqual({ kind: 'placed', pid: 3, node: 'a' });
  });

  it('never places a reaped pid again (a late duplicate place), remembering a bounded number of them', () => {
    const log = new Log(new PidStateMachine({ reaped_max: 2 }));
    log.ok({ op: 'lease', node: 'a', count: 10 });
    for (const pid of [1, 2, 3]) {
      log.ok(place(pid, 'a'));
      log.ok({ op: 'end', pid, code: CLD_EXITED, status: 0 });
      log.ok({ op: 'forget', pid });
    }
    expect(log.refused(place(3, 'b'))).toBe('pid 3 was reaped (pids are never reused)');
    expect(log.refused(place(2, 'a'))).toBe('pid 2 was reaped (pids are never reused)');
    // Past the bound the oldest is forgotten for good.
    expect(log.ok(place(1, 'a'))).toEqual({ kind: 'placed', pid: 1, node: 'a' });
    const copy = new PidStateMachine({ reaped_max: 2 });
    copy.restore(log.m.snapshot());
    expect(copy.snapshot()).toBe(log.m.snapshot());
    expect(copy.apply(log.index + 1, encodeCommand({ client: 'z', seq: 1, op: place(3, 'a') }))).toMatchObject({ ok: false, error: /reaped/ });
  });

  it('lists in pid order, a page at a time', () => {
    const log = new Log();
    log.ok({ op: 'lease', node: 'a', count: 10 });
    for (const pid of [7, 2, 9, 4]) log.ok(place(pid, 'a'));
    expect(log.m.list(0, 3)).toMatchObject({ entries: [{ pid: 2 }, { pid: 4 }, { pid: 7 }], more: true });
    expect(log.m.list(7, 3)).toMatchObject({ entries: [{ pid: 9 }], more: false });
  });

  it('answers a malformed command with an error, never a throw', () => {
    const m = new PidStateMachine();
    expect(m.apply(1, 'not json')).toEqual({ ok: false, error: 'command is not JSON' });
    expect(m.apply(2, '{"client":"c","seq":1,"op":{"op":"fork"}}')).toMatchObject({ ok: false, error: /unknown op 'fork'/ });
    expect(m.apply(3, '{"seq":1,"op":{"op":"forget","pid":1}}')).toMatchObject({ ok: false, error: /client id/ });
    expect(m.apply(4, '')).toBeNull();
    expect(() => m.apply(4, '')).toThrow(/applied twice/);
  });
});

describe('pid state machine: snapshots', () => {
  it('round-trips leases, retired records, the directory and the sessions', () => {
    const log = new Log(new PidStateMachine({ lease_table_max: 3 }));
    for (const node of ['a', 'b', 'c', 'a']) log.ok({ op: 'lease', node, count: 5 });
    log.ok(place(7, 'b'));
    log.ok(place(6, 'b'));
    log.ok({ op: 'end', pid: 7, code: CLD_KILLED, status: 15 });
    const image = log.m.snapshot();
    const copy = new PidStateMachine({ lease_table_max: 3 });
    copy.restore(image);
    expect(copy.snapshot()).toBe(image);
    expect(copy.leaseTable()).toEqual(log.m.leaseTable());
    expect(copy.retired_end).toBe(6);
    expect(copy.list()).toEqual(log.m.list());
    expect(copy.applied).toBe(log.index);
    // The session came along: a retry of the last command is answered from the cache on the copy too.
    const last = encodeCommand({ client: log.client, seq: log.seq, op: { op: 'end', pid: 7, code: CLD_KILLED, status: 15 } });
    expect(copy.apply(log.index + 1, last)).toEqual({ ok: true, value: { kind: 'ended', pid: 7 } });
    // Both continue identically.
    const next = encodeCommand({ client: 'z', seq: 1, op: { op: 'lease', node: 'z', count: 2 } });
    expect(copy.apply(log.index + 2, next)).toEqual(log.m.apply(log.index + 2, next));
    copy.restore('');
    expect(copy.next).toBe(1);
    expect(copy.size).toBe(0);
  });

  it('gives the same snapshot text whatever order the directory was filled in', () => {
    const a = new Log();
    const b = new Log();
    for (const l of [a, b]) l.ok({ op: 'lease', node: 'a', count: 10 });
    for (const pid of [1, 2, 3]) a.ok(place(pid, 'a'));
    for (const pid of [3, 1, 2]) b.ok(place(pid, 'a'));
    expect(JSON.parse(a.m.snapshot()).directory).toEqual(JSON.parse(b.m.snapshot()).directory);
  });
});

describe('procs wire', () => {
  it('drops malformed messages with a reason', () => {
    expect(validateWire({ kind: 'ssi-cmd', req: 1, cmd: { client: 'c', seq: 1, op: { op: 'lease', node: 'a', count: 1 } } })).toMatchObject({ kind: 'ssi-cmd' });
    expect(validateWire({ kind: 'ssi-cmd', req: -1, cmd: {} })).toBe('needs a request number');
    expect(validateWire({ kind: 'ssi-read', req: 1, client: 'c', query: { q: 'list', after: 0, limit: 5000 } })).toMatch(/limit in \[1, 1024\]/);
    expect(validateWire({ kind: 'ssi-cmd-ans', req: 1, client: 'c', seq: 1, ok: true, result: { ok: true, value: { kind: 'lease', start: 'x' } } })).toBe('malformed result value');
    expect(validateWire({ kind: 'ssi-read-ans', req: 1, client: 'c', ok: true, answer: { q: 'lookup', pid: 3, lease_node: 'a', entry: { pid: 3 } } })).toMatch(/node ids/);
    expect(validateWire({ kind: 'nope', req: 1 })).toBe("unknown kind 'nope'");
    expect(validateWire([1])).toBe('not an object');
  });

  it('binds cluster-wide endpoint names once, gives stale ones way, and drops a crashed node\'s', () => {
    const log = new Log();
    const bind = (name: number, node: string, pid: number, boot = 7, replace_pid = 0): PidOp => ({ op: 'name-bind', name, node, pid, boot, replace_pid });
    expect(log.ok(bind(0x31727463, 'n1', 10))).toEqual({ kind: 'name', name: 0x31727463, bound: true, node: 'n1', pid: 10 });
    // Taken: another node is told who holds it; so is another live process of the same boot.
    expect(log.ok(bind(0x31727463, 'n2', 20))).toEqual({ kind: 'name', name: 0x31727463, bound: false, node: 'n1', pid: 10 });
    expect(log.ok(bind(0x31727463, 'n1', 11))).toMatchObject({ bound: false, pid: 10 });
    // The holder named as gone, or an earlier boot of the node, gives way.
    expect(log.ok(bind(0x31727463, 'n1', 11, 7, 10))).toMatchObject({ bound: true, pid: 11 });
    expect(log.ok(bind(0x31727463, 'n1', 12, 8))).toMatchObject({ bound: true, pid: 12 });
    expect(log.m.nameOf(0x31727463)).toEqual({ name: 0x31727463, node: 'n1', pid: 12, boot: 8 });
    // A drop by a process that no longer holds it changes nothing.
    log.ok({ op: 'name-drop', name: 0x31727463, node: 'n1', pid: 11 });
    expect(log.m.nameOf(0x31727463)?.pid).toBe(12);
    const snap = log.m.snapshot();
    log.ok({ op: 'name-drop', name: 0x31727463, node: 'n1', pid: 12 });
    expect(log.m.nameOf(0x31727463)).toBeNull();
    const restored = new PidStateMachine();
    restored.restore(snap);
    expect(restored.nameOf(0x31727463)?.pid).toBe(12);
    log.ok(bind(5, 'n3', 30));
    log.ok({ op: 'node-down', node: 'n3' });
    expect(log.m.nameOf(5)).toBeNull();
    expect(log.refused({ op: 'name-bind', name: 0, node: 'n1', pid: 1, boot: 0, replace_pid: 0 } as PidOp)).toContain('endpoint name');
  });
});

describe('pid state machine: the cluster\'s first process', () => {
  it('is the first process placed with no parent, kept in snapshots, and none once it ends', () => {
    const log = new Log();
    log.ok({ op: 'lease', node: 'a', count: 10 });
    expect(log.m.firstProcess()).toBeNull();
    log.ok(place(3, 'a', { ppid: 7 })); // a child placed first is not it
    log.ok(place(5, 'b', { ppid: 0 }));
    log.ok(place(2, 'a', { ppid: 0 }));
    expect(log.m.firstProcess()).toEqual({ pid: 5, node: 'b' });
    const copy = new PidStateMachine();
    copy.restore(log.m.snapshot());
    expect(copy.firstProcess()).toEqual({ pid: 5, node: 'b' });
    log.ok({ op: 'end', pid: 5, code: CLD_KILLED, status: SIGKILL });
    expect(log.m.firstProcess()).toBeNull();
  });
});
