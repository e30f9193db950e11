// `atoll scenario migrate [--method stop|precopy|postcopy|all] [--pages N] [--seed S] [--json]`: process
// migration, the three methods side by side. guest/cluster/migrate_worker forks a memory-busy worker (a heap of
// N pages rewritten every round, its pid and CLOCK_MONOTONIC checked, a 2 ms sleep kept) that reports each
// round through a pipe to its parent on n1. The worker moves n1 -> n3 -> n2 -> n1 while n3's clock runs 40%
// slow. Each method's run is compared with the same run without a move: the same pid, every line through the
// pipe once and in order, the monotonic clock never back (the guest checks), the parent's wait the same; and
// per move: downtime, total time, bytes, pages, pages sent again, rounds. JSON carries each run's trace digest and
// trace_hash over them all.
import { flagBool, flagNumber, flagString, UsageError, type ParsedArgs } from '../base/index.js';
import { parseFaultScript, MIGRATION_METHODS, type MigrationMethod } from '../net/index.js';
import { createSha256 } from '../sim/index.js';
import { runCluster, migrationSoakSeed, type ClusterRunResult, type MigrationFigures } from '../ssi/index.js';
import { loadClusterGuest } from './cluster-guest.js';
import type { ScenarioEntry } from './types.js';

const NODES = ['n1', 'n2', 'n3'];
/** The worker's pid: the second process of n1's first lease. */
const WORKER_PID = 4098;
const ROUNDS = 30;
const PAGES_DEFAULT = 64;
const PAGES_MAX = 1024;
const DRIFT = 'at 0ms drift n3 -400000\n';
const HOPS: readonly [string, string][] = [['200ms', 'n3'], ['300ms', 'n2'], ['420ms', 'n1']];

export interface MethodRun {
  readonly method: MigrationMethod;
  readonly moves: readonly string[];
  readonly pid_kept: boolean;
  /** The parent's output (every line from the pipe) is that of the run without a move. */
  readonly same_output: boolean;
  readonly monotonic_ok: boolean;
  /** Pipe lines the parent got: each round once, in order. */
  readonly lines: number;
  readonly lines_lost: number;
  readonly lines_duplicated: number;
  readonly migrations: readonly MigrationFigures[];
  readonly trace_hash: string;
}

export interface MigrateReport {
  readonly scenario: 'migrate';
  readonly seed: number;
  readonly pages: number;
  readonly baseline_trace_hash: string;
  readonly runs: readonly MethodRun[];
  /** sha256 over every run's trace digest: the run without a move, then each method's in order. */
  readonly trace_hash: string;
  readonly passed: boolean;
}

const parentOut = (r: ClusterRunResult): string => r.processes.find((p) => p.ppid === 0)?.stdout ?? '';

/** The rounds the parent printed, counted: lost and duplicated against 0..ROUNDS-1. */
function roundLines(out: string): { lines: number; lost: number; duplicated: number } {
  const seen = new Map<number, number>();
  for (const m of out.matchAll(/^round (\d+) sum /gm)) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
  let lost = 0, duplicated = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const n = seen.get(r) ?? 0;
    if (n === 0) lost++;
    if (n > 1) duplicated += n - 1;
  }
  return { lines: [...seen.values()].reduce((a, b) => a + b, 0), lost, duplicated };
}

