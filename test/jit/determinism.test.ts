// Deterministic mode with the translator on: the kernel tests' guests on 3 harts (test/kernel/determinism.test.ts)
// give the same output, results and kernel statistics with it on and off, for two seeds, and it did run.
import { describe, expect, it } from 'vitest';
import { runGuests } from '../kernel/helpers.js';

const PROGRAMS = [['counter', '3', '3000'], ['letters', 'A', '20', '1000'], ['futex'], ['hog', '1', 'shrink']];

describe('determinism with the translator', () => {
  for (const seed of [42, 7]) {
    it(`seed ${seed}, 3 harts: on and off give identical output, results and kernel statistics`, async () => {
      const off = await runGuests(PROGRAMS, { harts: 3, seed, quantum_instructions: 7_000 });
      const on = await runGuests(PROGRAMS, { harts: 3, seed, quantum_instructions: 7_000, jit: true });
      expect(on.out).toBe(off.out);
      expect(on.err).toBe(off.err);
      expect(on.results).toEqual(off.results);
      expect(on.stats).toEqual(off.stats);
      expect(on.sys.machine.jit.stats().instructions).toBeGreaterThan(0);
    }, 60_000);
  }
});
