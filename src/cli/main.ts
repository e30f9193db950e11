// The atoll CLI: one dispatcher that loads a command module on demand, so a command's dependencies
// (the kernel, the network, wabt) cost nothing to the others. Each command lives in commands/<name>.ts and
// exports `run(argv): Promise<number>` (the exit code).
import { UsageError, InputError, ownEntry } from '../base/index.js';
import { installNativeSha256 } from './native-sha256.js';

export interface Command {
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  run: { summary: 'run guest ELF programs on one emulated machine', load: () => loadCommand('run') },
  demo: { summary: 'run the embedded examples with statistics (npm start)', load: () => loadCommand('demo') },
  inspect: { summary: 'validate build/kernel.wasm and show its imports, exports and code', load: () => loadCommand('inspect') },
  bench: { summary: 'run the micro-benchmarks', load: () => loadCommand('bench') },
  node: { summary: 'start one real cluster node (TCP)', load: () => loadCommand('node') },
  cluster: { summary: 'start a cluster of real nodes on loopback', load: () => loadCommand('cluster') },
  scenario: { summary: 'run a deterministic cluster scenario', load: () => loadCommand('scenario') },
  kv: { summary: 'use the replicated key-value store of a real cluster', load: () => loadCommand('kv') },
};

function loadCommand(name: string): Promise<Command> {
  return import(`./commands/${name}.js`) as Promise<Command>;
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: atoll <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'atoll <command> --help' shows a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  installNativeSha256();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = ownEntry(COMMANDS, name);
  if (!entry) {
    process.stderr.write(`atoll: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  let command: Command;
  try {
    command = await entry.load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(`atoll: the '${name}' command is not available in this build\n`);
      return 1;
    }
    throw err;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) {
      process.stderr.write(`atoll ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
