// Client sessions (Terry et al., 1994): what a session has written and read travels with it, as plain
// data, so any replica can be asked to honour it. Per key the session keeps the highest version it wrote
// and the highest it read; overall the highest of each. Guarantees, each a floor on a version:
//   read-your-writes (default on): a read of k returns a version >= the session's own last write of k;
//   monotonic reads (default on): a read of k returns a version >= the last version of k it read;
//   monotonic writes (option): a write gets a version above every earlier write of the session;
//   writes-follow-reads (option): a write gets a version above every version the session has read.
// The read guarantees are per key. Bound: `SESSION_KEYS_MAX` keys remembered per map (beyond, the least
// recently used key is forgotten and its read floors with it; the overall write floors stay).
import { compareVersions, isVersion, maxVersion, VERSION_ZERO, type Version } from './hlc.js';

export const SESSION_KEYS_MAX = 10_000;

export interface SessionGuarantees {
  readonly read_your_writes: boolean;
  readonly monotonic_reads: boolean;
  readonly monotonic_writes: boolean;
  readonly writes_follow_reads: boolean;
}

export const DEFAULT_GUARANTEES: SessionGuarantees = { read_your_writes: true, monotonic_reads: true, monotonic_writes: false, writes_follow_reads: false };
export const ALL_GUARANTEES: SessionGuarantees = { read_your_writes: true, monotonic_reads: true, monotonic_writes: true, writes_follow_reads: true };
export const NO_GUARANTEES: SessionGuarantees = { read_your_writes: false, monotonic_reads: false, monotonic_writes: false, writes_follow_reads: false };

/** What a session carries to the replica serving it. */
export interface SessionState {
  readonly id: string;
  readonly guarantees: SessionGuarantees;
  readonly written: Readonly<Record<string, Version>>;
  readonly read: Readonly<Record<string, Version>>;
  readonly max_written: Version;
  readonly max_read: Version;
}

export function newSession(id: string, guarantees: Partial<SessionGuarantees> = {}): SessionState {
  return { id, guarantees: { ...DEFAULT_GUARANTEES, ...guarantees }, written: {}, read: {}, max_written: VERSION_ZERO, max_read: VERSION_ZERO };
}

/** The lowest version of `key` a read for this session may return. */
export function readFloor(s: SessionState, key: string): Version {
  let f = VERSION_ZERO;
  if (s.guarantees.read_your_writes && Object.hasOwn(s.written, key)) f = maxVersion(f, s.written[key]!);
  if (s.guarantees.monotonic_reads && Object.hasOwn(s.read, key)) f = maxVersion(f, s.read[key]!);
  return f;
}

/** The version a write for this session must exceed. */
export function writeFloor(s: SessionState): Version {
  let f = VERSION_ZERO;
  if (s.guarantees.monotonic_writes) f = maxVersion(f, s.max_written);
  if (s.guarantees.writes_follow_reads) f = maxVersion(f, s.max_read);
  return f;
}

function remember(map: Readonly<Record<string, Version>>, key: string, v: Version): Record<string, Version> {
  const next: Record<string, Version> = { ...map };
  const old = Object.hasOwn(next, key) ? next[key]! : VERSION_ZERO;
  delete next[key]; // re-inserted last: the map's order is recency, the oldest is forgotten first
  next[key] = maxVersion(old, v);
  const keys = Object.keys(next);
  for (let i = 0; keys.length - i > SESSION_KEYS_MAX; i++) delete next[keys[i]!];
  return next;
}

export function afterWrite(s: SessionState, key: string, v: Version): SessionState {
  return { ...s, written: remember(s.written, key, v), max_written: maxVersion(s.max_written, v) };
}

export function afterRead(s: SessionState, key: string, v: Version): SessionState {
  if (compareVersions(v, VERSION_ZERO) === 0) return s;
  return { ...s, read: remember(s.read, key, v), max_read: maxVersion(s.max_read, v) };
}

export function isSessionState(x: unknown): x is SessionState {
  if (x === null || typeof x !== 'object') return false;
  const s = x as Record<string, unknown>;
  const g = s['guarantees'] as Record<string, unknown> | null;
  const vmap = (m: unknown): boolean => m !== null && typeof m === 'object' && Object.values(m as object).every(isVersion);
  return typeof s['id'] === 'string' && g !== null && typeof g === 'object' &&
    ['read_your_writes', 'monotonic_reads', 'monotonic_writes', 'writes_follow_reads'].every((k) => typeof g[k] === 'boolean') &&
    vmap(s['written']) && vmap(s['read']) && isVersion(s['max_written']) && isVersion(s['max_read']);
}

/** The session after a successful write or read of `key` at `v`. */
export function afterOp(s: SessionState, kind: 'read' | 'write', key: string, v: Version): SessionState {
  return kind === 'write' ? afterWrite(s, key, v) : afterRead(s, key, v);
}
