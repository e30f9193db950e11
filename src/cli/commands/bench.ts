// `atoll bench [suite...] [--json] [--quick] [--update | --out DIR | --no-save]`: runs the benchmark suites
// (the same as `npm run bench`), prints a table (or, with --json, an array of result objects on stdout),
// and writes latest.json and latest.md into bench/results/local/ (untracked), the committed bench/results/
// with --update, or DIR. Progress goes to stderr: plain lines, or one updating line on a terminal.
import { flagBool, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { InputError, UsageError } from '../../base/index.js';
import { formatTable, progressSink, resultsTarget, runBench, saveRun, savedLine, SAVE_FLAGS, suiteNames } from '../../../bench/index.js';

export const COMMAND: CommandSpec = {
  name: 'bench',
  summary: 'Run the benchmark suites, print a table (or JSON) and save latest.json and latest.md.',
  operands: '[suite...]',
  get notes() { return `suites: ${suiteNames().join(', ')} (default: all)`; },
  flags: {
    json: { kind: 'boolean', help: 'print the results as a JSON array on stdout' },
    quick: { kind: 'boolean', help: 'fewer samples and iterations (fast, noisier)' },
    ...SAVE_FLAGS,
    quiet: { kind: 'boolean', help: 'no progress lines on stderr' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const known = suiteNames();
  const unknown = args.positionals.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`unknown suite '${unknown[0]}' (known: ${known.join(', ')})`);
  }
  const quiet = flagBool(args, 'quiet');
  const quick = flagBool(args, 'quick');
  const target = resultsTarget({
    update: flagBool(args, 'update'), out: flagString(args, 'out'), noSave: flagBool(args, 'no-save'), quick, only: args.positionals,
  });
  const sink = progressSink(process.stderr, quiet);
  const result = await runBench({ only: args.positionals, quick, progress: sink.line, status: sink.status });
  sink.close();
  if (flagBool(args, 'json')) process.stdout.write(`${JSON.stringify(result.results, null, 2)}\n`);
  else process.stdout.write(formatTable(result));
  let saved: { json: string; md: string } | undefined;
  if (target.kind !== 'none') {
    try {
      saved = saveRun(result, target.dir);
    } catch (err) {
      throw new InputError(`cannot write the results into ${target.dir}: ${err instanceof Error ? err.message : String(err)} (use --out DIR or --no-save)`);
    }
  }
  if (!quiet) process.stderr.write(`${savedLine(target, saved)}\n`);
  return result.suites.some((s) => s.status === 'failed') ? 1 : 0;
}
