// What every replicated node service (procs, gfs) takes from a cluster config and how it builds its Raft group:
// the options of the group (voters, tick, snapshots, elections, storage) and of its node-local client, checked with
// one clear error each; the host, with every node that is not a voter following the log as a learner.
import type { NodeContext } from '../node/index.js';
import type { RaftStorage, Ready } from '../raft/index.js';
import { RSM_CLIENT_DEFAULTS, type RsmClientOptions } from './client.js';
import { RsmHost } from './host.js';
import type { StateMachine } from './state-machine.js';

export interface RsmServiceOptions extends Partial<RsmClientOptions> {
  /** The voters (default: every node); the other nodes follow the log as learners. */
  readonly voters?: readonly string[];
  readonly tick_ms?: number;
  readonly snapshot_entries?: number;
  readonly election_ticks?: number;
  readonly pre_vote?: boolean;
  readonly check_quorum?: boolean;
  /** Use a RaftFileStorage in <data_dir>/<node id>/<service> instead of the node's DurableStorage. */
  readonly data_dir?: string;
}

function num(service: string, v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${service} option ${name} must be a number in [${min}, ${max}]`);
  return v;
}

/** The group's and client's options of a cluster config's entry for service (plain JSON); flags: more booleans to check. */
export function parseRsmServiceOptions(raw: Readonly<Record<string, unknown>>, service: string, flags: readonly string[] = []): RsmServiceOptions {
  const voters = raw['voters'];
  if (voters !== undefined && (!Array.isArray(voters) || voters.length === 0 || !voters.every((v) => typeof v === 'string'))) {
    throw new Error(`${service} option voters must be a non-empty list of node ids`);
  }
  const dataDir = raw['data_dir'];
  if (dataDir !== undefined && typeof dataDir !== 'string') throw new Error(`${service} option data_dir must be a path`);
  for (const flag of ['pre_vote', 'check_quorum', ...flags]) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') throw new Error(`${service} option ${flag} must be true or false`);
  }
  const lanes = num(service, raw['lanes'], 'lanes', 1, 64);
  if (lanes !== undefined && !Number.isInteger(lanes)) throw new Error(`${service} option lanes must be an integer`);
  return {
    voters: voters as string[] | undefined,
    tick_ms: num(service, raw['tick_ms'], 'tick_ms', 1, 10_000),
    snapshot_entries: num(service, raw['snapshot_entries'], 'snapshot_entries', 1, 10_000_000),
    election_ticks: num(service, raw['election_ticks'], 'election_ticks', 2, 1000),
    pre_vote: raw['pre_vote'] as boolean | undefined,
    check_quorum: raw['check_quorum'] as boolean | undefined,
    data_dir: dataDir as string | undefined,
    call_timeout_ms: num(service, raw['call_timeout_ms'], 'call_timeout_ms', 1, 3_600_000),
    attempt_timeout_ms: num(service, raw['attempt_timeout_ms'], 'attempt_timeout_ms', 1, 60_000),
    retry_ms: num(service, raw['retry_ms'], 'retry_ms', 1, 60_000),
    lanes,
  };
}

/** The Raft group of a service on ctx's node: the options' voters (default every node), the rest as learners. */
export function serviceHost<R>(
  ctx: NodeContext, machine: StateMachine<R>, storage: RaftStorage, o: RsmServiceOptions,
  observe?: (host: RsmHost<R>, rd: Ready) => void,
): RsmHost<R> {
  const all = [ctx.id, ...ctx.peers].sort();
  const voters = o.voters ?? all;
  const learners = all.filter((n) => !voters.includes(n));
  return new RsmHost({
    ctx, machine, voters, storage, tick_ns: Math.round((o.tick_ms ?? 10) * 1_000_000), snapshot_entries: o.snapshot_entries,
    raft: { election_ticks: o.election_ticks, pre_vote: o.pre_vote, check_quorum: o.check_quorum, learners },
    observe,
  });
}

/** The client's options, defaults filled in (call_timeout_ms: the service's own default unless given). */
export function serviceClientOptions(o: Partial<RsmClientOptions>, call_timeout_ms = RSM_CLIENT_DEFAULTS.call_timeout_ms): RsmClientOptions {
  return {
    call_timeout_ms: o.call_timeout_ms ?? call_timeout_ms,
    attempt_timeout_ms: o.attempt_timeout_ms ?? RSM_CLIENT_DEFAULTS.attempt_timeout_ms,
    retry_ms: o.retry_ms ?? RSM_CLIENT_DEFAULTS.retry_ms,
    lanes: o.lanes ?? RSM_CLIENT_DEFAULTS.lanes,
    max_calls: o.max_calls ?? RSM_CLIENT_DEFAULTS.max_calls,
  };
}
