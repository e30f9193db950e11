// The scheduler: round-robin order and preemption at the quantum, MLFQ behind the same interface, and
// blocked threads leaving the run queue.
import { describe, it, expect } from 'vitest';
import { runGuests } from './helpers.js';

const runsOf = (s: string): string[] => s.match(/(A+|B+)/g) ?? [];

describe('scheduling', () => {
  it('round-robin starts the first program first and alternates CPU-bound processes at the quantum', async () => {
    const q = 20_000;
    const r = await runGuests([['letters', 'A', '40', '3000'], ['letters', 'B', '40', '3000']], { quantum_instructions: q });
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
    expect(r.out.replace(/B/g, '')).toBe('A'.repeat(40));
    expect(r.out[0]).toBe('A');
    const runs = runsOf(r.out);
    expect(runs.length).toBeGreaterThan(20); // switched many times, not once per process
    // One preemption per quantum of retired instructions while both are runnable.
    const h = r.stats.harts[0]!;
    expect(Math.abs(h.preemptions - Math.floor(h.instructions / q))).toBeLessThanOrEqual(3);
  });

  it('round-robin serves runnable processes in FIFO order: the runs cycle A, B, C', async () => {
    const r = await runGuests([['letters', 'A', '20', '3000'], ['letters', 'B', '20', '3000'], ['letters', 'C', '20', '3000']], { quantum_instructions: 20_000 });
    const order = (r.out.match(/(A+|B+|C+)/g) ?? []).map((run) => run[0]).join('');
    expect(order).toMatch(/^(ABC)+(AB|A)?$/);
    expect(order.length).toBeGreaterThan(20);
  });

  it('mlfq gives demoted CPU-bound threads longer turns (quantum << level) in the same cyclic order', async () => {
    const r = await runGuests([['letters', 'A', '20', '3000'], ['letters', 'B', '20', '3000'], ['letters', 'C', '20', '3000']], { quantum_instructions: 20_000, sched: 'mlfq' });
    const runs = r.out.match(/(A+|B+|C+)/g) ?? [];
    expect(runs.map((run) => run[0]).join('')).toMatch(/^(ABC)+(AB|A)?$/);
    expect(Math.max(...runs.map((run) => run.length))).toBeGreaterThanOrEqual(4);
  });

  it('a longer quantum gives longer runs and fewer context switches', async () => {
    const short = await runGuests([['letters', 'A', '40', '3000'], ['letters', 'B', '40', '3000']], { quantum_instructions: 20_000 });
    const long = await runGuests([['letters', 'A', '40', '3000'], ['letters', 'B', '40', '3000']], { quantum_instructions: 200_000 });
    expect(runsOf(long.out).length).toBeLessThan(runsOf(short.out).length / 3);
    expect(long.stats.context_switches).toBeLessThan(short.stats.context_switches / 3);
  });

  it('mlfq runs the same work to the same result with fewer preemptions (demoted threads get longer quanta)', async () => {
    const progs = [['letters', 'A', '40', '3000'], ['letters', 'B', '40', '3000']];
    const rr = await runGuests(progs, { quantum_instructions: 20_000, sched: 'rr' });
    const mlfq = await runGuests(progs, { quantum_instructions: 20_000, sched: 'mlfq' });
    expect(mlfq.results).toEqual(rr.results);
    expect(mlfq.out.replace(/B/g, '')).toBe('A'.repeat(40));
    expect(mlfq.stats.harts[0]!.preemptions).toBeLessThan(rr.stats.harts[0]!.preemptions);
  });

  it('threads blocked in futex_wait leave the run queue: a joined program runs no more instructions than it needs', async () => {
    // The joiner blocks until the workers end; were it spinning in the queue it would be switched in
    // at every quantum and its process would count far more switches than threads.
    const r = await runGuests([['counter', '2', '20000']], { quantum_instructions: 10_000 });
    expect(r.out).toBe('counter 40000 of 40000\n');
    expect(r.stats.threads.find((t) => t.tid === 1)!.context_switches).toBeLessThanOrEqual(4);
  });
});
