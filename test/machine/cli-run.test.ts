// `atoll run` as a user runs it (the built CLI in a child process): output passes through, the exit code is
// the guest's or 128 + signal with one stderr line, statistics are printed and written as JSON, and bad
// flags or files get one clear line and a non-zero exit.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../bin/atoll.js');
const EX = join(import.meta.dirname, '../../guest/examples');
const TESTS = join(import.meta.dirname, '../../guest/tests');

function atoll(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('atoll run', () => {
  it('passes the guest output through and exits with its code', () => {
    const r = atoll('run', join(EX, 'hello.elf'), 'x', 'y');
    expect(r.code).toBe(0);
    expect(r.out).toContain('hello from atoll');
    expect(r.out).toContain('argc=3');
    expect(r.err).toBe('');
  });

  it('exits 128 + SIGSEGV after one line naming the fault, address and pc', () => {
    const r = atoll('run', join(EX, 'fault.elf'));
    expect(r.code).toBe(139);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SIGSEGV.*load page fault at address 0x00000010, pc 0x[0-9a-f]{8}/);
  });

  it('exits 128 + SIGPIPE, quietly, when its stdout reader goes away (as under Linux)', () => {
    const script = `"${process.execPath}" "${BIN}" run "${join(EX, 'compute.elf')}" | head -1 >/dev/null; echo \${PIPESTATUS[0]}`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('141');
    expect(r.stderr).toBe('');
  });

  it('exits 128 + SIGILL for an illegal instruction', () => {
    const r = atoll('run', join(TESTS, 'sigill.elf'));
    expect(r.code).toBe(132);
    expect(r.err).toMatch(/SIGILL.*illegal instruction/);
  });

  it('--stats prints a summary and --stats-json writes the counters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atoll-'));
    const file = join(dir, 'stats.json');
    const r = atoll('run', '--stats', '--stats-json', file, '--tlb', '64x2', '--ram', '64M', join(EX, 'hello.elf'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/MIPS/);
    expect(r.err).toMatch(/TLB 64 entries x 2 ways: hit rate/);
    const s = JSON.parse(readFileSync(file, 'utf8'));
    expect(s.instructions).toBeGreaterThan(100);
    // MIPS is instructions over the run loop's wall time; the hit rate is hits over lookups.
    expect(s.wall_ms).toBeGreaterThan(0);
    expect(s.mips).toBeCloseTo(s.instructions / s.wall_ms / 1000, 6);
    expect(s.tlb.hits + s.tlb.misses).toBeGreaterThan(0);
    expect(s.tlb.hit_rate).toBeCloseTo(s.tlb.hits / (s.tlb.hits + s.tlb.misses), 9);
    expect(s.tlb.walks).toBeGreaterThanOrEqual(s.tlb.misses);
    // The first switch into the process's address space flushes the TLB once.
    expect(s.tlb.flushes).toBeGreaterThanOrEqual(1);
    expect(s.page_faults).toBe(0);
  });

  it('rejects bad flags, missing programs and invalid files with one line', () => {
    for (const [args, code, msg] of [
      [['run', '--tlb', '3x', join(EX, 'hello.elf')], 2, /--tlb/],
      [['run', '--tlb', '48', join(EX, 'hello.elf')], 2, /power of two/],
      [['run', '--ram', 'lots', join(EX, 'hello.elf')], 2, /--ram/],
      [['run', '--ram', '1K', join(EX, 'hello.elf')], 2, /RAM size/],
      [['run', '--nope', join(EX, 'hello.elf')], 2, /unknown flag/],
      [['run'], 2, /missing the program/],
      [['run', join(EX, 'missing.elf')], 1, /no such file/],
      [['run', BIN], 1, /not an ELF/],
    ] as [string[], number, RegExp][]) {
      const r = atoll(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});
