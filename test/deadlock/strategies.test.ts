// The strategies on cycles of 2..5 owners across nodes, through the LockManager seam a file server uses:
// detection breaks each cycle with exactly one EDEADLK and every other wait is granted; acyclic chains are never
// refused; prevention refuses at least one request of a cycle and the rest finish.
import { describe, expect, it } from 'vitest';
import { harness, ring } from './harness.js';
import type { DeadlockStrategy } from '../../src/deadlock/index.js';

const count = (xs: (string | null)[], v: string): number => xs.filter((x) => x === v).length;

describe('dlm deadlock strategies', () => {
  for (const strategy of ['edge-chasing', 'collector'] as DeadlockStrategy[]) {
    it(`${strategy}: a cycle of 2..5 owners on as many nodes ends with exactly one EDEADLK, the rest granted`, () => {
      for (let k = 2; k <= 5; k++) {
        const h = harness(strategy, k, k);
        const out = ring(h, k, true);
        expect(count(out, 'EDEADLK'), `k=${k}: ${out.join(',')}`).toBe(1);
        expect(count(out, 'ok'), `k=${k}: ${out.join(',')}`).toBe(k - 1);
        expect(h.events.filter((e) => e.kind === 'broken')).toHaveLength(1);
      }
    });
    it(`${strategy}: a chain (no cycle) is never refused`, () => {
      for (let k = 2; k <= 5; k++) {
        const out = ring(harness(strategy, k, 10 + k), k, false);
        expect(count(out, 'EDEADLK')).toBe(0);
        expect(count(out, 'ok')).toBe(k - 1);
      }
    });
  }
  for (const strategy of ['ordered', 'wait-die'] as DeadlockStrategy[]) {
    it(`${strategy}: a cycle is prevented: at least one request refused, every other wait granted`, () => {
      for (let k = 2; k <= 5; k++) {
        const out = ring(harness(strategy, k, 20 + k), k, true);
        expect(count(out, 'EDEADLK'), out.join(',')).toBeGreaterThanOrEqual(1);
        expect(count(out, 'EDEADLK') + count(out, 'ok'), out.join(',')).toBe(k);
      }
    });
  }
  it('ordered: a chain climbing the order is never refused', () => {
    const out = ring(harness('ordered', 4, 5), 4, false);
    expect(count(out, 'EDEADLK')).toBe(0);
  });
});
