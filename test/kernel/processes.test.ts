// Processes: fork's copy-on-write isolation, frame reference counts back to zero once every process has
// ended, ASIDs reused after processes end, waitid's and mmap's errnos, and the kernel's half of execve
// (driven by a host service that writes the new image into the caller's slot, as the host's execve does).
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System, type SystemOptions } from '../../src/machine/system.js';
import type { HostCall } from '../../src/machine/hostcall.js';
import {
  KS, KS_COW_COPIES, KS_COW_REUSES, KS_ASID_RECYCLES, KS_FORKS, KS_ZOMBIES, KS_LIVE_PROCS, PROC_BASE, PROC_BYTES, P,
  PROCS_MAX, PROC_STATE, PTE, ringRecord, R, RA_EXEC, ENOENT, PAGE_BYTES, USER_END, FRAME_NONE,
} from '../../src/machine/layout.js';
import { FIXTURES } from './helpers.js';

const GUEST = join(import.meta.dirname, '../../guest/tests');

async function runElf(path: string, args: string[] = [], opts: SystemOptions = {}, setup: (sys: System) => void = () => {}) {
  const sys = await System.create({ ram_bytes: 32 << 20, ...opts });
  setup(sys);
  sys.spawn(parseElf(new Uint8Array(readFileSync(path))), { argv: [path, ...args] });
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (_fd, b) => { out += dec.decode(b); } }, () => {}, 500_000_000);
  expect(r.limited).toBe(false);
  return { out, result: r.results[0]!, sys, m: sys.machine };
}

describe('fork and copy-on-write', () => {
  it('a child\'s writes stay its own, pages are copied on the first store, and every frame comes back', async () => {
    const { out, m, result } = await runElf(join(GUEST, 'fork_cow.elf'));
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(out).toContain('parent: still data 12 bss 22 stack 33 heap 44 big intact');
    expect(out).toContain('child: wrote data 111 bss 222 stack 333 heap 444');
    expect(m.u32(KS + KS_COW_COPIES) + m.u32(KS + KS_COW_REUSES)).toBeGreaterThan(3);
    expect(m.kernel.framesUsed()).toBe(0);
    expect(m.u32(KS + KS_ZOMBIES)).toBe(0);
  });

  it('a tree of 57 processes and a loop of 40 forks: statuses collected, slots and frames all given back', async () => {
    const { out, m } = await runElf(join(GUEST, 'fork_tree.elf'));
    expect(out).toContain('children 4, sum of their statuses 66 (expected 66)');
    expect(out).toContain('fork loop: 40 of 40 reaped with their status');
    expect(m.u32(KS + KS_FORKS)).toBe(4 + 12 + 40 + 2);
    expect(m.kernel.framesUsed()).toBe(0);
    // Only the loaded process's slot remains (DEAD, for the host to read).
    const states = Array.from({ length: PROCS_MAX }, (_, p) => m.u32(PROC_BASE + p * PROC_BYTES + P.STATE));
    expect(states.filter((s) => s !== PROC_STATE.FREE)).toEqual([PROC_STATE.DEAD]);
  });

  it('frames shared after a fork have two references, and a store gives the writer its own frame', async () => {
    const sys = await System.create({ ram_bytes: 16 << 20 });
    const k = sys.machine.kernel;
    const p = sys.spawn(parseElf(new Uint8Array(readFileSync(join(GUEST, 'fork_cow.elf')))), { argv: ['fork_cow'] });
    // Run until the first fork has happened, then look at a stack page of both processes.
    const b = PROC_BASE + p.index * PROC_BYTES;
    let child = -1;
    sys.hostcalls.onDrain(() => {
      if (child >= 0) return;
      for (let q = 0; q < PROCS_MAX; q++) {
        const qb = PROC_BASE + q * PROC_BYTES;
        if (sys.machine.u32(qb + P.PARENT) === p.index + 1 && sys.machine.u32(qb + P.STATE) === PROC_STATE.LIVE) child = q;
      }
      if (child < 0) return;
      const top = USER_END - PAGE_BYTES;
      const pa = k.mmapFrame(p.index, top) >>> 0;
      const ca = k.mmapFrame(child, top) >>> 0;
      expect(pa).not.toBe(FRAME_NONE);
      // The child may already have written its stack (then it has its own frame); else both share one.
      if (pa === ca) expect(k.frameRefs(pa)).toBe(2);
      else expect(k.frameRefs(pa)).toBe(1);
      const pte = sys.machine.u32(sys.machine.host(k.vmPteAddress(sys.machine.u32(b + P.ROOT), top) >>> 0));
      if (pa === ca) expect(pte & (PTE.W | PTE.COW)).toBe(PTE.COW);
    });
    sys.run({ write: () => {} }, () => {});
    expect(child).toBeGreaterThanOrEqual(0);
    expect(k.framesUsed()).toBe(0);
  });
});

