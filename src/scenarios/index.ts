// Deterministic cluster scenarios: the robot swarm (and the shape every scenario has for the CLI,
// whose registry is SCENARIOS in src/cli/commands/scenario.ts).
export { runSwarm, swarmNodeIds, SWARM_ROBOTS_MAX, type SwarmOptions, type SwarmReport, type RobotReport } from './swarm.js';
export { summarizeNs, percentile, type LatencySummary } from './stats.js';
export type { ScenarioEntry } from './types.js';
