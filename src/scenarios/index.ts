// Deterministic cluster scenarios: the robot swarm, the quorum register's quorum and cap scenarios, the
// simulated raft-kv cluster the Raft scenarios, the soak and the benchmarks build on (RaftSim), and the
// shape every scenario has for the CLI, whose registry is SCENARIOS in src/cli/commands/scenario.ts.
export { runSwarm, swarmNodeIds, SWARM_ROBOTS_MAX, type SwarmOptions, type SwarmReport, type RobotReport } from './swarm.js';
export { summarizeNs, percentile, type LatencySummary } from './stats.js';
export type { ScenarioEntry } from './types.js';
export { RaftSim, MS, formatTimeline, round3, raftSimNodeIds, type RaftSimOptions, type NodeSample, type TimelineSample, type TimelineEvent } from './raft-sim.js';
export { runQuorumScenario, quorumScenario, type QuorumReport, type QuorumRun } from './quorum.js';
export { runCap, capScenario, type CapReport, type CapRun, type CapSide, type CapConflict } from './cap.js';
export { runGeo, geoScenario, type GeoReport, type GeoCentreReport, type GeoStaleness } from './geo.js';
// Types only: the deadlock, migrate and false-sharing modules (which run guests on machines) load on demand.
export type { DeadlockReport } from './deadlock.js';
export type { MigrateReport } from './migrate.js';
export type { FalseSharingReport } from './false-sharing.js';
