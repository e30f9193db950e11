// ServiceFileStorage: the DurableStorage of a real node's services (the simulator's is SimStorage), one
// directory per node holding `snapshot.json` (one record: the whole key-value map) and the write-ahead
// log `wal.jsonl` (one record per sync(): the puts and deletes since the last one), both in the framing
// of src/wal (length, crc32, JSON payload). Writes are visible at once and become durable at sync(),
// which appends and fsyncs; a torn last record is dropped on open, corruption before it refuses to
// start. The log is folded into a new snapshot (written atomically, then the log emptied atomically) once
// it passes `compact_bytes` (default 4 MiB).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { makeDirectories } from '../host/index.js';
import { join } from 'node:path';
import { checkWrite, STORAGE_MAX_KEYS_DEFAULT, STORAGE_MAX_VALUE_BYTES_DEFAULT, type DurableStorage, type StorageLimits } from '../sim/index.js';
import { RecordLog, StorageCorruptError, readRecordFile, writeFileAtomic, writeRecordFile } from '../wal/index.js';

type WalOp = readonly [string, string | null];

const LABEL = 'service storage';

export class ServiceFileStorage implements DurableStorage {
  private readonly data = new Map<string, string>();
  private pending: WalOp[] = [];
  private readonly wal: RecordLog;
  private readonly snapPath: string;
  private readonly limits: Required<StorageLimits>;
  private readonly compactBytes: number;

  constructor(readonly dir: string, opts: StorageLimits & { compact_bytes?: number } = {}) {
    this.limits = { max_keys: opts.max_keys ?? STORAGE_MAX_KEYS_DEFAULT, max_value_bytes: opts.max_value_bytes ?? STORAGE_MAX_VALUE_BYTES_DEFAULT };
    this.compactBytes = opts.compact_bytes ?? 4 * 1024 * 1024;
    makeDirectories(dir, 'the storage directory');
    this.snapPath = join(dir, 'snapshot.json');
    migrateLegacyFiles(dir);
    const snap = readRecordFile(this.snapPath, LABEL, 'snapshot');
    if (snap !== null) {
      for (const [k, v] of Object.entries(parse(snap, this.snapPath, 0) as Record<string, string>)) this.data.set(k, v);
    }
    this.wal = new RecordLog(join(dir, 'wal.jsonl'), LABEL);
    for (const { payload, offset } of this.wal.recovered) this.replay(parse(payload, this.wal.file, offset), offset);
  }

  get(key: string): string | undefined {
    return this.data.get(key);
  }

  put(key: string, value: string): void {
    checkWrite(this.limits, this.data.size, !this.data.has(key), key, value);
    this.data.set(key, value);
    this.pending.push([key, value]);
  }

  delete(key: string): void {
    this.data.delete(key);
    this.pending.push([key, null]);
  }

  keys(prefix = ''): string[] {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  sync(): void {
    this.wal.append(this.pending.length > 0 ? [JSON.stringify(this.pending)] : []);
    this.pending = [];
    if (this.wal.bytes > this.compactBytes) this.compact();
  }

  close(): void {
    this.wal.close();
  }

  private replay(ops: unknown, offset: number): void {
    if (!Array.isArray(ops)) throw new StorageCorruptError(`${LABEL}: ${this.wal.file} at byte ${offset}: a record that is not a list of writes`);
    for (const op of ops as unknown[]) {
      if (!Array.isArray(op) || typeof op[0] !== 'string' || (typeof op[1] !== 'string' && op[1] !== null)) {
        throw new StorageCorruptError(`${LABEL}: ${this.wal.file} at byte ${offset}: a malformed write`);
      }
      if (typeof op[1] === 'string') this.data.set(op[0], op[1]);
      else this.data.delete(op[0]);
    }
  }

  private compact(): void {
    // Snapshot first: a crash between the two steps replays the old log over the new snapshot, which
    // ends in the same state (the log's writes are already in it, in order).
    writeRecordFile(this.snapPath, JSON.stringify(Object.fromEntries(this.data)));
    this.wal.rewrite([]);
  }
}

function parse(json: string, file: string, off: number): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new StorageCorruptError(`${LABEL}: ${file} at byte ${off}: record passes its checksum but is not JSON`);
  }
}

/**
 * Storage written before the framed format held plain JSON: `snapshot.json` one object, `wal.jsonl` one
 * JSON write per line (a torn last line ignored). Framed files never parse as JSON (their headers are
 * binary), so such files are recognised for certain and rewritten in the framed format, keeping every
 * write; nothing is dropped on upgrade.
 */
function migrateLegacyFiles(dir: string): void {
  const snapPath = join(dir, 'snapshot.json');
  const walPath = join(dir, 'wal.jsonl');
  // Plain JSON starts with '{' or '['; a framed file almost never does (only when its first record is 91 or
  // 123 bytes long), so the common open reads one byte of each file, not the files twice.
  if (!startsLikeJson(snapPath) && !startsLikeJson(walPath)) return;
  const snapText = existsSync(snapPath) ? readFileSync(snapPath, 'utf8') : '';
  const walText = existsSync(walPath) ? readFileSync(walPath, 'utf8') : '';
  const legacySnap = legacyJson(snapText);
  const walLines = walText.split('\n');
  const legacyWal = walText.length > 0 && legacyJson(walLines[0]!) !== undefined;
  if (legacySnap === undefined && !legacyWal) return;
  const data = new Map<string, string>();
  if (legacySnap !== undefined) {
    if (typeof legacySnap !== 'object' || legacySnap === null || Array.isArray(legacySnap)) throw new StorageCorruptError(`${LABEL}: ${snapPath}: a snapshot that is not an object`);
    for (const [k, v] of Object.entries(legacySnap as Record<string, unknown>)) if (typeof v === 'string') data.set(k, v);
  } else if (snapText.length > 0) {
    const framed = readRecordFile(snapPath, LABEL, 'snapshot');
    if (framed !== null) for (const [k, v] of Object.entries(parse(framed, snapPath, 0) as Record<string, string>)) data.set(k, v);
  }
  if (legacyWal) {
    walLines.forEach((line, i) => {
      if (line.trim() === '') return;
      const op = legacyJson(line);
      // only the last line may be torn by a crash
      if (op === undefined) {
        if (walLines.slice(i + 1).some((l) => l.trim() !== '')) throw new StorageCorruptError(`${LABEL}: ${walPath} line ${i + 1}: not JSON`);
        return;
      }
      if (!Array.isArray(op) || typeof op[0] !== 'string' || (typeof op[1] !== 'string' && op[1] !== null)) throw new StorageCorruptError(`${LABEL}: ${walPath} line ${i + 1}: a malformed write`);
      if (typeof op[1] === 'string') data.set(op[0], op[1]);
      else data.delete(op[0]);
    });
  }
  // Snapshot first, then an empty framed log: a crash in between replays nothing twice that matters
  // (the snapshot holds every write, and the legacy log is then read again and applied over it).
  writeRecordFile(snapPath, JSON.stringify(Object.fromEntries(data)));
  writeFileAtomic(walPath, Buffer.alloc(0));
}

function startsLikeJson(path: string): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  try {
    const first = Buffer.alloc(1);
    return readSync(fd, first, 0, 1, 0) === 1 && (first[0] === 0x7b || first[0] === 0x5b);
  } finally {
    closeSync(fd);
  }
}

function legacyJson(text: string): unknown {
  if (text.length === 0 || (text[0] !== '{' && text[0] !== '[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
