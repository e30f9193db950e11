// `npm run bench`: runs every benchmark suite (bench/<name>.ts), prints a table, and writes
// bench/results/latest.json and latest.md. Progress goes to stderr as plain lines, so a log that is not a
// terminal gets no escape codes. Usage: node dist/bench/index.js [suite...] [--quick]
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from './lib/kernel-wasm.js';
import { runBench } from './lib/runner.js';
import { formatTable, saveRun } from './lib/format.js';

export { runBench, discoverSuites, suiteNames, KNOWN_SUITES } from './lib/runner.js';
export type { BenchRun, SuiteOutcome, RunOptions, SuiteDir } from './lib/runner.js';
export { formatTable, formatMarkdown, saveRun } from './lib/format.js';
export type { BenchResult, SuiteContext } from './lib/types.js';

export function defaultResultsDir(): string {
  return join(packageRoot(), 'bench', 'results');
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const only = argv.filter((a) => !a.startsWith('--'));
  const run = await runBench({ only, quick, progress: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(formatTable(run));
  const saved = saveRun(run, defaultResultsDir());
  process.stderr.write(`wrote ${saved.json} and ${saved.md}\n`);
  return run.suites.some((s) => s.status === 'failed') ? 1 : 0;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(script);
  } catch {
    return import.meta.url === pathToFileURL(script).href;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 2; },
  );
}
