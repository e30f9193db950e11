// The write-ahead record log under every file storage of a real node (Raft's log and the node services'
// key-value WAL): records framed as [u32 payload length][u32 crc32 of payload][payload, UTF-8], little
// endian. append() writes a batch of records and fsyncs before returning. Opening a log recovers it: a
// torn tail (a record cut short by a crash, or whose header claims more bytes than the file holds, as
// etcd's WAL treats it) is dropped and the file truncated to the last good record; a bad record with more
// data after it is corruption in the middle and throws StorageCorruptError naming the offset.
// rewrite() and writeRecordFile() replace a file atomically (temp file, fsync, rename, fsync directory),
// which is how logs are compacted and snapshots written. Bound: MAX_RECORD_BYTES per record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './crc32.js';
import { StorageCorruptError } from '../base/index.js';
import { makeDirectories } from '../host/index.js';

export { StorageCorruptError };

/** A single record larger than this is refused (and read back as corruption). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const HEADER_BYTES = 8;


export interface RecoveryReport {
  readonly records: number;
  readonly tornBytesDropped: number;
}

/** A record read back, with the byte offset of its header (for error messages). */
export interface RecoveredRecord {
  readonly payload: string;
  readonly offset: number;
}

export function encodeRecord(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  if (body.length > MAX_RECORD_BYTES) throw new RangeError(`record of ${body.length} bytes exceeds ${MAX_RECORD_BYTES}`);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

type Decoded =
  | { readonly kind: 'ok'; readonly payload: string; readonly end: number }
  | { readonly kind: 'torn' }
  | { readonly kind: 'bad-checksum'; readonly end: number }
  | { readonly kind: 'bad-length' };

function decodeAt(buf: Buffer, off: number): Decoded {
  if (buf.length - off < HEADER_BYTES) return { kind: 'torn' };
  const len = buf.readUInt32LE(off);
  const sum = buf.readUInt32LE(off + 4);
  const end = off + HEADER_BYTES + len;
  if (end > buf.length) return { kind: 'torn' };
  if (len > MAX_RECORD_BYTES) return { kind: 'bad-length' };
  const body = buf.subarray(off + HEADER_BYTES, end);
  if (crc32(body) !== sum) return { kind: 'bad-checksum', end };
  return { kind: 'ok', payload: body.toString('utf8'), end };
}

/** Decode a whole log image; `label` starts error messages (e.g. 'raft storage'). */
export function decodeRecords(buf: Buffer, file: string, label: string): { records: RecoveredRecord[]; goodBytes: number } {
  const records: RecoveredRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    const rec = decodeAt(buf, off);
    if (rec.kind === 'ok') {
      records.push({ payload: rec.payload, offset: off });
      off = rec.end;
      continue;
    }
    // A bad record that is the last thing in the file is a write the crash cut short: drop it.
    const isTail = rec.kind === 'torn' || (rec.kind === 'bad-checksum' && rec.end === buf.length);
    if (isTail) break;
    throw new StorageCorruptError(
      `${label}: ${file} is corrupt at byte ${off} of ${buf.length} (${rec.kind} with valid-looking data after it); ` +
      'refusing to start from it: restore the directory from a backup or remove it and re-add the node');
  }
  return { records, goodBytes: off };
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

function fsyncDir(dir: string): void {
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

/** Replace `file` with `data` atomically: a crash leaves either the old or the new content. */
export function writeFileAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeAll(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/** Write a file holding exactly one record (a snapshot), atomically. */
export function writeRecordFile(file: string, payload: string): void {
  writeFileAtomic(file, encodeRecord(payload));
}

/** Read a one-record file; null when it does not exist. Any damage is corruption (it was written atomically). */
export function readRecordFile(file: string, label: string, what: string): string | null {
  if (!fs.existsSync(file)) return null;
  const buf = fs.readFileSync(file);
  const rec = decodeAt(buf, 0);
  if (rec.kind !== 'ok' || rec.end !== buf.length) {
    throw new StorageCorruptError(`${label}: ${what} file ${file} is corrupt (${rec.kind === 'ok' ? 'trailing bytes' : rec.kind}); restore it from a peer or remove the node's directory and re-add it`);
  }
  return rec.payload;
}

/** An append-only log of records in one file, recovered on open. */
export class RecordLog {
  private fd: number;
  /** The records found when the log was opened (the caller replays them, then may drop them). */
  readonly recovered: readonly RecoveredRecord[];
  readonly recovery: RecoveryReport;
  /** Bytes in the file now (recovered plus appended). */
  bytes: number;
  syncs = 0;

  constructor(readonly file: string, label: string) {
    makeDirectories(path.dirname(file), `the ${label} directory`);
    const buf = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
    const { records, goodBytes } = decodeRecords(buf, file, label);
    this.recovered = records;
    this.recovery = { records: records.length, tornBytesDropped: buf.length - goodBytes };
    if (goodBytes < buf.length) fs.truncateSync(file, goodBytes);
    this.bytes = goodBytes;
    this.fd = fs.openSync(file, 'a');
  }

  /** Append the records and fsync (an empty batch still fsyncs: earlier writes become durable). */
  append(payloads: readonly string[]): void {
    if (this.fd < 0) throw new Error(`record log ${this.file} is closed`);
    if (payloads.length > 0) {
      const buf = Buffer.concat(payloads.map(encodeRecord));
      writeAll(this.fd, buf);
      this.bytes += buf.length;
    }
    fs.fsyncSync(this.fd);
    this.syncs++;
  }

  /** Replace the whole log with these records, atomically (compaction). */
  rewrite(payloads: readonly string[]): void {
    if (this.fd < 0) throw new Error(`record log ${this.file} is closed`);
    const buf = Buffer.concat(payloads.map(encodeRecord));
    fs.closeSync(this.fd);
    this.fd = -1;
    writeFileAtomic(this.file, buf);
    this.fd = fs.openSync(this.file, 'a');
    this.bytes = buf.length;
    this.syncs++;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