export async function runMigrate(opts: { methods: readonly MigrationMethod[]; pages: number; seed: number }): Promise<MigrateReport> {
  const worker = await loadClusterGuest('migrate_worker');
  if (worker === null) throw new UsageError('guest/cluster/migrate_worker.elf is not built (make -C guest/libc)');
  const run = (faults: string): Promise<ClusterRunResult> => runCluster({
    seed: opts.seed, nodes: NODES.length, faults: parseFaultScript(faults, NODES),
    programs: [{ node: 'n1', path: worker.path, bytes: worker.bytes, args: [String(ROUNDS), String(opts.pages)] }],
  });
  const still = await run(DRIFT);
  const runs: MethodRun[] = [];
  for (const method of opts.methods) {
    const r = await run(DRIFT + HOPS.map(([at, node]) => `at ${at} migrate ${WORKER_PID} ${node} ${method}\n`).join(''));
    const worker = r.processes.find((p) => p.ppid !== 0);
    const out = parentOut(r);
    const lines = roundLines(out);
    runs.push({
      method, moves: worker?.moves ?? [], pid_kept: worker?.pid === WORKER_PID && r.processes.length === still.processes.length,
      same_output: out === parentOut(still), monotonic_ok: out.includes('worker done: pid kept, monotonic time never went back: yes'),
      lines: lines.lines, lines_lost: lines.lost, lines_duplicated: lines.duplicated, migrations: r.migrations, trace_hash: r.trace_hash,
    });
  }
  const passed = runs.every((x) => x.same_output && x.pid_kept && x.monotonic_ok && x.lines_lost === 0 && x.lines_duplicated === 0 &&
    x.migrations.length === HOPS.length && x.migrations.every((m) => m.ok));
  const h = createSha256();
  for (const hash of [still.trace_hash, ...runs.map((x) => x.trace_hash)]) h.update(hash);
  return { scenario: 'migrate', seed: opts.seed, pages: opts.pages, baseline_trace_hash: still.trace_hash, runs, trace_hash: h.hexDigest(), passed };
}

const ms = (ns: number): string => (ns / 1e6).toFixed(2);
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The report as `atoll scenario migrate` prints it without --json. */
export function migrateText(r: MigrateReport): string {
  const lines = [
    `migrate: a worker with a ${r.pages}-page heap (${(r.pages * 4096 / 1024).toFixed(0)} KiB) moves n1 -> n3 -> n2 -> n1; n3's clock runs 40% slow; 1 Gbit/s, 1 ms links; seed ${r.seed}`,
    '',
  ];
  for (const x of r.runs) {
    lines.push(`${x.method}: moves ${x.moves.join(' -> ') || '(none)'}; pid ${x.pid_kept ? 'kept' : 'CHANGED'}; output ${x.same_output ? 'as without a move' : 'DIFFERS from the run without a move'}; ` +
      `monotonic ${x.monotonic_ok ? 'never went back' : 'WENT BACK'}; pipe lines ${x.lines} (${x.lines_lost} lost, ${x.lines_duplicated} duplicated)`);
    for (const m of x.migrations) {
      lines.push(m.ok
        ? `  ${m.from} -> ${m.to}: down ${ms(m.downtime_ns)} ms, total ${ms(m.total_ns)} ms, ${m.bytes} bytes, ${m.pages} pages, ${m.pages_resent} sent again, ${m.rounds} round${m.rounds === 1 ? '' : 's'}` +
          (m.method === 'postcopy' ? `, ${m.pages_faulted} on a fault, ${m.pages_pushed} pushed` : '')
        : `  ${m.from} -> ${m.to}: did not happen: ${m.error}`);
    }
  }
  lines.push('', 'method      downtime ms   total ms     bytes   pages   sent again   (means per move)');
  const base = r.runs.find((x) => x.method === 'stop');
  for (const x of r.runs) {
    const d = mean(x.migrations.map((m) => m.downtime_ns)), t = mean(x.migrations.map((m) => m.total_ns));
    const ratio = base !== undefined && x !== base ? `  (downtime ${(d / mean(base.migrations.map((m) => m.downtime_ns))).toFixed(2)}x stop-and-copy's)` : '';
    lines.push(`${x.method.padEnd(10)} ${ms(d).padStart(10)} ${ms(t).padStart(10)} ${Math.round(mean(x.migrations.map((m) => m.bytes))).toString().padStart(9)} ` +
      `${Math.round(mean(x.migrations.map((m) => m.pages))).toString().padStart(7)} ${Math.round(mean(x.migrations.map((m) => m.pages_resent))).toString().padStart(12)}${ratio}`);
  }
  lines.push('', `trace: sha256 ${r.trace_hash} (over every run's trace)`, r.passed ? 'PASS: same pid, the same output, no line lost or twice, the clock never back, under every method' : 'FAIL');
  return lines.join('\n') + '\n';
}

