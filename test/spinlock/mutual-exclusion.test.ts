// Two worker threads run the kernel's lockLoop over one shared memory: every lock kind keeps the plain
// counter exact, and the same loop without a lock loses updates (so these tests can fail).
import { describe, expect, it } from 'vitest';
import { runLockWorkers, type LockKindName } from '../../bench/lib/lock-workers.js';
import { loadKernelModule } from '../../bench/lib/kernel-wasm.js';

const ITERATIONS = 100_000;
// Long enough (tens of ms) that both workers run at once even on a busy machine; retried if they did not.
const RACE_ITERATIONS = 10_000_000;
const RACE_ATTEMPTS = 10;

describe('kernel spinlocks across two worker threads', () => {
  it('has a kernel.wasm to test', () => {
    const load = loadKernelModule();
    expect(load.ok ? 'loaded' : load.reason).toBe('loaded');
  });

  for (const kind of ['tas', 'ttas', 'ticket'] as const satisfies readonly LockKindName[]) {
    it(`${kind} lock keeps a shared counter exact (2 x ${ITERATIONS} increments)`, async () => {
      const r = await runLockWorkers({ engine: 'wasm', kind, workers: 2, iterations: ITERATIONS });
      expect(r.counter).toBe(2 * ITERATIONS);
      expect(r.acquisitions).toBe(2 * ITERATIONS);
      expect(Number.isSafeInteger(r.spins) && r.spins >= 0).toBe(true);
      // Each worker took the lock at least once from the other (or from nobody), at most every time.
      expect(r.handoffs).toBeGreaterThanOrEqual(2);
      expect(r.handoffs).toBeLessThanOrEqual(2 * ITERATIONS);
    });
  }

  it('the same loop without a lock loses updates: the race is real', async () => {
    let lost = 0;
    for (let attempt = 0; attempt < RACE_ATTEMPTS && lost === 0; attempt++) {
      const r = await runLockWorkers({ engine: 'wasm', kind: 'none', workers: 2, iterations: RACE_ITERATIONS });
      expect(r.counter).toBeLessThanOrEqual(2 * RACE_ITERATIONS);
      expect(r.acquisitions).toBe(0);
      lost = 2 * RACE_ITERATIONS - r.counter;
    }
    expect(lost).toBeGreaterThan(0);
  });

  it('an uncontended lock never spins', async () => {
    for (const kind of ['tas', 'ttas', 'ticket'] as const) {
      const r = await runLockWorkers({ engine: 'wasm', kind, workers: 1, iterations: 10_000 });
      expect({ kind, counter: r.counter, spins: r.spins }).toEqual({ kind, counter: 10_000, spins: 0 });
    }
  });

  it('workers pinned to their own CPUs through the native addon stay exclusive', async () => {
    const r = await runLockWorkers({ engine: 'wasm', kind: 'ticket', workers: 2, iterations: 20_000, pin: true });
    expect(r.counter).toBe(40_000);
    expect(typeof r.pinned).toBe('boolean');
  });

  it('the JavaScript Atomics locks used as a comparison are exclusive too', async () => {
    for (const kind of ['tas', 'ttas', 'ticket'] as const) {
      const r = await runLockWorkers({ engine: 'js', kind, workers: 2, iterations: 100_000 });
      expect({ kind, counter: r.counter }).toEqual({ kind, counter: 200_000 });
    }
  });
});
