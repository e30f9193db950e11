// The node-local side of the `procs` service: calls another service on the same node makes in-process
// (lease, place, end, forget, move, node-down; lookup and list), each finished exactly once by its deadline,
// on the generic replicated-service client (src/rsm/client.ts): forwarded to the leader from a follower,
// retried until the deadline, writes on client sessions so a retried command is applied at most once.
import type { NodeContext } from '../node/index.js';
import {
  RsmClient, RSM_CLIENT_DEFAULTS, type RsmCallOptions, type RsmClientOptions, type RsmError, type RsmErrorKind, type RsmHost,
  type RsmOutcome,
} from '../rsm/index.js';
import { encodeCommand, type PidOp, type PidResult, type PidStateMachine, type PidValue } from './state-machine.js';
import type { PidQuery, QueryAnswer, WireCommand, WireQuery } from './wire.js';

export type SsiErrorKind = RsmErrorKind;
export type SsiError = RsmError;
export type SsiOutcome<T> = RsmOutcome<T>;
export type SsiCallOptions = RsmCallOptions;
export type ProcsClientOptions = RsmClientOptions;
export const PROCS_CLIENT_DEFAULTS: ProcsClientOptions = RSM_CLIENT_DEFAULTS;

export class ProcsClient extends RsmClient<PidResult | null, PidOp, PidValue, PidQuery, QueryAnswer> {
  constructor(ctx: NodeContext, host: RsmHost<PidResult | null>, machine: PidStateMachine, prefix: string, opts: ProcsClientOptions) {
    super(ctx, host, {
      encode: (client, seq, op) => encodeCommand({ client, seq, op }),
      settle: (r) => r,
      answer: (q) => {
        if (q.q === 'lookup') return { q: 'lookup', pid: q.pid, entry: machine.entry(q.pid), lease_node: machine.leaseOwner(q.pid) };
        if (q.q === 'name') return { q: 'name', name: q.name, binding: machine.nameOf(q.name) };
        return { q: 'list', ...machine.list(q.after, q.limit) };
      },
      answers: (q, a) => a.q === q.q,
      commandMessage: (req, client, seq, op): WireCommand => ({ kind: 'ssi-cmd', req, cmd: { client, seq, op } }),
      queryMessage: (req, client, query): WireQuery => ({ kind: 'ssi-read', req, client, query }),
    }, prefix, opts, 'procs');
  }
}