/** `--soak N`: the migration soak (src/ssi/migration-soak.ts) over seeds first.., one line per seed that fails. */
async function migrateSoak(first: number, seeds: number, json: boolean, out: (text: string) => void): Promise<number> {
  const worker = await loadClusterGuest('migrate_worker');
  if (worker === null) throw new UsageError('guest/cluster/migrate_worker.elf is not built (make -C guest/libc)');
  const bad: string[] = [];
  let moved = 0, refused = 0, killed = 0;
  for (let s = first; s < first + seeds; s++) {
    const o = await migrationSoakSeed(s, worker);
    moved += o.moved; refused += o.refused; killed += o.killed ? 1 : 0;
    for (const v of o.violations) bad.push(`seed ${s}: ${v}`);
  }
  if (json) out(JSON.stringify({ scenario: 'migrate-soak', seeds, first_seed: first, moved, refused, workers_killed: killed, violations: bad, passed: bad.length === 0 }) + '\n');
  else {
    out(`migration soak: ${seeds} seeds from ${first}; loss and duplication up to 3%, a drift, a node cut off, a node crashed, 2..5 moves each\n` +
      `moves: ${moved} happened, ${refused} did not (the process ran on where it was); workers killed with their node: ${killed}\n` +
      bad.map((l) => `  ${l}\n`).join('') +
      (bad.length === 0 ? 'PASS: never two copies, no line lost or twice, every survivor\'s output as without faults\n' : `FAIL: ${bad.length} violations\n`));
  }
  return bad.length === 0 ? 0 : 1;
}

export const migrateScenario: ScenarioEntry = {
  summary: 'process migration: a memory-busy worker moves across 3 nodes with a drifting clock by stop-and-copy, pre-copy and post-copy',
  flags: {
    method: { kind: 'string', value: '<m>', help: `${MIGRATION_METHODS.join(', ')} or all (default all)` },
    pages: { kind: 'integer', help: `pages of the worker's heap (1..${PAGES_MAX}, default ${PAGES_DEFAULT})` },
    seed: { kind: 'integer', help: 'seed of the run (default 1; with --soak the first seed)' },
    soak: { kind: 'integer', value: '<seeds>', help: 'the soak instead: this many seeds of moves under loss, drift, a partition and a crash' },
    json: { kind: 'boolean', help: 'print the report as one JSON object' },
  },
  async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
    const seed = flagNumber(args, 'seed') ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${seed}`);
    const soakSeeds = flagNumber(args, 'soak');
    if (soakSeeds !== undefined) {
      if (!Number.isInteger(soakSeeds) || soakSeeds < 1 || soakSeeds > 100_000) throw new UsageError(`--soak must be 1..100000 seeds, got ${soakSeeds}`);
      return migrateSoak(seed, soakSeeds, flagBool(args, 'json'), out);
    }
    const pages = flagNumber(args, 'pages') ?? PAGES_DEFAULT;
    if (!Number.isInteger(pages) || pages < 1 || pages > PAGES_MAX) throw new UsageError(`--pages must be 1..${PAGES_MAX}, got ${pages}`);
    const word = flagString(args, 'method') ?? 'all';
    if (word !== 'all' && !(MIGRATION_METHODS as readonly string[]).includes(word)) throw new UsageError(`--method must be ${MIGRATION_METHODS.join(', ')} or all, not '${word}'`);
    const methods = word === 'all' ? [...MIGRATION_METHODS] : [word as MigrationMethod];
    const report = await runMigrate({ methods, pages, seed });
    out(flagBool(args, 'json') ? JSON.stringify(report) + '\n' : migrateText(report));
    return report.passed ? 0 : 1;
  },
};
