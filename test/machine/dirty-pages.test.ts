// Pre-copy migration's dirty tracking (src/machine/dirty-pages.ts, the kernel's procDirtyClear): after
// clearDirty, every page whose bytes change, on any hart, shows D set at the next look (a page mapped since is
// new to the copy, which the migration sends for that). The test keeps a copy of the process's pages, runs a few slices, and checks that
// each page that differs from the copy (or is new) is in dirtyPages; then copies again, clears, and goes on.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import { copyPages, dirtyPages, clearDirty } from '../../src/machine/dirty-pages.js';
import type { ImagePage } from '../../src/machine/process-image-check.js';

const elf = (name: string) => parseElf(new Uint8Array(readFileSync(join(import.meta.dirname, '../../guest', name))));

const same = (a: ImagePage['data'], b: ImagePage['data']): boolean => {
  if (a === 'zero' || b === 'zero') return a === b;
  return Buffer.compare(a, b) === 0;
};

async function track(program: string, argv: string[], harts: number): Promise<{ looks: number; changed: number; missed: string[]; out: string }> {
  const sys = await System.create({ ram_bytes: 64 << 20, harts, seed: 5, quantum_instructions: 4_000 });
  const p = sys.spawn(elf(program), { argv, name: argv[0]! });
  let slices = 0, looks = 0, changed = 0, next = 3;
  const missed: string[] = [];
  let kept: Map<number, ImagePage> | null = null;
  sys.hostcalls.onSlice(() => {
    if (++slices !== next) return;
    next = Math.ceil(next * 1.6); // a few looks, spread over the run (each copies every page)
    if (sys.files?.slots.liveSlot(p.pid) === undefined) return;
    const slot = p.index;
    if (kept !== null) {
      looks++;
      const dirty = dirtyPages(sys.machine, slot);
      for (const page of copyPages(sys.machine, slot)) {
        const before = kept.get(page.va);
        // A page mapped since the copy was never sent: the migration sends it for that (it is not in its sent set).
        if (before === undefined || same(before.data, page.data)) continue;
        changed++;
        if (!dirty.has(page.va)) missed.push(`0x${page.va.toString(16)} after slice ${slices}`);
      }
    }
    clearDirty(sys.machine, slot); // then copy: a store from now on marks its page
    kept = new Map(copyPages(sys.machine, slot).map((x) => [x.va, x]));
  });
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 400_000_000);
  expect(r.limited).toBe(false);
  return { looks, changed, missed, out };
}

describe('dirty pages (D bits) for pre-copy', () => {
  it('every page a memory-bound guest writes between two looks shows D set, and its output is unchanged', async () => {
    const t = await track('examples/memory.elf', ['memory', '1'], 1);
    expect(t.out).toContain('heap of 32 MiB');
    const plain = await System.create({ ram_bytes: 64 << 20, harts: 1, seed: 5, quantum_instructions: 4_000 });
    plain.spawn(elf('examples/memory.elf'), { argv: ['memory', '1'], name: 'memory' });
    let out = '';
    plain.run({ write: (fd, b) => { if (fd === 1) out += new TextDecoder().decode(b); } }, () => undefined, 400_000_000);
    expect(t.out).toBe(out);
    expect(t.looks).toBeGreaterThan(5);
    expect(t.changed).toBeGreaterThan(1000);
    expect(t.missed).toEqual([]);
  }, 120_000);

  it('threads on two harts: stores from either hart mark their pages (the TLBs of both are shot down)', async () => {
    const t = await track('examples/threads-counter.elf', ['threads-counter'], 2);
    expect(t.looks).toBeGreaterThan(2);
    expect(t.changed).toBeGreaterThan(0);
    expect(t.missed).toEqual([]);
  }, 120_000);
});
