// The RPC server: dispatches requests to handlers and makes execution at-most-once per (client id, seq):
// the first copy runs, copies that arrive while it runs are ignored, later copies get the cached reply.
// The client's `ack` lets the server forget replies the client no longer needs. Bounds: `max_clients`
// tracked clients (least recently seen evicted) and `max_cached_per_client` replies each ('busy' beyond).
// The cache is volatile unless `storage` is given: then each reply is written and synced (together with
// whatever the handler wrote to the same storage) before it is sent, and a restarted server reloads the
// cache, so execution stays at-most-once across server crashes. A call is marked running in storage before its
// handler runs: one the crash interrupted is answered after the restart as failed (its outcome unknown), never
// run again.
import type { NodeContext } from '../node/index.js';
import type { DurableStorage } from '../sim/index.js';
import { parseRpcMessage, type RpcErrorCode, type RpcReply, type RpcRequest } from './messages.js';

export interface RpcCall {
  readonly from: string;
  readonly client_id: string;
  readonly seq: number;
  reply(result: unknown): void;
  fail(code: RpcErrorCode, message: string): void;
}

/** A handler answers through `call.reply` / `call.fail`, now or later; returning a value replies with it. */
export type RpcHandler = (args: unknown, call: RpcCall) => unknown;

export interface RpcServerOptions {
  readonly max_clients?: number;
  readonly max_cached_per_client?: number;
  /** Persist the reply cache here (keys under `rpc/`), synced before each reply is sent. */
  readonly storage?: DurableStorage;
  /** Sees every execution of a handler (checkers: a non-idempotent call must run once per (client, seq)). */
  readonly onExecute?: (client_id: string, seq: number, method: string, idempotent: boolean) => void;
}

const KEY_PREFIX = 'rpc/';
/** What storage holds for a call whose handler runs (replaced by its reply when it ends). */
const RUNNING_MARK = 'running';
const replyKey = (cid: string, seq: number): string => `${KEY_PREFIX}${cid}/${String(seq).padStart(16, '0')}`;

interface ClientState {
  low: number;
  readonly entries: Map<number, RpcReply | 'running'>;
}

export interface RpcServerStats {
  executed: number;
  duplicates: number;
  replayed: number;
  stale: number;
  rejected: number;
}

export class RpcServer {
  private readonly handlers = new Map<string, { fn: RpcHandler; idempotent: boolean }>();
  private readonly clients = new Map<string, ClientState>();
  private readonly maxClients: number;
  private readonly maxCached: number;
  readonly stats: RpcServerStats = { executed: 0, duplicates: 0, replayed: 0, stale: 0, rejected: 0 };

  private readonly storage: DurableStorage | undefined;
  private readonly onExecute: RpcServerOptions['onExecute'];

  constructor(private readonly ctx: NodeContext, opts: RpcServerOptions = {}) {
    this.onExecute = opts.onExecute;
    this.maxClients = opts.max_clients ?? 10_000;
    this.maxCached = opts.max_cached_per_client ?? 1024;
    this.storage = opts.storage;
    if (this.storage) this.load(this.storage);
  }

  /** Reload the persisted reply cache (after a restart). */
  private load(storage: DurableStorage): void {
    for (const key of storage.keys(KEY_PREFIX)) {
      const rest = key.slice(KEY_PREFIX.length);
      const slash = rest.lastIndexOf('/');
      const seq = Number(rest.slice(slash + 1));
      let rep: unknown;
      try {
        rep = JSON.parse(storage.get(key) ?? 'null');
      } catch {
        continue;
      }
      if (slash <= 0 || !Number.isSafeInteger(seq)) continue;
      const cid = rest.slice(0, slash);
      if (rep === RUNNING_MARK) {
        const failed: RpcReply = { t: 'rpc.rep', cid, seq, ok: false, code: 'failed', message: 'the server restarted while the call ran: its outcome is unknown' };
        this.client(cid).entries.set(seq, failed);
        continue;
      }
      const parsed = parseRpcMessage(rep);
      if (!parsed || parsed.t !== 'rpc.rep') continue;
      this.client(cid).entries.set(seq, parsed);
    }
  }

