// What a leader knows about each follower: how far its log matches (match), what to send next (next), and
// the flow-control state: probe (one message in flight until it answers), replicate (a window of at most
// `max_inflight` append messages in flight), snapshot (waiting for an InstallSnapshot to land).

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe: an append was sent and not answered yet (reset each heartbeat interval). */
  probeSent = false;
  pendingSnapshot = 0;
  /** Leader ticks since this progress entered its current state (a snapshot presumed lost after a while). */
  stateTicks = 0;
  /** Heard from it since the last CheckQuorum round. */
  recentActive = false;
  isLearner: boolean;
  /** Last index of each append message in flight (replicate state), oldest first; bounded by max_inflight. */
  private readonly inflight: number[] = [];

  constructor(next: number, isLearner: boolean, readonly max_inflight: number) {
    if (max_inflight < 1) throw new Error('raft: max_inflight must be at least 1');
    this.next = next;
    this.isLearner = isLearner;
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.reset('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.reset('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.reset('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.reset('snapshot');
    this.pendingSnapshot = index;
  }

  private reset(state: ProgressState): void {
    this.state = state;
    this.stateTicks = 0;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflight.length = 0;
  }

  /** An accepting response up to n. Returns false if it was stale. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejection of the append after `rejected`; `matchHint` is where the follower suggests probing. Returns
   * false when the rejection is stale (answers an older message).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Record an append whose last entry is `last` (replicate state) or mark the probe sent. */
  sentEntries(last: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = last + 1;
        this.inflight.push(last);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** Free the window up to `index` (acknowledged). */
  freeTo(index: number): void {
    let k = 0;
    while (k < this.inflight.length && this.inflight[k]! <= index) k++;
    if (k > 0) this.inflight.splice(0, k);
  }

  freeFirst(): void {
    if (this.inflight.length > 0) this.inflight.shift();
  }

  inflightFull(): boolean {
    return this.inflight.length >= this.max_inflight;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflightFull();
      case 'snapshot': return true;
    }
  }
}
