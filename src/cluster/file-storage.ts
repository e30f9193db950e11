// ServiceFileStorage: the DurableStorage of a real node's services (the simulator's is SimStorage), one
// directory per node holding `snapshot.json` (one record: the whole key-value map) and the write-ahead
// log `wal.jsonl` (one record per sync(): the puts and deletes since the last one), both in the framing
// of src/wal (length, crc32, JSON payload). Writes are visible at once and become durable at sync(),
// which appends and fsyncs; a torn last record is dropped on open, corruption before it refuses to
// start. The log is folded into a new snapshot (written atomically, then the log emptied atomically) once
// it passes `compact_bytes` (default 4 MiB).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkWrite, STORAGE_MAX_KEYS_DEFAULT, STORAGE_MAX_VALUE_BYTES_DEFAULT, type DurableStorage, type StorageLimits } from '../sim/index.js';
import { RecordLog, StorageCorruptError, readRecordFile, writeRecordFile } from '../wal/index.js';

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
    mkdirSync(dir, { recursive: true });
    this.snapPath = join(dir, 'snapshot.json');
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
