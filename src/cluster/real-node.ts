// Runs node services as a real OS process on the TCP network: the same NodeService code as in the
// simulator, with timers on the host's event loop, clocks from an injected HostClock, Lamport stamps
// on every envelope, and file storage per node when the config names a data directory (in-memory
// otherwise). A service that throws is logged and counted; the node keeps running.
import { join } from 'node:path';
import { Prng, SimStorage, type DurableStorage } from '../sim/index.js';
import { TcpTransport, type PeerAddress } from '../net/tcp/index.js';
import { LamportClock } from '../time/index.js';
import { linkDelayMs, loadTlsMaterial, type ClusterConfig, type ServiceList } from './config.js';
import { isEnvelope, lookupService, type Envelope, type NodeContext, type NodeService, type ServiceFactory, type ServiceRegistry, type TimerId } from '../node/index.js';
import { ServiceFileStorage } from './file-storage.js';
import { NamespacedStorage } from './namespaced-storage.js';

/** Where real time comes from (the CLI passes the host's clocks). */
export interface HostClock {
  physical_ns(): number;
  monotonic_ns(): number;
}

export interface RealNodeOptions {
  readonly config: ClusterConfig;
  readonly id: string;
  readonly clock: HostClock;
  readonly seed: number;
  readonly log: (line: string) => void;
  /** Run these instead of the services the config names (used by tests and tools). */
  readonly services?: Readonly<Record<string, ServiceFactory>>;
  /** Where the service names of the config are looked up (src/services has the default registry). */
  readonly registry?: ServiceRegistry;
  /** Maximum live timers (default 100 000). */
  readonly max_timers?: number;
}

export class RealNode {
  readonly services = new Map<string, NodeService>();
  private readonly transport: TcpTransport;
  private readonly storage: DurableStorage & { close?: () => void };
  private readonly lamport = new LamportClock();
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private nextTimer = 1;
  private readonly rng: Prng;
  private stopped = false;
  /** What every delivery and timer runs through (NodeContext.setGate). */
  private gate: ((fn: () => void) => void) | null = null;
  serviceErrors = 0;

  constructor(private readonly opts: RealNodeOptions) {
    const me = opts.config.nodes.find((n) => n.id === opts.id);
    if (!me) throw new Error(`node '${opts.id}' is not in the config (nodes: ${opts.config.nodes.map((n) => n.id).join(', ')})`);
    this.rng = new Prng(opts.seed);
    const peers = new Map<string, PeerAddress>(opts.config.nodes.map((n) => [n.id, { host: n.host, port: n.port }]));
    this.transport = new TcpTransport({
      id: opts.id, key: opts.config.key, listen: { host: me.host, port: me.port }, peers,
      rng: this.rng.split('transport'), max_frame_bytes: opts.config.max_frame_bytes, tls: loadTlsMaterial(opts.config, opts.id),
      onMessage: (from, payload) => this.deliver(from, payload),
      log: (line) => opts.log(line),
      ...(opts.config.delays.length > 0 ? { delay_ms: (to: string) => linkDelayMs(opts.config, opts.id, to) } : {}),
    });
    this.storage = opts.config.data_dir ? new ServiceFileStorage(join(opts.config.data_dir, opts.id)) : new SimStorage();
    const list: ServiceList = me.services ?? opts.config.services;
    const factories: [string, ServiceFactory, Readonly<Record<string, unknown>>][] = opts.services
      ? Object.entries(opts.services).map(([n, f]) => [n, f, {}])
      : Object.entries(list).map(([n, o]) => [n, lookupService(opts.registry ?? {}, n), o]);
    for (const [name, make, options] of factories) this.services.set(name, make(options));
  }

  get stats(): TcpTransport['stats'] {
    return this.transport.stats;
  }

  isConnected(peer: string): boolean {
    return this.transport.isConnected(peer);
  }

  async start(): Promise<PeerAddress> {
    const addr = await this.transport.start();
    if (!addr) throw new Error(`node '${this.opts.id}' has no listen address`);
    for (const [name, svc] of this.services) this.guard(name, () => svc.start(this.context(name)));
    return addr;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const [name, svc] of this.services) this.guard(name, () => svc.stop());
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.transport.stop();
    this.storage.close?.();
  }

  private context(service: string): NodeContext {
    const clock = this.opts.clock;
    const peers = this.opts.config.nodes.map((n) => n.id).filter((x) => x !== this.opts.id);
    return {
      id: this.opts.id, peers, service,
      now_ns: () => clock.physical_ns(),
      monotonic_ns: () => clock.monotonic_ns(),
      lamport: () => this.lamport.time,
      send: (to, msg, svc) => {
        if (this.stopped) return false;
        if (msg === undefined || typeof msg === 'function' || typeof msg === 'symbol') return false; // not JSON
        const env: Envelope = { svc: svc ?? service, lc: this.lamport.send(), body: msg };
        if (to === this.opts.id) return this.sendToSelf(env);
        return this.transport.send(to, env);
      },
      setTimer: (delay_ns, cb) => {
        if (this.timers.size >= (this.opts.max_timers ?? 100_000)) throw new RangeError(`node ${this.opts.id} has too many timers`);
        const id = this.nextTimer++;
        this.timers.set(id, setTimeout(() => {
          this.timers.delete(id);
          if (!this.stopped) this.guard(service, cb);
        }, Math.max(0, delay_ns / 1e6)));
        return id;
      },
      clearTimer: (id) => {
        const t = this.timers.get(id);
        if (t) clearTimeout(t);
        this.timers.delete(id);
      },
      rng: this.rng.split(`service/${service}`),
      storage: new NamespacedStorage(this.storage, `${service}/`),
      log: (line) => this.opts.log(`[${service}] ${line}`),
      local: (name) => (this.stopped ? undefined : this.services.get(name)),
      setGate: (gate) => { this.gate = gate; },
    };
  }

  /** A message to this node itself goes through JSON like any other, on a later turn of the event loop. */
  private sendToSelf(env: Envelope): boolean {
    let text: string | undefined;
    try {
      text = JSON.stringify(env);
    } catch {
      return false;
    }
    if (text === undefined) return false;
    const copy = text;
    setImmediate(() => this.deliver(this.opts.id, JSON.parse(copy) as unknown));
    return true;
  }

  private deliver(from: string, payload: unknown): void {
    if (this.stopped) return;
    if (!isEnvelope(payload)) {
      this.opts.log(`dropped message from ${from}: not an envelope`);
      return;
    }
    this.lamport.receive(payload.lc);
    const svc = this.services.get(payload.svc);
    if (!svc) {
      this.opts.log(`dropped message from ${from}: no service '${payload.svc}' here`);
      return;
    }
    this.guard(payload.svc, () => svc.onMessage(from, payload.body));
  }

  private guard(service: string, fn: () => void): void {
    try {
      const gate = this.gate;
      if (gate === null) fn();
      else gate(fn);
    } catch (err) {
      this.serviceErrors++;
      this.opts.log(`service ${service} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
