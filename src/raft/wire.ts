// What Raft key-value nodes and their clients say to each other, and the validation every message from
// the network passes before it reaches Raft (a malformed message is dropped and counted, never thrown).
import type { KvCommand, KvResult } from './kv.js';
import { validateCommand } from './kv.js';
import type { Entry, Message, NodeId } from './types.js';

/** Raft traffic between nodes. */
export interface WireRaft {
  readonly kind: 'raft';
  readonly msg: Message;
}

/** A client's request. Gets use ReadIndex unless `read` is 'log' (then they go through the log). */
export interface WireKvRequest {
  readonly kind: 'kv-req';
  readonly req: number;
  readonly cmd: KvCommand;
  readonly read?: 'index' | 'log';
  /** The service on the client's node that gets the answer (default 'kv-client'). */
  readonly reply_to?: string;
}

export type WireKvResponse =
  | { readonly kind: 'kv-resp'; readonly req: number; readonly ok: true; readonly value: string | null }
  | {
    readonly kind: 'kv-resp'; readonly req: number; readonly ok: false; readonly error: string;
    /** The node to try next, when known. */
    readonly leader: NodeId | null;
    /** True when the request may simply be retried (not leader, leadership lost, busy). */
    readonly retry: boolean;
  };

/** Ask a node how it sees the cluster (for operators: `atoll kv status`). */
export interface WireStatusRequest {
  readonly kind: 'status-req';
  readonly req: number;
  readonly reply_to?: string;
}

export interface NodeStatusReport {
  readonly id: NodeId;
  readonly role: string;
  readonly term: number;
  readonly lead: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly last_index: number;
  readonly snap_index: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly keys: number;
}

export interface WireStatusResponse {
  readonly kind: 'status-resp';
  readonly req: number;
  readonly status: NodeStatusReport;
}

export type RaftWire = WireRaft | WireKvRequest | WireKvResponse | WireStatusRequest | WireStatusResponse;

export function kvResultToWire(req: number, r: KvResult): WireKvResponse {
  return r.ok ? { kind: 'kv-resp', req, ok: true, value: r.value } : { kind: 'kv-resp', req, ok: false, error: r.error, leader: null, retry: false };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

function validEntry(v: unknown): v is Entry {
  return isObj(v) && isNat(v['term']) && isNat(v['index']) && (v['type'] === 'normal' || v['type'] === 'conf') && isStr(v['data']);
}

function validMessage(v: unknown): v is Message {
  if (!isObj(v) || !isStr(v['from']) || !isStr(v['to']) || !isNat(v['term'])) return false;
  switch (v['type']) {
    case 'app':
      // Entries must follow (index) one by one, with terms that never decrease and never pass the sender's.
      return isNat(v['index']) && isNat(v['logTerm']) && isNat(v['commit']) && Array.isArray(v['entries']) &&
        (v['entries'] as unknown[]).every((e, i, all) => validEntry(e) && e.index === (v['index'] as number) + 1 + i &&
          e.term <= (v['term'] as number) && e.term >= (i === 0 ? (v['logTerm'] as number) : (all[i - 1] as Entry).term));
    case 'app-resp':
      return isNat(v['index']) && typeof v['reject'] === 'boolean' && isNat(v['rejectHint']) && isNat(v['logTerm']);
    case 'vote': case 'prevote':
      return isNat(v['index']) && isNat(v['logTerm']) && typeof v['force'] === 'boolean';
    case 'vote-resp': case 'prevote-resp':
      return typeof v['reject'] === 'boolean';
    case 'heartbeat':
      return isNat(v['commit']) && (v['context'] === null || isStr(v['context']));
    case 'heartbeat-resp':
      return v['context'] === null || isStr(v['context']);
    case 'snap': {
      const s = v['snapshot'];
      if (!isObj(s) || !isStr(s['data']) || !isObj(s['meta'])) return false;
      const m = s['meta'];
      const c = m['conf'];
      return isNat(m['index']) && isNat(m['term']) && isObj(c) && Array.isArray(c['voters']) && Array.isArray(c['learners']) &&
        (c['voters'] as unknown[]).every(isStr) && (c['learners'] as unknown[]).every(isStr);
    }
    case 'timeout-now':
      return true;
    default:
      return false;
  }
}

/** Check a message off the network; returns a reason string when it is malformed. */
export function validateWire(v: unknown): RaftWire | string {
  if (!isObj(v)) return 'not an object';
  switch (v['kind']) {
    case 'raft':
      return validMessage(v['msg']) ? (v as unknown as WireRaft) : 'malformed raft message';
    case 'kv-req': {
      if (!isNat(v['req'])) return 'kv-req without a request number';
      const cmd = validateCommand(v['cmd']);
      if (typeof cmd === 'string') return `kv-req: ${cmd}`;
      const read = v['read'];
      if (read !== undefined && read !== 'index' && read !== 'log') return "kv-req: read must be 'index' or 'log'";
      const replyTo = v['reply_to'];
      if (replyTo !== undefined && typeof replyTo !== 'string') return 'kv-req: reply_to must be a service name';
      return { kind: 'kv-req', req: v['req'], cmd, read, reply_to: replyTo };
    }
    case 'kv-resp':
      if (!isNat(v['req']) || typeof v['ok'] !== 'boolean') return 'malformed kv-resp';
      return v as unknown as WireKvResponse;
    case 'status-req':
      if (!isNat(v['req'])) return 'status-req without a request number';
      if (v['reply_to'] !== undefined && !isStr(v['reply_to'])) return 'status-req: reply_to must be a service name';
      return { kind: 'status-req', req: v['req'], reply_to: v['reply_to'] as string | undefined };
    case 'status-resp': {
      const st = v['status'];
      if (!isNat(v['req']) || !isObj(st) || !isStr(st['id']) || !isNat(st['term']) || !isNat(st['commit'])) return 'malformed status-resp';
      return v as unknown as WireStatusResponse;
    }
    default:
      return `unknown kind '${String(v['kind'])}'`;
  }
}
