// The kernel asserts what must hold (ring pops, counter underflows, indexes against the configured counts)
// and a violated invariant traps loudly instead of corrupting the machine. The release build keeps the
// asserts (asconfig.json: noAssert false), which these tests check on build/kernel.wasm itself.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine, kernelWasmPath } from '../../src/machine/index.js';

/** AssemblyScript keeps string literals in UTF-16LE in the data segments. */
const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');

describe('kernel invariants', () => {
  it('the release kernel keeps its asserts', () => {
    const wasm = readFileSync(kernelWasmPath());
    for (const msg of [
      'run queue: pop from an empty ring',
      'runnable count underflow',
      'sleeper count underflow',
      'live thread count underflow',
      'process thread count underflow',
      'live process count underflow',
      'frame count underflow',
      'dispatch: hart index beyond the configured harts',
      'thread index out of range',
      'hart has no current thread',
    ]) {
      expect(wasm.includes(utf16(msg)), msg).toBe(true);
    }
  });

  it('freeing a frame twice traps with the broken invariant named', async () => {
    const machine = await Machine.create({ ram_bytes: 1 << 20 });
    const k = machine.kernel;
    expect(k.framesUsed()).toBe(0);
    const pa = k.frameAlloc() >>> 0;
    expect(k.framesUsed()).toBe(1);
    expect(k.frameFree(pa)).toBeTruthy();
    expect(k.framesUsed()).toBe(0);
    expect(() => k.frameFree(pa)).toThrow(/frame count underflow/);
  });
});
