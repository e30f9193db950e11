// One replica's files: key -> (value, version, prev), kept in the node's durable storage, with the rule
// that decides between two versions of a key and the log of the writes that rule overruled.
// The rule: the higher version wins (last writer wins by hybrid-clock stamp, then origin replica id).
// Two writes conflict when neither writer had seen the other (each entry carries `prev`, the version its
// writer's replica held when it wrote); the loser of a conflict goes to the conflict log with its value,
// so no acknowledged write disappears without a trace. A value null is a deletion (a tombstone, kept).
// Digests: keys fall into DIGEST_BUCKETS buckets; each bucket's digest is the XOR of a hash of every
// (key, version) in it, kept up to date on every change, so anti-entropy compares 32 numbers first.
// Bounds: `max_keys` keys, `max_value_chars` per value, `max_conflicts` logged (beyond: counted only).
import type { DurableStorage } from '../sim/index.js';
import { fnv1a32 } from '../sim/index.js';
import { compareVersions, formatVersion, isVersion, VERSION_ZERO, type Version } from './hlc.js';

export const DIGEST_BUCKETS = 32;
export const KEY_CHARS_MAX = 256;

export interface Entry {
  readonly key: string;
  /** null: deleted. */
  readonly value: string | null;
  readonly v: Version;
  /** The version of this key the writer's replica held when the write was made (VERSION_ZERO: none). */
  readonly prev: Version;
}

export interface Conflict {
  readonly key: string;
  /** The write the rule overruled, and its value (kept here, so it is not lost). */
  readonly loser: Version;
  readonly loser_value: string | null;
  readonly winner: Version;
  /** The replica that found the conflict. */
  readonly found_at: string;
}

export type ApplyResult = 'new' | 'newer' | 'older' | 'same';

export interface ReplicaLimits {
  readonly max_keys?: number;
  readonly max_value_chars?: number;
  readonly max_conflicts?: number;
}

export class GeoInputError extends Error {
  override name = 'GeoInputError';
}

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > KEY_CHARS_MAX || /[\u0000-\u001f]/.test(key)) {
    throw new GeoInputError(`a key must be 1..${KEY_CHARS_MAX} characters without control characters, got ${JSON.stringify(key)}`);
  }
}

export function isEntry(x: unknown): x is Entry {
  if (x === null || typeof x !== 'object') return false;
  const e = x as Record<string, unknown>;
  return typeof e['key'] === 'string' && e['key'].length > 0 && e['key'].length <= KEY_CHARS_MAX &&
    (e['value'] === null || typeof e['value'] === 'string') && isVersion(e['v']) && isVersion(e['prev']);
}

const bucketOf = (key: string): number => fnv1a32(key) % DIGEST_BUCKETS;
const itemHash = (key: string, v: Version): number => fnv1a32(`${key}\u0000${formatVersion(v)}`);
const ENTRY_PREFIX = 'k/';
const CONFLICT_PREFIX = 'c/';

export class ReplicaStore {
  private readonly entries = new Map<string, Entry>();
  private readonly conflictLog: Conflict[] = [];
  private readonly conflictKeys = new Set<string>();
  private readonly buckets = new Uint32Array(DIGEST_BUCKETS);
  private readonly maxKeys: number;
  private readonly maxValue: number;
  private readonly maxConflicts: number;
  /** Conflicts found after the log was full (their losers are then not kept). */
  conflicts_unlogged = 0;

  constructor(private readonly node: string, private readonly storage: DurableStorage, limits: ReplicaLimits = {}) {
    this.maxKeys = limits.max_keys ?? 100_000;
    this.maxValue = limits.max_value_chars ?? 1 << 20;
    this.maxConflicts = limits.max_conflicts ?? 100_000;
    for (const k of storage.keys(ENTRY_PREFIX)) {
      const e = JSON.parse(storage.get(k) ?? 'null') as unknown;
      if (isEntry(e)) this.set(e);
    }
    for (const k of storage.keys(CONFLICT_PREFIX)) {
      const c = JSON.parse(storage.get(k) ?? 'null') as Conflict | null;
      if (c && typeof c.key === 'string' && isVersion(c.loser)) { this.conflictLog.push(c); this.conflictKeys.add(conflictId(c.key, c.loser)); }
    }
  }

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  version(key: string): Version {
    return this.entries.get(key)?.v ?? VERSION_ZERO;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every entry (tombstones too), in key order. */
  all(): Entry[] {
    return [...this.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Keys with a live value under `prefix`, sorted. */
  list(prefix: string): string[] {
    return this.all().filter((e) => e.value !== null && e.key.startsWith(prefix)).map((e) => e.key);
  }

  get conflicts(): readonly Conflict[] {
    return this.conflictLog;
  }

  digest(): number[] {
    return Array.from(this.buckets);
  }

  /** (key, version) of every entry in the given buckets. */
  versionsIn(buckets: ReadonlySet<number>): [string, Version][] {
    const out: [string, Version][] = [];
    for (const e of this.entries.values()) if (buckets.has(bucketOf(e.key))) out.push([e.key, e.v]);
    return out;
  }

  /** Take an entry by the rule; the caller syncs storage before acknowledging. */
  apply(e: Entry): ApplyResult {
    const cur = this.entries.get(e.key);
    if (cur === undefined) {
      if (this.entries.size >= this.maxKeys) throw new GeoInputError(`replica ${this.node} holds ${this.maxKeys} keys already`);
      if (e.value !== null && e.value.length > this.maxValue) throw new GeoInputError(`a value of ${e.value.length} characters is longer than ${this.maxValue}`);
      this.set(e);
      this.persist(e);
      return 'new';
    }
    const cmp = compareVersions(e.v, cur.v);
    if (cmp === 0) return 'same';
    if (cmp > 0) {
      // the incoming write wins; it overrules cur unless its writer had seen cur (or something newer)
      if (compareVersions(e.prev, cur.v) < 0) this.logConflict(e.key, cur, e.v);
      this.set(e);
      this.persist(e);
      return 'newer';
    }
    if (compareVersions(cur.prev, e.v) < 0) this.logConflict(e.key, e, cur.v);
    return 'older';
  }

  private set(e: Entry): void {
    const b = bucketOf(e.key);
    const old = this.entries.get(e.key);
    if (old) this.buckets[b] = (this.buckets[b]! ^ itemHash(old.key, old.v)) >>> 0;
    this.buckets[b] = (this.buckets[b]! ^ itemHash(e.key, e.v)) >>> 0;
    this.entries.set(e.key, e);
  }

  private persist(e: Entry): void {
    this.storage.put(ENTRY_PREFIX + e.key, JSON.stringify(e));
  }

  private logConflict(key: string, loser: Entry, winner: Version): void {
    const id = conflictId(key, loser.v);
    if (this.conflictKeys.has(id)) return;
    if (this.conflictLog.length >= this.maxConflicts) { this.conflicts_unlogged++; return; }
    const c: Conflict = { key, loser: loser.v, loser_value: loser.value, winner, found_at: this.node };
    this.conflictKeys.add(id);
    this.conflictLog.push(c);
    this.storage.put(CONFLICT_PREFIX + id, JSON.stringify(c));
  }
}

const conflictId = (key: string, v: Version): string => `${formatVersion(v)}/${key}`;
