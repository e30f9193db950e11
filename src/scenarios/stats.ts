// Percentiles for scenario reports (nearest-rank on a sorted copy), in milliseconds with 3 decimals.

export interface LatencySummary {
  readonly count: number;
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarizeNs(samples_ns: readonly number[]): LatencySummary {
  const s = Float64Array.from(samples_ns).sort();
  const arr = Array.from(s);
  const msOf = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  return {
    count: arr.length,
    p50_ms: msOf(percentile(arr, 50)),
    p90_ms: msOf(percentile(arr, 90)),
    p99_ms: msOf(percentile(arr, 99)),
    max_ms: msOf(arr.length ? arr[arr.length - 1]! : 0),
  };
}
