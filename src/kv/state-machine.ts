// The replicated key-value state machine (a StateMachine for the rsm host): put/get/del commands applied
// in log order, with client sessions (the rsm SessionTable) so a command retried after a timeout or a
// leader change is applied once (its cached result is returned again). Deterministic: every replica that
// applies the same entries holds the same state. Bounds: key and value sizes, and the session table
// (least recently used session evicted first).
import { utf8Length } from '../base/index.js';
import { SessionTable, parseLogCommand, type Session, type StateMachine } from '../rsm/index.js';

export type KvOp =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'del'; readonly key: string };

export interface KvCommand {
  readonly client: string;
  /** Per client, increasing from 1; a retry reuses its seq. */
  readonly seq: number;
  readonly op: KvOp;
}

export type KvResult =
  | { readonly ok: true; readonly value: string | null }
  | { readonly ok: false; readonly error: string };

export const KV_MAX_KEY_BYTES = 1024;
export const KV_MAX_VALUE_BYTES = 64 * 1024;
export const KV_MAX_SESSIONS = 10_000;

interface KvImage {
  readonly data: [string, string][];
  readonly sessions: [string, Session<KvResult>][];
  readonly applied: number;
}

export class KvStateMachine implements StateMachine<KvResult | null> {
  private data = new Map<string, string>();
  private readonly sessions: SessionTable<KvResult>;
  applied = 0;

  constructor(readonly max_sessions = KV_MAX_SESSIONS) {
    this.sessions = new SessionTable(max_sessions);
  }

  /** Apply the command in a committed entry. Empty data (a leader's no-op) only moves `applied`. */
  apply(index: number, raw: string): KvResult | null {
    if (index <= this.applied) throw new Error(`kv: entry ${index} applied twice (applied ${this.applied})`);
    this.applied = index;
    if (raw === '') return null;
    const cmd = parseCommand(raw);
    if (typeof cmd === 'string') return { ok: false, error: cmd };
    const seen = this.sessions.check(cmd.client, cmd.seq, index);
    if (seen.kind === 'retry') return seen.result;
    if (seen.kind === 'stale') return { ok: false, error: `stale request: client ${cmd.client} seq ${cmd.seq} after ${seen.last}` };
    const result = this.execute(cmd.op);
    this.sessions.record(cmd.client, cmd.seq, index, result);
    return result;
  }

  /** A local read, linearizable only after a ReadIndex round and applied >= its index. */
  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  size(): number {
    return this.data.size;
  }

  snapshot(): string {
    const image: KvImage = {
      data: [...this.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      sessions: this.sessions.entries(),
      applied: this.applied,
    };
    return JSON.stringify(image);
  }

  restore(snapshot: string): void {
    if (snapshot === '') {
      this.data.clear();
      this.sessions.clear();
      this.applied = 0;
      return;
    }
    const image = JSON.parse(snapshot) as KvImage;
    this.data = new Map(image.data);
    this.sessions.restore(image.sessions);
    this.applied = image.applied;
  }

  private execute(op: KvOp): KvResult {
    switch (op.op) {
      case 'put':
        this.data.set(op.key, op.value);
        return { ok: true, value: null };
      case 'get':
        return { ok: true, value: this.data.get(op.key) ?? null };
      case 'del':
        this.data.delete(op.key);
        return { ok: true, value: null };
    }
  }
}

export function encodeCommand(cmd: KvCommand): string {
  return JSON.stringify(cmd);
}

/** Validate a command; returns the error text for a bad one. */
export function parseCommand(raw: string): KvCommand | string {
  return parseLogCommand(raw, validateCommand);
}

export function validateCommand(v: unknown): KvCommand | string {
  if (typeof v !== 'object' || v === null) return 'command is not an object';
  const c = v as Record<string, unknown>;
  if (typeof c['client'] !== 'string' || c['client'] === '') return 'command needs a client id';
  if (!Number.isSafeInteger(c['seq']) || (c['seq'] as number) < 1) return 'command needs a seq >= 1';
  const op = c['op'] as Record<string, unknown> | null;
  if (typeof op !== 'object' || op === null) return 'command needs an op';
  const key = op['key'];
  if (typeof key !== 'string' || key === '') return 'key must be a non-empty string';
  if (utf8Length(key) > KV_MAX_KEY_BYTES) return `key longer than ${KV_MAX_KEY_BYTES} bytes`;
  switch (op['op']) {
    case 'get': return { client: c['client'], seq: c['seq'] as number, op: { op: 'get', key } };
    case 'del': return { client: c['client'], seq: c['seq'] as number, op: { op: 'del', key } };
    case 'put': {
      const value = op['value'];
      if (typeof value !== 'string') return 'put needs a string value';
      if (utf8Length(value) > KV_MAX_VALUE_BYTES) return `value longer than ${KV_MAX_VALUE_BYTES} bytes`;
      return { client: c['client'], seq: c['seq'] as number, op: { op: 'put', key, value } };
    }
    default: return `unknown op '${String(op['op'])}' (put, get, del)`;
  }
}
