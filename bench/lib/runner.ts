// The benchmark runner: discovers the suite modules beside bench/index (every bench/<name>.ts exporting a
// `suite` function, or failing that a default export or functions named *suite*/*bench*), runs the chosen
// ones in a fixed order, and turns a missing, malformed or failing suite, or one that cannot run on this host
// (it throws SuiteSkipped), into an 'unavailable' entry instead of a crash. Limits: at most MAX_SUITES modules, MAX_RESULTS_PER_SUITE results each.
import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Eta, formatDuration } from '../../src/base/index.js';
import { loadNative } from '../../src/native/index.js';
import { isSuiteSkipped } from './skip.js';
import { normaliseResult, resultProblem, type BenchResult, type ProgressKind, type SuiteContext, type SuiteFunction } from './types.js';

export const MAX_SUITES = 64;
export const MAX_RESULTS_PER_SUITE = 500;
/** The suites every full run expects, in run order; others found in bench/ run after them. */
export const KNOWN_SUITES = ['spinlock', 'syscall', 'context-switch', 'daemon', 'process', 'hart', 'cluster', 'ssi', 'raft', 'check', 'quorum', 'gfs', 'geo', 'deadlock', 'migration', 'browser'] as const;

/**
 * Typical seconds per suite on the project machine (2 vCPUs, shared), full and --quick, for the ETA; a
 * suite not listed counts as SUITE_TYPICAL_OTHER_S. The estimate is rescaled as suites finish.
 */
export const SUITE_TYPICAL_S: Readonly<Record<string, { readonly full: number; readonly quick: number }>> = {
  spinlock: { full: 20, quick: 4 },
  syscall: { full: 40, quick: 3 },
  'context-switch': { full: 12, quick: 2 },
  daemon: { full: 3, quick: 1 },
  process: { full: 30, quick: 8 },
  hart: { full: 30, quick: 15 },
  cluster: { full: 12, quick: 7 },
  ssi: { full: 40, quick: 12 },
  raft: { full: 17, quick: 22 },
  quorum: { full: 20, quick: 11 },
  gfs: { full: 15, quick: 6 },
  geo: { full: 15, quick: 6 },
  deadlock: { full: 12, quick: 4 },
  migration: { full: 60, quick: 20 },
  browser: { full: 30, quick: 10 },
};
const SUITE_TYPICAL_OTHER_S = { full: 10, quick: 3 };
/** How often a terminal's status line is redrawn while a suite runs. */
const STATUS_INTERVAL_MS = 1000;

export interface SuiteModule { readonly name: string; readonly path: string }

export interface SuiteOutcome {
  readonly name: string;
  readonly status: 'ran' | 'skipped' | 'failed';
  readonly reason?: string;
  readonly duration_s: number;
  readonly results: number;
}

export interface BenchRun {
  readonly date: string;
  readonly host: { readonly node: string; readonly platform: string; readonly arch: string; readonly cpus: number };
  readonly quick: boolean;
  readonly native: { readonly loaded: boolean; readonly reason?: string };
  readonly suites: readonly SuiteOutcome[];
  readonly results: readonly BenchResult[];
}

export interface RunOptions {
  /** Suite names to run; empty means all. */
  readonly only: readonly string[];
  readonly quick: boolean;
  /** Plain progress lines (never escape codes); 'done' marks the line that says how a suite ended. */
  readonly progress: (line: string, kind?: ProgressKind) => void;
  /**
   * The run's status (suite i of n, its time so far against its typical time, the time left), at each
   * step and about once a second while a suite runs: for a terminal's updating line. Optional.
   */
  readonly status?: (line: string) => void;
  /** Where to look for suite modules (default: beside this runner). */
  readonly from?: SuiteDir;
}

/** The folder holding the suite modules (bench/ under vitest, dist/bench/ when compiled). */
function benchDir(): SuiteDir {
  const self = fileURLToPath(import.meta.url);
  return { dir: dirname(dirname(self)), ext: extname(self) };
}

