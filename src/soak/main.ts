// `atoll soak --seeds N | --seed S [options]` (also `npm run soak -- ...`): run soak seeds and report one line
// (or one JSON object) per seed, with the violations and the replay command of a failing one; exit 1 when any
// failed. `--help` prints the flags and runs nothing.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { flagBool, flagNumber, flagString, type CommandSpec, InputError, UsageError, formatDuration } from '../base/index.js';
import { parseOrHelp } from '../host/index.js';
import { runSoak, type SoakOptions, type SoakResult } from './soak.js';

export const SOAK_COMMAND: CommandSpec = {
  name: 'soak',
  summary: 'Run Raft and the key-value store under injected faults, one seed at a time, and check safety, linearizability and liveness.',
  notes: 'A failing seed prints the one command that replays it. `npm run soak -- <flags>` is the same command.',
  flags: {
    seeds: { kind: 'integer', help: 'run seeds 1..N (default 20)' },
    'first-seed': { kind: 'integer', help: 'start the seed range here (default 1)' },
    seed: { kind: 'integer', help: 'run (replay) exactly this seed' },
    nodes: { kind: 'integer', help: 'raft nodes (default 5)' },
    clients: { kind: 'integer', help: 'clients (default 3)' },
    'fault-ms': { kind: 'integer', value: '<ms>', help: 'virtual ms of faults per seed (default 20000)' },
    'lease-reads': { kind: 'boolean', help: 'serve gets by leader lease instead of ReadIndex' },
    'no-membership': { kind: 'boolean', help: 'no membership changes or leader transfers' },
    faults: { kind: 'string', value: '<file>', help: 'a fault script file (servers n1..nN) instead of the random nemesis' },
    json: { kind: 'boolean', help: 'one JSON result per line' },
    trace: { kind: 'string', value: '<file>', help: 'write the run\'s trace (JSON lines) to this file (with --seed)' },
  },
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
  const p = parseOrHelp(argv, SOAK_COMMAND);
  if (!p) return 0;
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
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
  // Progress on stderr (plain lines, so logs stay clean): seeds done and the time left, estimated from the
  // seeds so far. The wall clock is read here, at the command's edge, never inside a run.
  const started_s = performance.now() / 1000;
  for (const [i, seed] of seeds.entries()) {
    const r = runSoak({ seed, ...base, ...(traceFd !== undefined ? { trace_sink: (l: string) => { writeSync(traceFd, `${l}\n`); } } : {}) });
    if (traceFd !== undefined) closeSync(traceFd);
    if (!r.ok) failed++;
    report(r, json);
    if (seeds.length > 1) process.stderr.write(`soak: ${i + 1}/${seeds.length} seeds, ${failed} failed, about ${formatDuration(((performance.now() / 1000 - started_s) / (i + 1)) * (seeds.length - i - 1))} left\n`);
  }
  if (!json) process.stdout.write(`${seeds.length - failed}/${seeds.length} seeds passed\n`);
  return failed === 0 ? 0 : 1;
}

