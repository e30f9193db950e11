// The RPC client: request-reply with a deadline and retries. Each call gets the next sequence number of
// this client; retries resend the same (client id, seq), so the server's reply cache runs it at most
// once. A call ends exactly once: with the reply, or with 'timeout' (sent, no reply by the deadline) or
// 'unreachable' (no attempt could even be sent). Bound: `max_pending` calls in flight (default 10 000).
import type { NodeContext, TimerId } from '../node/index.js';
import { parseRpcMessage, type RpcErrorCode, type RpcRequest } from './messages.js';

export interface RpcCallOptions {
  /** Give up after this long (node monotonic time, default 1 s). */
  readonly deadline_ns?: number;
  /** Resend this often while waiting (default 100 ms). */
  readonly retry_ns?: number;
}

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(readonly code: RpcErrorCode, message: string) {
    super(message);
  }
}

export type RpcOutcome =
  | { readonly ok: true; readonly result: unknown; readonly latency_ns: number; readonly attempts: number }
  | { readonly ok: false; readonly error: RpcError; readonly latency_ns: number; readonly attempts: number };

export interface RpcClientOptions {
  /** Defaults to `<node id>.<random hex>` so a restarted client never reuses an old id. */
  readonly client_id?: string;
  readonly max_pending?: number;
  /** Service on the peer that serves the calls (default: the caller's own service). */
  readonly service?: string;
}

interface Pending {
  readonly to: string;
  readonly req: RpcRequest;
  readonly start_ns: number;
  readonly cb: (o: RpcOutcome) => void;
  attempts: number;
  sentAny: boolean;
  retryTimer: TimerId | undefined;
  deadlineTimer: TimerId;
}

export class RpcClient {
  readonly client_id: string;
  private nextSeq = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly maxPending: number;
  private readonly service: string | undefined;

  constructor(private readonly ctx: NodeContext, opts: RpcClientOptions = {}) {
    this.client_id = opts.client_id ?? `${ctx.id}.${ctx.rng.nextU32().toString(16).padStart(8, '0')}${ctx.rng.nextU32().toString(16).padStart(8, '0')}`;
    this.maxPending = opts.max_pending ?? 10_000;
    this.service = opts.service;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Start a call; cb runs exactly once. Returns the call's sequence number. */
  call(to: string, method: string, args: unknown, opts: RpcCallOptions, cb: (o: RpcOutcome) => void): number {
    const deadline = opts.deadline_ns ?? 1_000_000_000;
    const retry = opts.retry_ns ?? 100_000_000;
    if (!(deadline > 0) || !(retry > 0)) throw new RangeError('deadline_ns and retry_ns must be > 0');
    const seq = this.nextSeq++;
    if (to !== this.ctx.id && !this.ctx.peers.includes(to)) {
      cb({ ok: false, error: new RpcError('unreachable', `${method}: there is no node '${to}' in the cluster`), latency_ns: 0, attempts: 0 });
      return seq;
    }
    if (this.pending.size >= this.maxPending) {
      cb({ ok: false, error: new RpcError('busy', `more than ${this.maxPending} calls in flight`), latency_ns: 0, attempts: 0 });
      return seq;
    }
    const req: RpcRequest = { t: 'rpc.req', cid: this.client_id, seq, ack: this.lowWatermark(seq), method, args, rsvc: this.ctx.service };
    const p: Pending = {
      to, req, cb, start_ns: this.ctx.monotonic_ns(), attempts: 0, sentAny: false, retryTimer: undefined,
      deadlineTimer: this.ctx.setTimer(deadline, () => this.expire(seq)),
    };
    this.pending.set(seq, p);
    this.attempt(p, retry);
    return seq;
  }

  /** Feed an incoming message; true when it was an RPC reply (for this client or a stale one). */
  handle(_from: string, msg: unknown): boolean {
    const m = parseRpcMessage(msg);
    if (!m || m.t !== 'rpc.rep') return false;
    if (m.cid !== this.client_id) return true;
    const p = this.pending.get(m.seq);
    if (!p) return true; // a duplicate or late reply: the call already ended
    this.finish(m.seq, p);
    const latency_ns = this.ctx.monotonic_ns() - p.start_ns;
    if (m.ok) p.cb({ ok: true, result: m.result, latency_ns, attempts: p.attempts });
    else p.cb({ ok: false, error: new RpcError(m.code, m.message), latency_ns, attempts: p.attempts });
    return true;
  }

  /** Abandon every call (e.g. on stop); callbacks are not run. */
  close(): void {
    for (const [seq, p] of this.pending) this.finish(seq, p);
  }

  /** Lowest unfinished seq: seqs are inserted in increasing order, so it is the Map's first key. */
  private lowWatermark(current: number): number {
    const first = this.pending.keys().next();
    return first.done ? current : Math.min(first.value, current);
  }

  private attempt(p: Pending, retry_ns: number): void {
    p.attempts++;
    const req = p.attempts === 1 ? p.req : { ...p.req, ack: this.lowWatermark(p.req.seq) };
    if (this.ctx.send(p.to, req, this.service)) p.sentAny = true;
    p.retryTimer = this.ctx.setTimer(retry_ns, () => {
      if (this.pending.get(p.req.seq) === p) this.attempt(p, retry_ns);
    });
  }

  private expire(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.finish(seq, p);
    const latency_ns = this.ctx.monotonic_ns() - p.start_ns;
    const error = p.sentAny
      ? new RpcError('timeout', `${p.req.method} to ${p.to}: no reply within the deadline after ${p.attempts} attempts`)
      : new RpcError('unreachable', `${p.req.method} to ${p.to}: the node could not be reached`);
    p.cb({ ok: false, error, latency_ns, attempts: p.attempts });
  }

  private finish(seq: number, p: Pending): void {
    this.pending.delete(seq);
    if (p.retryTimer !== undefined) this.ctx.clearTimer(p.retryTimer);
    this.ctx.clearTimer(p.deadlineTimer);
  }
}
