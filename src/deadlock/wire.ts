// The lock managers' messages and their validation (a receiver trusts nothing). Requests and their answers
// travel on the ordered channel (channel.ts) between a process's home node and the file's manager; detection
// messages (probes, holds, reports) travel bare: a lost one is made good by the next round.
import type { LockInfo, LockOwner } from '../vfs/index.js';
import type { ChannelAck, ChannelData } from './channel.js';

/** An owner's age: the Lamport time of its first request, its home node breaking ties (smaller is older). */
export type Stamp = readonly [number, string];

export const olderThan = (a: Stamp, b: Stamp): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** A hop of a waits-for path: owner, waiting at mgr as wait, for next (an owner holding what it asks for). */
export interface Hop {
  readonly mgr: string;
  readonly wait: number;
  readonly owner: string;
  readonly stamp: Stamp;
  readonly next: string;
}

/** Home to manager, on the channel. */
export type HomeRequest =
  | { readonly k: 'lock'; readonly rid: number; readonly owner: LockOwner; readonly stamp: Stamp; readonly file: string; readonly type: 'read' | 'write' | 'unlock'; readonly start: number; readonly end: number; readonly wait: boolean }
  | { readonly k: 'test'; readonly rid: number; readonly owner: LockOwner; readonly file: string; readonly type: 'read' | 'write'; readonly start: number; readonly end: number }
  | { readonly k: 'cancel'; readonly rid: number }
  /** An owner's locks and waits go: on file, or on every file of this manager (file null). */
  | { readonly k: 'release'; readonly rid: number; readonly file: string | null; readonly owner: string };

export type RequestOutcome = 'granted' | 'queued' | 'EAGAIN' | 'EDEADLK' | 'ENOLCK';

/** Manager to home, on the channel. */
export type ManagerAnswer =
  | { readonly k: 'answer'; readonly rid: number; readonly outcome: RequestOutcome; readonly wait?: number }
  | { readonly k: 'ended'; readonly rid: number; readonly end: 'granted' | 'dropped' | 'aborted' }
  | { readonly k: 'tested'; readonly rid: number; readonly info: LockInfo | null }
  /** A release was applied (the owner's next request may go). */
  | { readonly k: 'released'; readonly rid: number };

/** A wait as a collector report carries it. */
export interface ReportedWait {
  readonly wait: number;
  readonly owner: string;
  readonly stamp: Stamp;
  readonly blockers: readonly { readonly id: string; readonly stamp: Stamp }[];
}

/** Bare messages between services. */
export type DetectionMessage =
  /** Edge chasing: to the home of `about`, which forwards it to where `about` waits. */
  | { readonly t: 'probe-home'; readonly det: string; readonly about: string; readonly hops: readonly Hop[]; readonly sent: number }
  /** Edge chasing: to the manager of `wait`, which extends the path from it. */
  | { readonly t: 'probe-wait'; readonly det: string; readonly wait: number; readonly about: string; readonly hops: readonly Hop[]; readonly sent: number }
  /** Confirmation, phase one: hold the hop's wait if its edge is there (answered by held). */
  | { readonly t: 'hold'; readonly det: string; readonly index: number; readonly hop: Hop }
  | { readonly t: 'held'; readonly det: string; readonly index: number; readonly ok: boolean }
  /** Phase two: end the victim's wait with EDEADLK (if the detector's hold is still on it). */
  | { readonly t: 'abort'; readonly det: string; readonly wait: number; readonly cycle: readonly Hop[]; readonly messages: number; readonly started_ns: number }
  | { readonly t: 'unhold'; readonly det: string }
  /** The naive collector: end the wait at once, no questions asked. */
  | { readonly t: 'abort-now'; readonly det: string; readonly wait: number; readonly cycle: readonly Hop[]; readonly messages: number; readonly started_ns: number }
  /** A manager's waits-for edges, to the collector. */
  | { readonly t: 'edges'; readonly round: number; readonly waits: readonly ReportedWait[] }
  /** A node is alive (its lease), and which boot it is. */
  | { readonly t: 'lease'; readonly boot: number };

export type DlmMessage = ChannelData | ChannelAck | DetectionMessage;

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => x !== null && typeof x === 'object' && !Array.isArray(x);
const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isStr = (x: unknown, max = 256): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;
const isStamp = (x: unknown): x is Stamp => Array.isArray(x) && x.length === 2 && isNat(x[0]) && isStr(x[1]);

export function isHop(x: unknown): x is Hop {
  return isRec(x) && isStr(x['mgr']) && isNat(x['wait']) && isStr(x['owner']) && isStamp(x['stamp']) && isStr(x['next']);
}
const isHops = (x: unknown, max: number): x is Hop[] => Array.isArray(x) && x.length <= max && x.every(isHop);

export function isOwner(x: unknown): x is LockOwner {
  return isRec(x) && (x['family'] === 'posix' || x['family'] === 'ofd' || x['family'] === 'flock') && isStr(x['id']) && typeof x['pid'] === 'number'
    && Number.isSafeInteger(x['pid']) && typeof x['node'] === 'string';
}

