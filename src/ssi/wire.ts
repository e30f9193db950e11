// What the `procs` services of the nodes say to each other: Raft traffic, commands a follower forwards to
// the leader (with the session that makes a retry harmless) and linearizable reads it asks the leader for,
// and their answers. Every message off the network is validated here; a malformed one is dropped.
import type { NodeId } from '../raft/index.js';
import { validateCommandAnswerWire, validateQueryAnswerWire, validateRaftWire, type WireRaft } from '../rsm/index.js';
import { LIST_PAGE_MAX, NODE_NAME_MAX_BYTES, PID_FIRST, PID_LAST, SESSION_ID_MAX_BYTES } from './limits.js';
import {
  validateCommand, validateEntry, validateResult, type ListPage, type NameBinding, type PidCommand, type PidResult, type ProcessEntry,
} from './state-machine.js';

/** A command forwarded to the node believed to lead. */
export interface WireCommand {
  readonly kind: 'ssi-cmd';
  readonly req: number;
  readonly cmd: PidCommand;
}

/** The answer names the command's session and seq, so an answer for another incarnation is never taken. */
export type WireCommandAnswer = {
  readonly kind: 'ssi-cmd-ans'; readonly req: number; readonly client: string; readonly seq: number;
} & (
  | { readonly ok: true; readonly result: PidResult }
  /** Not applied (not the leader, leadership lost, busy): retry, at `leader` when known. */
  | { readonly ok: false; readonly error: string; readonly leader: NodeId | null }
);

export type PidQuery =
  | { readonly q: 'lookup'; readonly pid: number }
  | { readonly q: 'list'; readonly after: number; readonly limit: number }
  | { readonly q: 'name'; readonly name: number };

/** A lookup: the directory entry (null when not placed) and the node its lease went to (null when unknown). */
export interface LookupAnswer {
  readonly q: 'lookup';
  readonly pid: number;
  readonly entry: ProcessEntry | null;
  readonly lease_node: string | null;
}

export interface ListAnswer extends ListPage {
  readonly q: 'list';
}

/** Who holds a cluster-wide IPC endpoint name (null: nobody). */
export interface NameAnswer {
  readonly q: 'name';
  readonly name: number;
  readonly binding: NameBinding | null;
}

export type QueryAnswer = LookupAnswer | ListAnswer | NameAnswer;

export interface WireQuery {
  readonly kind: 'ssi-read';
  readonly req: number;
  /** The asking incarnation (its session prefix), echoed in the answer. */
  readonly client: string;
  readonly query: PidQuery;
}

export type WireQueryAnswer = { readonly kind: 'ssi-read-ans'; readonly req: number; readonly client: string } & (
  | { readonly ok: true; readonly answer: QueryAnswer }
  | { readonly ok: false; readonly error: string; readonly leader: NodeId | null }
);

export type SsiWire = WireRaft | WireCommand | WireCommandAnswer | WireQuery | WireQueryAnswer;

const isEndpointName = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 0xffff_ffff;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= PID_FIRST && (v as number) <= PID_LAST;
const isClient = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= SESSION_ID_MAX_BYTES;
const isNodeOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v !== '' && v.length <= NODE_NAME_MAX_BYTES);

/** Check a message off the network; returns a reason string when it is malformed. */
export function validateWire(v: unknown): SsiWire | string {
  if (!isObj(v)) return 'not an object';
  if (!isNat(v['req']) && v['kind'] !== 'raft') return 'needs a request number';
  switch (v['kind']) {
    case 'raft': return validateRaftWire(v);
    case 'ssi-cmd': {
      const cmd = validateCommand(v['cmd']);
      return typeof cmd === 'string' ? cmd : { kind: 'ssi-cmd', req: v['req'] as number, cmd };
    }
    case 'ssi-cmd-ans': return validateCommandAnswer(v);
    case 'ssi-read': {
      const query = validateQuery(v['query']);
      if (typeof query === 'string') return query;
      return isClient(v['client']) ? { kind: 'ssi-read', req: v['req'] as number, client: v['client'], query } : 'read needs a client';
    }
    case 'ssi-read-ans': return validateQueryAnswer(v);
    default: return `unknown kind '${String(v['kind'])}'`;
  }
}

function validateCommandAnswer(v: Record<string, unknown>): WireCommandAnswer | string {
  return validateCommandAnswerWire(v, 'ssi-cmd-ans', validateResult);
}

function validateQuery(v: unknown): PidQuery | string {
  if (!isObj(v)) return 'read needs a query';
  if (v['q'] === 'lookup') return isPid(v['pid']) ? { q: 'lookup', pid: v['pid'] } : 'lookup needs a pid';
  if (v['q'] === 'list') {
    const { after, limit } = v;
    if (!isNat(after) || !Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > LIST_PAGE_MAX) {
      return `list needs after >= 0 and a limit in [1, ${LIST_PAGE_MAX}]`;
    }
    return { q: 'list', after, limit: limit as number };
  }
  if (v['q'] === 'name') return isEndpointName(v['name']) ? { q: 'name', name: v['name'] } : 'a name query needs a name in [1, 0xffffffff]';
  return `unknown query '${String(v['q'])}' (lookup, list, name)`;
}

function validateQueryAnswer(v: Record<string, unknown>): WireQueryAnswer | string {
  return validateQueryAnswerWire(v, 'ssi-read-ans', validateAnswer);
}

function validateAnswer(v: unknown): QueryAnswer | string {
  if (!isObj(v)) return 'answer is not an object';
  if (v['q'] === 'lookup') {
    if (!isPid(v['pid']) || !isNodeOrNull(v['lease_node'])) return 'lookup answer needs a pid and a lease node (or null)';
    const entry = v['entry'] === null ? null : validateEntry(v['entry']);
    if (typeof entry === 'string') return entry;
    return { q: 'lookup', pid: v['pid'], entry, lease_node: v['lease_node'] };
  }
  if (v['q'] === 'list') {
    const list = v['entries'];
    if (!Array.isArray(list) || list.length > LIST_PAGE_MAX || typeof v['more'] !== 'boolean') return 'list answer needs entries and more';
    const entries: ProcessEntry[] = [];
    for (const e of list) {
      const ok = validateEntry(e);
      if (typeof ok === 'string') return ok;
      entries.push(ok);
    }
    return { q: 'list', entries, more: v['more'] };
  }
  if (v['q'] === 'name') {
    if (!isEndpointName(v['name'])) return 'name answer needs a name';
    const b = v['binding'];
    if (b === null) return { q: 'name', name: v['name'], binding: null };
    if (!isObj(b) || b['name'] !== v['name'] || !isNodeOrNull(b['node']) || b['node'] === null || !isPid(b['pid']) || !Number.isSafeInteger(b['boot'])) return 'name answer needs a binding (or null)';
    return { q: 'name', name: v['name'], binding: { name: v['name'], node: b['node'], pid: b['pid'], boot: b['boot'] as number } };
  }
  return 'unknown answer';
}
