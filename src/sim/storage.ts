// Durable storage as nodes see it: a string key-value store where writes are visible at once but survive
// a crash only after `sync()`. SimStorage models that exactly: a crash discards every write since the last
// sync and keeps the rest. Bounds: `max_keys` keys and `max_value_bytes` per value, checked on write.
import { utf8Length } from '../base/index.js';

export interface DurableStorage {
  get(key: string): string | undefined;
  /** Write (visible immediately, durable after the next sync). */
  put(key: string, value: string): void;
  delete(key: string): void;
  /** Keys with the given prefix, sorted. */
  keys(prefix?: string): string[];
  /** Make every earlier write durable. */
  sync(): void;
}

export interface StorageLimits {
  readonly max_keys?: number;
  readonly max_value_bytes?: number;
}

export const STORAGE_MAX_KEYS_DEFAULT = 1_000_000;
export const STORAGE_MAX_VALUE_BYTES_DEFAULT = 16 * 1024 * 1024;

export class StorageLimitError extends Error {
  override name = 'StorageLimitError';
}

export function checkWrite(limits: Required<StorageLimits>, keyCount: number, isNew: boolean, key: string, value: string): void {
  if (value.length * 3 > limits.max_value_bytes && utf8Length(value) > limits.max_value_bytes) {
    throw new StorageLimitError(`value for '${key}' exceeds ${limits.max_value_bytes} bytes`);
  }
  if (isNew && keyCount >= limits.max_keys) throw new StorageLimitError(`storage holds ${limits.max_keys} keys already`);
}

/** The simulator's storage: the durable image plus the writes not yet synced. */
export class SimStorage implements DurableStorage {
  private readonly durable = new Map<string, string>();
  /** Un-synced writes in order; `undefined` marks a delete. */
  private readonly dirty = new Map<string, string | undefined>();
  private readonly limits: Required<StorageLimits>;
  syncs = 0;

  constructor(limits: StorageLimits = {}) {
    this.limits = {
      max_keys: limits.max_keys ?? STORAGE_MAX_KEYS_DEFAULT,
      max_value_bytes: limits.max_value_bytes ?? STORAGE_MAX_VALUE_BYTES_DEFAULT,
    };
  }

  get(key: string): string | undefined {
    if (this.dirty.has(key)) return this.dirty.get(key);
    return this.durable.get(key);
  }

  put(key: string, value: string): void {
    const isNew = this.get(key) === undefined;
    checkWrite(this.limits, this.durable.size + this.dirty.size, isNew, key, value);
    this.dirty.set(key, value);
  }

  delete(key: string): void {
    this.dirty.set(key, undefined);
  }

  keys(prefix = ''): string[] {
    const all = new Set<string>();
    for (const k of this.durable.keys()) if (k.startsWith(prefix)) all.add(k);
    for (const [k, v] of this.dirty) {
      if (!k.startsWith(prefix)) continue;
      if (v === undefined) all.delete(k);
      else all.add(k);
    }
    return [...all].sort();
  }

  sync(): void {
    for (const [k, v] of this.dirty) {
      if (v === undefined) this.durable.delete(k);
      else this.durable.set(k, v);
    }
    this.dirty.clear();
    this.syncs++;
  }

  /** Writes waiting for a sync. */
  get unsynced(): number {
    return this.dirty.size;
  }

  /** Power loss: every un-synced write is gone, synced data stays. */
  crash(): void {
    this.dirty.clear();
  }
}