const isRange = (v: Rec): boolean => isNat(v['start']) && isNat(v['end']) && (v['start'] as number) <= (v['end'] as number);

/** A home's request as the manager receives it, or why it is malformed. */
export function validateRequest(x: unknown): HomeRequest | string {
  if (!isRec(x)) return 'not an object';
  switch (x['k']) {
    case 'lock':
      return isNat(x['rid']) && isOwner(x['owner']) && isStamp(x['stamp']) && isStr(x['file']) && (x['type'] === 'read' || x['type'] === 'write' || x['type'] === 'unlock')
        && isRange(x) && typeof x['wait'] === 'boolean' ? x as unknown as HomeRequest : 'a lock request needs rid, owner, stamp, file, type, range, wait';
    case 'test':
      return isNat(x['rid']) && isOwner(x['owner']) && isStr(x['file']) && (x['type'] === 'read' || x['type'] === 'write') && isRange(x)
        ? x as unknown as HomeRequest : 'a test needs rid, owner, file, type, range';
    case 'cancel': return isNat(x['rid']) ? x as unknown as HomeRequest : 'a cancel needs rid';
    case 'release': return isNat(x['rid']) && (x['file'] === null || isStr(x['file'])) && isStr(x['owner']) ? x as unknown as HomeRequest : 'a release needs rid, file and owner';
    default: return `unknown request ${String(x['k'])}`;
  }
}

/** A manager's answer as the home receives it, or why it is malformed. */
export function validateAnswer(x: unknown): ManagerAnswer | string {
  if (!isRec(x) || !isNat(x['rid'])) return 'an answer needs rid';
  switch (x['k']) {
    case 'answer': {
      const o = x['outcome'];
      return (o === 'granted' || o === 'queued' || o === 'EAGAIN' || o === 'EDEADLK' || o === 'ENOLCK') && (x['wait'] === undefined || isNat(x['wait']))
        ? x as unknown as ManagerAnswer : 'a bad outcome';
    }
    case 'ended': return x['end'] === 'granted' || x['end'] === 'dropped' || x['end'] === 'aborted' ? x as unknown as ManagerAnswer : 'a bad end';
    case 'tested': {
      const i = x['info'];
      return i === null || (isRec(i) && (i['type'] === 'read' || i['type'] === 'write') && isRange(i) && typeof i['pid'] === 'number')
        ? x as unknown as ManagerAnswer : 'a bad lock description';
    }
    case 'released': return x as unknown as ManagerAnswer;
    default: return `unknown answer ${String(x['k'])}`;
  }
}

/** A bare message as a service receives it, or why it is malformed. */
export function validateDlm(x: unknown): DlmMessage | string {
  if (!isRec(x)) return 'not an object';
  const det = isStr(x['det']);
  switch (x['t']) {
    case 'ch': return isNat(x['boot']) && (x['to'] === null || isNat(x['to'])) && isNat(x['seq']) && isNat(x['base']) && 'body' in x ? x as unknown as DlmMessage : 'bad channel data';
    case 'ack': return isNat(x['boot']) && isNat(x['to_boot']) && isNat(x['upto']) ? x as unknown as DlmMessage : 'bad channel ack';
    case 'probe-home': return det && isStr(x['about']) && isHops(x['hops'], 64) && isNat(x['sent']) ? x as unknown as DlmMessage : 'bad probe';
    case 'probe-wait': return det && isNat(x['wait']) && isStr(x['about']) && isHops(x['hops'], 64) && isNat(x['sent']) ? x as unknown as DlmMessage : 'bad probe';
    case 'hold': return det && isNat(x['index']) && isHop(x['hop']) ? x as unknown as DlmMessage : 'bad hold';
    case 'held': return det && isNat(x['index']) && typeof x['ok'] === 'boolean' ? x as unknown as DlmMessage : 'bad held';
    case 'abort': case 'abort-now':
      return det && isNat(x['wait']) && isHops(x['cycle'], 64) && isNat(x['messages']) && typeof x['started_ns'] === 'number' ? x as unknown as DlmMessage : 'bad abort';
    case 'unhold': return det ? x as unknown as DlmMessage : 'bad unhold';
    case 'edges': {
      const w = x['waits'];
      const ok = isNat(x['round']) && Array.isArray(w) && w.length <= 4096 && w.every((r) => isRec(r) && isNat(r['wait']) && isStr(r['owner']) && isStamp(r['stamp'])
        && Array.isArray(r['blockers']) && (r['blockers'] as unknown[]).every((b) => isRec(b) && isStr(b['id']) && isStamp(b['stamp'])));
      return ok ? x as unknown as DlmMessage : 'bad edges report';
    }
    case 'lease': return isNat(x['boot']) ? x as unknown as DlmMessage : 'bad lease';
    default: return `unknown message ${String(x['t'])}`;
  }
}
