// Faults and isolation: each fault kind kills only its own process with the Linux signal; a bad system
// call pointer is -EFAULT for the caller; a hostile process cannot see another's memory or the kernel's.
import { describe, it, expect } from 'vitest';
import { runGuests } from './helpers.js';

describe('faults kill only their process', () => {
  it('illegal instruction, bad load, kernel-half load and ebreak each kill their own process; the others finish', async () => {
    const r = await runGuests([
      ['faults', 'ill'], ['faults', 'load'], ['faults', 'kernel'], ['faults', 'ebreak'], ['faults', 'efault'],
      ['letters', 'Z', '5', '2000'],
    ], { harts: 2 });
    expect(r.results[0]).toMatchObject({ kind: 'fault', signal: 'SIGILL', fault: 'illegal instruction', address: 0xffffffff });
    expect(r.results[1]).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', fault: 'load page fault', address: 0x10 });
    expect(r.results[2]).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', fault: 'load page fault', address: 0xf0000000 });
    expect(r.results[3]).toMatchObject({ kind: 'fault', signal: 'SIGTRAP', fault: 'breakpoint' });
    expect(r.results[4]).toEqual({ kind: 'exit', code: 0 });
    expect(r.results[5]).toEqual({ kind: 'exit', code: 0 });
    // Two harts: the letters may land inside the other lines.
    expect(r.out.replace(/Z/g, '')).toBe('write: -14\nsurvived\n');
    expect(r.out.match(/Z/g)).toHaveLength(5);
    expect(r.out.match(/survived/g)).toHaveLength(1);
    expect(r.stats.frames_used).toBe(0);
  });
});

describe('deadlock', () => {
  it('when every live thread is blocked forever the node kills them with one line instead of hanging', async () => {
    const r = await runGuests([['faults', 'hang'], ['letters', 'A', '3', '10']], { harts: 2 });
    expect(r.results[0]).toMatchObject({ kind: 'killed', signal: 'SIGKILL' });
    expect(r.results[1]).toEqual({ kind: 'exit', code: 0 });
    expect(r.log).toEqual(['kernel: deadlock: every live thread is blocked with no deadline; killing 1 processes']);
    expect(r.stats.frames_used).toBe(0);
  });
});

describe('isolation', () => {
  it('a hostile process sees only its own pages: not the other process\'s secret at the same address, nor the kernel', async () => {
    const r = await runGuests([['hostile', 's3cr3t'], ['hostile']]);
    const mine = /secret at (0x[0-9a-f]+): s3cr3t\n/.exec(r.out);
    expect(mine).not.toBeNull();
    expect(r.out).toContain(`secret at ${mine![1]}: nothing here\n`); // the same address, its own copy
    expect(r.out.match(/own pages seen 1, foreign 0/g)).toHaveLength(2);
    expect(r.out).not.toContain('reachable');
    // Copy-out through its own page tables: the kernel half, its read-only code and unmapped memory all refuse.
    for (let i = 0; i < 3; i++) expect(r.out.match(new RegExp(`kernel-made write ${i}: -14\\n`, 'g'))).toHaveLength(2);
    expect(r.out.match(/futex wait on the kernel half: -14\n/g)).toHaveLength(2);
    expect(r.out).not.toContain('read the kernel half');
    for (const x of r.results) expect(x).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', address: 0x80001000 });
  });
});
