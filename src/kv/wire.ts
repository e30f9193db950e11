// What raft-kv nodes and their clients say to each other (Raft traffic between the nodes, requests and
// answers with clients), and the validation every message from the network passes before it reaches
// Raft or the store (a malformed message is dropped and counted, never thrown).
import type { KvCommand, KvResult } from './state-machine.js';
import { validateCommand } from './state-machine.js';
import type { NodeId } from '../raft/index.js';
import { validateRaftWire, type RsmStatus, type WireRaft } from '../rsm/index.js';

export type { WireRaft } from '../rsm/index.js';

/** A client's request. Gets use ReadIndex unless `read` is 'log' (then they go through the log). */
export interface WireKvRequest {
  readonly kind: 'kv-req';
  readonly req: number;
  readonly cmd: KvCommand;
  readonly read?: 'index' | 'log';
  /** The service on the client's node that gets the answer (default 'kv-client'). */
  readonly reply_to?: string;
  /**
   * The answer must name the command it answers (`client`, `seq`). The TCP client sets it; the simulated
   * workload does not, so its traffic stays as it was.
   */
  readonly named?: true;
}

/** The command an answer is for: set when the request was `named`. */
interface Answers {
  readonly client?: string;
  readonly seq?: number;
}

export type WireKvResponse =
  | { readonly kind: 'kv-resp'; readonly req: number; readonly ok: true; readonly value: string | null } & Answers
  | {
    readonly kind: 'kv-resp'; readonly req: number; readonly ok: false; readonly error: string;
    /** The node to try next, when known. */
    readonly leader: NodeId | null;
    /** True when the request may simply be retried (not leader, leadership lost, busy). */
    readonly retry: boolean;
  } & Answers;

/** Ask a node how it sees the cluster (for operators: `atoll kv status`). */
export interface WireStatusRequest {
  readonly kind: 'status-req';
  readonly req: number;
  readonly reply_to?: string;
}

/** A node's Raft status and the number of keys it holds. */
export interface NodeStatusReport extends RsmStatus {
  readonly keys: number;
}

export interface WireStatusResponse {
  readonly kind: 'status-resp';
  readonly req: number;
  readonly status: NodeStatusReport;
}

export type KvWire = WireRaft | WireKvRequest | WireKvResponse | WireStatusRequest | WireStatusResponse;

export function kvResultToWire(req: number, r: KvResult): WireKvResponse {
  return r.ok ? { kind: 'kv-resp', req, ok: true, value: r.value } : { kind: 'kv-resp', req, ok: false, error: r.error, leader: null, retry: false };
}

/** An answer to a `named` request names its command (after the other fields: unnamed answers keep their bytes). */
export function nameAnswer(resp: WireKvResponse, cmd: KvCommand | undefined): WireKvResponse {
  return cmd ? { ...resp, client: cmd.client, seq: cmd.seq } : resp;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Check a message off the network; returns a reason string when it is malformed. */
export function validateWire(v: unknown): KvWire | string {
  if (!isObj(v)) return 'not an object';
  switch (v['kind']) {
    case 'raft':
      return validateRaftWire(v);
    case 'kv-req': {
      if (!isNat(v['req'])) return 'kv-req without a request number';
      const cmd = validateCommand(v['cmd']);
      if (typeof cmd === 'string') return `kv-req: ${cmd}`;
      const read = v['read'];
      if (read !== undefined && read !== 'index' && read !== 'log') return "kv-req: read must be 'index' or 'log'";
      const replyTo = v['reply_to'];
      if (replyTo !== undefined && typeof replyTo !== 'string') return 'kv-req: reply_to must be a service name';
      if (v['named'] !== undefined && v['named'] !== true) return 'kv-req: named must be true when present';
      return v['named'] ? { kind: 'kv-req', req: v['req'], cmd, read, reply_to: replyTo, named: true } : { kind: 'kv-req', req: v['req'], cmd, read, reply_to: replyTo };
    }
    case 'kv-resp':
      if (!isNat(v['req']) || typeof v['ok'] !== 'boolean') return 'malformed kv-resp';
      if ((v['client'] !== undefined && !isStr(v['client'])) || (v['seq'] !== undefined && !isNat(v['seq']))) return 'kv-resp: malformed client or seq';
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
