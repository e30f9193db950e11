// The shape every benchmark suite returns and the runner prints and saves. A figure is measured
// (status 'ok', a median and spread over its samples) or not yet available (status 'unavailable', median
// null, a note saying why: never a made-up number). Its baseline is another figure of the same run, by name
// and value, and ratio = median / baseline.
export type BenchStatus = 'ok' | 'unavailable';

export interface BenchResult {
  readonly suite: string;
  readonly case: string;
  readonly unit: string;
  readonly status: BenchStatus;
  /** Median over the samples, in `unit`; null when unavailable. */
  readonly median: number | null;
  /** Median absolute deviation of the samples, in `unit`. */
  readonly spread: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly samples: number;
  /** The baseline figure's "suite/case" and its median (same unit, same run); null when there is none. */
  readonly baseline_case: string | null;
  readonly baseline: number | null;
  /** median / baseline; null without a baseline. */
  readonly ratio: number | null;
  readonly note?: string;
  /** Extra measured quantities (spins per acquisition, pinned, σ and c used ...). */
  readonly extra?: Readonly<Record<string, number | boolean | string>>;
}

export interface SuiteContext {
  /** Fewer samples and iterations (for tests and quick looks); figures are noisier. */
  readonly quick: boolean;
  /** One plain progress line (the runner sends these to stderr). */
  progress(line: string): void;
  /**
   * The figures of the suites that ran before this one in the same run (so a suite can reuse σ and c
   * measured by the syscall and context-switch suites instead of measuring them again); empty or absent
   * when the suite runs alone.
   */
  readonly earlier?: () => readonly BenchResult[];
}

/** How a progress line reads on a terminal: 'info' lines replace each other, 'done' lines (a suite ended) stay. */
export type ProgressKind = 'info' | 'done';

export type SuiteFunction = (ctx: SuiteContext) => Promise<readonly BenchResult[]>;

/** The figures every result carries; one may be missing (or null) only when the result's note says why. */
export const RESULT_FIGURES = ['median', 'spread', 'min', 'max', 'samples', 'baseline_case'] as const;

/** Check a result from any suite module; returns the problem or null. */
export function resultProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'not an object';
  const o = r as Record<string, unknown>;
  for (const key of ['suite', 'case', 'unit'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') return `'${key}' is not a non-empty string`;
  }
  for (const key of ['median', 'spread', 'min', 'max', 'baseline', 'ratio'] as const) {
    const v = o[key];
    if (!(v === null || v === undefined || (typeof v === 'number' && Number.isFinite(v)))) {
      return `'${key}' is not a finite number or null`;
    }
  }
  const samples = o['samples'];
  if (!(samples === undefined || samples === null || (Number.isInteger(samples) && (samples as number) >= 0))) {
    return `'samples' is not a count`;
  }
  const baselineCase = o['baseline_case'];
  if (!(baselineCase === undefined || baselineCase === null || (typeof baselineCase === 'string' && baselineCase !== ''))) {
    return `'baseline_case' is not a non-empty string or null`;
  }
  if (o['note'] !== undefined && typeof o['note'] !== 'string') return `'note' is not a string`;
  if (typeof o['note'] === 'string' && o['note'].trim() !== '') return null; // the note says what is missing
  // baseline_case may be null (a figure read against nothing), but it must be there.
  const missing = RESULT_FIGURES.filter((k) => o[k] === undefined || (o[k] === null && k !== 'baseline_case'));
  if (missing.length > 0) return `no ${missing.map((k) => `'${k}'`).join(', ')} and no note saying why`;
  if (samples === 0) return `'samples' is 0 for a measured figure and no note says why`;
  const hasBase = o['baseline'] !== null && o['baseline'] !== undefined;
  const hasRatio = o['ratio'] !== null && o['ratio'] !== undefined;
  if (baselineCase === null && (hasBase || hasRatio)) return `a baseline or ratio without 'baseline_case' and no note saying why`;
  if (baselineCase !== null && !(hasBase && hasRatio)) return `'baseline_case' without a baseline and ratio, and no note saying why`;
  return null;
}

/** Normalise a result from another suite module (which may omit the optional fields). */
export function normaliseResult(r: Record<string, unknown>): BenchResult {
  const num = (k: string): number | null => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? (r[k] as number) : null);
  const median = num('median');
  const baseline = num('baseline');
  const extra = r['extra'];
  return {
    suite: String(r['suite']),
    case: String(r['case']),
    unit: String(r['unit']),
    status: median === null ? 'unavailable' : 'ok',
    median,
    spread: num('spread'),
    min: num('min'),
    max: num('max'),
    samples: num('samples') ?? (median === null ? 0 : 1),
    baseline_case: typeof r['baseline_case'] === 'string' ? (r['baseline_case'] as string) : null,
    baseline,
    ratio: num('ratio') ?? (median !== null && baseline !== null && baseline !== 0 ? median / baseline : null),
    ...(typeof r['note'] === 'string' ? { note: r['note'] as string } : {}),
    ...(typeof extra === 'object' && extra !== null ? { extra: extra as Record<string, number | boolean | string> } : {}),
  };
}
