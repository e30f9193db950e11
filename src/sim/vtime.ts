// Virtual time: integer nanoseconds held in a JavaScript number. Exact up to 2^53 ns (about 104 days of
// simulated time), which bounds every simulation run; the functions here convert units and check the bound.

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;
/** The last exact virtual instant: 2^53 - 1 ns, about 104.2 days. */
export const TIME_MAX_NS = Number.MAX_SAFE_INTEGER;

export function ms(n: number): number {
  return Math.round(n * NS_PER_MS);
}
export function us(n: number): number {
  return Math.round(n * NS_PER_US);
}
export function sec(n: number): number {
  return Math.round(n * NS_PER_S);
}

/** Throws unless t is a valid virtual instant or duration (a non-negative safe integer). */
export function assertTimeNs(t: number, what: string): void {
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of nanoseconds, got ${t}`);
  }
}

/** Human form of a duration: 1.5ms, 2s, 250us, 12ns. */
export function formatNs(t: number): string {
  if (t >= NS_PER_S) return `${+(t / NS_PER_S).toFixed(3)}s`;
  if (t >= NS_PER_MS) return `${+(t / NS_PER_MS).toFixed(3)}ms`;
  if (t >= NS_PER_US) return `${+(t / NS_PER_US).toFixed(3)}us`;
  return `${t}ns`;
}
