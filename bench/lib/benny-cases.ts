// Runs cases through benny (benchmark.js statistics) and hands back their samples, or turns in-thread
// cases into results in nanoseconds per operation. benny's own output is kept off stdout: its cycle hook gets a function that
// prints one plain progress line through the context (no escape codes, whatever the terminal), and the
// suite's "Running ..." banner is sent to the progress stream too.
import benny from 'benny';
import type { SuiteContext, BenchResult } from './types.js';
import { summarize } from './stats.js';

// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\u001b\[[0-9;]*m/g;

export interface InThreadCase {
  readonly case: string;
  /** Runs `opsPerCall` operations. */
  readonly fn: () => unknown;
  readonly opsPerCall: number;
  readonly note?: string;
}

/** benny's per-case options (benchmark.js): how long and how often each case is sampled. */
export interface BennyOptions { readonly minSamples: number; readonly maxTime: number; readonly delay?: number; readonly initCount?: number }

export interface BennyCase { readonly name: string; readonly fn: () => unknown }

/** At most this many samples of one case are kept (benchmark.js may take more). */
const SAMPLES_KEPT_MAX = 1000;

/**
 * Runs the cases through benny without its own display: the suite banner and one line per finished case go
 * to ctx.progress, plain. Returns each case's samples (benchmark.js: seconds per call of `fn`), by name.
 */
export async function bennySamples(
  ctx: SuiteContext, suite: string, cases: readonly BennyCase[], options: BennyOptions,
): Promise<Map<string, number[]>> {
  const originalLog = console.log;
  // benny announces each suite with console.log, coloured when stdout is a terminal: keep it plain.
  console.log = (...args: unknown[]): void => ctx.progress(args.map(String).join(' ').replace(ANSI_SGR, ''));
  let summary;
  try {
    summary = await benny.suite(
      suite,
      ...cases.map((c) => benny.add(c.name, c.fn, options)),
      benny.cycle((result) => {
        ctx.progress(`  ${suite}: ${result.name}: ${result.samples} samples`);
        return undefined;
      }),
    );
  } finally {
    console.log = originalLog;
  }
  const out = new Map<string, number[]>();
  for (const c of cases) {
    const r = summary.results.find((x) => x.name === c.name);
    if (!r || r.samples === 0) throw new Error(`benny measured nothing for ${suite}/${c.name}`);
    out.set(c.name, r.details.sampleResults.slice(0, SAMPLES_KEPT_MAX));
  }
  return out;
}

export async function runInThread(
  ctx: SuiteContext, suite: string, cases: readonly InThreadCase[], unit = 'ns',
): Promise<BenchResult[]> {
  const options = ctx.quick ? { minSamples: 3, maxTime: 0.05, delay: 0 } : { minSamples: 10, maxTime: 0.5, delay: 0 };
  const samples = await bennySamples(ctx, suite, cases.map((c) => ({ name: c.case, fn: c.fn })), options);
  return cases.map((c) => {
    // benchmark.js samples are seconds per call.
    const s = summarize(samples.get(c.case)!.map((sec) => (sec * 1e9) / c.opsPerCall));
    return {
      suite, case: c.case, unit, status: 'ok' as const,
      median: s.median, spread: s.spread, min: s.min, max: s.max, samples: s.samples,
      baseline_case: null, baseline: null, ratio: null,
      ...(c.note !== undefined ? { note: c.note } : {}),
    };
  });
}
