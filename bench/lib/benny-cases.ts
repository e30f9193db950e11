// Runs in-thread cases through benny (benchmark.js statistics) and turns each into a result in
// nanoseconds per operation. benny's own output is kept off stdout: its cycle hook gets a function that
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

export async function runInThread(
  ctx: SuiteContext, suite: string, cases: readonly InThreadCase[], unit = 'ns',
): Promise<BenchResult[]> {
  const options = ctx.quick ? { minSamples: 3, maxTime: 0.05, delay: 0 } : { minSamples: 10, maxTime: 0.5, delay: 0 };
  const originalLog = console.log;
  // benny announces each suite with console.log, coloured when stdout is a terminal: keep it plain.
  console.log = (...args: unknown[]): void => ctx.progress(args.map(String).join(' ').replace(ANSI_SGR, ''));
  let summary;
  try {
    summary = await benny.suite(
      suite,
      ...cases.map((c) => benny.add(c.case, c.fn, options)),
      benny.cycle((result) => {
        ctx.progress(`  ${suite}: ${result.name}: ${result.samples} samples`);
        return undefined;
      }),
    );
  } finally {
    console.log = originalLog;
  }
  return cases.map((c, i) => {
    const r = summary.results[i];
    if (!r || r.samples === 0) throw new Error(`benny measured nothing for ${suite}/${c.case}`);
    // benchmark.js samples are seconds per call.
    const s = summarize(r.details.sampleResults.slice(0, 1000).map((sec) => (sec * 1e9) / c.opsPerCall));
    return {
      suite, case: c.case, unit, status: 'ok' as const,
      median: s.median, spread: s.spread, min: s.min, max: s.max, samples: s.samples,
      baseline_case: null, baseline: null, ratio: null,
      ...(c.note !== undefined ? { note: c.note } : {}),
    };
  });
}
