// The geo-replicated file store: centres of replicas, LOCAL_QUORUM writes and reads, asynchronous WAN
// replication, hybrid-clock versions with last-writer-wins and a conflict log, anti-entropy, client
// sessions and their checker, and the simulator harness the scenario, tests and benchmarks share.
export { compareVersions, formatVersion, HybridClock, isVersion, maxVersion, VERSION_ZERO, type Version } from './hlc.js';
export {
  applyGeoLinks, geoTopology, geoTopologyOf, wanCutGroups, GeoConfigError, GEO_CENTRES_MAX, GEO_REPLICAS_MAX, LOCAL_LINK, WAN_LINK,
  type GeoLinks, type GeoTopology, type GeoTopologyOptions,
} from './topology.js';
export { ReplicaStore, GeoInputError, checkKey, DIGEST_BUCKETS, KEY_CHARS_MAX, type Entry, type Conflict, type ApplyResult, type ReplicaLimits } from './replica.js';
export {
  newSession, readFloor, writeFloor, afterRead, afterWrite, afterOp, isSessionState, DEFAULT_GUARANTEES, ALL_GUARANTEES, NO_GUARANTEES, SESSION_KEYS_MAX,
  type SessionGuarantees, type SessionState,
} from './session.js';
export { checkSessions, totalViolations, type SessionOp, type SessionCheck, type Guarantee } from './checker.js';
export {
  GeoStore, AE_ENTRIES_MAX, GEO_CLIENT_SERVICE, parseGeoOptions,
  type GeoStoreOptions, type GeoResult, type GeoFailure, type GeoStoreStats, type GeoClientRequest, type GeoClientReply,
} from './store.js';
export { GeoSim, GEO_SERVICE, type GeoSimOptions, type GeoClient, type GeoOp, type WorkloadOptions } from './sim.js';
export { GeoMount } from './mount.js';
