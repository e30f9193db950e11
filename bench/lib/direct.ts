// Running one suite module as a script (`node dist/bench/hart.js [--quick] [--json]`): the same runner as
// `npm run bench` (its checks, its plain progress on stderr), the table or the JSON array on stdout, no
// result files. `--help` prints the usage and runs nothing.
import { realpathSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flagBool, type FlagSpecs } from '../../src/base/index.js';
import { formatFlagHelp, parseArgs } from '../../src/host/index.js';
import { formatTable } from './format.js';
import { progressSink } from './progress.js';
import { runBench } from './runner.js';

const FLAGS: FlagSpecs = {
  quick: { kind: 'boolean', help: 'fewer samples and iterations (fast, noisier)' },
  json: { kind: 'boolean', help: 'print the results as a JSON array on stdout' },
  help: { kind: 'boolean', help: 'show this help and run nothing' },
};

/** Whether the module at `moduleUrl` is the script Node was started with. */
export function invokedDirectly(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(script);
  } catch {
    return moduleUrl === pathToFileURL(script).href;
  }
}

export function directUsage(script: string, about: string): string {
  return `usage: node ${script} [options]\n\n${about}\nResults go to stdout (a table, or JSON with --json); progress to stderr.\n` +
    `For several suites and saved results use \`npm run bench\` or \`atoll bench\`.\n\noptions:\n${formatFlagHelp(FLAGS)}\n`;
}

async function main(moduleUrl: string, about: string, argv: readonly string[]): Promise<number> {
  const file = fileURLToPath(moduleUrl);
  const name = basename(file, extname(file));
  const script = `dist/bench/${name}.js`;
  let args;
  try {
    args = parseArgs(argv, FLAGS);
  } catch (err) {
    process.stderr.write(`${script}: ${err instanceof Error ? err.message : String(err)}\n\n${directUsage(script, about)}`);
    return 2;
  }
  if (flagBool(args, 'help')) {
    process.stdout.write(directUsage(script, about));
    return 0;
  }
  if (args.positionals.length > 0) {
    process.stderr.write(`${script}: runs the ${name} suite only; no arguments (got '${args.positionals[0]}')\n`);
    return 2;
  }
  const sink = progressSink(process.stderr);
  const run = await runBench({ only: [name], quick: flagBool(args, 'quick'), progress: sink.line, status: sink.status });
  sink.close();
  process.stdout.write(flagBool(args, 'json') ? `${JSON.stringify(run.results, null, 2)}\n` : formatTable(run));
  return run.suites.some((s) => s.status === 'failed') ? 1 : 0;
}

/**
 * Call at the end of a suite module with its import.meta.url: when the module is the script being run, runs
 * its suite. (The module must not use top-level await: the runner imports it again while it runs.)
 */
export function runWhenInvoked(moduleUrl: string, about: string): void {
  if (!invokedDirectly(moduleUrl)) return;
  main(moduleUrl, about, process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
