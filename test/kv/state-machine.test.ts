import { describe, expect, it } from 'vitest';
import { KvStateMachine, encodeCommand } from '../../src/kv/index.js';

const put = (client: string, seq: number, key: string, value: string): string => encodeCommand({ client, seq, op: { op: 'put', key, value } });
const get = (client: string, seq: number, key: string): string => encodeCommand({ client, seq, op: { op: 'get', key } });
const del = (client: string, seq: number, key: string): string => encodeCommand({ client, seq, op: { op: 'del', key } });

describe('kv state machine', () => {
  it('applies put, get and del in order', () => {
    const kv = new KvStateMachine();
    kv.apply(1, put('c', 1, 'x', '1'));
    expect(kv.apply(2, get('c', 2, 'x'))).toEqual({ ok: true, value: '1' });
    kv.apply(3, del('c', 3, 'x'));
    expect(kv.apply(4, get('c', 4, 'x'))).toEqual({ ok: true, value: null });
  });

  it('a retried command is applied once and answered with its first result', () => {
    const kv = new KvStateMachine();
    kv.apply(1, put('c', 1, 'x', 'a'));
    kv.apply(2, put('d', 1, 'x', 'b'));
    // c's first put is retried after d's write: re-applying it would overwrite b.
    kv.apply(3, put('c', 1, 'x', 'a'));
    expect(kv.get('x')).toBe('b');
    expect(kv.apply(4, get('c', 2, 'x'))).toEqual({ ok: true, value: 'b' });
    expect(kv.apply(5, get('c', 2, 'x'))).toEqual({ ok: true, value: 'b' });
    expect(kv.apply(6, put('c', 1, 'x', 'z'))).toMatchObject({ ok: false });
  });

  it('rejects malformed commands with a reason and keeps going', () => {
    const kv = new KvStateMachine();
    expect(kv.apply(1, 'nope')).toEqual({ ok: false, error: 'command is not JSON' });
    expect(kv.apply(2, JSON.stringify({ client: 'c', seq: 1, op: { op: 'cas', key: 'k' } }))).toMatchObject({ ok: false, error: expect.stringMatching(/unknown op/) });
    expect(kv.apply(3, put('c', 1, 'k', 'v'))).toEqual({ ok: true, value: null });
  });

  it('snapshots and restores data and sessions', () => {
    const kv = new KvStateMachine();
    kv.apply(1, put('c', 1, 'x', '1'));
    kv.apply(2, put('c', 2, 'y', '2'));
    const other = new KvStateMachine();
    other.restore(kv.snapshot());
    expect(other.get('y')).toBe('2');
    expect(other.applied).toBe(2);
    // the session survived: a retry of seq 2 is not re-applied
    other.apply(3, del('c', 3, 'y'));
    other.apply(4, put('c', 2, 'y', '2'));
    expect(other.get('y')).toBeNull();
    expect(other.snapshot()).not.toBe(kv.snapshot());
  });

  it('bounds the session table by evicting the least recently used client', () => {
    const kv = new KvStateMachine(2);
    kv.apply(1, put('a', 1, 'k', '1'));
    kv.apply(2, put('b', 1, 'k', '2'));
    kv.apply(3, put('a', 2, 'k', '3'));
    kv.apply(4, put('c', 1, 'k', '4')); // evicts b
    expect(JSON.parse(kv.snapshot()).sessions.map((s: [string]) => s[0])).toEqual(['a', 'c']);
  });
});
