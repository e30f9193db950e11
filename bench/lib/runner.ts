// The benchmark runner: discovers the suite modules beside bench/index (every bench/<name>.ts exporting a
// `suite` function, or failing that a default export or functions named *suite*/*bench*), runs the chosen
// ones in a fixed order, and turns a missing, malformed or failing suite into an 'unavailable' entry
// instead of a crash. Limits: at most MAX_SUITES modules, MAX_RESULTS_PER_SUITE results each.
import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadNative } from '../../src/native/index.js';
import { normaliseResult, resultProblem, type BenchResult, type SuiteContext, type SuiteFunction } from './types.js';

export const MAX_SUITES = 64;
export const MAX_RESULTS_PER_SUITE = 500;
/** The suites every full run expects, in run order; others found in bench/ run after them. */
export const KNOWN_SUITES = ['spinlock', 'syscall', 'context-switch', 'daemon', 'hart', 'cluster', 'raft', 'check'] as const;

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
  readonly progress: (line: string) => void;
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

export async function runBench(o: RunOptions): Promise<BenchRun> {
  const modules = discoverSuites(o.from);
  const known = suiteNames(o.from);
  const wanted = o.only.length > 0 ? [...new Set(o.only)] : known;
  const unknown = wanted.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${known.join(', ')})`);
  const suites: SuiteOutcome[] = [];
  const results: BenchResult[] = [];
  const ctx: SuiteContext = { quick: o.quick, progress: o.progress, earlier: () => results };
  let index = 0;
  for (const name of wanted) {
    index++;
    const mod = modules.find((m) => m.name === name);
    if (!mod) {
      const reason = `skipped: bench/${name}.ts is not present in this build`;
      o.progress(`[${index}/${wanted.length}] ${name}: ${reason}`);
      suites.push({ name, status: 'skipped', reason, duration_s: 0, results: 0 });
      results.push(notRun(name, reason));
      continue;
    }
    o.progress(`[${index}/${wanted.length}] ${name}: running`);
    const t0 = process.hrtime.bigint();
    const restore = divertStdout(o.progress);
    try {
      const got = await runOne(mod, ctx);
      const duration_s = Number(process.hrtime.bigint() - t0) / 1e9;
      results.push(...got);
      suites.push({ name, status: 'ran', duration_s, results: got.length });
      o.progress(`[${index}/${wanted.length}] ${name}: ${got.length} figures in ${duration_s.toFixed(1)} s`);
    } catch (err) {
      const reason = `failed: ${err instanceof Error ? err.message : String(err)}`;
      const duration_s = Number(process.hrtime.bigint() - t0) / 1e9;
      o.progress(`[${index}/${wanted.length}] ${name}: ${reason}`);
      suites.push({ name, status: 'failed', reason, duration_s, results: 0 });
      results.push(notRun(name, reason));
    } finally {
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
