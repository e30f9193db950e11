// Quorum systems (threshold N/R/W, majority, read-one/write-all, grid, weighted votes, explicit lists)
// and the checker that proves or refutes their intersection.
export {
  QUORUM_NODES_MAX, QuorumConfigError, explicitQuorums, gridQuorums, majorityQuorums, maskOf, membersOf, popcount,
  rowaQuorums, thresholdQuorums, weightedQuorums, type QuorumKind, type QuorumSystem,
} from './systems.js';
export { checkIntersection, formatIntersection, type IntersectionProperty, type IntersectionReport, type PropertyVerdict } from './intersection.js';
export { compareTags, formatTag, maxTag, TAG_ZERO, type Tag } from './tag.js';
export { QuorumRegister, type QuorumRegisterOptions, type RegisterFailure, type RegisterResult, type RegisterValue, type ReplicaState } from './register.js';
export { RegisterSim, REGISTER_SERVICE, type RegisterOp, type RegisterSimOptions, type WorkloadOptions } from './sim-register.js';
