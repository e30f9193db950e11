// Runs node services on the simulator: each node is a SimNode actor with its clocks (offset, drift,
// steps), a Lamport clock (and optionally a vector clock) stamped on every message, durable storage with
// crash semantics, and the simulated network between nodes. The same NodeService code runs over TCP in
// real-node.ts. Messages travel as JSON text, as over TCP, so a receiver never shares objects with the
// sender (or with a duplicate). A service that throws crashes its node (recorded in the trace), never
// the simulation.
import { SimNode, Simulation, type Prng, type SimulationOptions, type TraceOptions } from '../sim/index.js';
import { SimNetwork, type LinkParams } from '../net/index.js';
import { LamportClock, NodeClock, VectorClock, type ClockSettings } from '../time/index.js';
import { lookupService, type NodeContext, type NodeService, type ServiceFactory, type ServiceRegistry, type TimerId } from '../node/index.js';
import { NamespacedStorage } from './namespaced-storage.js';

export interface SimNodeSpec {
  readonly id: string;
  /** Service names from the cluster's registry, or factories given directly. */
  readonly services: Readonly<Record<string, ServiceFactory | Readonly<Record<string, unknown>>>> | readonly string[];
  readonly clock?: ClockSettings;
}

export interface SimClusterOptions {
  readonly seed: number;
  readonly nodes: readonly SimNodeSpec[];
  readonly link?: Partial<LinkParams>;
  readonly trace?: TraceOptions;
  /** Carry vector clocks on messages and in the trace (costs O(nodes) per message). */
  readonly vector_clocks?: boolean;
  /** Start every node at time 0 (default true). */
  readonly autostart?: boolean;
  /** Also write a `timer` line each time a service's timer fires (default false: timers are frequent). */
  readonly trace_timers?: boolean;
  /** Where service names in node specs are looked up (src/services has the default registry). */
  readonly registry?: ServiceRegistry;
}

/** A message in the simulated network: the envelope with the body as JSON text. */
export interface SimEnvelope {
  readonly svc: string;
  readonly lc: number;
  readonly vc?: Readonly<Record<string, number>>;
  readonly text: string;
  /** The body's `t` field, for the trace. */
  readonly kind: string | undefined;
}

/** Per-node host state that survives crashes: hardware clock and the logical clocks of the host. */
class NodeRuntime {
  readonly lamport = new LamportClock();
  readonly vector: VectorClock | undefined;
  constructor(readonly id: string, readonly clock: NodeClock, vector: boolean) {
    this.vector = vector ? new VectorClock(id) : undefined;
  }
}

/** The actor of one node incarnation: its running services. */
export class SimNodeHost {
  constructor(readonly services: ReadonlyMap<string, NodeService>) {}
  stop(): void {
    for (const s of this.services.values()) s.stop();
  }
}

export class SimCluster {
  readonly sim: Simulation;
  readonly net: SimNetwork<SimEnvelope>;
  readonly nodes = new Map<string, SimNode<SimNodeHost>>();
  private readonly runtimes = new Map<string, NodeRuntime>();
  private readonly factories = new Map<string, Map<string, () => NodeService>>();
  private readonly rootRng: Prng;
  readonly ids: readonly string[];
  serviceErrors = 0;
  private readonly traceTimers: boolean;

  constructor(opts: SimClusterOptions) {
    this.traceTimers = opts.trace_timers ?? false;
    const simOpts: SimulationOptions = opts.trace ? { seed: opts.seed, trace: opts.trace } : { seed: opts.seed };
    this.sim = new Simulation(simOpts);
    this.rootRng = this.sim.rng;
    const ids = opts.nodes.map((n) => n.id);
    if (new Set(ids).size !== ids.length) throw new Error('node ids must be unique');
    this.ids = ids;
    this.net = new SimNetwork<SimEnvelope>(this.sim, {
      rng: this.rootRng.split('net'),
      describe: (env) => env.kind,
      deliver: (from, to, env, id) => this.deliver(from, to, env, id),
      ...(opts.link ? { link: opts.link } : {}),
    });
    for (const spec of opts.nodes) {
      this.net.addNode(spec.id);
      this.runtimes.set(spec.id, new NodeRuntime(spec.id, new NodeClock(spec.clock), opts.vector_clocks ?? false));
      this.factories.set(spec.id, resolveFactories(spec, opts.registry ?? {}));
      this.nodes.set(spec.id, new SimNode<SimNodeHost>(this.sim, spec.id, (n) => this.boot(n)));
    }
    if (opts.autostart ?? true) for (const n of this.nodes.values()) n.start();
  }

