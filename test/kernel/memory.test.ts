// Memory: brk shrinking gives frames back, a shrink shoots down the TLB entries of the process's other
// harts, exit frees everything, -ENOMEM-style refusals and a clear kill when a page fault cannot be served.
import { describe, it, expect } from 'vitest';
import { runGuests } from './helpers.js';

describe('process memory', () => {
  it('exit gives every frame back to the allocator', async () => {
    const r = await runGuests([['hog', '2'], ['counter', '2', '100']]);
    expect(r.out).toContain('done\n');
    expect(r.stats.frames_used).toBe(0);
    expect(r.stats.processes[0]!.frames_freed).toBeGreaterThan(512);
  });

  it('brk shrink returns the heap frames before exit', async () => {
    const keep = await runGuests([['hog', '4']]);
    const shrink = await runGuests([['hog', '4', 'shrink']]);
    expect(shrink.out).toBe('done\n');
    expect(keep.stats.processes[0]!.demand_faults).toBe(1024);
    expect(keep.stats.processes[0]!.frames_freed - shrink.stats.processes[0]!.frames_freed).toBeGreaterThanOrEqual(1024);
  });

  it.each([1, 2])('a brk shrink reaches the TLBs of every hart (%i harts): the other thread faults on the freed page', async (harts) => {
    const r = await runGuests([['shootdown']], { harts });
    const res = r.results[0]!;
    expect(res).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', fault: 'store page fault' });
    if (harts === 2) expect(r.stats.harts.reduce((a, h) => a + h.shootdowns, 0)).toBeGreaterThan(0);
    expect(r.stats.frames_used).toBe(0);
  });

  it('a break larger than the free frames is refused (the program sees ENOMEM) and the node goes on', async () => {
    const r = await runGuests([['hog', '64'], ['letters', 'A', '3', '10']], { ram_bytes: 16 << 20 });
    expect(r.out).toContain('brk refused\n');
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
  });

  it('when a page fault finds no frame the faulting process is killed with SIGKILL and one line; others go on', async () => {
    // Both hogs are promised their heaps (the frames are free when each asks) but RAM cannot back both.
    const r = await runGuests([['hog', '10'], ['hog', '10'], ['letters', 'A', '3', '10']], { ram_bytes: 16 << 20 });
    const kinds = r.results.map((x) => x.kind);
    expect(kinds.filter((k) => k === 'killed')).toHaveLength(1);
    const killed = r.results.find((x) => x.kind === 'killed')!;
    expect(killed).toMatchObject({ signal: 'SIGKILL' });
    if (killed.kind === 'killed') expect(killed.reason).toMatch(/^out of memory/);
    expect(r.out).toContain('done\n');
    expect(r.out).toContain('AAA');
    expect(r.log.filter((l) => /out of memory/.test(l))).toHaveLength(1);
    expect(r.stats.oom_kills).toBe(1);
    expect(r.stats.frames_used).toBe(0);
  });

  it('processes beyond the ASID pool share ASID 0 and flush on each switch, with the same results', async () => {
    const progs = [['letters', 'A', '20', '2000'], ['letters', 'B', '20', '2000'], ['letters', 'C', '20', '2000']];
    const many = await runGuests(progs, { quantum_instructions: 10_000 });
    const few = await runGuests(progs, { quantum_instructions: 10_000, asids: 2 });
    expect(few.out).toBe(many.out);
    expect(many.stats.harts[0]!.asid_flushes).toBe(0);
    expect(few.stats.harts[0]!.asid_flushes).toBeGreaterThan(10);
  });
});
