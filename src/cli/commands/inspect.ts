// `atoll inspect [--wat <function>]`: validate build/kernel.wasm with wabt (threads enabled), list its
// imports and exports, or print one function as WebAssembly text.
import { parseArgs, flagBool, flagString, formatFlagHelp, type FlagSpecs } from '../../base/index.js';
import { UsageError } from '../../base/index.js';

const FLAGS: FlagSpecs = {
  wat: { kind: 'string', help: 'print this function (export name or $name) as WebAssembly text' },
  help: { kind: 'boolean', help: 'show this help' },
};

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS);
  if (flagBool(p, 'help')) {
    process.stdout.write(`usage: atoll inspect [--wat <function>]\n\noptions:\n${formatFlagHelp(FLAGS)}\n`);
    return 0;
  }
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
