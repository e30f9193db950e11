// The fault-injection soak above Raft and the key-value store: one seed's run (runSoak), its fault
// schedule, and the `atoll soak` (`npm run soak`) command line (main.ts).
export { runSoak, replayCommand, type SoakOptions, type SoakResult, type SoakProfile } from './soak.js';
export { scheduleRandomFaults, FaultCounts, type FaultPlan } from './schedule.js';
export { main as soakMain, SOAK_COMMAND } from './main.js';
