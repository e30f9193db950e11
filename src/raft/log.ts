// The in-memory Raft log: a snapshot point followed by entries, with the committed, applied and stabled
// (persisted) marks. Entries after `stabled` are the ones a Ready hands out for persisting. Bounded by
// compaction: the driver snapshots and calls compact() (see Raft.createSnapshot) to drop the prefix.
import type { Entry, Snapshot } from './types.js';

export class RaftLog {
  /** Index and term of the last entry folded into the snapshot (0, 0 for an empty log). */
  snapIndex = 0;
  snapTerm = 0;
  /** entries[i] has index snapIndex + 1 + i. */
  entries: Entry[] = [];
  committed = 0;
  applied = 0;
  /** Highest index known to be on stable storage. */
  stabled = 0;
  /** A snapshot received from the leader that the driver has not yet persisted/applied. */
  pendingSnapshot: Snapshot | null = null;

  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** The term at `index`, or undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1]!.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries in [lo, hi), at most `max_entries`. Requires lo > snapIndex. */
  slice(lo: number, hi: number, max_entries: number): Entry[] {
    if (lo <= this.snapIndex) throw new Error(`raft log: slice from ${lo} but compacted through ${this.snapIndex}`);
    const end = Math.min(hi, lo + max_entries, this.lastIndex() + 1);
    return this.entries.slice(lo - this.snapIndex - 1, end - this.snapIndex - 1);
  }

  entry(index: number): Entry | undefined {
    if (index <= this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1];
  }

  /** Is a log ending at (lastTerm, lastIndex) at least as up to date as ours? (Raft §5.4.1) */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Append at the end (leader path). */
  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (e.index !== this.lastIndex() + 1) throw new Error(`raft log: append of ${e.index} after ${this.lastIndex()}`);
      this.entries.push(e);
    }
  }

  /**
   * The follower path: entries following (index, logTerm), already known to match. Skips entries we
   * already have, truncates at the first conflict and appends the rest. Returns the last new index.
   */
  maybeAppend(index: number, entries: readonly Entry[]): number {
    let i = 0;
    for (; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.index <= this.snapIndex) continue;
      const t = this.term(e.index);
      if (t === undefined) break;
      if (t !== e.term) {
        if (e.index <= this.committed) {
          throw new Error(`raft log: conflict at committed index ${e.index} (committed ${this.committed})`);
        }
        this.truncateFrom(e.index);
        break;
      }
    }
    for (; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.index <= this.lastIndex()) continue;
      this.append([e]);
    }
    return index + entries.length;
  }

  /** Drop entries with index >= from (they conflict with the leader). */
  private truncateFrom(from: number): void {
    this.entries.length = from - this.snapIndex - 1;
    if (this.stabled >= from) this.stabled = from - 1;
  }

  /**
   * The largest index <= `index` whose term is <= `term`: where the leader should probe next, skipping
   * every entry of a term the other side cannot have (etcd's findConflictByTerm).
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    for (; i > this.snapIndex; i--) {
      if (this.term(i)! <= term) return i;
    }
    return i;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) throw new Error(`raft log: commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  unstableEntries(): Entry[] {
    return this.entries.slice(Math.max(this.stabled, this.snapIndex) - this.snapIndex);
  }

  /** Committed entries not yet applied, at most `max_entries`. */
  nextCommitted(max_entries: number): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed < lo) return [];
    return this.slice(lo, this.committed + 1, max_entries);
  }

  /** Replace the whole log by a snapshot (a follower that fell behind). */
  restore(snapshot: Snapshot): void {
    this.snapIndex = snapshot.meta.index;
    this.snapTerm = snapshot.meta.term;
    this.entries = [];
    this.committed = snapshot.meta.index;
    this.stabled = snapshot.meta.index;
    this.pendingSnapshot = snapshot;
  }

  /** Drop entries up to and including `index` (already in a snapshot). Requires index <= applied. */
  compact(index: number): void {
    if (index <= this.snapIndex) return;
    if (index > this.applied) throw new Error(`raft log: compact ${index} beyond applied ${this.applied}`);
    const term = this.term(index)!;
    this.entries = this.entries.slice(index - this.snapIndex);
    this.snapIndex = index;
    this.snapTerm = term;
  }
}
