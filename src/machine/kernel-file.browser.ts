// Where the kernel's bytes come from in a browser: fetched from the server of the page (`atoll serve` serves
// build/kernel.wasm as /kernel.wasm). The browser bundle takes this file in place of kernel-file.ts.
import { InputError } from '../base/index.js';

/** The kernel's address, relative to the page's (or the worker's) origin. */
export const KERNEL_URL = '/kernel.wasm';

export function kernelWasmPath(): string {
  return KERNEL_URL;
}

export async function readKernelWasm(): Promise<Uint8Array<ArrayBuffer>> {
  const r = await fetch(KERNEL_URL);
  if (!r.ok) throw new InputError(`cannot load ${KERNEL_URL}: HTTP ${r.status} (is the page served by \`atoll serve\`?)`);
  return new Uint8Array(await r.arrayBuffer());
}

export function readKernelWasmSync(): Uint8Array<ArrayBuffer> {
  throw new InputError('a browser loads the kernel asynchronously (compileKernel), never at once');
}
