// The shared numbers have one definition (abi/defs.mjs): the generated kernel, host and guest files are what
// the generator gives now, the kernel reports the values it was compiled with and the host refuses one that
// differs, with an error naming the numbers.
import { describe, it, expect } from 'vitest';
// @ts-expect-error: the generator is plain JavaScript without declarations
import { staleFiles, generate } from '../../scripts/gen-abi.mjs';
import { ABI_TABLE, KERNEL_VERSION, INIT_OK } from '../../src/machine/abi.js';
import { abiMismatch, instantiateKernel } from '../../src/machine/kernel.js';

describe('shared numbers', () => {
  it('every generated file is up to date with abi/defs.mjs (else run npm run build:abi)', () => {
    expect(staleFiles()).toEqual([]);
    expect([...(generate() as Map<string, string>).keys()].sort()).toEqual([
      'assembly/abi.ts', 'assembly/blocks.ts', 'assembly/layout.ts', 'assembly/limits.ts', 'guest/include/atoll_abi.h', 'src/machine/abi.ts',
    ]);
  });

  it('kernel.wasm reports the values the host was generated with, and its layout checks pass', async () => {
    const memory = new WebAssembly.Memory({ initial: 512, maximum: 512, shared: true });
    const k = await instantiateKernel(memory);
    expect(k.kernelVersion()).toBe(KERNEL_VERSION);
    expect(k.abiCount()).toBe(ABI_TABLE.length);
    expect(ABI_TABLE.map((_, i) => k.abiValue(i) >>> 0)).toEqual(ABI_TABLE.map(([, v]) => v));
    expect(abiMismatch(k)).toBeUndefined();
    expect(k.machineInit(1 << 20, 1)).toBe(INIT_OK);
  });

  it('a kernel compiled with another number is refused with one error naming it', () => {
    const i = ABI_TABLE.findIndex(([name]) => name === 'H_PC');
    const drifted = { abiCount: () => ABI_TABLE.length, abiValue: (j: number) => (j === i ? 132 : ABI_TABLE[j]![1]) };
    expect(abiMismatch(drifted)).toMatch(/H_PC is 132 in the kernel, 128 in the host.*npm run build/);
    const shorter = { abiCount: () => ABI_TABLE.length - 1, abiValue: (j: number) => ABI_TABLE[j]![1] };
    expect(abiMismatch(shorter)).toMatch(/values, host has/);
  });
});
