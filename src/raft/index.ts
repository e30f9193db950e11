// Raft, the consensus core of Atoll's global services: the pure state machine (Raft: step, tick, ready,
// advance), its storage (memory with crash semantics, file with checksummed records, over a node's
// DurableStorage), the replicated key-value state machine, the node driver and the raft-kv service,
// clients (simulated and TCP), the safety checker and the fault-injection soak harness.
export { Raft, type RaftConfig, type RaftStatus, type ProposeResult, type ReadResult, type ProgressStatus } from './raft.js';
export { RaftLog } from './log.js';
export { Progress, type ProgressState } from './progress.js';
export type {
  NodeId, Entry, ConfChange, ConfState, HardState, Snapshot, SnapshotMeta, Message, MessageType, Ready, ReadState,
  SoftState, StateRole, RaftRandom,
} from './types.js';
export { MESSAGE_TYPES } from './types.js';
export * from './storage/index.js';
export { KvStateMachine, encodeCommand, parseCommand, validateCommand, KV_MAX_KEY_BYTES, KV_MAX_VALUE_BYTES, KV_MAX_SESSIONS, type KvCommand, type KvOp, type KvResult } from './kv.js';
export { RaftKvServer, DEFAULT_TICK_NS, type RaftServerHost, type RaftServerOptions } from './server.js';
export { RaftKvService, RAFT_KV_SERVICE, parseRaftKvOptions, type RaftKvServiceOptions } from './service.js';
export { validateWire, type RaftWire, type WireRaft, type WireKvRequest, type WireKvResponse } from './wire.js';
export { KvClientService, KV_CLIENT_SERVICE, type KvWorkloadOptions } from './kv-client.js';
export { KvTcpClient, KvClientError, kvRoles, type KvTcpClientOptions } from './kv-tcp-client.js';
export { SafetyChecker } from './invariants.js';
export { runSoak, replayCommand, type SoakOptions, type SoakResult } from './soak.js';
