// A Raft storage in memory with crash semantics, for the simulator: writes land in a volatile image and
// become durable only at sync(); crash() loses whatever was not synced. persist() writes and syncs, as the
// Raft driver contract requires; write() alone lets tests model a write that a crash cuts short.
import { applyBatch, applyCompact, type PersistBatch, type RaftStorage, type StoredState } from './storage.js';
import type { Snapshot } from '../types.js';

const EMPTY: StoredState = { hardState: null, snapshot: null, entries: [] };

export class MemoryStorage implements RaftStorage {
  private durable: StoredState = EMPTY;
  private volatile: StoredState = EMPTY;
  /** Counts for benchmarks and tests. */
  syncs = 0;

  load(): StoredState {
    return this.volatile;
  }

  write(batch: PersistBatch): void {
    this.volatile = applyBatch(this.volatile, batch);
  }

  sync(): void {
    this.durable = this.volatile;
    this.syncs++;
  }

  persist(batch: PersistBatch): void {
    this.write(batch);
    this.sync();
  }

  compact(snapshot: Snapshot): void {
    this.volatile = applyCompact(this.volatile, snapshot);
    this.sync();
  }

  /** The machine lost power: un-synced writes are gone. */
  crash(): void {
    this.volatile = this.durable;
  }

  close(): void {}
}
