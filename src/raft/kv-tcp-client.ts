// A key-value client for real raft-kv clusters over the TCP transport. The cluster's frames are
// authenticated and only configured node ids may talk, so the client runs as a node of the config that
// has no services (by default the first one without raft-kv). It finds the leader by redirects and
// timeouts and retries a command with the same session seq, so a retried write applies once.
// Bound: one request in flight per call; `timeout_ms` per call overall.
import type { ClusterConfig } from '../cluster/config.js';
import { isEnvelope } from '../cluster/context.js';
import { TcpTransport, type PeerAddress } from '../net/tcp/transport.js';
import { Prng } from '../sim/index.js';
import type { KvOp } from './kv.js';
import { RAFT_KV_SERVICE } from './service.js';
import { validateWire, type NodeStatusReport, type WireKvResponse } from './wire.js';

export const KV_TCP_CLIENT_SERVICE = 'kv-client';

export interface KvTcpClientOptions {
  readonly config: ClusterConfig;
  /** The config node id this client speaks as (it must run no services). */
  readonly as?: string;
  /** Unique per client process: the session id in the replicated state machine. */
  readonly session: string;
  readonly seed: number;
  readonly attempt_timeout_ms?: number;
  /** The wall clock in ms for the call deadline (the caller's: this module reads no clock itself). */
  readonly clock_ms: () => number;
  readonly log?: (line: string) => void;
}

export class KvClientError extends Error {
  override name = 'KvClientError';
}

/** The voters (nodes running raft-kv) and a client id from a cluster config. */
export function kvRoles(config: ClusterConfig, as?: string): { servers: string[]; client: string } {
  const runs = (id: string): boolean => {
    const n = config.nodes.find((x) => x.id === id)!;
    return Object.keys(n.services ?? config.services).includes(RAFT_KV_SERVICE);
  };
  const servers = config.nodes.map((n) => n.id).filter(runs);
  if (servers.length === 0) throw new KvClientError(`no node in the config runs the ${RAFT_KV_SERVICE} service`);
  const client = as ?? config.nodes.map((n) => n.id).find((id) => !runs(id));
  if (!client) throw new KvClientError('the config has no node entry for a client: add one with "services": [] (and a free port)');
  if (!config.nodes.some((n) => n.id === client)) throw new KvClientError(`--as ${client}: no such node in the config`);
  if (servers.includes(client)) throw new KvClientError(`--as ${client}: that node runs ${RAFT_KV_SERVICE}; a client needs an entry of its own`);
  return { servers, client };
}

export class KvTcpClient {
  readonly servers: string[];
  readonly id: string;
  private readonly transport: TcpTransport;
  private readonly waiting = new Map<number, (r: WireKvResponse) => void>();
  private readonly statusWaiting = new Map<number, (r: NodeStatusReport) => void>();
  private req = 0;
  /** Next seq per session (a client may run several sessions concurrently, one call in flight each). */
  private readonly seqs = new Map<string, number>();
  /** Where the next request goes first: the last known leader. */
  leader: string | null = null;
  private target = 0;

  constructor(private readonly o: KvTcpClientOptions) {
    const { servers, client } = kvRoles(o.config, o.as);
    this.servers = servers;
    this.id = client;
    const me = o.config.nodes.find((n) => n.id === client)!;
    const peers = new Map<string, PeerAddress>(o.config.nodes.filter((n) => servers.includes(n.id)).map((n) => [n.id, { host: n.host, port: n.port }]));
    this.transport = new TcpTransport({
      id: client, key: o.config.key, listen: { host: me.host, port: me.port }, peers, rng: new Prng(o.seed),
      max_frame_bytes: o.config.max_frame_bytes, log: o.log ?? (() => {}),
      onMessage: (_from, payload) => this.receive(payload),
      backoff_base_ms: 20, backoff_max_ms: 200,
    });
  }

  async start(): Promise<void> {
    await this.transport.start();
  }

  async close(): Promise<void> {
    await this.transport.stop();
  }

  private receive(payload: unknown): void {
    if (!isEnvelope(payload)) return;
    const m = validateWire(payload.body);
    if (typeof m === 'string') return;
    if (m.kind === 'kv-resp') this.waiting.get(m.req)?.(m);
    else if (m.kind === 'status-resp') this.statusWaiting.get(m.req)?.(m.status);
  }

  /** Ask every raft-kv node for its view; null for a node that did not answer within timeout_ms. */
  async status(timeout_ms = 2000): Promise<Map<string, NodeStatusReport | null>> {
    const out = new Map<string, NodeStatusReport | null>();
    await Promise.all(this.servers.map(async (to) => {
      const req = ++this.req;
      const r = await new Promise<NodeStatusReport | null>((resolve) => {
        const timer = setTimeout(() => { this.statusWaiting.delete(req); resolve(null); }, timeout_ms);
        this.statusWaiting.set(req, (st) => { clearTimeout(timer); this.statusWaiting.delete(req); resolve(st); });
        this.transport.send(to, { svc: RAFT_KV_SERVICE, lc: 0, body: { kind: 'status-req', req, reply_to: KV_TCP_CLIENT_SERVICE } });
      });
      out.set(to, r);
    }));
    return out;
  }

  /**
   * Run one operation; resolves with the value (get) or null; rejects after timeout_ms. Calls on one
   * session must not overlap (pass distinct `session` names to run operations concurrently).
   */
  async run(op: KvOp, timeout_ms = 10_000, read: 'index' | 'log' = 'index', session = this.o.session): Promise<string | null> {
    const seq = (this.seqs.get(session) ?? 0) + 1;
    this.seqs.set(session, seq);
    const deadline = this.o.clock_ms() + timeout_ms;
    let lastError = 'no answer';
    while (this.o.clock_ms() < deadline) {
      const to = this.leader ?? this.servers[this.target % this.servers.length]!;
      const req = ++this.req;
      const resp = await new Promise<WireKvResponse | null>((resolve) => {
        const timer = setTimeout(() => {
          this.waiting.delete(req);
          resolve(null);
        }, Math.min(this.o.attempt_timeout_ms ?? 1000, Math.max(1, deadline - this.o.clock_ms())));
        this.waiting.set(req, (r) => {
          clearTimeout(timer);
          this.waiting.delete(req);
          resolve(r);
        });
        const body = { kind: 'kv-req', req, cmd: { client: session, seq, op }, read, reply_to: KV_TCP_CLIENT_SERVICE };
        if (!this.transport.send(to, { svc: RAFT_KV_SERVICE, lc: 0, body })) {
          clearTimeout(timer);
          this.waiting.delete(req);
          setTimeout(() => resolve(null), 50);
        }
      });
      if (resp === null) {
        lastError = `no answer from ${to}`;
        this.leader = null;
        this.target++;
        continue;
      }
      if (resp.ok) {
        this.leader = to;
        return resp.value;
      }
      lastError = `${to}: ${resp.error}`;
      if (!resp.retry) throw new KvClientError(resp.error);
      if (resp.leader && resp.leader !== to && this.servers.includes(resp.leader)) this.leader = resp.leader;
      else {
        this.leader = null;
        this.target++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new KvClientError(`timed out after ${timeout_ms} ms (${lastError})`);
  }
}
