// The discrete-event simulator: virtual time in integer nanoseconds, one event queue, one root PRNG that
// components split by label, and the trace. Events are callbacks run one at a time in (time, sequence)
// order; nothing reads a wall clock. Bound: `run` stops after `max_steps` events (default 50 million).
import { EventQueue } from './event-queue.js';
import { Prng } from './prng.js';
import { Trace, type TraceOptions, type TraceValue } from './trace.js';
import { assertTimeNs } from './vtime.js';

export type EventFn = () => void;

/** A scheduled event; pass it to `cancel`. */
export interface EventHandle {
  readonly at_ns: number;
  cancelled: boolean;
}

interface Entry extends EventHandle {
  readonly fn: EventFn;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly trace?: TraceOptions;
  /** Maximum events pending at once (default 4 Mi). */
  readonly queue_capacity?: number;
}

export interface RunOptions {
  /** Stop before running any event later than this instant; time then advances to it. */
  readonly until_ns?: number;
  /** Stop after this many events (default 50 million). */
  readonly max_steps?: number;
  /** Stop as soon as this returns true (checked after each event). */
  readonly stop_when?: () => boolean;
}

export type StopReason = 'quiescent' | 'until' | 'max_steps' | 'condition';

export interface RunResult {
  readonly reason: StopReason;
  readonly steps: number;
  readonly now_ns: number;
}

export const DEFAULT_MAX_STEPS = 50_000_000;

export class Simulation {
  readonly rng: Prng;
  readonly trace: Trace;
  private readonly queue: EventQueue<Entry>;
  private now = 0;
  /** Events run since creation. */
  steps_total = 0;

  constructor(opts: SimulationOptions) {
    this.rng = new Prng(opts.seed);
    this.trace = new Trace(opts.trace);
    this.queue = new EventQueue<Entry>(opts.queue_capacity);
  }

  get now_ns(): number {
    return this.now;
  }

  /** Events waiting (cancelled ones included until they reach the head). */
  get pending(): number {
    return this.queue.size;
  }

  /** Run `fn` at virtual instant `at_ns` (not in the past). */
  at(at_ns: number, fn: EventFn): EventHandle {
    assertTimeNs(at_ns, 'event time');
    if (at_ns < this.now) throw new RangeError(`cannot schedule at ${at_ns} ns: it is already ${this.now} ns`);
    const entry: Entry = { at_ns, cancelled: false, fn };
    this.queue.push(at_ns, entry);
    return entry;
  }

  /** Run `fn` after `delay_ns` nanoseconds (rounded to an integer). */
  after(delay_ns: number, fn: EventFn): EventHandle {
    const d = Math.max(0, Math.round(delay_ns));
    return this.at(this.now + d, fn);
  }

  cancel(handle: EventHandle): void {
    handle.cancelled = true;
  }

  /** Write one trace record stamped with the current virtual time. */
  record(ev: string, fields?: Readonly<Record<string, TraceValue | undefined>>): void {
    this.trace.write(fields ? { t: this.now, ev, ...fields } : { t: this.now, ev });
  }

  /** Run the next event; false when none is left. */
  step(): boolean {
    for (;;) {
      const next = this.queue.pop();
      if (next === undefined) return false;
      const entry = next.item;
      if (entry.cancelled) continue;
      this.now = next.at_ns;
      this.steps_total++;
      entry.fn();
      return true;
    }
  }

  run(opts: RunOptions = {}): RunResult {
    const until = opts.until_ns;
    if (until !== undefined) assertTimeNs(until, 'until_ns');
    const maxSteps = opts.max_steps ?? DEFAULT_MAX_STEPS;
    let steps = 0;
    for (;;) {
      if (steps >= maxSteps) return { reason: 'max_steps', steps, now_ns: this.now };
      const head = this.queue.peek();
      if (head === undefined) {
        if (until !== undefined && until > this.now) this.now = until;
        return { reason: until !== undefined ? 'until' : 'quiescent', steps, now_ns: this.now };
      }
      if (head.item.cancelled) {
        this.queue.pop();
        continue;
      }
      if (until !== undefined && head.at_ns > until) {
        this.now = Math.max(this.now, until);
        return { reason: 'until', steps, now_ns: this.now };
      }
      this.step();
      steps++;
      if (opts.stop_when?.()) return { reason: 'condition', steps, now_ns: this.now };
    }
  }

  /** Run for `duration_ns` more nanoseconds of virtual time. */
  runFor(duration_ns: number, max_steps?: number): RunResult {
    assertTimeNs(duration_ns, 'duration_ns');
    return this.run(max_steps === undefined ? { until_ns: this.now + duration_ns } : { until_ns: this.now + duration_ns, max_steps });
  }
}
