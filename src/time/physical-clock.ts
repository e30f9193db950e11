// A node's clocks over a reference time (the simulator's virtual time, or a host clock in real mode):
// the physical clock (CLOCK_REALTIME) runs at rate 1 + drift_ppm/1e6 from an offset and can be stepped
// (even backwards), and CLOCK_MONOTONIC follows the same rate, ignores steps and never decreases.
// Limits: |drift_ppm| <= 500 000; readings are integer nanoseconds.

export const DRIFT_PPM_MAX = 500_000;

export interface ClockSettings {
  /** Physical clock minus reference time at reference time 0 (may be negative). */
  readonly offset_ns?: number;
  /** Rate error in parts per million (positive runs fast). */
  readonly drift_ppm?: number;
}

function checkDrift(ppm: number): void {
  if (!Number.isFinite(ppm) || Math.abs(ppm) > DRIFT_PPM_MAX) {
    throw new RangeError(`drift_ppm must be within +-${DRIFT_PPM_MAX}, got ${ppm}`);
  }
}

export class NodeClock {
  private drift: number;
  // Piecewise-linear anchors: at reference time refAnchor the clocks read physAnchor / monoAnchor.
  private refAnchor = 0;
  private physAnchor: number;
  private monoAnchor = 0;
  private monoLast = 0;

  constructor(settings: ClockSettings = {}) {
    const offset = settings.offset_ns ?? 0;
    if (!Number.isSafeInteger(offset)) throw new RangeError(`offset_ns must be an integer, got ${offset}`);
    this.drift = settings.drift_ppm ?? 0;
    checkDrift(this.drift);
    this.physAnchor = offset;
  }

  get drift_ppm(): number {
    return this.drift;
  }

  private elapsed(ref_ns: number): number {
    return Math.round((ref_ns - this.refAnchor) * (1 + this.drift / 1e6));
  }

  /** CLOCK_REALTIME at reference time ref_ns (may go backwards after a negative step). */
  physical_ns(ref_ns: number): number {
    return this.physAnchor + this.elapsed(ref_ns);
  }

  /** CLOCK_MONOTONIC at reference time ref_ns: never less than any earlier reading. */
  monotonic_ns(ref_ns: number): number {
    const v = this.monoAnchor + this.elapsed(ref_ns);
    if (v > this.monoLast) this.monoLast = v;
    return this.monoLast;
  }

  /** Change the rate from reference time ref_ns on; both clocks stay continuous. */
  setDrift(drift_ppm: number, ref_ns: number): void {
    checkDrift(drift_ppm);
    this.rebase(ref_ns);
    this.drift = drift_ppm;
  }

  /** Step the physical clock by delta_ns (skew); the monotonic clock does not jump. */
  step(delta_ns: number, ref_ns: number): void {
    if (!Number.isSafeInteger(delta_ns)) throw new RangeError(`clock step must be an integer, got ${delta_ns}`);
    this.rebase(ref_ns);
    this.physAnchor += delta_ns;
  }

  private rebase(ref_ns: number): void {
    const e = this.elapsed(ref_ns);
    this.physAnchor += e;
    this.monoAnchor += e;
    this.refAnchor = ref_ns;
  }
}
