// A key-value client for real raft-kv clusters over the TCP transport: the shared client core with a
// TCP transport and the host's timers as its environment, and promises on top. The client is not a
// cluster member: each instance has its own id, `client:<64 random bits>`, listens nowhere, dials the
// raft-kv nodes (cluster key, and under TLS the `client` certificate of the cluster CA), and reads the
// answers on the connections it made; answers must name the command they answer. So any number of
// clients can run at once, and an answer for one can never reach another. Bound: one call in flight per
// session; `timeout_ms` per call overall.
import type { ClusterConfig } from '../cluster/index.js';
import { isEnvelope, loadTlsMaterial } from '../cluster/index.js';
import { TcpTransport, type PeerAddress } from '../net/tcp/index.js';
import { CLIENT_CERT_ID, freshClientId } from '../net/tcp/index.js';
import { Prng } from '../sim/index.js';
import { KvClientCore, type KvClientEnv } from './client-core.js';
import type { KvOp } from './state-machine.js';
import { KV_CLIENT_SERVICE, RAFT_KV_SERVICE } from './service.js';
import type { NodeStatusReport } from './wire.js';

export interface KvTcpClientOptions {
  readonly config: ClusterConfig;
  /** The session id in the replicated state machine (default: this client's own id, unique per instance). */
  readonly session?: string;
  readonly seed: number;
  readonly attempt_timeout_ms?: number;
  /** The wall clock in ms for the call deadline (the caller's: this module reads no clock itself). */
  readonly clock_ms: () => number;
  readonly log?: (line: string) => void;
}

export class KvClientError extends Error {
  override name = 'KvClientError';
}

/**
 * The servers of a cluster config: the nodes running raft-kv. Other entries are ignored (an older
 * config's `client` entry, which clients once spoke as, is no longer used).
 */
export function kvServers(config: ClusterConfig): string[] {
  const servers = config.nodes.filter((n) => Object.keys(n.services ?? config.services).includes(RAFT_KV_SERVICE)).map((n) => n.id);
  if (servers.length === 0) throw new KvClientError(`no node in the config runs the ${RAFT_KV_SERVICE} service`);
  return servers;
}

const MS = 1_000_000;

/** The host's timers as the core's: numbered, in ns. */
class HostTimers {
  private next = 1;
  private readonly live = new Map<number, ReturnType<typeof setTimeout>>();

  set(delay_ns: number, cb: () => void): number {
    const id = this.next++;
    this.live.set(id, setTimeout(() => {
      this.live.delete(id);
      cb();
    }, Math.max(0, delay_ns / MS)));
    return id;
  }

  clear(id: number): void {
    const t = this.live.get(id);
    if (t !== undefined) clearTimeout(t);
    this.live.delete(id);
  }
}

export class KvTcpClient {
  readonly servers: string[];
  /** This client's transport id, `client:<random>`. */
  readonly id: string;
  private readonly session: string;
  private readonly transport: TcpTransport;
  private readonly core: KvClientCore;

  constructor(private readonly o: KvTcpClientOptions) {
    const servers = kvServers(o.config);
    this.servers = servers;
    this.id = freshClientId();
    this.session = o.session ?? this.id;
    const peers = new Map<string, PeerAddress>(o.config.nodes.filter((n) => servers.includes(n.id)).map((n) => [n.id, { host: n.host, port: n.port }]));
    this.transport = new TcpTransport({
      id: this.id, key: o.config.key, peers, rng: new Prng(o.seed),
      max_frame_bytes: o.config.max_frame_bytes, tls: loadTlsMaterial(o.config, CLIENT_CERT_ID), log: o.log ?? (() => {}),
      onMessage: (_from, payload) => {
        if (isEnvelope(payload) && payload.svc === KV_CLIENT_SERVICE) this.core.onMessage(payload.body);
      },
      backoff_base_ms: 20, backoff_max_ms: 200,
    });
    const timers = new HostTimers();
    const env: KvClientEnv = {
      send: (to, body) => this.transport.send(to, { svc: RAFT_KV_SERVICE, lc: 0, body }),
      setTimer: (delay_ns, cb) => timers.set(delay_ns, cb),
      clearTimer: (id) => timers.clear(id),
      now_ns: () => o.clock_ms() * MS,
    };
    this.core = new KvClientCore(servers, env, {
      attempt_timeout_ns: (o.attempt_timeout_ms ?? 1000) * MS, backoff_base_ns: 10 * MS, backoff_max_ns: 200 * MS,
      clamp_to_deadline: true, fail_unsent: true, named_replies: true,
    }, KV_CLIENT_SERVICE);
  }

  /** Answers dropped because they answered no outstanding request of this client (see KvClientCore). */
  get dropped_replies(): number {
    return this.core.dropped_replies;
  }

  /** The last server that answered (the leader, as far as this client knows). */
  get leader(): string | null {
    return this.core.leader;
  }

  async start(): Promise<void> {
    await this.transport.start();
  }

  async close(): Promise<void> {
    this.core.close();
    await this.transport.stop();
  }

  /** Ask every raft-kv node for its view; null for a node that did not answer within timeout_ms. */
  async status(timeout_ms = 2000): Promise<Map<string, NodeStatusReport | null>> {
    const answers = await Promise.all(this.servers.map((to) =>
      new Promise<NodeStatusReport | null>((resolve) => this.core.status(to, timeout_ms * MS, resolve))));
    return new Map(this.servers.map((to, i) => [to, answers[i]!]));
  }

  /**
   * Run one operation; resolves with the value (get) or null; rejects after timeout_ms. Calls on one
   * session must not overlap (pass distinct `session` names to run operations concurrently).
   */
  run(op: KvOp, timeout_ms = 10_000, read: 'index' | 'log' = 'index', session = this.session): Promise<string | null> {
    const cmd = this.core.command(session, op);
    return new Promise((resolve, reject) => {
      this.core.call(cmd, { deadline_ns: (this.o.clock_ms() + timeout_ms) * MS, read }, (r) => {
        if (r.ok) resolve(r.value);
        else if (r.kind === 'refused') reject(new KvClientError(r.error));
        else reject(new KvClientError(`timed out after ${timeout_ms} ms (${r.error})`));
      });
    });
  }
}
