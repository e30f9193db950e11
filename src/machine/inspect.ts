// Looks inside build/kernel.wasm with wabt: validates it with threads enabled, lists its imports and
// exports (the shared memory among them) and prints one function as text. The CLI's `atoll inspect` and
// the tests that prove the AMO paths are Wasm atomics both use it.
import { readFileSync } from 'node:fs';
import { InputError } from '../base/index.js';
import { kernelWasmPath } from './kernel.js';

export interface WasmItem {
  readonly module?: string;
  readonly name: string;
  /** The declaration as wabt prints it, e.g. `(memory $env.memory 0 16384 shared)`. */
  readonly declaration: string;
}

export interface KernelReport {
  readonly path: string;
  readonly bytes: number;
  readonly imports: WasmItem[];
  readonly exports: WasmItem[];
  readonly text: string;
  /** The text of a function given by export name or wabt name; null when there is none. */
  functionText(name: string): string | null;
  functionNames(): string[];
}

export async function inspectKernel(path = kernelWasmPath()): Promise<KernelReport> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path)); // a private copy: wabt keeps a view into it
  } catch (err) {
    throw new InputError(`cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const wabt = await (await import('wabt')).default();
  let text: string;
  try {
    const mod = wabt.readWasm(bytes, { readDebugNames: true, threads: true });
    try {
      // validate() takes the feature set too, though wabt's typings omit it.
      (mod.validate as (features?: { threads?: boolean }) => void).call(mod, { threads: true });
      mod.generateNames();
      mod.applyNames();
      text = mod.toText({ foldExprs: false, inlineExport: false });
    } finally {
      mod.destroy();
    }
  } catch (err) {
    throw new InputError(`${path} is not a valid kernel: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}`);
  }
  const imports: WasmItem[] = [];
  const exports: WasmItem[] = [];
  for (const line of text.split('\n')) {
    const im = /^\s*\(import "([^"]*)" "([^"]*)" (.*)\)\s*$/.exec(line);
    if (im) imports.push({ module: im[1]!, name: im[2]!, declaration: im[3]! });
    const ex = /^\s*\(export "([^"]*)" (.*)\)\s*$/.exec(line);
    if (ex) exports.push({ name: ex[1]!, declaration: ex[2]! });
  }
  const funcs = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {2}\(func (\$[^\s)]+)/.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && !/^ {2}\(/.test(lines[j]!)) j++;
    funcs.set(m[1]!, lines.slice(i, j).join('\n'));
  }
  return {
    path, bytes: bytes.length, imports, exports, text,
    functionNames: () => [...funcs.keys()],
    functionText(name: string): string | null {
      const exported = exports.find((e) => e.name === name && e.declaration.startsWith('(func '));
      const key = exported ? /\(func (\$[^\s)]+)\)/.exec(exported.declaration)?.[1] : name.startsWith('$') ? name : `$${name}`;
      return (key && funcs.get(key)) ?? null;
    },
  };
}
