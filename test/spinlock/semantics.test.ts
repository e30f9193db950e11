// The kernel's spinlock exports on one thread: state words, counters, try-acquire, ticket order, and the
// assertions that reject a bad lock address or kind. Plus the Node 20 guard: no memory.atomic.wait.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import {
  exportedConstant, exportedFunction, importedMemoryLimits, instantiateKernel, kernelWasmPath, loadKernelModule,
  type KernelInstance,
} from '../../bench/lib/kernel-wasm.js';

function kernel(): KernelInstance {
  const load = loadKernelModule();
  if (!load.ok) throw new Error(load.reason);
  return instantiateKernel(load.module, load.memory);
}

describe('kernel spinlock state and counters', () => {
  let k: KernelInstance;
  let fn: (name: string) => (...args: number[]) => number;
  let lock: number;
  let view: DataView;
  const field = (name: string): number => exportedConstant(k.exports, name);
  const u64 = (name: string): number => Number(view.getBigUint64(lock + field(name), true));
  const u32 = (name: string): number => view.getUint32(lock + field(name), true);

  beforeEach(() => {
    k = kernel();
    fn = (name) => exportedFunction(k.exports, name);
    lock = fn('spinlockScratchBase')();
    view = new DataView(k.memory.buffer);
    fn('spinlockInit')(lock);
  });

  it('places benchmark locks in the scratch region of the layout', () => {
    expect(lock).toBe(0x00f0_0000);
    expect(fn('spinlockScratchBytes')()).toBeGreaterThanOrEqual(field('SPINLOCK_BYTES'));
  });

  it('test-and-set: held after acquire, a second try fails, free after release', () => {
    fn('tasAcquire')(lock);
    expect(u32('SPINLOCK_WORD')).toBe(1);
    expect(fn('tasTryAcquire')(lock)).toBe(0);
    fn('tasRelease')(lock);
    expect(u32('SPINLOCK_WORD')).toBe(0);
    expect(fn('tasTryAcquire')(lock)).toBe(1);
    fn('tasRelease')(lock);
    expect(u64('SPINLOCK_ACQUISITIONS')).toBe(2);
    expect(u64('SPINLOCK_SPINS')).toBe(0);
    const read = (name: string): unknown => (k.exports[name] as (a: number) => unknown)(lock);
    expect([read('spinlockAcquisitions'), read('spinlockSpins')]).toEqual([2n, 0n]);
  });

  it('ticket lock hands out tickets in order and serves the next on release', () => {
    for (let i = 0; i < 3; i++) {
      fn('ticketAcquire')(lock);
      expect([u32('SPINLOCK_WORD'), u32('SPINLOCK_OWNER')]).toEqual([i + 1, i]);
      fn('ticketRelease')(lock);
      expect(u32('SPINLOCK_OWNER')).toBe(i + 1);
    }
    expect(u64('SPINLOCK_ACQUISITIONS')).toBe(3);
  });

  it('lockLoop counts every acquisition and returns the counter', () => {
    const counter = lock + 64;
    for (let off = 0; off < 16; off += 4) view.setUint32(counter + off, 0, true);
    expect(fn('lockLoop')(field('LOCK_TTAS'), lock, counter, 1000)).toBe(1000);
    expect(view.getUint32(counter, true)).toBe(1000);
    // One caller: the lock changed hands once (from nobody to it).
    expect(view.getUint32(counter + field('LOOP_HANDOFFS'), true)).toBe(1);
    expect(u64('SPINLOCK_ACQUISITIONS')).toBe(1000);
    expect(u32('SPINLOCK_WORD')).toBe(0);
  });

  it('rejects a misaligned lock address and an unknown kind with a clear abort', () => {
    expect(() => fn('tasAcquire')(lock + 2)).toThrow(/address must be non-zero and 8-aligned/);
    expect(() => fn('lockLoop')(9, lock, lock + 64, 1)).toThrow(/unknown lock kind/);
  });
});

describe('kernel memory import', () => {
  it('is read from the binary: shared, with the maximum the kernel was built with', () => {
    const limits = importedMemoryLimits(new Uint8Array(readFileSync(kernelWasmPath())));
    expect(limits?.shared).toBe(true);
    expect(limits?.maximum).toBeGreaterThanOrEqual(256);
  });

  it('gives null for bytes that are not a module', () => {
    expect(importedMemoryLimits(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 0x80]))).toBeNull();
  });
});

describe('Node 20 Liftoff guard', () => {
  it('kernel.wasm never uses memory.atomic.wait (waits go through a JS import)', async () => {
    const wabt = await wabtInit();
    const mod = wabt.readWasm(new Uint8Array(readFileSync(kernelWasmPath())), { threads: true });
    const text = mod.toText({});
    mod.destroy();
    expect(text).toContain('i32.atomic.rmw.xchg');
    expect(text).not.toMatch(/memory\.atomic\.wait/);
  });
});
