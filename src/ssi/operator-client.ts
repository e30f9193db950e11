// The operator's client of a real cluster (atoll ps, atoll kill, atoll migrate): not a member (a fresh client id), it dials
// the nodes that run a machine, asks, and gathers the answers that come back on its connections within a
// deadline; a node that does not answer is reported as such, never waited for beyond it.
import { isEnvelope, loadTlsMaterial, type ClusterConfig } from '../cluster/index.js';
import { TcpTransport, CLIENT_CERT_ID, freshClientId, type PeerAddress } from '../net/tcp/index.js';
import { Prng } from '../sim/index.js';
import { MACHINE_SERVICE } from './machine-service.js';
import { OPERATOR_SERVICE, parseOperatorReply, type OperatorProcess, type OperatorRequest } from './operator.js';
import { parseFsReply, type FsReply, type FsRequest } from '../gfs/index.js';
import type { MigrationMethod } from '../net/index.js';
import type { MigrationFigures } from './migration.js';

/** A namespace request without its envelope fields (t, req). */
export type FsRequestBody = FsRequest extends infer R ? R extends unknown ? Omit<R, 't' | 'req'> : never : never;

export interface NodeProcesses {
  readonly node: string;
  /** null: the node did not answer in time. */
  readonly processes: readonly OperatorProcess[] | null;
}

/** The nodes of a config that run a service (default: the machine). */
export function machineNodes(config: ClusterConfig, service: string = MACHINE_SERVICE): string[] {
  return config.nodes.filter((n) => Object.keys(n.services ?? config.services).includes(service)).map((n) => n.id);
}

export class OperatorClient {
  private readonly transport: TcpTransport;
  private readonly waiting = new Map<number, (reply: unknown) => void>();
  private nextReq = 1;
  /** The node that answered the last namespace request. */
  private fsNode: string | null = null;
  readonly nodes: string[];

  /** service: the service asked on each node (default the machine; `gfs` for atoll fs). */
  constructor(config: ClusterConfig, seed: number, private readonly service: string = MACHINE_SERVICE) {
    this.nodes = machineNodes(config, service);
    const peers = new Map<string, PeerAddress>(config.nodes.filter((n) => this.nodes.includes(n.id)).map((n) => [n.id, { host: n.host, port: n.port }]));
    this.transport = new TcpTransport({
      id: freshClientId(), key: config.key, peers, rng: new Prng(seed), max_frame_bytes: config.max_frame_bytes,
      tls: loadTlsMaterial(config, CLIENT_CERT_ID), log: () => {}, backoff_base_ms: 20, backoff_max_ms: 200,
      onMessage: (_from, payload) => {
        if (!isEnvelope(payload) || payload.svc !== OPERATOR_SERVICE) return;
        const r = parseOperatorReply(payload.body) ?? parseFsReply(payload.body);
        if (r !== null) this.waiting.get(r.req)?.(r);
      },
    });
  }

  start(): Promise<unknown> {
    return this.transport.start();
  }

  close(): Promise<void> {
    return this.transport.stop();
  }

  /** Send a request to node and wait for its answer (null after timeout_ms). */
  private ask(node: string, make: (req: number) => OperatorRequest | FsRequest, timeout_ms: number): Promise<unknown> {
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(req); resolve(null); }, timeout_ms);
      this.waiting.set(req, (r) => { clearTimeout(timer); this.waiting.delete(req); resolve(r); });
      this.transport.send(node, { svc: this.service, lc: 0, body: make(req) });
    });
  }

  /** Every node's processes. */
  async ps(timeout_ms = 2000): Promise<NodeProcesses[]> {
    return Promise.all(this.nodes.map(async (node) => {
      const r = await this.ask(node, (req) => ({ t: 'ps.req', req }), timeout_ms) as { processes?: OperatorProcess[] } | null;
      return { node, processes: r?.processes ?? null };
    }));
  }

  /**
   * A namespace request (atoll fs) through the first node that answers, then that node for the next ones: its
   * reply, or null when no node answered within timeout_ms. A reply is the namespace's answer, never retried.
   */
  async fs(request: FsRequestBody, timeout_ms = 5000): Promise<FsReply | null> {
    const order = this.fsNode === null ? this.nodes : [this.fsNode, ...this.nodes.filter((n) => n !== this.fsNode)];
    for (const node of order) {
      const r = await this.ask(node, (req) => ({ ...request, t: 'fs.req', req }) as FsRequest, timeout_ms) as FsReply | null;
      if (r !== null && r.t === 'fs.resp') { this.fsNode = node; return r; }
    }
    return null;
  }

  /**
   * Move pid to node `to`: asked of the node whose machine runs it (found by ps), answered with the figures once
   * the move has an outcome (error set: it runs on where it was). null: no node answered in time; a string: why
   * nothing was asked (no such process).
   */
  async migrate(pid: number, to: string, method: MigrationMethod, timeout_ms = 10_000): Promise<MigrationFigures | string | null> {
    const all = await this.ps(Math.min(timeout_ms, 2000));
    const at = all.find((n) => n.processes?.some((p) => p.pid === pid && p.state === 'running'));
    if (at === undefined) {
      const silent = all.filter((n) => n.processes === null).map((n) => n.node);
      return `no process ${pid} runs on the cluster${silent.length > 0 ? ` (no answer from ${silent.join(', ')})` : ''}`;
    }
    const r = await this.ask(at.node, (req) => ({ t: 'migrate.req', req, pid, to, method }), timeout_ms) as { figures?: MigrationFigures } | null;
    return r?.figures ?? null;
  }

  /** Signal pid (wherever it runs) through the first node that answers: 0 or -errno; null when none did. */
  async kill(pid: number, sig: number, timeout_ms = 2000): Promise<number | null> {
    for (const node of this.nodes) {
      const r = await this.ask(node, (req) => ({ t: 'kill.req', req, pid, sig }), timeout_ms) as { result?: number } | null;
      if (r !== null && typeof r.result === 'number') return r.result;
    }
    return null;
  }
}
