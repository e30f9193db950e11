// The replicated key-value store, one service on the rsm host: the state machine (put/get/del with
// exactly-once sessions), the `raft-kv` node service, the wire protocol, and its clients: one client core
// (request matching, leader search, retries with backoff, sessions) under the simulated workload and the
// TCP client.
export {
  KvStateMachine, encodeCommand, parseCommand, validateCommand, KV_MAX_KEY_BYTES, KV_MAX_VALUE_BYTES, KV_MAX_SESSIONS,
  type KvCommand, type KvOp, type KvResult,
} from './state-machine.js';
export { RaftKvService, RAFT_KV_SERVICE, KV_CLIENT_SERVICE, parseRaftKvOptions, type RaftKvServiceOptions, type KvHost } from './service.js';
export {
  validateWire, kvResultToWire, type KvWire, type WireRaft, type WireKvRequest, type WireKvResponse, type WireStatusRequest,
  type WireStatusResponse, type NodeStatusReport,
} from './wire.js';
export { KvClientCore, KV_MAX_CALLS, type KvClientEnv, type KvRetryPolicy, type KvCallResult, type KvCallOptions } from './client-core.js';
export { KvClientService, type KvWorkloadOptions } from './sim-client.js';
export { KvTcpClient, KvClientError, kvServers, type KvTcpClientOptions } from './tcp-client.js';
