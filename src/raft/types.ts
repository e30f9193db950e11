// Raft's data: log entries, the persistent hard state, snapshots, membership, and the messages peers
// exchange (a discriminated union on `type`). Everything here is plain JSON-serializable data so the same
// values cross the simulated network and the TCP transport unchanged.

export type NodeId = string;

/** A log entry. `normal` entries carry the application's command (empty data for a leader's no-op). */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: 'normal' | 'conf';
  /** The command for `normal`, a JSON ConfChange for `conf`. */
  readonly data: string;
}

/** One server at a time: add a learner, promote a caught-up learner to voter, or remove a node. */
export type ConfChange =
  | { readonly kind: 'add-learner'; readonly node: NodeId }
  | { readonly kind: 'add-voter'; readonly node: NodeId }
  | { readonly kind: 'remove'; readonly node: NodeId };

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** What must be on stable storage before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The application's serialized state at meta.index. */
  readonly data: string;
}

export type StateRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

interface MsgBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Append entries after (index, logTerm); also the probe a leader sends when it does not know a follower. */
export interface MsgApp extends MsgBase {
  readonly type: 'app';
  readonly index: number;
  readonly logTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Accept: `index` is the follower's last index matching the leader. Reject: `rejectHint` is the index
 * the follower probed from and `logTerm` its term there, so the leader can skip a whole term of conflicts.
 */
export interface MsgAppResp extends MsgBase {
  readonly type: 'app-resp';
  readonly index: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly logTerm: number;
}

/** A (pre-)vote request: `index`/`logTerm` describe the candidate's last entry. */
export interface MsgVote extends MsgBase {
  readonly type: 'vote' | 'prevote';
  readonly index: number;
  readonly logTerm: number;
  /** Set by a leader transfer: voters ignore their leader lease. */
  readonly force: boolean;
}

export interface MsgVoteResp extends MsgBase {
  readonly type: 'vote-resp' | 'prevote-resp';
  readonly reject: boolean;
}

export interface MsgHeartbeat extends MsgBase {
  readonly type: 'heartbeat';
  readonly commit: number;
  /** A ReadIndex request's context, echoed back so the leader can count acknowledgements. */
  readonly context: string | null;
}

export interface MsgHeartbeatResp extends MsgBase {
  readonly type: 'heartbeat-resp';
  readonly context: string | null;
}

export interface MsgSnap extends MsgBase {
  readonly type: 'snap';
  readonly snapshot: Snapshot;
}

/** Leader transfer: the target campaigns at once, without PreVote and ignoring leases. */
export interface MsgTimeoutNow extends MsgBase {
  readonly type: 'timeout-now';
}

export type Message =
  | MsgApp | MsgAppResp | MsgVote | MsgVoteResp | MsgHeartbeat | MsgHeartbeatResp | MsgSnap | MsgTimeoutNow;

export type MessageType = Message['type'];

/** A ReadIndex result: once applied >= index, a read tagged `context` may be served linearizably. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

export interface SoftState {
  readonly lead: NodeId | null;
  readonly role: StateRole;
}

/**
 * The output of one step. The driver must, in this order: persist `snapshot`, `entries` and `hardState`
 * (and sync), send `messages`, apply `committedEntries` (and `snapshot` to the state machine), then call
 * advance(ready).
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
}

/** Randomness comes in from outside (the simulator's seeded PRNG, or a real one in real mode). */
export interface RaftRandom {
  /** A uniform integer in [0, bound). */
  nextInt(bound: number): number;
}

export const MESSAGE_TYPES: readonly MessageType[] = [
  'app', 'app-resp', 'vote', 'prevote', 'vote-resp', 'prevote-resp', 'heartbeat', 'heartbeat-resp', 'snap',
  'timeout-now',
];
