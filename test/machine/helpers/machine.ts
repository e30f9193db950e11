// Test machines: a node with code assembled in place. `bare` runs with translation off (physical
// addresses); `paged` builds a Sv32 address space with the kernel's own page-table functions.
import { Machine, type MachineOptions } from '../../../src/machine/index.js';
import { PTE, SATP_SV32 } from '../../../src/machine/layout.js';

export const CODE_VA = 0x1_0000;
export const DATA_VA = 0x2_0000;

export interface Paged {
  machine: Machine;
  root: number;
  satp: number;
  /** Map a fresh zeroed page at va; returns its physical address. */
  map(va: number, flags: number): number;
  /** Write words at a user va (through the page tables, no permission check). */
  poke(va: number, words: number[]): void;
  peek(va: number): number;
}

export async function paged(code: number[], opts: MachineOptions & { asid?: number } = {}): Promise<Paged> {
  const machine = await Machine.create({ ram_bytes: 4 * 1024 * 1024, ...opts });
  const k = machine.kernel;
  const root = k.vmCreate() >>> 0;
  const satp = (SATP_SV32 | ((opts.asid ?? 1) << 22) | (root >>> 12)) >>> 0;
  const phys = (va: number): number => {
    const pte = machine.view.getUint32(machine.host(k.vmPteAddress(root, va & ~0xfff) >>> 0), true);
    return (pte >>> 10) * 4096 + (va & 0xfff);
  };
  const m: Paged = {
    machine, root, satp,
    map(va, flags) {
      const pa = k.frameAlloc() >>> 0;
      const rc = k.vmMap(root, va, pa, flags);
      if (rc !== 0) throw new Error(`vmMap ${rc}`);
      return pa;
    },
    poke(va, words) {
      words.forEach((w, i) => machine.view.setUint32(machine.host(phys(va + 4 * i)), w >>> 0, true));
    },
    peek(va) {
      return machine.view.getUint32(machine.host(phys(va)), true);
    },
  };
  m.map(CODE_VA, PTE.U | PTE.R | PTE.X);
  m.map(DATA_VA, PTE.U | PTE.R | PTE.W);
  m.poke(CODE_VA, code);
  k.hartSetSatp(0, satp);
  machine.setPc(0, CODE_VA);
  return m;
}

/** Run hart 0 until it traps (or budget); returns the exit reason. */
export function runUntilTrap(machine: Machine, budget = 1_000_000): number {
  return machine.kernel.run(0, budget);
}
