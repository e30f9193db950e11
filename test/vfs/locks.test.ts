// The lock table alone: POSIX ranges split and merged per owner, conflicts between owners (read with read is
// fine), OFD locks conflicting with POSIX ones and flock apart from both, waiters granted first come first served
// by each release, EDEADLK for a cycle of POSIX owners (not for OFD ones), cancels, releases by owner and by node,
// and an image that gives back the same table.
import { describe, expect, it } from 'vitest';
import { LockTable, LOCK_END, type LockOwner, type LockRequest } from '../../src/vfs/index.js';

const P = (pid: number, node = 'n1'): LockOwner => ({ family: 'posix', id: `p${pid}`, pid, node });
const D = (d: number, family: 'ofd' | 'flock' = 'ofd', node = 'n1'): LockOwner => ({ family, id: `d${d}`, pid: 900 + d, node });
const req = (owner: LockOwner, type: LockRequest['type'], start: number, end: number, wait = false): LockRequest => ({ owner, type, start, end, wait });

describe('the lock table', () => {
  it('splits and merges an owner\'s ranges, and finds the first conflict', () => {
    const t = new LockTable();
    expect(t.set('f', req(P(1), 'write', 0, 100)).kind).toBe('granted');
    expect(t.set('f', req(P(1), 'unlock', 40, 60)).kind).toBe('granted');
    expect(t.held).toBe(2);
    expect(t.test('f', req(P(2), 'read', 50, 51))).toBeNull();
    expect(t.test('f', req(P(2), 'read', 30, 70))).toEqual({ type: 'write', start: 0, end: 40, pid: 1 });
    expect(t.set('f', req(P(1), 'write', 40, 60)).kind).toBe('granted');
    expect(t.held).toBe(1); // merged back into one 0..100
    expect(t.set('f', req(P(1), 'read', 10, 20)).kind).toBe('granted'); // a downgrade in the middle splits
    expect(t.held).toBe(3);
    expect(t.set('f', req(P(2), 'read', 12, 18)).kind).toBe('granted');
    expect(t.set('f', req(P(2), 'write', 12, 18))).toEqual({ kind: 'refused', errno: 'EAGAIN' });
    expect(t.test('g', req(P(2), 'write', 0, LOCK_END))).toBeNull();
  });

  it('keeps OFD locks against POSIX ones and flock apart from both', () => {
    const t = new LockTable();
    expect(t.set('f', req(D(1), 'write', 0, 10)).kind).toBe('granted');
    expect(t.set('f', req(P(5), 'read', 5, 6))).toEqual({ kind: 'refused', errno: 'EAGAIN' });
    expect(t.test('f', req(P(5), 'read', 5, 6))).toEqual({ type: 'write', start: 0, end: 10, pid: -1 });
    expect(t.set('f', req(D(2, 'flock'), 'write', 0, LOCK_END)).kind).toBe('granted');
    expect(t.set('f', req(D(3, 'flock'), 'read', 0, LOCK_END))).toEqual({ kind: 'refused', errno: 'EAGAIN' });
  });

  it('grants waiters in arrival order as locks go, and refuses a cycle of processes with EDEADLK', () => {
    const t = new LockTable();
    const ended: [number, string][] = [];
    t.onWaitEnd = (w, end) => ended.push([w, end]);
    t.set('f', req(P(1), 'write', 0, 10));
    const a = t.set('f', req(P(2), 'write', 0, 10, true));
    const b = t.set('f', req(P(3), 'read', 0, 10, true));
    expect(a.kind).toBe('queued');
    expect(b.kind).toBe('queued');
    // 1 waits for 3's lock on g while 3 waits for 1: a cycle.
    t.set('g', req(P(3), 'write', 0, 1));
    expect(t.set('g', req(P(1), 'write', 0, 1, true))).toEqual({ kind: 'refused', errno: 'EDEADLK' });
    // OFD owners are not processes: no deadlock check for them.
    t.set('h', req(D(7), 'write', 0, 1));
    expect(t.set('h', req(D(8), 'write', 0, 1, true)).kind).toBe('queued');
    t.set('f', req(P(1), 'unlock', 0, LOCK_END));
    expect(ended).toEqual([[(a as { waiter: number }).waiter, 'granted']]);
    t.set('f', req(P(2), 'unlock', 0, LOCK_END));
    expect(ended.map(([w]) => w)).toContain((b as { waiter: number }).waiter);
  });

  it('cancels a wait, releases by owner, file and node, and survives its image', () => {
    const t = new LockTable();
    t.set('f', req(P(1, 'n1'), 'write', 0, 10));
    const w = t.set('f', req(P(2, 'n2'), 'write', 0, 10, true)) as { kind: 'queued'; waiter: number };
    expect(t.cancel(w.waiter)).toBe('dropped');
    expect(t.cancel(w.waiter)).toBe('dropped'); // already ended: how it ended
    expect(t.waiting).toBe(0);
    t.set('g', req(P(1, 'n1'), 'read', 0, 5));
    t.set('g', req(D(4, 'flock', 'n2'), 'write', 0, LOCK_END));
    const copy = LockTable.fromImage(JSON.parse(JSON.stringify(t.image())));
    expect(copy.image()).toEqual(t.image());
    t.releaseOn('f', 'p1');
    expect(t.test('f', req(P(9), 'write', 0, 10))).toBeNull();
    expect(t.test('g', req(P(9), 'write', 0, 1))).not.toBeNull();
    t.releaseWhere((o) => o.node === 'n1');
    expect(t.test('g', req(P(9), 'write', 0, 1))).toBeNull();
    expect(t.held).toBe(1); // n2's flock
  });
});
