// The multi-threaded guests (test/guest/threaded-guests.ts) with the translator on: on two deterministic harts
// in-process, the same output, ends and statistics as with it off; on two worker threads (--threaded, where
// each worker's kernel instance has its own translations), the same stdout and status as under qemu-riscv32.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram, type RunStats } from '../../src/machine/session.js';
import type { GuestInput } from '../../src/machine/console.js';
import { STDERR_VARIES, THREADED_ARGS, THREADED_GUESTS } from '../guest/threaded-guests.js';
import { ROOT, atollNotBuilt, exitStatus, qemuMissing, scratch, underAtoll, underQemu } from '../guest/runners.js';

const empty: GuestInput = { read: () => 0, wait: (ready) => ready() };
const SKIP = qemuMissing() ?? atollNotBuilt();

async function deterministic(elf: string, jit: boolean): Promise<{ out: string; results: unknown; stats: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-jit-'));
  try {
    let out = '';
    const io = { write: (fd: 1 | 2, b: Uint8Array): void => { out += `${fd}:${Buffer.from(b).toString('latin1')}`; } };
    const s = await runProgram(join(ROOT, 'guest', elf), THREADED_ARGS[elf] ?? [], { jit, harts: 2, root: dir, stdin: empty, ram_bytes: 256 << 20 }, io, () => 0, 400_000_000);
    const { wall_ms: _w, mips: _m, jit: _j, ...rest } = s.stats as RunStats;
    return { out, results: s.results, stats: rest };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('threaded guests with the translator on', () => {
  for (const elf of THREADED_GUESTS) {
    it(`${elf}: two deterministic harts, same as with it off`, async () => {
      expect(await deterministic(elf, true)).toEqual(await deterministic(elf, false));
    }, 120_000);
    it.skipIf(SKIP !== undefined)(`${elf}: --harts 2 --threaded --jit on prints what qemu-riscv32 prints`, async () => {
      const args = THREADED_ARGS[elf] ?? [];
      const place = scratch();
      try {
        const q = await underQemu(join(ROOT, 'guest', elf), args, place);
        const a = await underAtoll(['--harts', '2', '--threaded', '--jit', 'on', join(ROOT, 'guest', elf), ...args], place);
        expect(a.stdout).toBe(q.stdout);
        expect(exitStatus(a)).toBe(exitStatus(q));
        if (!STDERR_VARIES.has(elf) && q.signal === null) expect(a.stderr).toBe(q.stderr);
      } finally {
        place.remove();
      }
    }, 120_000);
  }
});
