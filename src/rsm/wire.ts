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
