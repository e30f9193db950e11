// `atoll run` with several programs and the kernel's flags (needs `npm run build`).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixture } from './helpers.js';
import { splitPrograms } from '../../src/cli/commands/run.js';

const ATOLL = join(import.meta.dirname, '../../bin/atoll.js');
const atoll = (...args: string[]): { out: string; err: string; code: number | null } => {
  const r = spawnSync('node', [ATOLL, 'run', ...args], { encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr, code: r.status };
};

describe('atoll run with several programs', () => {
  it('splits programs: every word a .elf, groups after --, and a trailing -- for one program with .elf arguments', () => {
    expect(splitPrograms(['a.elf', 'b.elf'])).toEqual([{ path: 'a.elf', args: [] }, { path: 'b.elf', args: [] }]);
    expect(splitPrograms(['a.elf', 'x', '--', 'b.elf', 'y', 'z'])).toEqual([{ path: 'a.elf', args: ['x'] }, { path: 'b.elf', args: ['y', 'z'] }]);
    expect(splitPrograms(['a.elf', 'in.elf', '--'])).toEqual([{ path: 'a.elf', args: ['in.elf'] }]);
    expect(splitPrograms(['a.elf', 'x', 'y'])).toEqual([{ path: 'a.elf', args: ['x', 'y'] }]);
  });

  it('runs each program as its own process, exits with the first one\'s status and names a killed one', () => {
    const r = atoll(fixture('faults'), 'load', '--', fixture('letters'), 'Q', '3', '10');
    expect(r.out).toBe('QQQ');
    expect(r.code).toBe(139);
    expect(r.err).toMatch(/^atoll: process 1 \(.*faults\.elf\) killed by SIGSEGV \(signal 11\): load page fault at address 0x00000010/m);
  });

  it('exits 128 + the signal of a later process that was killed when the first one exited 0', () => {
    const r = atoll(fixture('letters'), 'Q', '3', '10', '--', fixture('faults'), 'load');
    expect(r.out).toBe('QQQ');
    expect(r.code).toBe(139);
    expect(r.err).toMatch(/^atoll: process 2 \(.*faults\.elf\) killed by SIGSEGV \(signal 11\)/m);
    const clean = atoll(fixture('letters'), 'Q', '3', '10', '--', fixture('faults'), 'none');
    expect(clean.code).toBe(0);
  });

  it('names the illegal instruction word as such, not as an address', () => {
    const r = atoll(fixture('faults'), 'ill');
    expect(r.code).toBe(132);
    expect(r.err).toMatch(/^atoll: guest killed by SIGILL \(signal 4\): illegal instruction: instruction word 0xffffffff, pc 0x[0-9a-f]{8}\n$/);
  });

  it('--stats-json reports context switches, lock counters and per-process figures; the same seed gives the same figures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atoll-kernel-'));
    const read = (seed: string, f: string): Record<string, unknown> => {
      const r = atoll('--harts', '2', '--seed', seed, '--quantum', '5000', '--stats-json', join(dir, f), fixture('counter'), '2', '3000', '--', fixture('futex'));
      expect(r.code).toBe(0);
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
      delete j.wall_ms; delete j.mips;
      return j;
    };
    const a = read('9', 'a.json');
    const b = read('9', 'b.json');
    expect(b).toEqual(a);
    const k = a.kernel as { context_switches: number; locks: { sched: { acquisitions: number } }; processes: { pid: number; threads: number }[] };
    expect(k.context_switches).toBeGreaterThan(0);
    expect(k.locks.sched.acquisitions).toBeGreaterThan(0);
    expect(k.processes.map((p) => [p.pid, p.threads])).toEqual([[1, 3], [2, 2]]);
  });

  it('keeps the kernel log off the guest\'s stderr unless --klog, and puts it in --stats-json', () => {
    const quiet = atoll(fixture('futex'));
    expect(quiet.err).toBe('');
    const loud = atoll('--klog', fixture('futex'));
    expect(loud.err).toMatch(/^atoll: kernel: clone from pid 1 \(.*futex\.elf\) tid 1: unsupported flags 0x100 .*EINVAL\n$/);
    const dir = mkdtempSync(join(tmpdir(), 'atoll-klog-'));
    atoll('--stats-json', join(dir, 's.json'), fixture('futex'));
    const j = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { kernel_log: string[] };
    expect(j.kernel_log).toHaveLength(1);
  });

  it('rejects bad kernel flags with one line and status 2', () => {
    for (const flags of [['--sched', 'lottery'], ['--harts', '0'], ['--quantum', '-5'], ['--seed', 'x']]) {
      const r = atoll(...flags, fixture('counter'));
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});
