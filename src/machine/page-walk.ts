// Walking a process's Sv32 page tables from the host: every leaf PTE of an address space, or the slot of one
// address's leaf. Read from the machine's memory of a machine that is not running (as process images are), or
// for a single PTE whose page no hart can be using. Superpages (tests only) are skipped.
import type { Machine } from './machine.js';
import { PTE, PAGE_BYTES } from './layout.js';

/** Each PTE of the address space of root that is not empty, by address: fn(va, pte), until fn returns true. */
export function forEachLeaf(machine: Machine, root: number, fn: (va: number, pte: number) => boolean | void): void {
  for (let i = 0; i < 1024; i++) {
    const l1 = machine.u32(machine.host(root) + i * 4);
    if ((l1 & PTE.V) === 0 || (l1 & (PTE.R | PTE.X)) !== 0) continue; // absent, or a superpage
    const table = machine.host((l1 >>> 10) * PAGE_BYTES);
    for (let j = 0; j < 1024; j++) {
      const pte = machine.u32(table + j * 4);
      if (pte !== 0 && fn(((i << 22) | (j << 12)) >>> 0, pte) === true) return;
    }
  }
}

/** The host address of the leaf PTE of va under root (whatever it holds), or null with no level-0 table. */
export function leafSlot(machine: Machine, root: number, va: number): number | null {
  const l1 = machine.u32(machine.host(root) + (va >>> 22) * 4);
  if ((l1 & PTE.V) === 0 || (l1 & (PTE.R | PTE.X)) !== 0) return null; // no table, or a superpage
  return machine.host((l1 >>> 10) * PAGE_BYTES) + ((va >>> 12) & 0x3ff) * 4;
}
