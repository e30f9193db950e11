// The deterministic simulator's public face: seeded PRNG streams, virtual time in integer nanoseconds,
// the event queue, the Simulation loop with its hashed trace, nodes as actors with crash/restart, and
// durable storage with sync semantics. Nothing here reads a wall clock or Math.random.
export { Prng, fnv1a32, normalizeSeed } from './prng.js';
export { NS_PER_US, NS_PER_MS, NS_PER_S, TIME_MAX_NS, ms, us, sec, assertTimeNs, formatNs } from './vtime.js';
export { EventQueue, type QueuedEvent } from './event-queue.js';
export { Trace, type TraceOptions, type TraceRecord, type TraceValue } from './trace.js';
export { createSha256, useSha256, pureSha256, type Sha256, type Sha256Factory } from './sha256.js';
export {
  Simulation, DEFAULT_MAX_STEPS,
  type EventFn, type EventHandle, type SimulationOptions, type RunOptions, type RunResult, type StopReason,
} from './simulation.js';
export { SimNode, type Actor, type NodeStatus, type TimerId, type SimNodeOptions } from './node.js';
export {
  SimStorage, StorageLimitError, checkWrite, STORAGE_MAX_KEYS_DEFAULT, STORAGE_MAX_VALUE_BYTES_DEFAULT,
  type DurableStorage, type StorageLimits,
} from './storage.js';
