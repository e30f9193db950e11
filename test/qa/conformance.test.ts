// Regression tests for the differences from Linux and qemu-riscv32 that the conformance programs
// (guest/tests/qa_*) found: each runs without qemu and checks the behaviour a Linux program relies on.
// Programs linked at 0x8000_0000 (the official riscv-tests' address) load and run; the auxiliary vector
// carries the entries Linux gives (AT_PHDR/PHENT/PHNUM, ids, AT_HWCAP, AT_CLKTCK, AT_SECURE, AT_EXECFN);
// negative clock ids name the caller's CPU-time clocks. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { LOAD_END } from '../../src/machine/layout.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ATOLL = join(ROOT, 'bin', 'atoll.js');
const guest = (rel: string): string => join(ROOT, 'guest', rel);
const atollEnv = (env: NodeJS.ProcessEnv, ...args: string[]): { out: string; err: string; code: number | null } => {
  const r = spawnSync(process.execPath, [ATOLL, 'run', ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { out: r.stdout, err: r.stderr, code: r.status };
};
const atoll = (...args: string[]): { out: string; err: string; code: number | null } => atollEnv(process.env, ...args);

describe('programs linked at 0x80000000', () => {
  it('a C program runs there with its data, bss and a heap that grows and shrinks above them', () => {
    const r = atoll(guest('tests/qa_high.elf'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('main at 0x80000');
    expect(r.out).toContain('data 42 at 0x80003000, bss zero 0');
    expect(r.out).toContain('grew 100000\nheap zeroed 0, written 90\nshrank 10\n');
    expect(r.out).toContain('aux 9 = 80000000');
  });

  it('the ISA test in the riscv-tests layout passes in every hart mode', () => {
    for (const mode of [[], ['--harts', '2'], ['--harts', '2', '--threaded']]) {
      expect(atoll(...mode, guest('tests/qa_high-ma_data.elf')).code, mode.join(' ')).toBe(0);
    }
  });

  it('the loader takes segments up to LOAD_END and no further', () => {
    const high = parseElf(new Uint8Array(readFileSync(guest('tests/qa_high.elf'))), { userEnd: LOAD_END });
    expect(high.segments.every((s) => s.vaddr >= 0x8000_0000 && s.vaddr + s.memsz <= LOAD_END)).toBe(true);
  });
});

describe('the auxiliary vector', () => {
  it('points AT_PHDR where qemu-user does: inside the segment holding the table, else lowest page + e_phoff', () => {
    // link.ld keeps the table out of every PT_LOAD: qemu reports 0x10000 + 52
    expect(parseElf(new Uint8Array(readFileSync(guest('tests/qa_auxv.elf')))).phdr).toEqual({ vaddr: 0x10034, count: 1 });
    // lld's default layout loads the headers with the first segment (file offset 0 at 0x10000)
    const lld = parseElf(new Uint8Array(readFileSync(guest('tests/lld_layout.elf'))));
    expect(lld.phdr?.vaddr).toBe(0x10034);
    expect(lld.phdr?.count).toBeGreaterThan(1);
  });

  it('a program walking it finds the entries Linux gives, in order, ending with AT_NULL', () => {
    const r = atoll(guest('tests/qa_auxv.elf'), 'x');
    expect(r.code).toBe(2);
    expect(r.out).toContain('AT_PHDR present\nphdr[0].type');
    expect(r.out).toContain('AT_PHENT 32\nAT_PHNUM 1\nAT_PAGESZ 4096\nAT_ENTRY 10000\nAT_UID 0\nAT_EUID 0\nAT_GID 0\nAT_EGID 0\nAT_CLKTCK 100\nAT_RANDOM readable 1\nAT_SECURE 0\n');
    expect(r.out).toContain('AT_NULL reached 1 random 1 pagesz 1');
  });
});

describe('negative clock ids', () => {
  it('read the caller\'s process and thread CPU clocks; sleeping on its own thread clock, bad "which" values and clock devices fail as on Linux', () => {
    const r = atoll(guest('tests/qa_clk.elf'));
    expect(r.code).toBe(0);
    const line = (i: number): string => r.out.split('\n').find((l) => l.startsWith(`${i}: `)) ?? '';
    expect(line(0)).toBe('0: get -22 sleep -22 abs -22 badreq -14 einval -22'); // -1: which = 3
    expect(line(1)).toBe('1: get 0 sleep -22 abs -22 badreq -14 einval -22'); // -2: own thread, SCHED
    expect(line(4)).toBe('4: get -22 sleep -95 abs -95 einval -95'); // -5: clock device fd 0
    expect(line(5)).toBe('5: get 0 abs 0 badreq -14 einval -22'); // -6: own process, SCHED
    expect(line(8)).toMatch(/^8: get 0 abs 0 /); // own pid spelled out
    expect(r.out).toContain('thread clock monotonic: 1');
  });
});

describe('SC.W without a reservation for its address', () => {
  it('fails with rd = 1 and no memory access, so it cannot fault even on address 0, in every hart mode', () => {
    for (const mode of [[], ['--harts', '2'], ['--harts', '2', '--threaded']]) {
      const r = atoll(...mode, guest('tests/qa_lrsc_fault.elf'));
      expect(r.err, mode.join(' ')).toBe('');
      expect(r.code, mode.join(' ')).toBe(0);
    }
  });
});

describe('the environment', () => {
  it('a guest starts with atoll\'s environment, byte for byte, as under execve and qemu-user', () => {
    const env = { QA_FIRST: '1', QA_EMPTY: '', QA_SPACES: 'a b  c', QA_EQ: 'x=y=z', QA_UNI: '\u00e9' };
    const r = atollEnv(env, guest('tests/qa_env.elf'));
    expect(r.code).toBe(0);
    expect(r.out).toBe('QA_FIRST=[1] (1 bytes)\nQA_EMPTY=[] (0 bytes)\nQA_SPACES=[a b  c] (6 bytes)\nQA_EQ=[x=y=z] (5 bytes)\n'
      + 'QA_UNI=[\u00e9] (2 bytes)\nQA_UNSET unset\n5 QA_ strings, environment empty: 0\n');
  });

  it('an empty environment gives an empty envp', () => {
    expect(atollEnv({}, guest('tests/qa_env.elf')).out).toContain('0 QA_ strings, environment empty: 1');
  });
});

describe('the heap of atoll run', () => {
  it('grows to hundreds of MiB by default, as under qemu-user, and stops near 1 GiB', () => {
    const big = atoll(guest('tests/qa_stackbig.elf'), '100', '600');
    expect(big.code).toBe(0);
    expect(big.out).toContain('heap grew: 1\ntouched\n');
    expect(atoll(guest('tests/qa_stackbig.elf'), '100', '1100').out).toContain('heap grew: 0');
    expect(atoll('--ram', '64M', guest('tests/qa_stackbig.elf'), '100', '200').out).toContain('heap grew: 0');
  });

  it('a stack frame of 7.9 MiB fits; 8.2 MiB is a stack overflow (SIGSEGV), as with Linux\'s 8 MiB limit', () => {
    expect(atoll(guest('tests/qa_stackbig.elf'), '7900', '1').code).toBe(0);
    expect(atoll(guest('tests/qa_stackbig.elf'), '8200', '1').code).toBe(139);
  });
});

describe('futex operations beyond WAIT and WAKE', () => {
  it('answer as Linux does: BITSET forms, REQUEUE and CMP_REQUEUE counts, WAKE_OP\'s update, the value checked before an expired absolute timeout, CLOCK_REALTIME only with WAIT_BITSET', () => {
    const r = atoll(guest('tests/qa_futex_ops.elf'));
    expect(r.code).toBe(0);
    expect(r.out).toBe([
      'WAIT_BITSET abs past: -110', 'WAIT_BITSET mismatch: -11', 'WAIT_BITSET bitset 0: -22', 'WAKE_BITSET: 0',
      'WAKE_BITSET bitset 0: -22', 'REQUEUE: 0', 'CMP_REQUEUE match: 0', 'CMP_REQUEUE mismatch: -11', 'WAKE_OP: 0 w2=11',
      'WAIT with CLOCK_REALTIME: -38', 'op 14: -38', 'op 99: -38', 'WAKE negative count: 0', '',
    ].join('\n'));
  });

  it('requeued waiters are woken on the second word, and WAKE_OP wakes on both, in every hart mode', () => {
    for (const mode of [[], ['--harts', '2'], ['--harts', '2', '--threaded']]) {
      const r = atoll(...mode, guest('tests/qa_futex_requeue.elf'));
      expect(r.out, mode.join(' ')).toBe('cmp_requeue with a stale value: -11\nrequeue: 3 woke\nwake_op: 2 woke, first call woke at most 2: 1, B = 5\n');
    }
  });
});
