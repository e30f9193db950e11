// Clocks: per-node physical and monotonic clocks with offset, drift and steps; Lamport and vector
// logical clocks; a happened-before relation computed from a trace's structure.
export { NodeClock, DRIFT_PPM_MAX, type ClockSettings } from './physical-clock.js';
export { LamportClock } from './lamport.js';
export { VectorClock, compareVectors, type VectorStamp, type CausalOrder } from './vector.js';
export { HappenedBefore, HB_MAX_EVENTS, type CausalEvent } from './happened-before.js';
