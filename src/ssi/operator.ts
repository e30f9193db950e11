// What an operator's client (atoll ps, atoll kill, atoll migrate) asks a real cluster's machines, and what they
// answer: the processes a node runs, a signal to a pid wherever it runs, and a move of a process to another node
// (asked of the node it runs on; answered with the migration's figures once it has an outcome). The requests come from a client id (never a
// member) and are validated here; the answers go to the client's OPERATOR_SERVICE.

import { MIGRATION_METHODS, type MigrationMethod } from '../net/index.js';
import type { MigrationFigures } from './migration.js';

export { OPERATOR_SERVICE } from '../node/index.js';

/** The longest node id a request may name. */
const NODE_ID_MAX = 64;

export type OperatorRequest =
  | { readonly t: 'ps.req'; readonly req: number }
  | { readonly t: 'kill.req'; readonly req: number; readonly pid: number; readonly sig: number }
  | { readonly t: 'migrate.req'; readonly req: number; readonly pid: number; readonly to: string; readonly method: MigrationMethod };

export interface OperatorProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly state: 'running' | 'dying';
  readonly program: string;
}

export type OperatorReply =
  | { readonly t: 'ps.resp'; readonly req: number; readonly node: string; readonly processes: readonly OperatorProcess[] }
  | { readonly t: 'kill.resp'; readonly req: number; readonly node: string; readonly result: number }
  | { readonly t: 'migrate.resp'; readonly req: number; readonly node: string; readonly figures: MigrationFigures };

const isNat = (x: unknown, max = Number.MAX_SAFE_INTEGER): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;

export function parseOperatorRequest(x: unknown): OperatorRequest | null {
  if (x === null || typeof x !== 'object') return null;
  const m = x as Record<string, unknown>;
  if (!isNat(m['req'])) return null;
  if (m['t'] === 'ps.req') return { t: 'ps.req', req: m['req'] };
  if (m['t'] === 'kill.req' && isNat(m['pid'], 0x7fff_ffff) && m['pid'] > 0 && isNat(m['sig'], 64)) return { t: 'kill.req', req: m['req'], pid: m['pid'], sig: m['sig'] };
  if (m['t'] === 'migrate.req' && isNat(m['pid'], 0x7fff_ffff) && m['pid'] > 0 && typeof m['to'] === 'string' && m['to'].length > 0 &&
    m['to'].length <= NODE_ID_MAX && MIGRATION_METHODS.includes(m['method'] as MigrationMethod)) {
    return { t: 'migrate.req', req: m['req'], pid: m['pid'], to: m['to'], method: m['method'] as MigrationMethod };
  }
  return null;
}

export function parseOperatorReply(x: unknown): OperatorReply | null {
  if (x === null || typeof x !== 'object') return null;
  const m = x as Record<string, unknown>;
  if (!isNat(m['req']) || typeof m['node'] !== 'string') return null;
  if (m['t'] === 'kill.resp' && typeof m['result'] === 'number') return m as unknown as OperatorReply;
  if (m['t'] === 'migrate.resp' && isFigures(m['figures'])) return m as unknown as OperatorReply;
  if (m['t'] === 'ps.resp' && Array.isArray(m['processes'])) {
    const ok = m['processes'].every((p: unknown) => {
      const q = p as Record<string, unknown> | null;
      return q !== null && isNat(q['pid']) && isNat(q['ppid']) && (q['state'] === 'running' || q['state'] === 'dying') && typeof q['program'] === 'string';
    });
    return ok ? m as unknown as OperatorReply : null;
  }
  return null;
}

function isFigures(x: unknown): x is MigrationFigures {
  if (x === null || typeof x !== 'object') return false;
  const f = x as Record<string, unknown>;
  const nums = ['pid', 'downtime_ns', 'total_ns', 'bytes', 'pages', 'pages_resent', 'rounds', 'pages_faulted', 'pages_pushed'];
  return nums.every((k) => typeof f[k] === 'number') && typeof f['from'] === 'string' && typeof f['to'] === 'string' &&
    MIGRATION_METHODS.includes(f['method'] as MigrationMethod) && typeof f['ok'] === 'boolean' && (f['error'] === null || typeof f['error'] === 'string');
}
