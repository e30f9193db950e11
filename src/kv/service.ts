// The `raft-kv` node service: the key-value state machine on the rsm host, answering clients (writes and
// log reads through the log, gets through ReadIndex or the lease), the same code in the simulator and on
// a real node. Options (from the cluster config): `voters` (node ids; default: this node and all peers),
// `tick_ms`, `snapshot_entries`, `election_ticks`, `lease_reads`, `pre_vote`, `check_quorum`. Storage:
// the node's DurableStorage (namespaced per service), or `data_dir` for a RaftFileStorage (real nodes).
import type { NodeContext, NodeService } from '../node/index.js';
import type { NodeId, RaftStorage, Ready } from '../raft/index.js';
import { isClientId } from '../net/tcp/index.js';
import { openRaftStorage, RsmHost, type RaftFileOpener, type Refusal } from '../rsm/index.js';
import { KvStateMachine, encodeCommand, type KvResult } from './state-machine.js';
import { kvResultToWire, nameAnswer, validateWire, type NodeStatusReport, type WireKvRequest, type WireKvResponse } from './wire.js';

/** The host of a raft-kv node. */
export type KvHost = RsmHost<KvResult | null>;

export interface RaftKvServiceOptions {
  readonly voters?: readonly string[];
  readonly tick_ms?: number;
  readonly snapshot_entries?: number;
  readonly election_ticks?: number;
  readonly lease_reads?: boolean;
  readonly pre_vote?: boolean;
  readonly check_quorum?: boolean;
  /** Use a RaftFileStorage in <data_dir>/<node id>/raft instead of the node's DurableStorage. */
  readonly data_dir?: string;
  /** How to open Raft's file storage for data_dir (given by the composition layer on real nodes). */
  readonly open_file_storage?: RaftFileOpener;
  /** Simulation only: watch every Ready (safety checkers, timelines). */
  readonly observe?: (host: KvHost, rd: Ready) => void;
  /** Simulation only: called once the host exists, before it starts ticking. */
  readonly onStart?: (host: KvHost) => void;
}

export const RAFT_KV_SERVICE = 'raft-kv';
/** Where answers go unless a request names its reply_to service. */
export const KV_CLIENT_SERVICE = 'kv-client';

function num(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`raft-kv option ${name} must be a number in [${min}, ${max}]`);
  }
  return v;
}

/** Validate options from a cluster config file (plain JSON). */
export function parseRaftKvOptions(raw: Readonly<Record<string, unknown>>): RaftKvServiceOptions {
  const voters = raw['voters'];
  if (voters !== undefined && (!Array.isArray(voters) || !voters.every((v) => typeof v === 'string') || voters.length === 0)) {
    throw new Error('raft-kv option voters must be a non-empty list of node ids');
  }
  const dataDir = raw['data_dir'];
  if (dataDir !== undefined && typeof dataDir !== 'string') throw new Error('raft-kv option data_dir must be a path');
  for (const flag of ['pre_vote', 'check_quorum']) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') throw new Error(`raft-kv option ${flag} must be true or false`);
  }
  const lease = raw['lease_reads'];
  if (lease !== undefined && typeof lease !== 'boolean') throw new Error('raft-kv option lease_reads must be true or false');
  return {
    voters: voters as string[] | undefined,
    tick_ms: num(raw['tick_ms'], 'tick_ms', 1, 10_000),
    snapshot_entries: num(raw['snapshot_entries'], 'snapshot_entries', 1, 10_000_000),
    election_ticks: num(raw['election_ticks'], 'election_ticks', 2, 1000),
    lease_reads: lease as boolean | undefined,
    pre_vote: raw['pre_vote'] as boolean | undefined,
    check_quorum: raw['check_quorum'] as boolean | undefined,
    data_dir: dataDir as string | undefined,
    observe: typeof raw['observe'] === 'function' ? (raw['observe'] as RaftKvServiceOptions['observe']) : undefined,
    onStart: typeof raw['onStart'] === 'function' ? (raw['onStart'] as RaftKvServiceOptions['onStart']) : undefined,
  };
}

