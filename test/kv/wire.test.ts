import { describe, expect, it } from 'vitest';
import { validateWire } from '../../src/kv/index.js';

const app = (entries: unknown[], index = 3, logTerm = 1, term = 2): unknown => ({
  kind: 'raft', msg: { type: 'app', from: 'a', to: 'b', term, index, logTerm, commit: 0, entries },
});

describe('raft wire validation', () => {
  it('accepts well-formed messages and requests, and returns what a receiver acts on', () => {
    const entries = [{ term: 1, index: 4, type: 'normal', data: 'x' }, { term: 2, index: 5, type: 'normal', data: '' }];
    expect(validateWire(app(entries))).toMatchObject({
      kind: 'raft', msg: { type: 'app', from: 'a', to: 'b', term: 2, index: 3, logTerm: 1, commit: 0, entries },
    });
    expect(validateWire({ kind: 'kv-req', req: 1, cmd: { client: 'c', seq: 1, op: { op: 'get', key: 'k' } } }))
      .toEqual({ kind: 'kv-req', req: 1, cmd: { client: 'c', seq: 1, op: { op: 'get', key: 'k' } }, read: undefined, reply_to: undefined });
    // fields a request does not define are not passed on
    const extra = validateWire({ kind: 'kv-req', req: 2, cmd: { client: 'c', seq: 3, op: { op: 'put', key: 'k', value: 'v' } }, read: 'log', evil: 1 });
    expect(extra).toEqual({ kind: 'kv-req', req: 2, cmd: { client: 'c', seq: 3, op: { op: 'put', key: 'k', value: 'v' } }, read: 'log', reply_to: undefined });
  });

  it('refuses appends whose entries skip, go back in term or outrun the sender', () => {
    expect(validateWire(app([{ term: 1, index: 5, type: 'normal', data: 'x' }]))).toBe('malformed raft message');
    expect(validateWire(app([{ term: 2, index: 4, type: 'normal', data: '' }, { term: 1, index: 5, type: 'normal', data: '' }]))).toBe('malformed raft message');
    expect(validateWire(app([{ term: 3, index: 4, type: 'normal', data: '' }]))).toBe('malformed raft message');
  });

  it('names what is wrong with a malformed message', () => {
    expect(validateWire(null)).toBe('not an object');
    expect(validateWire({ kind: 'nope' })).toBe("unknown kind 'nope'");
    expect(validateWire({ kind: 'raft', msg: { type: 'vote', from: 'a', to: 'b', term: -1 } })).toBe('malformed raft message');
    expect(validateWire({ kind: 'kv-req', req: 1, cmd: { client: 'c', seq: 0, op: { op: 'get', key: 'k' } } })).toBe('kv-req: command needs a seq >= 1');
    expect(validateWire({ kind: 'kv-req', req: 1, cmd: { client: 'c', seq: 1, op: { op: 'put', key: 'k', value: 'x'.repeat(70_000) } } }))
      .toBe('kv-req: value longer than 65536 bytes');
  });
});