  node(id: string): SimNode<SimNodeHost> {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node '${id}' (nodes: ${this.ids.join(', ')})`);
    return n;
  }

  /** The running instance of a service (undefined while the node is down). */
  service<T extends NodeService>(node: string, name: string): T | undefined {
    return this.node(node).actor?.services.get(name) as T | undefined;
  }

  clock(node: string): NodeClock {
    return this.runtime(node).clock;
  }

  crash(id: string): void {
    this.node(id).crash();
  }
  restart(id: string): void {
    this.node(id).restart();
  }
  start(id: string): void {
    this.node(id).start();
  }
  pause(id: string): void {
    this.node(id).pause();
  }
  resume(id: string): void {
    this.node(id).resume();
  }
  /** Step a node's physical clock (skew); its monotonic clock does not jump. */
  skew(id: string, delta_ns: number): void {
    this.clock(id).step(delta_ns, this.sim.now_ns);
    this.sim.record('clock.skew', { node: id, delta_ns });
  }
  drift(id: string, ppm: number): void {
    this.clock(id).setDrift(ppm, this.sim.now_ns);
    this.sim.record('clock.drift', { node: id, ppm });
  }

  private runtime(id: string): NodeRuntime {
    const r = this.runtimes.get(id);
    if (!r) throw new Error(`no node '${id}'`);
    return r;
  }

  private boot(n: SimNode<SimNodeHost>): SimNodeHost {
    const services = new Map<string, NodeService>();
    for (const [name, make] of this.factories.get(n.id)!) services.set(name, make());
    const host = new SimNodeHost(services);
    for (const [name, svc] of services) {
      const ctx = this.context(n, name, services);
      this.guard(n, () => svc.start(ctx));
    }
    return host;
  }

  private context(n: SimNode<SimNodeHost>, service: string, services: ReadonlyMap<string, NodeService>): NodeContext {
    const rt = this.runtime(n.id);
    const sim = this.sim;
    const peers = this.ids.filter((x) => x !== n.id);
    const inc = n.incarnation;
    const alive = (): boolean => n.status !== 'down' && n.incarnation === inc;
    return {
      id: n.id,
      peers,
      service,
      now_ns: () => rt.clock.physical_ns(sim.now_ns),
      monotonic_ns: () => rt.clock.monotonic_ns(sim.now_ns),
      lamport: () => rt.lamport.time,
      send: (to, msg, svc) => {
        if (!alive()) return false;
        const dest = this.nodes.get(to);
        if (!dest) return false;
        if (dest.status === 'down') {
          sim.record('net.refused', { from: n.id, to });
          return false;
        }
        let text: string | undefined;
        try {
          text = JSON.stringify(msg);
        } catch {
          text = undefined;
        }
        if (text === undefined) return false; // not a JSON value: it could not be sent over TCP either
        const t = msg !== null && typeof msg === 'object' ? (msg as { t?: unknown }).t : undefined;
        const kind = typeof t === 'string' ? t : undefined;
        const lc = rt.lamport.send();
        const env: SimEnvelope = rt.vector
          ? { svc: svc ?? service, lc, vc: rt.vector.tick(), text, kind }
          : { svc: svc ?? service, lc, text, kind };
        this.net.send(n.id, to, env);
        return true;
      },
      setTimer: (delay_ns, cb): TimerId => {
        // delay is measured on the node's own (drifting) clock
        const real = Math.max(0, Math.round(delay_ns / (1 + rt.clock.drift_ppm / 1e6)));
        if (!this.traceTimers) return n.setTimer(real, () => this.guard(n, cb));
        return n.setTimer(real, () => {
          sim.record('timer', { node: n.id, svc: service });
          this.guard(n, cb);
        });
      },
      clearTimer: (id) => n.clearTimer(id),
      rng: this.rootRng.split(`node/${n.id}/${inc}/${service}`),
      storage: new NamespacedStorage(n.storage, `${service}/`),
      log: (line) => sim.record('log', { node: n.id, svc: service, line }),
      local: (name) => (alive() ? services.get(name) : undefined),
    };
  }

  private deliver(from: string, to: string, env: SimEnvelope, id: number): void {
    const n = this.nodes.get(to);
    if (!n) return;
    const r = n.run(() => {
      const rt = this.runtime(to);
      const lc = rt.lamport.receive(env.lc);
      if (rt.vector && env.vc) {
        this.sim.record('net.deliver', { id, from, to, lc, vc: rt.vector.receive(env.vc) });
      } else {
        this.sim.record('net.deliver', { id, from, to, lc });
      }
      const svc = n.actor?.services.get(env.svc);
      if (!svc) {
        this.sim.record('net.drop', { id, why: 'no-service', svc: env.svc });
        return;
      }
      this.guard(n, () => svc.onMessage(from, JSON.parse(env.text) as unknown));
    });
    if (r === 'dropped') this.sim.record('net.drop', { id, why: 'node-down' });
  }

  private guard(n: SimNode<SimNodeHost>, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.serviceErrors++;
      this.sim.record('service.error', { node: n.id, error: err instanceof Error ? err.message : String(err) });
      n.crash();
    }
  }
}

function resolveFactories(spec: SimNodeSpec, registry: ServiceRegistry): Map<string, () => NodeService> {
  const out = new Map<string, () => NodeService>();
  if (Array.isArray(spec.services)) {
    for (const name of spec.services as readonly string[]) {
      const f = lookupService(registry, name);
      out.set(name, () => f({}));
    }
    return out;
  }
  for (const [name, v] of Object.entries(spec.services as Record<string, ServiceFactory | Record<string, unknown>>)) {
    if (typeof v === 'function') out.set(name, () => v({}));
    else {
      const f = lookupService(registry, name);
      out.set(name, () => f(v));
    }
  }
  return out;
}
