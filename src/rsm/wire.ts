// The Raft traffic between the replicas of an rsm service, and its validation: every message off the
// network is checked before it reaches Raft (a malformed one is dropped and counted, never thrown).
// A service's own client messages share the channel; they are the service's to define and validate.
import type { Entry, Message } from '../raft/index.js';

/** Raft traffic between nodes. */
export interface WireRaft {
  readonly kind: 'raft';
  readonly msg: Message;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

function validEntry(v: unknown): v is Entry {
  return isObj(v) && isNat(v['term']) && isNat(v['index']) && (v['type'] === 'normal' || v['type'] === 'conf') && isStr(v['data']);
}

/** Is `v` a well-formed Raft message? */
export function validRaftMessage(v: unknown): v is Message {
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

/** Check a `{kind: 'raft'}` message off the network; returns a reason string when it is malformed. */
export function validateRaftWire(v: Readonly<Record<string, unknown>>): WireRaft | string {
  return validRaftMessage(v['msg']) ? (v as unknown as WireRaft) : 'malformed raft message';
}

/** Longest client session id and node name a forwarded call's answer may carry. */
const CLIENT_ID_MAX = 160;
const NODE_ID_MAX = 64;
const isClient = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= CLIENT_ID_MAX;
const isNodeOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v !== '' && v.length <= NODE_ID_MAX);

/** A refusal of a forwarded call (not applied: retry, at `leader` when known). */
type Refused = { readonly ok: false; readonly error: string; readonly leader: string | null };

/**
 * The answer to a forwarded command (kind names the service's message), its result checked by result; a reason
 * string when it is malformed. The answer names the command's session and seq.
 */
export function validateCommandAnswerWire<K extends string, T>(
  v: Readonly<Record<string, unknown>>, kind: K, result: (x: unknown) => T | string,
): ({ readonly kind: K; readonly req: number; readonly client: string; readonly seq: number } & ({ readonly ok: true; readonly result: T } | Refused)) | string {
  const { req, client, seq } = v;
  if (!isNat(req)) return 'needs a request number';
  if (!isClient(client) || !Number.isSafeInteger(seq) || (seq as number) < 1) return 'answer needs the client and seq it answers';
  const head = { kind, req, client, seq: seq as number };
  if (v['ok'] === false) {
    if (typeof v['error'] !== 'string' || !isNodeOrNull(v['leader'])) return 'a refusal needs an error and a leader (or null)';
    return { ...head, ok: false, error: v['error'], leader: v['leader'] };
  }
  const r = result(v['result']);
  return typeof r === 'string' ? r : { ...head, ok: true, result: r };
}

/** The answer to a forwarded read, its answer checked by answer; a reason string when it is malformed. */
export function validateQueryAnswerWire<K extends string, A>(
  v: Readonly<Record<string, unknown>>, kind: K, answer: (x: unknown) => A | string,
): ({ readonly kind: K; readonly req: number; readonly client: string } & ({ readonly ok: true; readonly answer: A } | Refused)) | string {
  if (!isNat(v['req'])) return 'needs a request number';
  if (!isClient(v['client'])) return 'answer needs the client it answers';
  const head = { kind, req: v['req'], client: v['client'] };
  if (v['ok'] === false) {
    if (typeof v['error'] !== 'string' || !isNodeOrNull(v['leader'])) return 'a refusal needs an error and a leader (or null)';
    return { ...head, ok: false, error: v['error'], leader: v['leader'] };
  }
  const a = answer(v['answer']);
  return typeof a === 'string' ? a : { ...head, ok: true, answer: a };
}
