// The replicated-state-machine host: any deterministic StateMachine (apply, snapshot, restore) runs on
// Raft through RsmHost (the node loop: persist, send, apply, advance; proposals and linearizable reads
// with completion callbacks; snapshots), its node-local client (calls forwarded to the leader and retried to a
// deadline), with exactly-once client sessions (SessionTable), the Raft wire
// validation, and the choice of Raft storage for a node. The key-value store (src/kv) is one such service.
export { parseLogCommand, type StateMachine } from './state-machine.js';
export {
  RsmHost, DEFAULT_TICK_NS, type RsmContext, type RsmHostOptions, type ProposalDone, type ReadDone, type Refusal,
  type RsmStatus,
} from './host.js';
export { SessionTable, type Session, type SessionCheck } from './sessions.js';
export { validRaftMessage, validateRaftWire, validateCommandAnswerWire, validateQueryAnswerWire, type WireRaft } from './wire.js';
export {
  RsmClient, RSM_CLIENT_DEFAULTS, incarnationPrefix, type RsmClientService, type RsmClientOptions, type RsmCallOptions, type RsmError, type RsmErrorKind,
  type RsmOutcome, type Settled, type CommandAnswer, type QueryAnswerOf,
} from './client.js';
export { parseRsmServiceOptions, serviceHost, serviceClientOptions, type RsmServiceOptions } from './service-options.js';
export { openRaftStorage, type RaftFileOpener } from './storage.js';
