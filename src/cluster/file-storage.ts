// Durable storage for real nodes: one directory per node holding `snapshot.json` and a write-ahead log
// `wal.jsonl`. Writes are visible at once and appended (then fsync'ed) on sync(); on open, the snapshot
// is loaded and the log replayed, ignoring a torn last line. The log is folded into a new snapshot
// (written to a temporary file, fsync'ed, renamed) once it passes `compact_bytes` (default 4 MiB).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkWrite, STORAGE_MAX_KEYS_DEFAULT, STORAGE_MAX_VALUE_BYTES_DEFAULT, type DurableStorage, type StorageLimits } from '../sim/index.js';

type WalOp = readonly [string, string | null];

export class FileStorage implements DurableStorage {
  private readonly data = new Map<string, string>();
  private pending: WalOp[] = [];
  private walFd: number;
  private walBytes = 0;
  private readonly limits: Required<StorageLimits>;

  constructor(readonly dir: string, opts: StorageLimits & { compact_bytes?: number } = {}) {
    this.limits = { max_keys: opts.max_keys ?? STORAGE_MAX_KEYS_DEFAULT, max_value_bytes: opts.max_value_bytes ?? STORAGE_MAX_VALUE_BYTES_DEFAULT };
    this.compactBytes = opts.compact_bytes ?? 4 * 1024 * 1024;
    mkdirSync(dir, { recursive: true });
    this.load();
    this.walFd = openSync(join(dir, 'wal.jsonl'), 'a');
  }

  private readonly compactBytes: number;

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
    if (this.pending.length > 0) {
      const text = this.pending.map((op) => JSON.stringify(op)).join('\n') + '\n';
      writeSync(this.walFd, text);
      this.walBytes += Buffer.byteLength(text);
      this.pending = [];
    }
    fsyncSync(this.walFd);
    if (this.walBytes > this.compactBytes) this.compact();
  }

  close(): void {
    closeSync(this.walFd);
  }

  private load(): void {
    const snap = join(this.dir, 'snapshot.json');
    if (existsSync(snap)) {
      const obj = JSON.parse(readFileSync(snap, 'utf8')) as Record<string, string>;
      for (const [k, v] of Object.entries(obj)) this.data.set(k, v);
    }
    const wal = join(this.dir, 'wal.jsonl');
    if (!existsSync(wal)) return;
    const text = readFileSync(wal, 'utf8');
    this.walBytes = Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let op: unknown;
      try {
        op = JSON.parse(line);
      } catch {
        break; // a torn write at the end: everything after it was never synced
      }
      if (!Array.isArray(op) || typeof op[0] !== 'string') break;
      if (typeof op[1] === 'string') this.data.set(op[0], op[1]);
      else this.data.delete(op[0]);
    }
  }

  private compact(): void {
    const tmp = join(this.dir, 'snapshot.json.tmp');
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(Object.fromEntries(this.data)));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, 'snapshot.json'));
    closeSync(this.walFd);
    this.walFd = openSync(join(this.dir, 'wal.jsonl'), 'w');
    fsyncSync(this.walFd);
    this.walBytes = 0;
  }
}
