// Time left in a run of steps whose typical durations are known in advance (benchmark suites, say): the
// typical durations, scaled by how the finished steps compared with theirs, for the steps not yet done.
// Pure: the caller passes the clock. Limits: at most ETA_STEPS_MAX steps.

export const ETA_STEPS_MAX = 1000;
/** A run may go this many times faster or slower than its typical durations, no more, in the estimate. */
const SCALE_MIN = 0.5;
const SCALE_MAX = 3;

export class Eta {
  private readonly estimates_s: readonly number[];
  private readonly started_s: (number | null)[];
  private readonly finished_s: (number | null)[];

  /** `estimates_s[i]`: the typical duration of step i, in seconds (0 for a step that takes no time). */
  constructor(estimates_s: readonly number[]) {
    if (estimates_s.length > ETA_STEPS_MAX) throw new Error(`an ETA covers at most ${ETA_STEPS_MAX} steps, got ${estimates_s.length}`);
    if (!estimates_s.every((e) => Number.isFinite(e) && e >= 0)) throw new Error('step estimates must be finite seconds >= 0');
    this.estimates_s = [...estimates_s];
    this.started_s = estimates_s.map(() => null);
    this.finished_s = estimates_s.map(() => null);
  }

  get steps(): number { return this.estimates_s.length; }

  estimate_s(step: number): number { return this.estimates_s[this.checked(step)]! * this.scale(); }

  start(step: number, now_s: number): void { this.started_s[this.checked(step)] = now_s; }

  finish(step: number, now_s: number): void {
    const i = this.checked(step);
    this.started_s[i] ??= now_s;
    this.finished_s[i] = now_s;
  }

  /** Seconds left: the unfinished steps' scaled estimates, less what a running step has already taken. */
  remaining_s(now_s: number): number {
    const scale = this.scale();
    let left = 0;
    for (let i = 0; i < this.estimates_s.length; i++) {
      if (this.finished_s[i] !== null) continue;
      const expected = this.estimates_s[i]! * scale;
      const began = this.started_s[i];
      left += began === null ? expected : Math.max(0, expected - (now_s - began));
    }
    return left;
  }

  /** Finished steps' real time over their typical time (1 until a step with an estimate has finished). */
  private scale(): number {
    let real = 0, typical = 0;
    for (let i = 0; i < this.estimates_s.length; i++) {
      const began = this.started_s[i], ended = this.finished_s[i];
      if (began === null || ended === null || this.estimates_s[i] === 0) continue;
      real += ended - began;
      typical += this.estimates_s[i]!;
    }
    return typical === 0 ? 1 : Math.min(SCALE_MAX, Math.max(SCALE_MIN, real / typical));
  }

  private checked(step: number): number {
    if (!Number.isInteger(step) || step < 0 || step >= this.estimates_s.length) throw new Error(`no step ${step} (0..${this.estimates_s.length - 1})`);
    return step;
  }
}

/** "8 s", "2 min 05 s", "1 h 03 min": a duration for a progress line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
