// `npm run bench`: runs every benchmark suite (bench/<name>.ts), prints a table, and writes latest.json and
// latest.md into bench/results/local/ (untracked), or with --update into the committed bench/results/.
// Progress goes to stderr: plain lines when it is not a terminal, one updating line when it is.
// Usage: node dist/bench/index.js [suite...] [--quick] [--json] [--update | --out DIR | --no-save]
import { flagBool, flagString, UsageError, type FlagSpecs } from '../src/base/index.js';
import { formatFlagHelp, parseArgs } from '../src/host/index.js';
import { invokedDirectly } from './lib/direct.js';
import { formatTable, saveRun } from './lib/format.js';
import { resultsTarget, savedLine, SAVE_FLAGS } from './lib/output.js';
import { progressSink } from './lib/progress.js';
import { runBench, suiteNames } from './lib/runner.js';

export { runBench, discoverSuites, suiteNames, KNOWN_SUITES, SUITE_TYPICAL_S } from './lib/runner.js';
export type { BenchRun, SuiteOutcome, RunOptions, SuiteDir } from './lib/runner.js';
export { formatTable, formatMarkdown, saveRun } from './lib/format.js';
export { SuiteSkipped, isSuiteSkipped } from './lib/skip.js';
export { committedResultsDir, defaultResultsDir, resultsTarget, savedLine, SAVE_FLAGS, type ResultsTarget } from './lib/output.js';
export { progressSink, type ProgressSink, type ProgressStream } from './lib/progress.js';
export type { BenchResult, SuiteContext, ProgressKind } from './lib/types.js';

const FLAGS: FlagSpecs = {
  quick: { kind: 'boolean', help: 'fewer samples and iterations (fast, noisier)' },
  json: { kind: 'boolean', help: 'print the results as a JSON array on stdout instead of the table' },
  ...SAVE_FLAGS,
  help: { kind: 'boolean', help: 'show this help and run nothing' },
};

function usage(): string {
  return `usage: npm run bench -- [suite...] [options]   (node dist/bench/index.js ...)\n\n` +
    `suites: ${suiteNames().join(', ')} (default: all)\n\noptions:\n${formatFlagHelp(FLAGS)}\n`;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (flagBool(args, 'help')) {
    process.stdout.write(usage());
    return 0;
  }
  const quick = flagBool(args, 'quick');
  const only = args.positionals;
  const target = resultsTarget({ update: flagBool(args, 'update'), out: flagString(args, 'out'), noSave: flagBool(args, 'no-save'), quick, only });
  const sink = progressSink(process.stderr);
  const run = await runBench({ only, quick, progress: sink.line, status: sink.status });
  sink.close();
  process.stdout.write(flagBool(args, 'json') ? `${JSON.stringify(run.results, null, 2)}\n` : formatTable(run));
  const saved = target.kind === 'none' ? undefined : saveRun(run, target.dir);
  process.stderr.write(`${savedLine(target, saved)}\n`);
  return run.suites.some((s) => s.status === 'failed') ? 1 : 0;
}

if (invokedDirectly(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