describe('ASIDs', () => {
  it('with a pool of 4 ASIDs, 58 processes reuse them (after a flush of every hart) and run the same', async () => {
    const many = await runElf(join(GUEST, 'fork_tree.elf'));
    const few = await runElf(join(GUEST, 'fork_tree.elf'), [], { asids: 4, harts: 2 });
    expect(few.out).toBe(many.out);
    expect(few.m.u32(KS + KS_ASID_RECYCLES)).toBeGreaterThan(0);
    expect(many.m.u32(KS + KS_ASID_RECYCLES)).toBe(0);
    expect(few.m.kernel.framesUsed()).toBe(0);
  });
});

describe('errnos', () => {
  it('waitid: ECHILD, EINVAL, WNOHANG, WNOWAIT, a killed child, EFAULT', async () => {
    const { out } = await runElf(join(GUEST, 'waitid_errs.elf'));
    for (const line of ['no child, P_ALL: -10', 'options 0: -22', 'idtype 7: -22', 'P_PID 0: -22', 'P_PGID -1: -22',
      'WNOHANG, child running: 0, si_pid 0', 'P_PID of a pid that is no child: -10', 'WNOWAIT: 0 code 1 status 5',
      'segv child: 0 signo 17 code 2 status 11', 'bad infop: -14', 'after the bad infop: -10']) expect(out).toContain(line + '\n');
  });

  it('mmap2, munmap, mprotect', async () => {
    const { out, m } = await runElf(join(GUEST, 'mmap_errno.elf'));
    for (const line of ['len 0: -22', 'prot 0x10: -22', 'no type: -22', 'fd -1 without MAP_ANONYMOUS: -9',
      'MAP_FIXED unaligned: -22', 'len 0xffffffff: -12', 'munmap unaligned: -22', 'munmap len 0: -22',
      'mprotect unaligned: -22', 'mprotect bad prot: -22']) expect(out).toContain(line + '\n');
    expect(m.kernel.framesUsed()).toBe(0);
  });
});

/** A host execve: a fresh root with one code page (a0 = status; exit_group) and a stack page, committed by RA_EXEC. */
function serveExec(sys: System, status: number, refuse = false): HostCall[] {
  const calls: HostCall[] = [];
  sys.serve(221, (call) => {
    calls.push(call);
    if (refuse) return -ENOENT;
    const m = sys.machine, k = m.kernel;
    const root = k.vmCreate() >>> 0;
    const code = k.frameAlloc() >>> 0, stack = k.frameAlloc() >>> 0;
    const words = [0x00000513 | (status << 20), 0x05e00893, 0x00000073]; // li a0, status; li a7, 94; ecall
    words.forEach((w, i) => m.view.setUint32(m.host(code) + i * 4, w >>> 0, true));
    expect(k.vmMap(root, 0x10000, code, PTE.R | PTE.X | PTE.U)).toBe(0);
    expect(k.vmMap(root, USER_END - PAGE_BYTES, stack, PTE.R | PTE.W | PTE.U)).toBe(0);
    const b = PROC_BASE + call.proc * PROC_BYTES;
    const set = (off: number, v: number): void => m.view.setUint32(b + off, v >>> 0, true);
    set(P.EXEC_ROOT, root); set(P.EXEC_PC, 0x10000); set(P.EXEC_SP, USER_END - 16);
    set(P.EXEC_BRK, 0x11000); set(P.EXEC_BRK_MAX, 0x100000); set(P.EXEC_STACK_LOW, USER_END - (8 << 20));
    return { result: 0, action: RA_EXEC };
  });
  return calls;
}

describe('execve commit', () => {
  it.each([1, 2])('replaces the image; the new one runs with its own status (%i harts)', async (harts) => {
    let calls: HostCall[] = [];
    const { result, m, out } = await runElf(join(FIXTURES, 'execer.elf'), ['plain'], { harts }, (sys) => { calls = serveExec(sys, 42); });
    expect(calls).toHaveLength(1);
    expect(out).toBe('');
    expect(result).toEqual({ kind: 'exit', code: 42 });
    expect(m.kernel.framesUsed()).toBe(0);
  });

  it.each([1, 2])('the other threads of the process end with the old image (%i harts)', async (harts) => {
    const { result, m, sys } = await runElf(join(FIXTURES, 'execer.elf'), ['threads'], { harts }, (s) => { serveExec(s, 17); });
    expect(result).toEqual({ kind: 'exit', code: 17 });
    expect(m.kernel.framesUsed()).toBe(0);
    expect(m.u32(KS + KS_LIVE_PROCS)).toBe(0);
    expect(sys.stats().processes[0]!.threads).toBe(3);
  });

  it('a vfork child\'s exec releases its parent, which reaps it', async () => {
    const { result, out, m } = await runElf(join(FIXTURES, 'execer.elf'), ['vfork'], {}, (s) => { serveExec(s, 5); });
    expect(out).toBe('vfork parent: released, waitid 0 status 5\n');
    expect(result).toEqual({ kind: 'exit', code: 6 });
    expect(m.kernel.framesUsed()).toBe(0);
  });

  it('a refused exec leaves the caller running', async () => {
    const { result, out } = await runElf(join(FIXTURES, 'execer.elf'), ['fail'], {}, (s) => { serveExec(s, 0, true); });
    expect(out).toBe('execve returned -2\n');
    expect(result).toEqual({ kind: 'exit', code: 3 });
  });
});
