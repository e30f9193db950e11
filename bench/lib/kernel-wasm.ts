// Finds, compiles and instantiates build/kernel.wasm over a node-sized shared memory for host-side
// measurements. Imports are bound by name: env.memory gets the shared memory, env.abort decodes the
// kernel's message and throws; any other function import throws if the kernel ever calls it here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_PAGE_BYTES = 65536;
/** Pages to try for the shared memory: the layout needs at least RAM_BASE (16 MiB, 256 pages). */
const MEMORY_PAGES_TRIED = [256, 512, 1024, 4096] as const;
const MEMORY_PAGES_MAX = 16384;

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

export function kernelWasmPath(): string {
  return join(packageRoot(), 'build', 'kernel.wasm');
}

export type KernelLoad =
  | { readonly ok: true; readonly module: WebAssembly.Module }
  | { readonly ok: false; readonly reason: string };

let cached: KernelLoad | undefined;

export function loadKernelModule(): KernelLoad {
  if (cached) return cached;
  const path = kernelWasmPath();
  if (!existsSync(path)) {
    cached = { ok: false, reason: `${path} missing (run 'npm run build:kernel')` };
    return cached;
  }
  try {
    cached = { ok: true, module: new WebAssembly.Module(readFileSync(path)) };
  } catch (err) {
    cached = { ok: false, reason: `${path} does not compile: ${err instanceof Error ? err.message : String(err)}` };
  }
  return cached;
}

/** Read an AssemblyScript string (UTF-16, byte length at ptr - 4) from memory; '' for a bad pointer. */
export function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  const bytes = new Uint8Array(memory.buffer);
  if (ptr < 4 || ptr >= bytes.length) return '';
  const len = new DataView(memory.buffer).getUint32(ptr - 4, true);
  if (len > 4096 || ptr + len > bytes.length) return '';
  let s = '';
  for (let i = 0; i < len; i += 2) s += String.fromCharCode(bytes[ptr + i]! | (bytes[ptr + i + 1]! << 8));
  return s;
}

export function kernelImports(module: WebAssembly.Module, memory: WebAssembly.Memory): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.kind === 'memory') ns[imp.name] = memory;
    else if (imp.kind === 'function' && imp.name === 'abort') {
      ns[imp.name] = (msg: number, file: number, line: number, col: number): never => {
        throw new Error(`kernel abort: ${readAsString(memory, msg)} (${readAsString(memory, file)}:${line}:${col})`);
      };
    } else if (imp.kind === 'function') {
      ns[imp.name] = (): never => {
        throw new Error(`kernel called ${imp.module}.${imp.name}, which this measurement does not provide`);
      };
    } else {
      throw new Error(`kernel imports a ${imp.kind} (${imp.module}.${imp.name}), which this measurement cannot provide`);
    }
  }
  return imports;
}

export interface KernelInstance {
  readonly memory: WebAssembly.Memory;
  readonly exports: WebAssembly.Exports;
}

/** Instantiate over a new shared memory, growing the initial size until the import accepts it. */
export function instantiateKernel(module: WebAssembly.Module): KernelInstance {
  let lastError: unknown;
  for (const initial of MEMORY_PAGES_TRIED) {
    const memory = new WebAssembly.Memory({ initial, maximum: MEMORY_PAGES_MAX, shared: true });
    try {
      const instance = new WebAssembly.Instance(module, kernelImports(module, memory));
      return { memory, exports: instance.exports };
    } catch (err) {
      if (!(err instanceof WebAssembly.LinkError)) throw err;
      lastError = err;
    }
  }
  throw new Error(`cannot link kernel.wasm: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

export function exportedFunction(exports: WebAssembly.Exports, name: string): (...args: number[]) => number {
  const f = exports[name];
  if (typeof f !== 'function') throw new Error(`kernel.wasm does not export ${name}()`);
  return f as (...args: number[]) => number;
}

export function exportedConstant(exports: WebAssembly.Exports, name: string): number {
  const g = exports[name];
  if (!(g instanceof WebAssembly.Global)) throw new Error(`kernel.wasm does not export the constant ${name}`);
  return Number(g.value);
}
