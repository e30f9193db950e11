// Raft, the consensus core of Atoll's global services: the pure state machine (Raft: step, tick, ready,
// advance), its log and progress tracking, the majority arithmetic (quorum), its storage (memory with
// crash semantics, one over a node's DurableStorage; the file storage is src/wal's RaftFileStorage), and
// the safety checker that watches every Ready. It does no I/O of its own beyond storage and reads no
// clock; src/rsm drives it, src/kv and other replicated services sit on top.
export { Raft, type RaftConfig, type RaftStatus, type ProposeResult, type ReadResult, type ProgressStatus } from './raft.js';
export { RaftLog } from './log.js';
export { Progress, type ProgressState } from './progress.js';
export { majoritySize, maxFailures, countVoters, hasQuorum, voteResult, committedIndex, type VoteResult } from './quorum.js';
export type {
  NodeId, Entry, ConfChange, ConfState, HardState, Snapshot, SnapshotMeta, Message, MessageType, Ready, ReadState,
  SoftState, StateRole, RaftRandom,
} from './types.js';
export { MESSAGE_TYPES } from './types.js';
export * from './storage/index.js';
export { SafetyChecker } from './invariants.js';
