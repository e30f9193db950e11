// The atoll CLI: commander reads the words before a command (`--help`, `--version`, a mistyped command with
// its suggestion); the command module, loaded on demand so its dependencies (the kernel, the network, wabt)
// cost nothing to the others, parses the rest against its own CommandSpec. Each command lives in
// commands/<name>.ts and exports `COMMAND` (its spec) and `run(argv): Promise<number>` (the exit code).
import { readFileSync } from 'node:fs';
import { Command as Commander, CommanderError } from 'commander';
import { UsageError, InputError, ownEntry } from '../base/index.js';
import { installNativeSha256 } from './native-sha256.js';

export interface Command {
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  run: { summary: 'run guest ELF programs on one emulated machine', load: () => loadCommand('run') },
  demo: { summary: 'run the embedded examples with statistics (npm start)', load: () => loadCommand('demo') },
  inspect: { summary: 'validate build/kernel.wasm and show its imports, exports and code', load: () => loadCommand('inspect') },
  bench: { summary: 'run the micro-benchmarks', load: () => loadCommand('bench') },
  node: { summary: 'start one real cluster node (TCP)', load: () => loadCommand('node') },
  cluster: { summary: 'start, stop and configure a cluster of real nodes', load: () => loadCommand('cluster') },
  scenario: { summary: 'run a deterministic cluster scenario', load: () => loadCommand('scenario') },
  kv: { summary: 'use the replicated key-value store of a real cluster', load: () => loadCommand('kv') },
  geo: { summary: 'use the geo-replicated store of a real cluster (put, get, rm, ls in one centre)', load: () => loadCommand('geo') },
  ps: { summary: 'list every process of a real cluster', load: () => loadCommand('ps') },
  kill: { summary: 'send a signal to a process of a real cluster, wherever it runs', load: () => loadCommand('kill') },
  migrate: { summary: 'move a running process of a real cluster to another node', load: () => loadCommand('migrate') },
  fs: { summary: 'look at and change the global namespace (a real cluster, or a saved image)', load: () => loadCommand('fs') },
  soak: { summary: 'run the Raft fault-injection soak (npm run soak)', load: () => loadCommand('soak') },
  serve: { summary: 'serve the browser page: a machine and a cluster in a web page', load: () => loadCommand('serve') },
};

function loadCommand(name: string): Promise<Command> {
  return import(`./commands/${name}.js`) as Promise<Command>;
}

/** The package's version, from package.json beside src/ (tsx, vitest) or beside dist/ (the built CLI). */
export function version(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'atoll' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

/** The top level as commander sees it: the command list, --version and --help. */
function program(out: { text: string }): Commander {
  const p = new Commander('atoll')
    .usage('<command> [options]')
    .description('A distributed operating system emulator: RISC-V nodes in WebAssembly joined into a cluster')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand(false)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => { out.text += s; }, writeErr: () => {}, outputError: () => {} })
    .addHelpText('after', "\n'atoll <command> --help' shows a command's options.");
  for (const [name, c] of Object.entries(COMMANDS)) {
    p.command(name).description(c.summary).helpOption(false).allowUnknownOption().allowExcessArguments().action(() => {});
  }
  return p;
}

export function usage(): string {
  const out = { text: '' };
  program(out).outputHelp();
  return out.text;
}

/** What commander makes of top-level words that name no command: help, the version, or a usage error. */
function topLevel(argv: string[]): { code: number; stdout: string; stderr: string } {
  const out = { text: '' };
  try {
    program(out).parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { code: 0, stdout: out.text, stderr: '' };
    const word = /'([^']*)'/.exec(err.message)?.[1] ?? argv[0] ?? '';
    const hint = /Did you mean (\S+)\?/.exec(err.message)?.[1];
    const flag = err.code === 'commander.unknownOption';
    const known = flag ? 'known: --help, --version' : `commands: ${Object.keys(COMMANDS).join(', ')}`;
    return { code: 2, stdout: '', stderr: `atoll: unknown ${flag ? 'flag' : 'command'} '${word}' (${hint ? `did you mean ${hint}?` : known})\n` };
  }
  return { code: 2, stdout: '', stderr: `atoll: unknown command '${argv[0]}' (${Object.keys(COMMANDS).join(', ')})\n` };
}

export async function main(argv: string[]): Promise<number> {
  installNativeSha256();
  let [name, ...rest] = argv;
  if (name === undefined) {
    process.stdout.write(usage());
    return 2;
  }
  if (name === 'help') {
    if (rest[0] === undefined) {
      process.stdout.write(usage());
      return 0;
    }
    [name, rest] = [rest[0], ['--help']];
  }
  const entry = ownEntry(COMMANDS, name);
  if (!entry) {
    const r = topLevel(name.startsWith('-') ? [name, ...rest] : [name]); // `atoll nope --help` is about 'nope'
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.code;
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
