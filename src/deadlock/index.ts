// The distributed lock managers and their deadlock strategies: each file's locks kept by the node that manages
// it, waits-for edges spread across nodes, and edge chasing, a central collector (naive, or confirmed), a global
// resource order or wait-die to find or prevent the deadlocks they make (docs/deadlock.md).
export { LockService, DLM_SERVICE, parseDeadlockStrategy, type DeadlockEvent, type LockServiceOptions } from './service.js';
export { LockHome, DLM_DOMAIN } from './home.js';
export { DEADLOCK_STRATEGIES, PROBE_PERIOD_NS_DEFAULT, LEASE_NS_DEFAULT, HOLD_NS, type DeadlockStrategy } from './limits.js';
export { managerOf, sortNodes } from './placement.js';
export { trueGraph, trueCycles, cycleExists, type TrueEdge } from './truth.js';
export { allCycles, findCycle } from './graph.js';
export type { Hop, Stamp } from './wire.js';
