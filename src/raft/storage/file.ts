// A Raft storage on disk for real nodes: one directory holding `raft.log` (append-only records) and
// `snapshot` (one record). A record is [u32 payload length][u32 crc32 of payload][payload: JSON], little
// endian. persist() appends records and fsyncs before returning. Recovery replays the log: a torn tail
// (a record cut short by a crash) is dropped and the file truncated to the last good record; a bad record
// followed by more data is corruption in the middle and refuses to start with an error naming the offset.
// compact() writes the snapshot and a rewritten log atomically (temp file, fsync, rename, fsync dir), so
// the log stays bounded by the snapshot interval.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './crc32.js';
import {
  applyBatch, applyCompact, entriesAfterSnapshot, StorageCorruptError, type PersistBatch, type RaftStorage,
  type StoredState,
} from './storage.js';
import type { Entry, HardState, Snapshot } from '../types.js';

/** A single record larger than this is refused (and read back as corruption). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const HEADER_BYTES = 8;

type LogRecord =
  | { readonly t: 'entry'; readonly e: Entry }
  | { readonly t: 'hard'; readonly h: HardState };

export interface RecoveryReport {
  readonly records: number;
  readonly tornBytesDropped: number;
}

export class FileStorage implements RaftStorage {
  private readonly logPath: string;
  private readonly snapPath: string;
  private fd: number;
  private image: StoredState;
  /** What recovery found when the storage was opened. */
  readonly recovery: RecoveryReport;
  syncs = 0;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.logPath = path.join(dir, 'raft.log');
    this.snapPath = path.join(dir, 'snapshot');
    const snapshot = readSnapshot(this.snapPath);
    const { state, report, goodBytes } = readLog(this.logPath, snapshot);
    this.recovery = report;
    if (report.tornBytesDropped > 0) fs.truncateSync(this.logPath, goodBytes);
    this.image = state;
    this.fd = fs.openSync(this.logPath, 'a');
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
    const chunks: Buffer[] = [];
    for (const e of batch.entries) chunks.push(encodeRecord({ t: 'entry', e }));
    if (batch.hardState) chunks.push(encodeRecord({ t: 'hard', h: batch.hardState }));
    if (chunks.length === 0) return;
    const next = applyBatch(this.image, batch);
    const buf = Buffer.concat(chunks);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    fs.fsyncSync(this.fd);
    this.syncs++;
    this.image = next;
  }

  compact(snapshot: Snapshot): void {
    const next = applyCompact(this.image, snapshot);
    if (next === this.image) return;
    this.image = next;
    this.writeSnapshotAndLog();
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private writeSnapshotAndLog(): void {
    const snap = this.image.snapshot;
    if (snap) writeAtomic(this.snapPath, encodeRaw(JSON.stringify(snap)));
    const chunks: Buffer[] = [];
    if (this.image.hardState) chunks.push(encodeRecord({ t: 'hard', h: this.image.hardState }));
    for (const e of this.image.entries) chunks.push(encodeRecord({ t: 'entry', e }));
    fs.closeSync(this.fd);
    writeAtomic(this.logPath, Buffer.concat(chunks));
    this.fd = fs.openSync(this.logPath, 'a');
    this.syncs++;
  }
}

function encodeRaw(json: string): Buffer {
  const payload = Buffer.from(json, 'utf8');
  if (payload.length > MAX_RECORD_BYTES) throw new Error(`raft storage: record of ${payload.length} bytes exceeds ${MAX_RECORD_BYTES}`);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

function encodeRecord(r: LogRecord): Buffer {
  return encodeRaw(JSON.stringify(r));
}

function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dfd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

function readSnapshot(file: string): Snapshot | null {
  if (!fs.existsSync(file)) return null;
  const buf = fs.readFileSync(file);
  const rec = decodeAt(buf, 0);
  if (rec.kind !== 'ok' || rec.end !== buf.length) {
    throw new StorageCorruptError(`raft storage: snapshot file ${file} is corrupt (${rec.kind === 'ok' ? 'trailing bytes' : rec.kind}); restore it from a peer or remove the node's directory and re-add it`);
  }
  const snap = parseJson(rec.json, file, 0) as Snapshot;
  if (typeof snap?.meta?.index !== 'number' || typeof snap.data !== 'string') {
    throw new StorageCorruptError(`raft storage: snapshot file ${file} does not hold a snapshot`);
  }
  return snap;
}

type Decoded =
  | { readonly kind: 'ok'; readonly json: string; readonly end: number }
  | { readonly kind: 'torn' }
  | { readonly kind: 'bad-checksum'; readonly end: number }
  | { readonly kind: 'bad-length' };

function decodeAt(buf: Buffer, off: number): Decoded {
  if (buf.length - off < HEADER_BYTES) return { kind: 'torn' };
  const len = buf.readUInt32LE(off);
  const sum = buf.readUInt32LE(off + 4);
  if (len > MAX_RECORD_BYTES) return { kind: 'bad-length' };
  const end = off + HEADER_BYTES + len;
  if (end > buf.length) return { kind: 'torn' };
  const payload = buf.subarray(off + HEADER_BYTES, end);
  if (crc32(payload) !== sum) return { kind: 'bad-checksum', end };
  return { kind: 'ok', json: payload.toString('utf8'), end };
}

function parseJson(json: string, file: string, off: number): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new StorageCorruptError(`raft storage: ${file} at byte ${off}: record passes its checksum but is not JSON`);
  }
}

function readLog(file: string, snapshot: Snapshot | null): { state: StoredState; report: RecoveryReport; goodBytes: number } {
  let state: StoredState = { hardState: null, snapshot: null, entries: [] };
  const buf = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
  let off = 0;
  let records = 0;
  while (off < buf.length) {
    const rec = decodeAt(buf, off);
    if (rec.kind === 'ok') {
      const r = parseJson(rec.json, file, off) as LogRecord;
      if (r.t === 'entry') {
        try {
          state = applyBatch(state, { hardState: null, entries: [r.e], snapshot: null });
        } catch (err) {
          throw new StorageCorruptError(`raft storage: ${file} at byte ${off}: ${(err as Error).message}`);
        }
      } else if (r.t === 'hard') {
        state = { ...state, hardState: r.h };
      } else {
        throw new StorageCorruptError(`raft storage: ${file} at byte ${off}: unknown record type`);
      }
      records++;
      off = rec.end;
      continue;
    }
    // A bad record that is the last thing in the file is a write the crash cut short: drop it.
    const isTail = rec.kind === 'torn' || (rec.kind === 'bad-checksum' && rec.end === buf.length);
    if (isTail) break;
    throw new StorageCorruptError(
      `raft storage: ${file} is corrupt at byte ${off} of ${buf.length} (${rec.kind} with valid-looking data after it); ` +
      'refusing to start from it: restore the directory from a backup or remove it and re-add the node');
  }
  if (snapshot) {
    state = { ...state, snapshot, entries: entriesAfterSnapshot([...state.entries], snapshot) };
  }
  return { state, report: { records, tornBytesDropped: buf.length - off }, goodBytes: off };
}
