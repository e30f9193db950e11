// What the `gfs` services of the nodes say to each other: Raft traffic, mutations a follower forwards to the
// leader (with the session that makes a retry harmless), and the read index a follower asks the leader for
// before it reads its own replica; and their answers. Every message off the network is validated here.
import type { NodeId } from '../raft/index.js';
import { validateCommandAnswerWire, validateQueryAnswerWire, validateRaftWire, type WireRaft } from '../rsm/index.js';
import { validateCommand, validateResult, type GfsCommand, type GfsResult } from './state-machine.js';

/** The one read the leader answers: the index a replica must have applied to read linearizably. */
export interface GfsIndexQuery {
  readonly q: 'index';
}

export interface GfsIndexAnswer {
  readonly q: 'index';
  readonly index: number;
}

export interface GfsWireCommand {
  readonly kind: 'gfs-cmd';
  readonly req: number;
  readonly cmd: GfsCommand;
}

type Refused = { readonly ok: false; readonly error: string; readonly leader: NodeId | null };

export type GfsWireCommandAnswer = { readonly kind: 'gfs-cmd-ans'; readonly req: number; readonly client: string; readonly seq: number }
  & ({ readonly ok: true; readonly result: GfsResult } | Refused);

export interface GfsWireQuery {
  readonly kind: 'gfs-read';
  readonly req: number;
  readonly client: string;
  readonly query: GfsIndexQuery;
}

export type GfsWireQueryAnswer = { readonly kind: 'gfs-read-ans'; readonly req: number; readonly client: string }
  & ({ readonly ok: true; readonly answer: GfsIndexAnswer } | Refused);

export type GfsWire = WireRaft | GfsWireCommand | GfsWireCommandAnswer | GfsWireQuery | GfsWireQueryAnswer;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function validateIndexAnswer(v: unknown): GfsIndexAnswer | string {
  return isObj(v) && v['q'] === 'index' && isNat(v['index']) ? { q: 'index', index: v['index'] } : 'an index answer needs an index';
}

/** Check a message off the network; returns a reason string when it is malformed. */
export function validateGfsWire(v: unknown): GfsWire | string {
  if (!isObj(v)) return 'not an object';
  switch (v['kind']) {
    case 'raft': return validateRaftWire(v);
    case 'gfs-cmd': {
      if (!isNat(v['req'])) return 'needs a request number';
      const cmd = validateCommand(v['cmd']);
      return typeof cmd === 'string' ? cmd : { kind: 'gfs-cmd', req: v['req'], cmd };
    }
    case 'gfs-cmd-ans': return validateCommandAnswerWire(v, 'gfs-cmd-ans', validateResult);
    case 'gfs-read': {
      if (!isNat(v['req'])) return 'needs a request number';
      const c = v['client'];
      if (typeof c !== 'string' || c === '' || c.length > 160) return 'a read needs a client';
      if (!isObj(v['query']) || v['query']['q'] !== 'index') return "the only read is {q: 'index'}";
      return { kind: 'gfs-read', req: v['req'], client: c, query: { q: 'index' } };
    }
    case 'gfs-read-ans': return validateQueryAnswerWire(v, 'gfs-read-ans', validateIndexAnswer);
    default: return `unknown kind '${String(v['kind'])}'`;
  }
}
