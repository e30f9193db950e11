// A key-value client service for the simulator: runs a random workload of put/get/del against the
// raft-kv nodes, one operation at a time, finding the leader by redirects and timeouts, retrying with the
// same session seq (so a retried write applies once), and recording every operation in a history for the
// linearizability checker. An operation not answered within `op_timeout_ns` is abandoned: its outcome is
// unknown. Bounds: one operation in flight; `max_ops` operations per client.
import type { NodeContext, NodeService } from '../cluster/context.js';
import type { HistoryRecorder } from '../check/history.js';
import type { KvCommand, KvOp } from './kv.js';
import { RAFT_KV_SERVICE } from './service.js';
import { validateWire } from './wire.js';

export const KV_CLIENT_SERVICE = 'kv-client';

export interface KvWorkloadOptions {
  readonly servers: readonly string[];
  readonly recorder: HistoryRecorder;
  /** The true (simulated) time for the history; never a node's drifting clock. */
  readonly now: () => number;
  readonly keys?: number;
  readonly attempt_timeout_ns?: number;
  readonly op_timeout_ns?: number;
  readonly think_ns?: number;
  readonly max_ops?: number;
  /** Percent of operations that are writes (put/del); default 55. */
  readonly write_percent?: number;
  /** When false, the client finishes its current operation and starts no more. */
  readonly active?: () => boolean;
}

interface CurrentOp {
  readonly hist: number;
  readonly cmd: KvCommand;
  readonly reqs: Set<number>;
  readonly deadline_ns: number;
  attemptTimer: number | null;
}

export class KvClientService implements NodeService {
  private ctx: NodeContext | undefined;
  private op: CurrentOp | null = null;
  private seq = 0;
  private req = 0;
  private target = 0;
  completed = 0;
  abandoned = 0;
  lastCompleted_ns = -1;

  constructor(private readonly o: KvWorkloadOptions) {}

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.target = ctx.rng.int(0, this.o.servers.length - 1);
    this.schedule(ctx.rng.int(0, this.o.think_ns ?? 20_000_000));
  }

  stop(): void {
    this.ctx = undefined;
  }

  private schedule(delay_ns: number): void {
    this.ctx?.setTimer(delay_ns, () => this.nextOp());
  }

  private nextOp(): void {
    const ctx = this.ctx;
    if (!ctx || this.op) return;
    if (this.o.active && !this.o.active()) {
      this.schedule(50_000_000);
      return;
    }
    if (this.seq >= (this.o.max_ops ?? 100_000)) return;
    // Sometimes start at a random node, so redirects and followers are exercised, not only the leader.
    if (ctx.rng.chance(0.3)) this.target = ctx.rng.int(0, this.o.servers.length - 1);
    const key = `k${ctx.rng.int(0, (this.o.keys ?? 3) - 1)}`;
    const roll = ctx.rng.int(0, 99);
    const writes = this.o.write_percent ?? 55;
    this.seq++;
    // Of the writes, about one in ten is a delete.
    const op: KvOp = roll >= writes ? { op: 'get', key } : roll < writes / 10 ? { op: 'del', key } : { op: 'put', key, value: `${ctx.id}.${this.seq}` };
    const now = this.o.now();
    const hist = this.o.recorder.invoke(ctx.id, op.op, key, op.op === 'put' ? op.value : undefined, now);
    this.op = { hist, cmd: { client: ctx.id, seq: this.seq, op }, reqs: new Set(), deadline_ns: now + (this.o.op_timeout_ns ?? 3_000_000_000), attemptTimer: null };
    this.attempt();
  }

  private attempt(): void {
    const ctx = this.ctx;
    const op = this.op;
    if (!ctx || !op) return;
    if (this.o.now() >= op.deadline_ns) {
      this.o.recorder.abandon(op.hist);
      this.abandoned++;
      this.finish();
      return;
    }
    const to = this.o.servers[this.target % this.o.servers.length]!;
    const req = ++this.req;
    op.reqs.add(req);
    ctx.send(to, { kind: 'kv-req', req, cmd: op.cmd, reply_to: KV_CLIENT_SERVICE }, RAFT_KV_SERVICE);
    op.attemptTimer = ctx.setTimer(this.o.attempt_timeout_ns ?? 300_000_000, () => {
      op.attemptTimer = null;
      this.target++;
      this.attempt();
    });
  }

  onMessage(_from: string, raw: unknown): void {
    const ctx = this.ctx;
    const op = this.op;
    const m = validateWire(raw);
    if (!ctx || !op || typeof m === 'string' || m.kind !== 'kv-resp' || !op.reqs.has(m.req)) return;
    if (op.attemptTimer !== null) ctx.clearTimer(op.attemptTimer);
    op.attemptTimer = null;
    if (m.ok) {
      this.o.recorder.complete(op.hist, op.cmd.op.op === 'get' ? m.value : null, this.o.now());
      this.completed++;
      this.lastCompleted_ns = this.o.now();
      this.finish();
      return;
    }
    if (!m.retry) {
      // A definitive refusal (a malformed command): it did not apply, but keep the checker conservative.
      this.o.recorder.abandon(op.hist);
      this.abandoned++;
      this.finish();
      return;
    }
    const hinted = m.leader === null ? -1 : this.o.servers.indexOf(m.leader);
    if (hinted >= 0 && hinted !== this.target % this.o.servers.length) this.target = hinted;
    else this.target++;
    op.attemptTimer = ctx.setTimer(5_000_000, () => {
      op.attemptTimer = null;
      this.attempt();
    });
  }

  private finish(): void {
    this.op = null;
    this.schedule(this.ctx ? this.ctx.rng.int(0, this.o.think_ns ?? 20_000_000) : 0);
  }
}
