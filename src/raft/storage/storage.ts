// The durable side of a Raft node: what must survive a crash (hard state, log entries, the latest
// snapshot). A driver persists each Ready's durable part with persist() before sending its messages, and
// reads everything back with load() when it restarts.
import type { Entry, HardState, Snapshot } from '../types.js';


export interface StoredState {
  readonly hardState: HardState | null;
  readonly snapshot: Snapshot | null;
  /** Entries after the snapshot, in index order, no gaps. */
  readonly entries: readonly Entry[];
}

export interface PersistBatch {
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
}

export interface RaftStorage {
  load(): StoredState;
  /**
   * Make a Ready's durable part durable before returning: a snapshot replaces the log it covers; entries
   * replace any stored entries from their first index on; then the hard state.
   */
  persist(batch: PersistBatch): void;
  /** Record a snapshot taken locally and drop the entries it covers. */
  compact(snapshot: Snapshot): void;
  close(): void;
}

export { StorageCorruptError } from '../../base/index.js';

/** Apply a batch to an in-memory image of the stored state (shared by both storages). */
export function applyBatch(state: StoredState, batch: PersistBatch): StoredState {
  let snapshot = state.snapshot;
  let entries = [...state.entries];
  if (batch.snapshot) {
    snapshot = batch.snapshot;
    entries = entriesAfterSnapshot(entries, batch.snapshot);
  }
  if (batch.entries.length > 0) entries = spliceEntries(entries, batch.entries);
  return { hardState: batch.hardState ?? state.hardState, snapshot, entries };
}

export function applyCompact(state: StoredState, snapshot: Snapshot): StoredState {
  if (state.snapshot && state.snapshot.meta.index >= snapshot.meta.index) return state;
  return { ...state, snapshot, entries: entriesAfterSnapshot([...state.entries], snapshot) };
}

/** Keep the entries after a snapshot only if the log agrees with it at its index (else they diverge). */
export function entriesAfterSnapshot(entries: Entry[], snap: Snapshot): Entry[] {
  const at = entries.find((e) => e.index === snap.meta.index);
  // Either the log holds the snapshot's last entry with the same term, or it was rewritten to start after it.
  const agrees = at !== undefined ? at.term === snap.meta.term : entries[0]?.index === snap.meta.index + 1;
  return agrees ? entries.filter((e) => e.index > snap.meta.index) : [];
}

export function spliceEntries(entries: Entry[], add: readonly Entry[]): Entry[] {
  const first = add[0]!.index;
  const kept = entries.filter((e) => e.index < first);
  const last = kept[kept.length - 1];
  if (last && last.index + 1 !== first) {
    throw new Error(`raft storage: entries from ${first} leave a gap after ${last.index}`);
  }
  return kept.concat(add);
}
