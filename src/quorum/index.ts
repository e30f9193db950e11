// Quorum systems (threshold N/R/W, majority, read-one/write-all, grid, weighted votes, explicit lists)
// and the checker that proves or refutes their intersection.
export {
  QUORUM_NODES_MAX, QuorumConfigError, explicitQuorums, gridQuorums, majorityQuorums, maskOf, membersOf, popcount,
  rowaQuorums, thresholdQuorums, weightedQuorums, type QuorumKind, type QuorumSystem,
} from './systems.js';
export { checkIntersection, formatIntersection, type IntersectionProperty, type IntersectionReport, type PropertyVerdict } from './intersection.js';
