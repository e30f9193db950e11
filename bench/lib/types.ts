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

/**
 * The plain shape a suite module may return instead (the hart, cluster and Raft suites do); the runner
 * normalises it into a BenchResult.
 */
export interface PlainFigure {
  readonly suite: string;
  readonly case: string;
  readonly unit: string;
  readonly median: number;
  /** Samples behind the median (benny samples, measured operations, elections). */
  readonly samples?: number;
  /** "suite/case" of the baseline figure, measured in the same run. */
  readonly baseline_case?: string | null;
  readonly baseline: number | null;
  /** median / baseline. */
  readonly ratio: number | null;
}

export type SuiteFunction = (ctx: SuiteContext) => Promise<readonly BenchResult[]>;

/** Check a result from any suite module; returns the problem or null. */
export function resultProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'not an object';
  const o = r as Record<string, unknown>;
  for (const key of ['suite', 'case', 'unit'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') return `'${key}' is not a non-empty string`;
  }
  for (const key of ['median', 'baseline', 'ratio'] as const) {
    const v = o[key];
    if (!(v === null || v === undefined || (typeof v === 'number' && Number.isFinite(v)))) {
      return `'${key}' is not a finite number or null`;
    }
  }
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
