// Finds, compiles and instantiates build/kernel.wasm over a node-sized shared memory for host-side
// measurements. Imports are bound by name: env.memory gets the shared memory, env.abort decodes the
// kernel's message and throws; any other function import throws if the kernel ever calls it here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_PAGE_BYTES = 65536;
/** The layout needs at least RAM_BASE (16 MiB, 256 pages) for the scratch region below it. */
const MEMORY_PAGES_MIN = 256;
/** Used when the module's own memory import cannot be read. */
const MEMORY_PAGES_MAX_DEFAULT = 16384;
/** Bound on the import entries read from a module. */
const IMPORTS_MAX = 10_000;

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

export interface MemoryLimits { readonly initial: number; readonly maximum: number | null; readonly shared: boolean }

export type KernelLoad =
  | { readonly ok: true; readonly module: WebAssembly.Module; readonly memory: MemoryLimits | null }
  | { readonly ok: false; readonly reason: string };

/**
 * The limits of a module's imported memory, read from its import section (the JS API does not tell them);
 * null when the module imports no memory or the section cannot be read.
 */
export function importedMemoryLimits(bytes: Uint8Array): MemoryLimits | null {
  let pos = 8; // magic + version
  const leb = (): number => {
    let result = 0, shift = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= bytes.length) throw new RangeError('truncated');
      const b = bytes[pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new RangeError('LEB128 too long');
  };
  const skipName = (): void => { const n = leb(); pos += n; };
  const limits = (): { flags: number; min: number; max: number | null } => {
    const flags = bytes[pos++]!;
    const min = leb();
    return { flags, min, max: flags & 1 ? leb() : null };
  };
  try {
    while (pos < bytes.length) {
      const id = bytes[pos++]!;
      const size = leb();
      const end = pos + size;
      if (id !== 2) { pos = end; continue; }
      const count = Math.min(leb(), IMPORTS_MAX);
      for (let i = 0; i < count; i++) {
        skipName();
        skipName();
        const kind = bytes[pos++]!;
        if (kind === 0) leb();
        else if (kind === 1) { pos++; limits(); }
        else if (kind === 2) {
          const l = limits();
          return { initial: l.min, maximum: l.max, shared: (l.flags & 2) !== 0 };
        } else if (kind === 3) pos += 2;
        else if (kind === 4) { pos++; leb(); }
        else return null;
      }
      return null;
    }
  } catch {
    return null;
  }
  return null;
}

let cached: KernelLoad | undefined;

export function loadKernelModule(): KernelLoad {
  if (cached) return cached;
  const path = kernelWasmPath();
  if (!existsSync(path)) {
    cached = { ok: false, reason: `${path} missing (run 'npm run build:kernel')` };
    return cached;
  }
  try {
    const bytes = new Uint8Array(readFileSync(path));
    cached = { ok: true, module: new WebAssembly.Module(bytes), memory: importedMemoryLimits(bytes) };
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

/** Instantiate over a new shared memory sized by the module's memory import (at least the layout's 16 MiB). */
export function instantiateKernel(module: WebAssembly.Module, limits: MemoryLimits | null = null): KernelInstance {
  const maximum = limits?.maximum ?? MEMORY_PAGES_MAX_DEFAULT;
  const initial = Math.max(MEMORY_PAGES_MIN, limits?.initial ?? 0);
  if (initial > maximum) {
    throw new Error(`kernel.wasm allows at most ${maximum} memory pages; the layout needs ${initial}`);
  }
  const memory = new WebAssembly.Memory({ initial, maximum, shared: true });
  try {
    const instance = new WebAssembly.Instance(module, kernelImports(module, memory));
    return { memory, exports: instance.exports };
  } catch (err) {
    if (!(err instanceof WebAssembly.LinkError)) throw err;
    throw new Error(`cannot link kernel.wasm: ${err.message}`);
  }
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
