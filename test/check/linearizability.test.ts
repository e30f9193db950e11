import { describe, expect, it } from 'vitest';
import { checkHistory, type KvOperation } from '../../src/check/index.js';
import { testRng } from '../raft/harness.js';

const put = (client: string, key: string, value: string, call: number, ret: number | null): KvOperation => ({ client, kind: 'put', key, value, call, ret });
const get = (client: string, key: string, output: string | null, call: number, ret: number | null): KvOperation => ({ client, kind: 'get', key, output, call, ret });
const del = (client: string, key: string, call: number, ret: number | null): KvOperation => ({ client, kind: 'del', key, call, ret });

describe('linearizability checker', () => {
  it('accepts a sequential history that reads its writes', () => {
    const h = [put('a', 'x', '1', 0, 1), get('a', 'x', '1', 2, 3), del('a', 'x', 4, 5), get('a', 'x', null, 6, 7)];
    expect(checkHistory(h).verdict).toBe('ok');
  });

  it('accepts concurrent operations that can be ordered either way', () => {
    // A read overlapping a write may see the old or the new value.
    expect(checkHistory([put('a', 'x', '1', 0, 10), get('b', 'x', '1', 1, 2)]).verdict).toBe('ok');
    expect(checkHistory([put('a', 'x', '1', 0, 10), get('b', 'x', null, 1, 2)]).verdict).toBe('ok');
  });

  it('rejects a stale read after a completed write', () => {
    const h = [put('a', 'x', '1', 0, 1), get('b', 'x', null, 2, 3)];
    const r = checkHistory(h);
    expect(r.verdict).toBe('illegal');
    expect(r.counterexample?.key).toBe('x');
  });

  it('rejects two readers that see two writes in opposite orders', () => {
    const h = [
      put('a', 'x', '1', 0, 100), put('b', 'x', '2', 0, 100),
      get('c', 'x', '1', 10, 20), get('c', 'x', '2', 30, 40),
      get('d', 'x', '2', 10, 20), get('d', 'x', '1', 30, 40),
    ];
    expect(checkHistory(h).verdict).toBe('illegal');
  });

  it('a read cannot return a value nobody wrote', () => {
    expect(checkHistory([put('a', 'x', '1', 0, 1), get('b', 'x', '7', 2, 3)]).verdict).toBe('illegal');
  });

  it('a write with an unknown outcome may appear to take effect late, or never', () => {
    const late = [put('a', 'x', '1', 0, null), get('b', 'x', null, 5, 6), get('b', 'x', '1', 50, 51)];
    expect(checkHistory(late).verdict).toBe('ok');
    const never = [put('a', 'x', '1', 0, null), get('b', 'x', null, 50, 51)];
    expect(checkHistory(never).verdict).toBe('ok');
    // but not before it was called
    const early = [get('b', 'x', '1', 0, 1), put('a', 'x', '1', 5, null)];
    expect(checkHistory(early).verdict).toBe('illegal');
  });

  it('splits per key: keys do not constrain each other', () => {
    const h = [put('a', 'x', '1', 0, 1), put('a', 'y', '2', 2, 3), get('b', 'y', '2', 4, 5), get('b', 'x', '1', 6, 7)];
    const r = checkHistory(h);
    expect(r.verdict).toBe('ok');
    expect(r.keys.map((k) => k.key)).toEqual(['x', 'y']);
  });

  it('accepts random histories built from a real linearization and catches a corrupted read', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = testRng(seed);
      const ops: KvOperation[] = [];
      let value: string | null = null;
      let t = 0;
      // Each op takes effect at its point t; its interval stretches randomly around it.
      for (let i = 0; i < 60; i++) {
        t += 10;
        const k = rng.nextInt(3);
        const call = t - rng.nextInt(40);
        const ret = t + rng.nextInt(40);
        if (k === 0) { value = `v${i}`; ops.push(put(`c${i % 4}`, 'x', value, call, ret)); }
        else if (k === 1) { value = null; ops.push(del(`c${i % 4}`, 'x', call, ret)); }
        else ops.push(get(`c${i % 4}`, 'x', value, call, ret));
      }
      expect(checkHistory(ops).verdict).toBe('ok');
      const reads = ops.map((o, i) => [o, i] as const).filter(([o]) => o.kind === 'get');
      if (reads.length === 0) continue;
      const [victim, at] = reads[rng.nextInt(reads.length)]!;
      const bad = [...ops];
      bad[at] = { ...victim, output: 'never-written' };
      expect(checkHistory(bad).verdict).toBe('illegal');
    }
  });

  it('gives up with unknown past its step bound instead of running forever', () => {
    const ops: KvOperation[] = [];
    for (let i = 0; i < 30; i++) ops.push(put(`c${i}`, 'x', `v${i}`, 0, 100));
    ops.push(get('z', 'x', 'nope', 200, 201));
    expect(checkHistory(ops, 1000).verdict).toBe('unknown');
  });
});