/** Where suite modules are found: a folder and the file extension of loadable modules. */
export interface SuiteDir { readonly dir: string; readonly ext: string }

export function discoverSuites(from: SuiteDir = benchDir()): SuiteModule[] {
  const { dir, ext } = from;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && basename(f, ext) !== 'index')
    .slice(0, MAX_SUITES);
  const found = files.map((f) => ({ name: basename(f, ext), path: join(dir, f) }));
  const rank = (n: string): number => {
    const i = (KNOWN_SUITES as readonly string[]).indexOf(n);
    return i < 0 ? KNOWN_SUITES.length : i;
  };
  return found.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** Names a user may ask for: the known suites and whatever is present. */
export function suiteNames(from?: SuiteDir): string[] {
  return [...new Set([...KNOWN_SUITES, ...discoverSuites(from).map((s) => s.name)])];
}

function suiteFunctions(mod: Record<string, unknown>): SuiteFunction[] {
  if (typeof mod['suite'] === 'function') return [mod['suite'] as SuiteFunction];
  if (typeof mod['default'] === 'function') return [mod['default'] as SuiteFunction];
  return Object.entries(mod)
    .filter(([k, v]) => typeof v === 'function' && /suite|bench/i.test(k))
    .map(([, v]) => v as SuiteFunction);
}

function notRun(name: string, reason: string): BenchResult {
  return {
    suite: name, case: '(suite)', unit: '-', status: 'unavailable', median: null, spread: null, min: null, max: null,
    samples: 0, baseline_case: null, baseline: null, ratio: null, note: reason,
  };
}

/** A baseline_case must name a figure of this run: of an earlier suite, or of this suite's own results. */
function danglingBaseline(own: readonly BenchResult[], earlier: readonly BenchResult[]): string | null {
  const names = new Set([...earlier, ...own].map((r) => `${r.suite}/${r.case}`));
  const bad = own.find((r) => r.baseline_case !== null && !names.has(r.baseline_case));
  return bad ? `${bad.suite}/${bad.case}: baseline_case '${bad.baseline_case}' names no figure of this run` : null;
}

async function runOne(mod: SuiteModule, ctx: SuiteContext): Promise<BenchResult[]> {
  const loaded = (await import(pathToFileURL(mod.path).href)) as Record<string, unknown>;
  const fns = suiteFunctions(loaded);
  if (fns.length === 0) throw new Error(`bench/${mod.name} exports no suite function`);
  const out: BenchResult[] = [];
  for (const fn of fns) {
    const got: unknown = await fn(ctx);
    if (!Array.isArray(got)) throw new Error(`bench/${mod.name}: suite returned ${typeof got}, not an array of results`);
    for (const r of got.slice(0, MAX_RESULTS_PER_SUITE)) {
      const problem = resultProblem(r);
      if (problem) throw new Error(`bench/${mod.name}: a result is malformed (${problem})`);
      out.push(normaliseResult(r as Record<string, unknown>));
    }
  }
  const dangling = danglingBaseline(out, ctx.earlier?.() ?? []);
  if (dangling) throw new Error(`bench/${mod.name}: a result is malformed (${dangling})`);
  return out;
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\u0007]*\u0007|[@-Z\\-_])/g;
export const STDOUT_LINES_MAX = 1000;

/**
 * While a suite runs, whatever it writes to stdout (a suite module that lets benny draw its own progress
 * with log-update, say) goes to the progress stream instead: escape codes stripped, a line already sent
 * during this suite (a redrawn block) not sent again, at most STDOUT_LINES_MAX lines. So stdout carries
 * only the table or the JSON, and a log never sees cursor movements. Returns the function that restores
 * stdout.
 */
