// `atoll bench [suite...] [--json] [--quick] [--out DIR]`: runs the micro-benchmark suites (the same as
// `npm run bench`), prints a table (or, with --json, an array of result objects on stdout), and writes
// latest.json and latest.md into the results folder. Progress lines go to stderr.
import { parseArgs, flagBool, flagString, formatFlagHelp, type FlagSpecs } from '../../base/index.js';
import { InputError, UsageError } from '../../base/index.js';
import { defaultResultsDir, formatTable, runBench, saveRun, suiteNames } from '../../../bench/index.js';

const FLAGS: FlagSpecs = {
  json: { kind: 'boolean', help: 'print the results as a JSON array on stdout' },
  quick: { kind: 'boolean', help: 'fewer samples and iterations (fast, noisier)' },
  out: { kind: 'string', help: 'folder for latest.json and latest.md (default bench/results)' },
  'no-save': { kind: 'boolean', help: 'do not write result files' },
  quiet: { kind: 'boolean', help: 'no progress lines on stderr' },
  help: { kind: 'boolean', help: 'show this help' },
};

function help(): string {
  return `usage: atoll bench [suite...] [options]\n\nsuites: ${suiteNames().join(', ')} (default: all)\n\noptions:\n${formatFlagHelp(FLAGS)}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (flagBool(args, 'help')) {
    process.stdout.write(help());
    return 0;
  }
  const known = suiteNames();
  const unknown = args.positionals.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`unknown suite '${unknown[0]}' (known: ${known.join(', ')})`);
  }
  const quiet = flagBool(args, 'quiet');
  const result = await runBench({
    only: args.positionals,
    quick: flagBool(args, 'quick'),
    progress: (line) => { if (!quiet) process.stderr.write(`${line}\n`); },
  });
  if (flagBool(args, 'json')) process.stdout.write(`${JSON.stringify(result.results, null, 2)}\n`);
  else process.stdout.write(formatTable(result));
  if (!flagBool(args, 'no-save')) {
    const dir = flagString(args, 'out') ?? defaultResultsDir();
    let saved: { json: string; md: string };
    try {
      saved = saveRun(result, dir);
    } catch (err) {
      throw new InputError(`cannot write the results into ${dir}: ${err instanceof Error ? err.message : String(err)} (use --out DIR or --no-save)`);
    }
    if (!quiet) process.stderr.write(`wrote ${saved.json} and ${saved.md}\n`);
  }
  return result.suites.some((s) => s.status === 'failed') ? 1 : 0;
}
