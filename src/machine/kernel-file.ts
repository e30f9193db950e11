// Where the kernel's bytes come from in Node: build/kernel.wasm beside the sources (vitest) or the build
// (dist/). The browser bundle takes kernel-file.browser.ts instead, which fetches them from the page's server.
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../base/index.js';

/** Where build/kernel.wasm is, from src/machine (vitest) or dist/src/machine (built). */
export function kernelWasmPath(): string {
  for (const rel of ['../../build/kernel.wasm', '../../../build/kernel.wasm']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new InputError('build/kernel.wasm is missing: run `npm run build:kernel`');
}

export function readKernelWasm(): Promise<Uint8Array<ArrayBuffer>> {
  return readFile(kernelWasmPath());
}

export function readKernelWasmSync(): Uint8Array<ArrayBuffer> {
  return readFileSync(kernelWasmPath());
}