  /** Idempotent methods run on every copy and are not cached. */
  register(method: string, fn: RpcHandler, opts: { idempotent?: boolean } = {}): void {
    this.handlers.set(method, { fn, idempotent: opts.idempotent ?? false });
  }

  /** Feed an incoming message; true when it was an RPC request. */
  handle(from: string, msg: unknown): boolean {
    const m = parseRpcMessage(msg);
    if (!m || m.t !== 'rpc.req') return false;
    const h = this.handlers.get(m.method);
    if (!h) {
      this.send(from, m.rsvc, { t: 'rpc.rep', cid: m.cid, seq: m.seq, ok: false, code: 'no-method', message: `no method '${m.method}'` });
      return true;
    }
    if (h.idempotent) {
      this.execute(from, m, h.fn, undefined);
      return true;
    }
    const c = this.client(m.cid);
    if (m.ack > c.low) {
      for (const s of c.entries.keys()) {
        if (s < m.ack && c.entries.get(s) !== 'running') {
          c.entries.delete(s);
          this.storage?.delete(replyKey(m.cid, s)); // made durable by the next sync
        }
      }
      c.low = m.ack;
    }
    if (m.seq < c.low) {
      this.stats.stale++;
      return true;
    }
    const seen = c.entries.get(m.seq);
    if (seen === 'running') {
      this.stats.duplicates++;
      return true;
    }
    if (seen !== undefined) {
      this.stats.replayed++;
      this.send(from, m.rsvc, seen);
      return true;
    }
    if (c.entries.size >= this.maxCached) {
      this.stats.rejected++;
      this.send(from, m.rsvc, { t: 'rpc.rep', cid: m.cid, seq: m.seq, ok: false, code: 'busy', message: 'too many unacknowledged calls' });
      return true;
    }
    c.entries.set(m.seq, 'running');
    if (this.storage) {
      this.storage.put(replyKey(m.cid, m.seq), JSON.stringify(RUNNING_MARK));
      this.storage.sync();
    }
    this.execute(from, m, h.fn, c);
    return true;
  }

  private client(cid: string): ClientState {
    let c = this.clients.get(cid);
    if (c) {
      this.clients.delete(cid); // re-insert: Map order is recency order
    } else {
      c = { low: 0, entries: new Map() };
      if (this.clients.size >= this.maxClients) {
        const oldest = this.clients.keys().next().value;
        if (oldest !== undefined) this.clients.delete(oldest);
      }
    }
    this.clients.set(cid, c);
    return c;
  }

  private execute(from: string, m: RpcRequest, fn: RpcHandler, c: ClientState | undefined): void {
    let done = false;
    const finish = (rep: RpcReply): void => {
      if (done) return;
      done = true;
      if (c && c.entries.get(m.seq) === 'running') {
        c.entries.set(m.seq, rep);
        if (this.storage) {
          this.storage.put(replyKey(m.cid, m.seq), JSON.stringify(rep));
          this.storage.sync(); // the handler's own writes become durable with the reply, or neither does
        }
      }
      this.send(from, m.rsvc, rep);
    };
    const call: RpcCall = {
      from, client_id: m.cid, seq: m.seq,
      reply: (result) => finish({ t: 'rpc.rep', cid: m.cid, seq: m.seq, ok: true, result }),
      fail: (code, message) => finish({ t: 'rpc.rep', cid: m.cid, seq: m.seq, ok: false, code, message }),
    };
    this.stats.executed++;
    this.onExecute?.(m.cid, m.seq, m.method, c === undefined);
    try {
      const r = fn(m.args, call);
      if (r !== undefined) call.reply(r);
    } catch (err) {
      call.fail('failed', err instanceof Error ? err.message : String(err));
    }
  }

  private send(to: string, service: string, rep: RpcReply): void {
    this.ctx.send(to, rep, service);
  }
}