interface Requester {
  readonly from: NodeId;
  readonly req: number;
  readonly reply_to: string | undefined;
  /** The command, when the request asked for an answer that names it. */
  readonly named: WireKvRequest['cmd'] | undefined;
}

export class RaftKvService implements NodeService {
  host: KvHost | undefined;
  readonly kv = new KvStateMachine();
  /** Messages dropped because they failed validation. */
  malformed = 0;
  private ctx: NodeContext | undefined;
  private storage: RaftStorage | undefined;

  constructor(private readonly opts: RaftKvServiceOptions = {}) {}

  start(ctx: NodeContext): void {
    const o = this.opts;
    this.ctx = ctx;
    this.storage = openRaftStorage(ctx, o.data_dir, o.open_file_storage);
    this.host = new RsmHost({
      ctx,
      machine: this.kv,
      voters: o.voters ?? [ctx.id, ...ctx.peers].sort(),
      storage: this.storage,
      tick_ns: Math.round((o.tick_ms ?? 10) * 1_000_000),
      snapshot_entries: o.snapshot_entries,
      raft: {
        election_ticks: o.election_ticks,
        read_only: o.lease_reads ? 'lease' : 'safe',
        pre_vote: o.pre_vote,
        check_quorum: o.check_quorum ?? (o.lease_reads ? true : undefined),
      },
      observe: o.observe,
    });
    o.onStart?.(this.host);
    this.host.start();
  }

  /** Everything from the network comes in here, validated first. */
  onMessage(from: string, raw: unknown): void {
    const host = this.host;
    const ctx = this.ctx;
    if (!host || !ctx) return;
    const msg = validateWire(raw);
    if (typeof msg === 'string') {
      this.malformed++;
      ctx.log(`raft ${ctx.id}: dropped a message from ${from}: ${msg}`);
      return;
    }
    if (msg.kind === 'raft') {
      if (!isClientId(from)) host.step(from, msg);
      else this.malformed++; // clients are not members: their Raft traffic is never stepped
    }
    else if (msg.kind === 'status-req') ctx.send(from, { kind: 'status-resp', req: msg.req, status: this.statusReport() }, msg.reply_to ?? KV_CLIENT_SERVICE);
    else if (msg.kind === 'kv-req') this.handleRequest(host, from, msg);
  }

  statusReport(): NodeStatusReport {
    return { ...this.host!.status(), keys: this.kv.size() };
  }

  stop(): void {
    this.host?.stop();
    this.storage?.close();
    this.host = undefined;
    this.ctx = undefined;
  }

  private handleRequest(host: KvHost, from: NodeId, m: WireKvRequest): void {
    const who: Requester = { from, req: m.req, reply_to: m.reply_to, named: m.named ? m.cmd : undefined };
    if (m.cmd.op.op === 'get' && m.read !== 'log') {
      const key = m.cmd.op.key;
      host.read((r) => {
        if (r.ok) this.reply(who, { kind: 'kv-resp', req: who.req, ok: true, value: this.kv.get(key) });
        else this.refuse(who, r);
      });
      return;
    }
    host.propose(encodeCommand(m.cmd), (r) => {
      if (!r.ok) this.refuse(who, r);
      else if (r.result === null) this.refuse(who, { ok: false, reason: 'leadership changed before commit', leader: host.raft.lead });
      else this.reply(who, kvResultToWire(who.req, r.result));
    });
  }

  private reply(to: Requester, resp: WireKvResponse): void {
    this.ctx?.send(to.from, nameAnswer(resp, to.named), to.reply_to ?? KV_CLIENT_SERVICE);
  }

  private refuse(to: Requester, r: Refusal): void {
    this.reply(to, { kind: 'kv-resp', req: to.req, ok: false, error: r.reason, leader: r.leader, retry: true });
  }
}
