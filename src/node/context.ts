// The interface node code is written against, identical on the simulated and the TCP network: a node's
// identity and peers, its clocks, message sending, timers, its random stream, durable storage and a log.
// A node runs several named services; a message goes to the same-named service on the peer unless the
// sender names another. Messages are plain JSON-serialisable values; receivers must validate them.
import type { DurableStorage, Prng } from '../sim/index.js';

export type TimerId = number;

/**
 * The service name an operator's client (a CLI that dials a real cluster with a client id) receives answers on:
 * a node answers a client's request to this service of the client.
 */
export const OPERATOR_SERVICE = 'operator';

export interface NodeContext {
  readonly id: string;
  /** Every other node of the cluster. */
  readonly peers: readonly string[];
  /** The service this context belongs to. */
  readonly service: string;
  /** CLOCK_REALTIME of this node in ns (offset, drift and steps apply; may go backwards). */
  now_ns(): number;
  /** CLOCK_MONOTONIC of this node in ns (never decreases). */
  monotonic_ns(): number;
  /** Lamport time of this node (every message carries a stamp). */
  lamport(): number;
  /**
   * Send asynchronously (delivery is not guaranteed). False when the message surely did not leave:
   * an unknown peer, a peer known to be down (connection refused), or a full send buffer.
   */
  send(to: string, msg: unknown, service?: string): boolean;
  /** Run cb after delay_ns of this node's monotonic time. */
  setTimer(delay_ns: number, cb: () => void): TimerId;
  clearTimer(id: TimerId): void;
  /** This service's random stream (seeded, deterministic in simulation). */
  readonly rng: Prng;
  /** This service's durable storage (a namespace of the node's storage). */
  readonly storage: DurableStorage;
  log(line: string): void;
  /**
   * Another service of this node by name, for in-process calls (a machine calling the node's `procs`);
   * undefined when the node runs none by that name. Optional: a host may offer no composition.
   */
  local?(service: string): NodeService | undefined;
  /**
   * Run every later message delivery and timer of this node, for every service, through gate (null: directly).
   * A machine whose harts run on worker threads pauses them around the node's work, so nothing on this thread
   * changes the machine while a hart runs. Optional: a single-threaded host needs none.
   */
  setGate?(gate: ((fn: () => void) => void) | null): void;
}

export interface NodeService {
  start(ctx: NodeContext): void;
  onMessage(from: string, msg: unknown): void;
  stop(): void;
}

/** Creates a fresh service instance for each (re)start of a node; options come from the cluster config. */
export type ServiceFactory = (options: Readonly<Record<string, unknown>>) => NodeService;

/** Service names (as a cluster config writes them) to factories; the composition layer (src/services) has the default one. */
export type ServiceRegistry = Readonly<Record<string, ServiceFactory>>;

/** The factory of a named service; one clear error for a name the registry does not hold. */
export function lookupService(registry: ServiceRegistry, name: string): ServiceFactory {
  const f = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!f) {
    const known = Object.keys(registry);
    throw new Error(`unknown service '${name}' (${known.length > 0 ? `known: ${known.join(', ')}` : 'no service registry was given'})`);
  }
  return f;
}

/** What travels between nodes: the addressed service, the Lamport stamp, optional vector stamp, the body. */
export interface Envelope {
  readonly svc: string;
  readonly lc: number;
  readonly vc?: Readonly<Record<string, number>>;
  readonly body: unknown;
}

export function isEnvelope(x: unknown): x is Envelope {
  if (x === null || typeof x !== 'object') return false;
  const e = x as Record<string, unknown>;
  return typeof e['svc'] === 'string' && typeof e['lc'] === 'number' && 'body' in e;
}
