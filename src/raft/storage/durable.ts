// Raft storage over a node's key-value DurableStorage (the simulator's SimStorage, with its crash
// semantics: what was not synced is lost). Keys: `hard`, `snap`, and `e/<index, 12 digits>` per entry.
// persist() writes then syncs once. Bound: the log kept here is bounded by the snapshot interval.
import type { DurableStorage } from '../../sim/index.js';
import { StorageCorruptError, entriesAfterSnapshot, type PersistBatch, type RaftStorage, type StoredState } from './storage.js';
import type { Entry, HardState, Snapshot } from '../types.js';

const entryKey = (index: number): string => `e/${String(index).padStart(12, '0')}`;

export class DurableRaftStorage implements RaftStorage {
  /** Stored entry range [first, last]; empty when last < first. */
  private first = 1;
  private last = 0;

  constructor(private readonly disk: DurableStorage) {}

  load(): StoredState {
    const hardRaw = this.disk.get('hard');
    const snapRaw = this.disk.get('snap');
    const hardState = hardRaw === undefined ? null : (parse(hardRaw, 'hard') as HardState);
    const snapshot = snapRaw === undefined ? null : (parse(snapRaw, 'snap') as Snapshot);
    let entries: Entry[] = [];
    for (const k of this.disk.keys('e/')) {
      const e = parse(this.disk.get(k)!, k) as Entry;
      const prev = entries[entries.length - 1];
      if (prev && prev.index + 1 !== e.index) throw new StorageCorruptError(`raft storage: gap in the log after ${prev.index}`);
      entries.push(e);
    }
    if (snapshot) entries = entriesAfterSnapshot(entries, snapshot);
    this.first = entries[0]?.index ?? (snapshot ? snapshot.meta.index + 1 : 1);
    this.last = entries[entries.length - 1]?.index ?? this.first - 1;
    return { hardState, snapshot, entries };
  }

  persist(batch: PersistBatch): void {
    if (batch.snapshot) this.installSnapshot(batch.snapshot);
    if (batch.entries.length > 0) {
      const from = batch.entries[0]!.index;
      for (let i = Math.max(from, this.first); i <= this.last; i++) this.disk.delete(entryKey(i));
      if (this.last < this.first) this.first = from;
      for (const e of batch.entries) this.disk.put(entryKey(e.index), JSON.stringify(e));
      this.last = batch.entries[batch.entries.length - 1]!.index;
    }
    if (batch.hardState) this.disk.put('hard', JSON.stringify(batch.hardState));
    this.disk.sync();
  }

  compact(snapshot: Snapshot): void {
    this.disk.put('snap', JSON.stringify(snapshot));
    const upTo = Math.min(snapshot.meta.index, this.last);
    for (let i = this.first; i <= upTo; i++) this.disk.delete(entryKey(i));
    this.first = Math.max(this.first, snapshot.meta.index + 1);
    if (this.last < this.first) this.last = this.first - 1;
    this.disk.sync();
  }

  close(): void {}

  private installSnapshot(snap: Snapshot): void {
    // A snapshot from the leader: the log it covers, and any log that disagrees with it, goes.
    this.disk.put('snap', JSON.stringify(snap));
    for (let i = this.first; i <= this.last; i++) this.disk.delete(entryKey(i));
    this.first = snap.meta.index + 1;
    this.last = snap.meta.index;
  }
}

function parse(raw: string, key: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new StorageCorruptError(`raft storage: key '${key}' does not hold JSON`);
  }
}
