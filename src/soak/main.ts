// `npm run soak -- --seeds N | --seed S [options]`: run soak seeds and report one line (or one JSON
// object) per seed, with the violations and the replay command of a failing one; exit 1 when any failed.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, flagBool, flagNumber, flagString, type FlagSpecs, InputError, UsageError } from '../base/index.js';
import { runSoak, type SoakOptions, type SoakResult } from './soak.js';

const FLAGS: FlagSpecs = {
  seeds: { kind: 'integer', help: 'run seeds 1..N (default 20)' },
  'first-seed': { kind: 'integer', help: 'start the seed range here (default 1)' },
  seed: { kind: 'integer', help: 'run (replay) exactly this seed' },
  nodes: { kind: 'integer', help: 'raft nodes (default 5)' },
  clients: { kind: 'integer', help: 'clients (default 3)' },
  'fault-ms': { kind: 'integer', help: 'virtual ms of faults per seed (default 20000)' },
  'lease-reads': { kind: 'boolean', help: 'serve gets by leader lease instead of ReadIndex' },
  'no-membership': { kind: 'boolean', help: 'no membership changes or leader transfers' },
  faults: { kind: 'string', help: 'a fault script file (servers n1..nN) instead of the random nemesis' },
  json: { kind: 'boolean', help: 'one JSON result per line' },
  trace: { kind: 'string', help: 'write the run\'s trace (JSON lines) to this file (with --seed)' },
  help: { kind: 'boolean', help: 'show this help' },
};

function openTrace(file: string): number {
  try {
    return openSync(file, 'w');
  } catch (err) {
    throw new InputError(`cannot write the trace to ${file}: ${(err as Error).message}`);
  }
}

function readScript(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read fault script ${file}: ${(err as Error).message}`);
  }
}

function report(r: SoakResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  process.stdout.write(
    `seed ${r.seed}: ${r.ok ? 'ok' : 'FAIL'}  ops ${r.history.ops} (${r.history.unknown} unknown) ${r.history.verdict}` +
    `  elections ${r.stats.elections} commits ${r.stats.commits} faults ${r.stats.faults} reconf ${r.stats.reconfigurations} snapshots ${r.stats.snapshots_installed}` +
    `  recovered ${r.liveness.recovered_ms ?? '-'} ms\n`);
  for (const v of r.violations) process.stdout.write(`  ${v}\n`);
  if (!r.ok) process.stdout.write(`  replay: ${r.replay}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS);
  if (flagBool(p, 'help')) {
    process.stdout.write(`usage: npm run soak -- [--seeds N | --seed S] [options]\n${Object.entries(FLAGS).map(([k, s]) => `  --${k.padEnd(12)} ${s.help}`).join('\n')}\n`);
    return 0;
  }
  const one = flagNumber(p, 'seed');
  const first = flagNumber(p, 'first-seed') ?? 1;
  const count = flagNumber(p, 'seeds') ?? 20;
  const seeds = one !== undefined ? [one] : Array.from({ length: count }, (_, i) => first + i);
  const base: Omit<SoakOptions, 'seed'> = {
    nodes: flagNumber(p, 'nodes'), clients: flagNumber(p, 'clients'), fault_ms: flagNumber(p, 'fault-ms'),
    lease_reads: flagBool(p, 'lease-reads'),
    membership: !flagBool(p, 'no-membership'),
    fault_script: readScript(flagString(p, 'faults')),
  };
  const json = flagBool(p, 'json');
  const tracePath = flagString(p, 'trace');
  if (tracePath !== undefined && one === undefined) throw new UsageError('--trace needs --seed (one run)');
  const traceFd = tracePath === undefined ? undefined : openTrace(tracePath);
  let failed = 0;
  for (const seed of seeds) {
    const r = runSoak({ seed, ...base, ...(traceFd !== undefined ? { trace_sink: (l: string) => { writeSync(traceFd, `${l}\n`); } } : {}) });
    if (traceFd !== undefined) closeSync(traceFd);
    if (!r.ok) failed++;
    report(r, json);
  }
  if (!json) process.stdout.write(`${seeds.length - failed}/${seeds.length} seeds passed\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof InputError ? 1 : 2;
  });
}
