// Keeps a node's kernel stocked with cluster-wide PIDs: the kernel takes pids and tids from its current range
// and one spare (assembly/pidlease.ts); whenever it holds fewer than a lease's worth, the feeder asks the
// node's procs service for another range (one request at a time, again after a failure) and installs it as
// the spare. A node cut off from the majority gets no range, runs dry, and fork answers EAGAIN: never a PID
// another node may hold. Bound: one request in flight.
import type { NodeContext } from '../node/index.js';
import type { KernelExports } from '../machine/index.js';
import type { ProcsService } from './service.js';

/** PIDs per lease: enough for a burst of forks while the next lease commits (a Raft round, ~10 ms). */
export const PID_LEASE_COUNT = 4096;
/** A failed request is made again after this long. */
const RETRY_NS = 50_000_000;
const DEADLINE_MS = 1_000;

export class PidFeeder {
  private asking = false;
  private retryAt = 0;
  private stopped = false;
  /** Ranges installed so far. */
  leases = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly kernel: KernelExports,
    private readonly procs: ProcsService,
    /** A range arrived (the first lets the node load its programs). */
    private readonly onLease: (start: number, count: number) => void,
  ) {
    kernel.kernelPidClear();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Ask for a range if the kernel's stock is low (cheap: call it after every slice). */
  check(): void {
    if (this.stopped || this.asking || this.kernel.kernelPidsLeft() >= PID_LEASE_COUNT) return;
    if (this.ctx.monotonic_ns() < this.retryAt) return;
    this.asking = true;
    this.procs.lease(PID_LEASE_COUNT, (r) => {
      this.asking = false;
      if (this.stopped) return;
      if (!r.ok) {
        this.retryAt = this.ctx.monotonic_ns() + RETRY_NS;
        this.ctx.setTimer(RETRY_NS, () => this.check());
        return;
      }
      if (this.kernel.kernelPidLease(r.value.start, r.value.count) !== 0) {
        this.ctx.log(`pid lease [${r.value.start}, +${r.value.count}) could not be installed: a spare is already there`);
        return;
      }
      this.leases++;
      this.onLease(r.value.start, r.value.count);
      this.check();
    }, { timeout_ms: DEADLINE_MS });
  }
}
