// `atoll inspect [--wat <function>]`: validate build/kernel.wasm with wabt (threads enabled), list its
// imports and exports, or print one function as WebAssembly text.
import { flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { UsageError } from '../../base/index.js';

export const COMMAND: CommandSpec = {
  name: 'inspect',
  summary: 'Validate build/kernel.wasm with wabt (threads enabled) and list its imports and exports, or print one function.',
  flags: {
    wat: { kind: 'string', value: '<function>', help: 'print this function (export name or $name) as WebAssembly text' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const p = parseOrHelp(argv, COMMAND);
  if (!p) return 0;
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  // wabt is loaded only here: nothing else in the machine needs it.
  const { inspectKernel } = await import('../../machine/inspect.js');
  const report = await inspectKernel();
  const fn = flagString(p, 'wat');
  if (fn !== undefined) {
    const text = report.functionText(fn);
    if (text === null) throw new UsageError(`--wat: no function '${fn}' (functions: ${report.functionNames().join(', ')})`);
    process.stdout.write(text + '\n');
    return 0;
  }
  const out = [
    `${report.path}: valid WebAssembly (threads), ${report.bytes} bytes`,
    'imports:',
    ...report.imports.map((i) => `  ${i.module}.${i.name}  ${i.declaration}`),
    'exports:',
    ...report.exports.map((e) => `  ${e.name}  ${e.declaration}`),
  ];
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
