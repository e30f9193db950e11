// Median, spread (median absolute deviation) and the building of result records from samples.
// Limits: at most MAX_SAMPLES samples per figure.
import type { BenchResult } from './types.js';

export const MAX_SAMPLES = 10_000;

export interface Summary {
  readonly median: number;
  readonly spread: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no samples');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0 || values.length > MAX_SAMPLES) {
    throw new Error(`a figure needs 1..${MAX_SAMPLES} samples, got ${values.length}`);
  }
  const m = median(values);
  return {
    median: m,
    spread: median(values.map((v) => Math.abs(v - m))),
    min: Math.min(...values),
    max: Math.max(...values),
    samples: values.length,
  };
}

export interface FigureOptions {
  readonly suite: string;
  readonly case: string;
  readonly unit: string;
  readonly note?: string;
  readonly extra?: Readonly<Record<string, number | boolean | string>>;
}

export function figure(o: FigureOptions, values: readonly number[]): BenchResult {
  const s = summarize(values);
  return {
    suite: o.suite, case: o.case, unit: o.unit, status: 'ok',
    median: s.median, spread: s.spread, min: s.min, max: s.max, samples: s.samples,
    baseline_case: null, baseline: null, ratio: null,
    ...(o.note !== undefined ? { note: o.note } : {}),
    ...(o.extra !== undefined ? { extra: o.extra } : {}),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * A percentile row: `median` holds the p-th percentile of the samples (so scripts read one field), spread,
 * min, max and samples are those of the samples, and the note says so.
 */
export function percentileFigure(o: FigureOptions, values: readonly number[], p: number): BenchResult {
  const v = percentile([...values].sort((x, y) => x - y), p);
  const note = `median field holds the ${p === 100 ? 'maximum' : `p${p}`} of the ${values.length} samples; spread, min, max are theirs`;
  return { ...figure({ ...o, note: o.note ? `${o.note}; ${note}` : note }, values), median: v };
}

/** A figure that cannot be measured yet: no number, a reason. */
export function unavailable(o: FigureOptions & { readonly note: string }): BenchResult {
  return {
    suite: o.suite, case: o.case, unit: o.unit, status: 'unavailable',
    median: null, spread: null, min: null, max: null, samples: 0,
    baseline_case: null, baseline: null, ratio: null, note: o.note,
    ...(o.extra !== undefined ? { extra: o.extra } : {}),
  };
}

/** Attach a baseline (a figure of the same run) and the ratio; a missing baseline leaves a note. */
export function withBaseline(r: BenchResult, base: BenchResult | undefined, missingNote?: string): BenchResult {
  if (!base || base.median === null || base.median === 0) {
    return missingNote && r.status === 'ok' ? { ...r, note: r.note ? `${r.note}; ${missingNote}` : missingNote } : r;
  }
  return {
    ...r,
    baseline_case: `${base.suite}/${base.case}`,
    baseline: base.median,
    ratio: r.median === null ? null : r.median / base.median,
  };
}

/** Run `sample` n times (after `warmup` unrecorded runs) and collect its values. */
export async function collect(n: number, warmup: number, sample: () => number | Promise<number>): Promise<number[]> {
  if (n < 1 || n > MAX_SAMPLES) throw new Error(`samples must be 1..${MAX_SAMPLES}`);
  for (let i = 0; i < warmup; i++) await sample();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await sample());
  return out;
}
