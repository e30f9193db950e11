// Deterministic mode: the same seed gives the same output and the same statistics, harts and all.
import { describe, it, expect } from 'vitest';
import { runGuests } from './helpers.js';

const PROGRAMS = [['counter', '3', '3000'], ['letters', 'A', '20', '1000'], ['futex'], ['hog', '1', 'shrink']];

describe('determinism', () => {
  it('two runs with the same seed on 3 harts give identical output and identical kernel statistics', async () => {
    const a = await runGuests(PROGRAMS, { harts: 3, seed: 42, quantum_instructions: 7_000 });
    const b = await runGuests(PROGRAMS, { harts: 3, seed: 42, quantum_instructions: 7_000 });
    expect(b.out).toBe(a.out);
    expect(b.results).toEqual(a.results);
    expect(b.stats).toEqual(a.stats);
    expect(a.stats.context_switches).toBeGreaterThan(10);
    expect(a.stats.harts.every((h) => h.instructions > 0)).toBe(true);
  });

  it('a different seed interleaves the harts differently but computes the same results', async () => {
    const a = await runGuests(PROGRAMS, { harts: 3, seed: 1, quantum_instructions: 7_000 });
    const b = await runGuests(PROGRAMS, { harts: 3, seed: 2, quantum_instructions: 7_000 });
    expect(b.results).toEqual(a.results);
    expect(b.stats.harts.map((h) => h.instructions)).not.toEqual(a.stats.harts.map((h) => h.instructions));
  });
});
