// RaftFileStorage: Raft's storage on disk for real nodes, one directory holding `raft.log` (a record log of
// entries and hard states, src/wal) and `snapshot` (one record, replaced atomically). persist() appends
// and fsyncs before returning. Recovery replays the log over the snapshot; torn tails and corruption are
// the record log's (a torn tail is dropped, corruption in the middle refuses to start, naming the offset).
// compact() writes the snapshot and a rewritten log atomically, so the log stays bounded by the snapshot
// interval. Payloads are JSON.
import * as path from 'node:path';
import { RecordLog, readRecordFile, writeRecordFile, StorageCorruptError, type RecoveredRecord, type RecoveryReport } from './record-log.js';
import {
  applyBatch, applyCompact, entriesAfterSnapshot, type PersistBatch, type RaftStorage, type StoredState, type Entry, type HardState, type Snapshot,
} from '../raft/index.js';

type LogRecord =
  | { readonly t: 'entry'; readonly e: Entry }
  | { readonly t: 'hard'; readonly h: HardState };

const LABEL = 'raft storage';

export class RaftFileStorage implements RaftStorage {
  private readonly snapPath: string;
  private readonly log: RecordLog;
  private image: StoredState;
  /** What recovery found when the storage was opened. */
  readonly recovery: RecoveryReport;

  constructor(readonly dir: string) {
    this.snapPath = path.join(dir, 'snapshot');
    const snapshot = readSnapshot(this.snapPath);
    this.log = new RecordLog(path.join(dir, 'raft.log'), LABEL);
    this.recovery = this.log.recovery;
    this.image = replay(this.log.file, this.log.recovered, snapshot);
  }

  get syncs(): number {
    return this.log.syncs;
  }

  load(): StoredState {
    return this.image;
  }

  persist(batch: PersistBatch): void {
    if (batch.snapshot) {
      // A snapshot from the leader replaces the log: write it, then rewrite the log without what it covers.
      this.image = applyBatch(this.image, batch);
      this.writeSnapshotAndLog();
      return;
    }
    const records: string[] = [];
    for (const e of batch.entries) records.push(encode({ t: 'entry', e }));
    if (batch.hardState) records.push(encode({ t: 'hard', h: batch.hardState }));
    if (records.length === 0) return;
    const next = applyBatch(this.image, batch);
    this.log.append(records);
    this.image = next;
  }

  compact(snapshot: Snapshot): void {
    const next = applyCompact(this.image, snapshot);
    if (next === this.image) return;
    this.image = next;
    this.writeSnapshotAndLog();
  }

  close(): void {
    this.log.close();
  }

  private writeSnapshotAndLog(): void {
    const snap = this.image.snapshot;
    if (snap) writeRecordFile(this.snapPath, JSON.stringify(snap));
    const records: string[] = [];
    if (this.image.hardState) records.push(encode({ t: 'hard', h: this.image.hardState }));
    for (const e of this.image.entries) records.push(encode({ t: 'entry', e }));
    this.log.rewrite(records);
  }
}

function encode(r: LogRecord): string {
  return JSON.stringify(r);
}

function parseJson(json: string, file: string, off: number): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new StorageCorruptError(`${LABEL}: ${file} at byte ${off}: record passes its checksum but is not JSON`);
  }
}

function readSnapshot(file: string): Snapshot | null {
  const payload = readRecordFile(file, LABEL, 'snapshot');
  if (payload === null) return null;
  const snap = parseJson(payload, file, 0) as Snapshot;
  if (typeof snap?.meta?.index !== 'number' || typeof snap.data !== 'string') {
    throw new StorageCorruptError(`${LABEL}: snapshot file ${file} does not hold a snapshot`);
  }
  return snap;
}

function replay(file: string, records: readonly RecoveredRecord[], snapshot: Snapshot | null): StoredState {
  let state: StoredState = { hardState: null, snapshot: null, entries: [] };
  for (const { payload, offset } of records) {
    const r = parseJson(payload, file, offset) as LogRecord;
    if (r.t === 'entry') {
      try {
        state = applyBatch(state, { hardState: null, entries: [r.e], snapshot: null });
      } catch (err) {
        throw new StorageCorruptError(`${LABEL}: ${file} at byte ${offset}: ${(err as Error).message}`);
      }
    } else if (r.t === 'hard') {
      state = { ...state, hardState: r.h };
    } else {
      throw new StorageCorruptError(`${LABEL}: ${file} at byte ${offset}: unknown record type`);
    }
  }
  if (snapshot) state = { ...state, snapshot, entries: entriesAfterSnapshot([...state.entries], snapshot) };
  return state;
}
