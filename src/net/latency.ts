// Link latency distributions for the simulated network: fixed, uniform and log-normal (the usual shape
// of real network delay: a floor plus a long right tail). Samples are integer nanoseconds >= 0.
import type { Prng } from '../sim/index.js';

export type LatencyDist =
  | { readonly kind: 'fixed'; readonly ns: number }
  | { readonly kind: 'uniform'; readonly min_ns: number; readonly max_ns: number }
  /** exp(N(ln(median_ns - min_ns), sigma)) + min_ns, capped at max_ns when given. */
  | { readonly kind: 'lognormal'; readonly median_ns: number; readonly sigma: number; readonly min_ns?: number; readonly max_ns?: number };

export function checkLatency(d: LatencyDist): void {
  const bad = (why: string): never => { throw new RangeError(`latency ${JSON.stringify(d)}: ${why}`); };
  switch (d.kind) {
    case 'fixed':
      if (!(d.ns >= 0)) bad('ns must be >= 0');
      return;
    case 'uniform':
      if (!(d.min_ns >= 0 && d.max_ns >= d.min_ns)) bad('need 0 <= min_ns <= max_ns');
      return;
    case 'lognormal':
      if (!(d.median_ns > (d.min_ns ?? 0) && d.sigma >= 0)) bad('need median_ns > min_ns >= 0 and sigma >= 0');
      return;
    default:
      bad('unknown kind');
  }
}

export function sampleLatency(d: LatencyDist, rng: Prng): number {
  switch (d.kind) {
    case 'fixed':
      return Math.round(d.ns);
    case 'uniform':
      return Math.round(rng.uniform(d.min_ns, d.max_ns));
    case 'lognormal': {
      const floor = d.min_ns ?? 0;
      const v = floor + rng.logNormal(Math.log(d.median_ns - floor), d.sigma);
      return Math.round(d.max_ns !== undefined ? Math.min(v, d.max_ns) : v);
    }
  }
}