export function divertStdout(progress: (line: string) => void): () => void {
  const original = process.stdout.write;
  const seen = new Set<string>();
  let partial = '';
  const emit = (text: string): void => {
    const lines = (partial + text).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(ESCAPES, '').trimEnd();
      if (line.trim() === '' || seen.has(line) || seen.size >= STDOUT_LINES_MAX) continue;
      seen.add(line);
      progress(line);
    }
  };
  let inside = false; // a progress function that itself writes to stdout goes straight through
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (inside) return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    inside = true;
    try {
      emit(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    } finally {
      inside = false;
    }
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (cb) cb();
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
    emit('\n');
  };
}

function typicalSeconds(name: string, quick: boolean): number {
  const t = Object.hasOwn(SUITE_TYPICAL_S, name) ? SUITE_TYPICAL_S[name]! : SUITE_TYPICAL_OTHER_S;
  return quick ? t.quick : t.full;
}

const seconds = (): number => Number(process.hrtime.bigint()) / 1e9;

export async function runBench(o: RunOptions): Promise<BenchRun> {
  const modules = discoverSuites(o.from);
  const known = suiteNames(o.from);
  const wanted = o.only.length > 0 ? [...new Set(o.only)] : known;
  const unknown = wanted.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${known.join(', ')})`);
  const suites: SuiteOutcome[] = [];
  const results: BenchResult[] = [];
  let status: (() => void) | undefined; // the running suite's status line, redrawn with each step
  const info = (line: string): void => { o.progress(line, 'info'); status?.(); };
  const ctx: SuiteContext = { quick: o.quick, progress: info, earlier: () => results };
  const present = (n: string): boolean => modules.some((m) => m.name === n);
  const eta = new Eta(wanted.map((n) => (present(n) ? typicalSeconds(n, o.quick) : 0)));
  const left = (): string => `~${formatDuration(eta.remaining_s(seconds()))} left in the run`;
  for (const [i, name] of wanted.entries()) {
    const tag = `[${i + 1}/${wanted.length}] ${name}`;
    const mod = modules.find((m) => m.name === name);
    if (!mod) {
      const reason = `skipped: bench/${name}.ts is not present in this build`;
      eta.finish(i, seconds());
      o.progress(`${tag}: ${reason}`, 'done');
      suites.push({ name, status: 'skipped', reason, duration_s: 0, results: 0 });
      results.push(notRun(name, reason));
      continue;
    }
    const t0 = seconds();
    eta.start(i, t0);
    const typical = eta.estimate_s(i);
    status = o.status ? (): void => o.status?.(`${tag} ${formatDuration(seconds() - t0)} of ~${formatDuration(typical)}, ${left()}`) : undefined;
    info(`${tag}: running (usually ~${formatDuration(typical)}; ${left()})`);
    const timer = o.status ? setInterval(() => status?.(), STATUS_INTERVAL_MS) : undefined;
    timer?.unref();
    const restore = divertStdout(info);
    try {
      const got = await runOne(mod, ctx);
      const duration_s = seconds() - t0;
      eta.finish(i, seconds());
      results.push(...got);
      suites.push({ name, status: 'ran', duration_s, results: got.length });
      o.progress(`${tag}: ${got.length} figures in ${duration_s.toFixed(1)} s${i + 1 < wanted.length ? ` (${left()})` : ''}`, 'done');
    } catch (err) {
      const skipped = isSuiteSkipped(err);
      const reason = `${skipped ? 'skipped' : 'failed'}: ${err instanceof Error ? err.message : String(err)}`;
      const duration_s = seconds() - t0;
      eta.finish(i, seconds());
      o.progress(`${tag}: ${reason}`, 'done');
      suites.push({ name, status: skipped ? 'skipped' : 'failed', reason, duration_s, results: 0 });
      results.push(notRun(name, reason));
    } finally {
      if (timer) clearInterval(timer);
      status = undefined;
      restore();
    }
  }
  const native = loadNative();
  const os = await import('node:os');
  return {
    date: new Date().toISOString(),
    host: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length },
    quick: o.quick,
    native: native.ok ? { loaded: true } : { loaded: false, reason: native.reason },
    suites,
    results,
  };
}
