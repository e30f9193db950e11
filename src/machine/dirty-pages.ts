// Pre-copy migration's view of a running process's memory: which pages it wrote since the last look. The
// MMU sets a PTE's D bit on the first store through it, and a TLB fills its write table only once D is set,
// so clearing every D bit and shooting down the TLBs (the kernel's procDirtyClear) makes the next store to
// each page set D again. dirtyPages reads the D bits, clearDirty clears them: read, then clear, then copy the
// bytes, all between slices (deterministic mode), and a store after the copy marks the page again.
import type { Machine } from './machine.js';
import { P, PTE } from './layout.js';
import { ImageError, type ImagePage } from './process-image-check.js';
import { assertStopped, procSlot, pageOf, readPages } from './process-image.js';
import { forEachLeaf, leafSlot } from './page-walk.js';

/** The pages (by address) of process slot proc whose PTE has D set: written since the last clearDirty. */
export function dirtyPages(machine: Machine, proc: number): Set<number> {
  assertStopped(machine, 'reading dirty pages');
  const out = new Set<number>();
  forEachLeaf(machine, machine.u32(procSlot(proc) + P.ROOT), (va, pte) => { if ((pte & PTE.D) !== 0) out.add(va); });
  return out;
}

/** Clear every D bit of process slot proc (and shoot down every TLB): how many pages had it. */
export function clearDirty(machine: Machine, proc: number): number {
  assertStopped(machine, 'clearing dirty bits');
  const r = machine.kernel.procDirtyClear(proc);
  if (r < 0) throw new ImageError(`process slot ${proc} holds no live process`);
  return r;
}

/** The pages of process slot proc as an image has them (bytes copied out): all of them, or those at vas that are mapped. */
export function copyPages(machine: Machine, proc: number, vas?: Iterable<number>): ImagePage[] {
  assertStopped(machine, 'copying pages');
  const root = machine.u32(procSlot(proc) + P.ROOT);
  if (vas === undefined) return readPages(machine, root);
  const out: ImagePage[] = [];
  for (const va of [...vas].sort((a, b) => a - b)) {
    const slot = leafSlot(machine, root, va);
    const pte = slot === null ? 0 : machine.u32(slot);
    if (pte !== 0) out.push(pageOf(machine, va, pte));
  }
  return out;
}
