// A key-value client service for the simulator: runs a random workload of put/get/del against the
// raft-kv nodes, one operation at a time, over the shared client core (leader search, retries with the
// same session seq so a retried write applies once) through the node's NodeContext, and records every
// operation in a history for the linearizability checker. An operation not answered within
// `op_timeout_ns` is abandoned: its outcome is unknown. Bounds: one operation in flight; `max_ops`
// operations per client.
import type { NodeContext, NodeService } from '../cluster/index.js';
import type { HistoryRecorder } from '../check/index.js';
import { KvClientCore, type KvRetryPolicy } from './client-core.js';
import type { KvOp } from './state-machine.js';
import { KV_CLIENT_SERVICE, RAFT_KV_SERVICE } from './service.js';

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

/** The simulated clients' policy: a fixed 5 ms pause after a refusal; an unsent request waits its timeout. */
function simPolicy(o: KvWorkloadOptions): KvRetryPolicy {
  return {
    attempt_timeout_ns: o.attempt_timeout_ns ?? 300_000_000, backoff_base_ns: 5_000_000, backoff_max_ns: 5_000_000,
    clamp_to_deadline: false, fail_unsent: false,
  };
}

export class KvClientService implements NodeService {
  private ctx: NodeContext | undefined;
  private core: KvClientCore | undefined;
  private busy = false;
  private ops = 0;
  completed = 0;
  abandoned = 0;
  lastCompleted_ns = -1;

  constructor(private readonly o: KvWorkloadOptions) {}

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    // The simulated transport: the node's context, to the raft-kv service; the history's clock.
    this.core = new KvClientCore(this.o.servers, {
      send: (to, msg) => ctx.send(to, msg, RAFT_KV_SERVICE),
      setTimer: (delay_ns, cb) => ctx.setTimer(delay_ns, cb),
      clearTimer: (id) => ctx.clearTimer(id),
      now_ns: () => this.o.now(),
    }, simPolicy(this.o), KV_CLIENT_SERVICE);
    this.core.target = ctx.rng.int(0, this.o.servers.length - 1);
    this.schedule(ctx.rng.int(0, this.o.think_ns ?? 20_000_000));
  }

  stop(): void {
    this.core?.close();
    this.core = undefined;
    this.ctx = undefined;
  }

  onMessage(_from: string, raw: unknown): void {
    this.core?.onMessage(raw);
  }

  private schedule(delay_ns: number): void {
    this.ctx?.setTimer(delay_ns, () => this.nextOp());
  }

  private nextOp(): void {
    const ctx = this.ctx;
    const core = this.core;
    if (!ctx || !core || this.busy) return;
    if (this.o.active && !this.o.active()) {
      this.schedule(50_000_000);
      return;
    }
    if (this.ops >= (this.o.max_ops ?? 100_000)) return;
    // Sometimes start at a random node, so redirects and followers are exercised, not only the leader.
    if (ctx.rng.chance(0.3)) core.target = ctx.rng.int(0, this.o.servers.length - 1);
    const key = `k${ctx.rng.int(0, (this.o.keys ?? 3) - 1)}`;
    const roll = ctx.rng.int(0, 99);
    const writes = this.o.write_percent ?? 55;
    const seq = core.nextSeq(ctx.id);
    this.ops = seq;
    // Of the writes, about one in ten is a delete.
    const op: KvOp = roll >= writes ? { op: 'get', key } : roll < writes / 10 ? { op: 'del', key } : { op: 'put', key, value: `${ctx.id}.${seq}` };
    const now = this.o.now();
    const hist = this.o.recorder.invoke(ctx.id, op.op, key, op.op === 'put' ? op.value : undefined, now);
    this.busy = true;
    core.call({ client: ctx.id, seq, op }, { deadline_ns: now + (this.o.op_timeout_ns ?? 3_000_000_000) }, (r) => {
      this.busy = false;
      if (r.ok) {
        this.o.recorder.complete(hist, op.op === 'get' ? r.value : null, this.o.now());
        this.completed++;
        this.lastCompleted_ns = this.o.now();
      } else {
        // A timeout leaves the outcome unknown; a definitive refusal (a malformed command) did not apply,
        // but the checker is kept conservative.
        this.o.recorder.abandon(hist);
        this.abandoned++;
      }
      this.schedule(this.ctx ? this.ctx.rng.int(0, this.o.think_ns ?? 20_000_000) : 0);
    });
  }
}
