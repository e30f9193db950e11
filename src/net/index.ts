// The simulated network with its latency models and faults (scripts and a seeded nemesis): pure, loadable
// in a browser. The real TCP transport is its own unit, src/net/tcp (Node only).
export { SimNetwork, DEFAULT_LINK, checkLink, type LinkParams, type NetworkStats, type SimNetworkOptions, type DeliverFn } from './sim-network.js';
export { sampleLatency, checkLatency, type LatencyDist } from './latency.js';
export {
  parseFaultScript, parseDuration, applyFault, scheduleFaults, formatFault, formatFaultScript, FaultScriptError,
  type Fault, type ScheduledFault, type FaultTarget, type MigrationMethod, MIGRATION_METHODS,
} from './faults.js';
export { Nemesis, majoritiesRing, type NemesisKind, type NemesisOptions } from './nemesis.js';
