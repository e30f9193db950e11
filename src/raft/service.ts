// The `raft-kv` node service: a RaftKvServer on a cluster node, the same code in the simulator and on a
// real node. Options (from the cluster config): `voters` (node ids; default: this node and all peers),
// `tick_ms`, `snapshot_entries`, `election_ticks`, `lease_reads`. Storage: the node's DurableStorage
// (namespaced per service), or `data_dir` for the file storage (real nodes).
import * as path from 'node:path';
import type { NodeContext, NodeService } from '../cluster/context.js';
import { RaftKvServer, type RaftServerOptions } from './server.js';
import { DurableRaftStorage } from './storage/durable.js';
import { RaftFileStorage } from './storage/file.js';
import type { RaftStorage } from './storage/storage.js';
import type { RaftRandom, Ready } from './types.js';

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
  /** Simulation only: watch every Ready (safety checkers, timelines). */
  readonly observe?: (server: RaftKvServer, rd: Ready) => void;
  /** Simulation only: called once the server exists. */
  readonly onStart?: (server: RaftKvServer) => void;
}

export const RAFT_KV_SERVICE = 'raft-kv';

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

export class RaftKvService implements NodeService {
  server: RaftKvServer | undefined;
  private storage: RaftStorage | undefined;

  constructor(private readonly opts: RaftKvServiceOptions = {}) {}

  start(ctx: NodeContext): void {
    const o = this.opts;
    this.storage = o.data_dir ? new RaftFileStorage(path.join(o.data_dir, ctx.id, 'raft')) : new DurableRaftStorage(ctx.storage);
    const rng: RaftRandom = { nextInt: (bound) => ctx.rng.int(0, bound - 1) };
    const opts: RaftServerOptions = {
      id: ctx.id,
      voters: o.voters ?? [ctx.id, ...ctx.peers].sort(),
      storage: this.storage,
      rng,
      host: {
        send: (to, msg, service) => {
          ctx.send(to, msg, service ?? (msg.kind === 'kv-resp' || msg.kind === 'status-resp' ? 'kv-client' : undefined));
        },
        setTimer: (delay_ns, cb) => ctx.setTimer(delay_ns, cb),
        clearTimer: (id) => ctx.clearTimer(id),
        log: (line) => ctx.log(line),
      },
      tick_ns: Math.round((o.tick_ms ?? 10) * 1_000_000),
      snapshot_entries: o.snapshot_entries,
      raft: {
        election_ticks: o.election_ticks,
        read_only: o.lease_reads ? 'lease' : 'safe',
        pre_vote: o.pre_vote,
        check_quorum: o.check_quorum ?? (o.lease_reads ? true : undefined),
      },
      observe: o.observe,
    };
    this.server = new RaftKvServer(opts);
    o.onStart?.(this.server);
    this.server.start();
  }

  onMessage(from: string, msg: unknown): void {
    this.server?.onMessage(from, msg);
  }

  stop(): void {
    this.server?.stop();
    this.storage?.close();
    this.server = undefined;
  }
}
