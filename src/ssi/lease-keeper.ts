// A node's stock of PIDs for fork: it holds a current range and a spare (at most `ranges_max` ranges), and
// asks the procs service for another range whenever it holds fewer than two or fewer than `low_water` PIDs,
// one request at a time, retrying on its node's timers after a failure. While a majority is reachable the
// spare arrives long before the current range runs out; cut off from it, the stock runs dry and take()
// returns null (fork answers EAGAIN), never a PID another node may hold.
import type { NodeContext, TimerId } from '../node/index.js';
import type { SsiCallOptions, SsiError, SsiOutcome } from './client.js';
import type { LeaseGrant } from './service.js';

/** Where ranges come from: the node's ProcsService (or a test's stand-in). */
export interface LeaseSource {
  lease(count: number, done: (r: SsiOutcome<LeaseGrant>) => void, o?: SsiCallOptions): void;
}

export interface LeaseKeeperOptions {
  readonly source: LeaseSource;
  readonly timers: Pick<NodeContext, 'setTimer' | 'clearTimer'>;
  /** PIDs asked for per lease (default 256). */
  readonly lease_count?: number;
  /** Ask for more when fewer PIDs than this are left (default lease_count / 4). */
  readonly low_water?: number;
  /** Ranges held at most, current included (default 4). */
  readonly ranges_max?: number;
  /** Deadline of one lease request (default 1000 ms). */
  readonly timeout_ms?: number;
  /** Pause after a failed request before the next (default 100 ms). */
  readonly retry_ms?: number;
  /** A range arrived. */
  readonly onLease?: (start: number, count: number) => void;
  /** A request failed (the keeper tries again after retry_ms). */
  readonly onError?: (e: SsiError) => void;
}

interface Range {
  next: number;
  readonly end: number;
}

export class LeaseKeeper {
  private readonly ranges: Range[] = [];
  private asking = false;
  private retryTimer: TimerId | null = null;
  private running = false;
  readonly lease_count: number;
  readonly low_water: number;
  readonly ranges_max: number;
  /** Lease requests made, granted and failed. */
  readonly stats = { asked: 0, granted: 0, failed: 0, taken: 0, empty: 0 };

  constructor(private readonly opts: LeaseKeeperOptions) {
    this.lease_count = opts.lease_count ?? 256;
    this.low_water = opts.low_water ?? Math.max(1, Math.floor(this.lease_count / 4));
    this.ranges_max = opts.ranges_max ?? 4;
    if (!Number.isInteger(this.lease_count) || this.lease_count < 1) throw new RangeError('lease keeper: lease_count must be an integer >= 1');
    if (!Number.isInteger(this.low_water) || this.low_water < 0) throw new RangeError('lease keeper: low_water must be an integer >= 0');
    if (!Number.isInteger(this.ranges_max) || this.ranges_max < 2) throw new RangeError('lease keeper: ranges_max must be an integer >= 2');
  }

  /** Start filling the stock. */
  start(): void {
    this.running = true;
    this.refill();
  }

  /** Stop asking; the PIDs held stay usable by take(). */
  stop(): void {
    this.running = false;
    if (this.retryTimer !== null) this.opts.timers.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  /** The next PID of this node, or null when the stock is empty (the caller answers EAGAIN). */
  take(): number | null {
    while (this.ranges.length > 0 && this.ranges[0]!.next >= this.ranges[0]!.end) this.ranges.shift();
    const r = this.ranges[0];
    if (!r) {
      this.stats.empty++;
      this.refill();
      return null;
    }
    const pid = r.next++;
    this.stats.taken++;
    if (r.next >= r.end) this.ranges.shift();
    this.refill();
    return pid;
  }

  /** PIDs held and not yet taken. */
  left(): number {
    let n = 0;
    for (const r of this.ranges) n += r.end - r.next;
    return n;
  }

  /** The ranges held, current first: [next, end). */
  held(): readonly { readonly next: number; readonly end: number }[] {
    return this.ranges.map((r) => ({ next: r.next, end: r.end }));
  }

  /** Ask for a range when running, none is being asked for, no retry is pending and the stock is low. */
  private refill(): void {
    if (!this.running || this.asking || this.retryTimer !== null) return;
    const low = this.ranges.length < 2 || this.left() < this.low_water;
    if (!low || this.ranges.length >= this.ranges_max) return;
    this.asking = true;
    this.stats.asked++;
    this.opts.source.lease(this.lease_count, (r) => this.granted(r), { timeout_ms: this.opts.timeout_ms ?? 1000 });
  }

  private granted(r: SsiOutcome<LeaseGrant>): void {
    this.asking = false;
    if (!r.ok) {
      this.stats.failed++;
      this.opts.onError?.(r.error);
      if (!this.running) return;
      this.retryTimer = this.opts.timers.setTimer((this.opts.retry_ms ?? 100) * 1e6, () => {
        this.retryTimer = null;
        this.refill();
      });
      return;
    }
    const { start, count } = r.value;
    this.stats.granted++;
    this.ranges.push({ next: start, end: start + count });
    this.opts.onLease?.(start, count);
    this.refill();
  }
}
