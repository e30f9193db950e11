// The `procs` node service: the PID space and the process directory (PidStateMachine) on the rsm host,
// replicated on every voter, with the node-local client API (ProcsClient) that other services on the same
// node call in-process. It serves what followers forward (commands through the log, reads through ReadIndex)
// and answers owner() of a leased PID from its own applied state, as a committed lease never changes.
// Options (cluster config): `voters` (default: every node; the others follow the log as learners), `tick_ms`, `snapshot_entries`, `election_ticks`,
// `pre_vote`, `check_quorum`, `data_dir`, and the client's `call_timeout_ms`, `attempt_timeout_ms`,
// `retry_ms`, `lanes`.
import type { NodeContext, NodeService } from '../node/index.js';
import type { NodeId, RaftStorage, Ready } from '../raft/index.js';
import {
  incarnationPrefix, openRaftStorage, parseRsmServiceOptions, serviceClientOptions, serviceHost, type RaftFileOpener, type RsmHost,
  type RsmServiceOptions,
} from '../rsm/index.js';
import { LIST_PAGE_MAX } from './limits.js';
import {
  PidStateMachine, encodeCommand, type PidMachineOptions, type PidOp, type PidOwner, type PidResult, type PidValue,
  type Placement, type ProcessExit, type NameBinding,
} from './state-machine.js';
import { PROCS_CLIENT_DEFAULTS, ProcsClient, type ProcsClientOptions, type SsiCallOptions, type SsiOutcome } from './client.js';
import { validateWire, type ListAnswer, type LookupAnswer, type NameAnswer, type QueryAnswer, type WireCommand, type WireQuery } from './wire.js';

export const PROCS_SERVICE = 'procs';

export type ProcsHost = RsmHost<PidResult | null>;

export interface ProcsServiceOptions extends RsmServiceOptions {
  readonly open_file_storage?: RaftFileOpener;
  /** Smaller bounds of the replicated state (tests). */
  readonly machine?: PidMachineOptions;
  /** Simulation only: watch every Ready. */
  readonly observe?: (host: ProcsHost, rd: Ready) => void;
  /** Simulation only: called once the host exists, before it starts ticking. */
  readonly onStart?: (svc: ProcsService) => void;
}

export interface LeaseGrant {
  readonly start: number;
  readonly count: number;
}

/** A placement from this node: `node` defaults to the calling node. */
export type PlaceRequest = Omit<Placement, 'node'> & { readonly node?: string };

export interface ListOptions extends SsiCallOptions {
  /** Entries with a pid above this (default 0: from the start). */
  readonly after?: number;
  readonly limit?: number;
}

type ValueOf<K extends PidValue['kind']> = Omit<Extract<PidValue, { kind: K }>, 'kind'>;

/** Validate options from a cluster config file (plain JSON). */
export function parseProcsOptions(raw: Readonly<Record<string, unknown>>): ProcsServiceOptions {
  return parseRsmServiceOptions(raw, 'procs');
}

/** The procs service running beside another service of the same node (undefined when there is none). */
export function procsOf(ctx: Pick<NodeContext, 'local'>, name = PROCS_SERVICE): ProcsService | undefined {
  const svc = ctx.local?.(name);
  return svc instanceof ProcsService ? svc : undefined;
}

export class ProcsService implements NodeService {
  host: ProcsHost | undefined;
  readonly machine: PidStateMachine;
  client: ProcsClient | undefined;
  /** Messages dropped because they failed validation or came from outside the cluster. */
  malformed = 0;
  /** Forwarded commands and reads this node took in (as leader or not). */
  readonly served = { commands: 0, reads: 0 };
  private ctx: NodeContext | undefined;
  private storage: RaftStorage | undefined;

  constructor(private readonly opts: ProcsServiceOptions = {}) {
    this.machine = new PidStateMachine(opts.machine);
  }

  start(ctx: NodeContext): void {
    const o = this.opts;
    this.ctx = ctx;
    this.storage = openRaftStorage(ctx, o.data_dir, o.open_file_storage, PROCS_SERVICE);
    this.host = serviceHost(ctx, this.machine, this.storage, o, o.observe);
    const client: ProcsClientOptions = serviceClientOptions(o, PROCS_CLIENT_DEFAULTS.call_timeout_ms);
    this.client = new ProcsClient(ctx, this.host, this.machine, incarnationPrefix(ctx, 'ssi'), client);
    o.onStart?.(this);
    this.host.start();
  }

  stop(): void {
    this.client?.stop();
    this.host?.stop();
    this.storage?.close();
    this.client = undefined;
    this.host = undefined;
    this.ctx = undefined;
  }

  /** Everything from the network comes in here, validated first; only cluster members are heard. */
  onMessage(from: string, raw: unknown): void {
    const { host, ctx, client } = this;
    if (!host || !ctx || !client) return;
    const msg = validateWire(raw);
    if (typeof msg === 'string' || !ctx.peers.includes(from)) {
      this.malformed++;
      ctx.log(`procs ${ctx.id}: dropped a message from ${from}: ${typeof msg === 'string' ? msg : 'not a cluster member'}`);
      return;
    }
    switch (msg.kind) {
      case 'raft': return host.step(from, msg);
      case 'ssi-cmd': return this.serveCommand(host, from, msg);
      case 'ssi-read': return this.serveQuery(host, from, msg);
      case 'ssi-cmd-ans': return client.onCommandAnswer(from, msg);
      case 'ssi-read-ans': return client.onQueryAnswer(from, msg);
    }
  }

  // ---- the node-local API ----

  /** Ask for `count` new PIDs for this node (fewer only when the PID space is nearly spent). */
  lease(count: number, done: (r: SsiOutcome<LeaseGrant>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'lease', node: this.ctx?.id ?? '', count }, 'lease', o, done);
  }

  /** Record that `pid` now runs on `node` (this node unless named). */
  place(p: PlaceRequest, done: (r: SsiOutcome<ValueOf<'placed'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'place', ...p, node: p.node ?? this.ctx?.id ?? '' }, 'placed', o, done);
  }

  /** The process ended (it stays a zombie until forgotten). */
  end(pid: number, exit: ProcessExit, done: (r: SsiOutcome<ValueOf<'ended'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'end', pid, code: exit.code, status: exit.status }, 'ended', o, done);
  }

  /** The zombie was reaped: its entry goes (its PID is never granted again). */
  forget(pid: number, done: (r: SsiOutcome<ValueOf<'forgotten'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'forget', pid }, 'forgotten', o, done);
  }

  /** The process now runs on `to` (refused unless it runs on `from`). */
  move(pid: number, from: string, to: string, done: (r: SsiOutcome<ValueOf<'moved'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'move', pid, from, to }, 'moved', o, done);
  }

  /** `node` is gone: every process placed on it ends as if killed by SIGKILL. */
  nodeDown(node: string, done: (r: SsiOutcome<ValueOf<'node-down'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'node-down', node }, 'node-down', o, done);
  }

  /** Where `pid` is, linearizably (through the leader's ReadIndex). */
  lookup(pid: number, done: (r: SsiOutcome<LookupAnswer>) => void, o: SsiCallOptions = {}): void {
    this.query({ q: 'lookup', pid }, o, done);
  }

  /** A page of the directory in pid order, linearizably (for `atoll ps`). */
  list(done: (r: SsiOutcome<ListAnswer>) => void, o: ListOptions = {}): void {
    this.query({ q: 'list', after: o.after ?? 0, limit: o.limit ?? LIST_PAGE_MAX }, o, done);
  }

  /**
   * Bind a cluster-wide IPC endpoint name to pid on this node (boot: which boot of its machine): the answer says
   * whether it is now bound, or who holds it. A binding of this node's earlier boot, or of replace_pid, gives way.
   */
  bindName(b: { name: number; pid: number; boot: number; replace_pid?: number }, done: (r: SsiOutcome<ValueOf<'name'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'name-bind', name: b.name, node: this.ctx?.id ?? '', pid: b.pid, boot: b.boot, replace_pid: b.replace_pid ?? 0 }, 'name', o, done);
  }

  /** Drop the name if pid on this node still holds it. */
  dropName(name: number, pid: number, done: (r: SsiOutcome<ValueOf<'name-dropped'>>) => void, o: SsiCallOptions = {}): void {
    this.write({ op: 'name-drop', name, node: this.ctx?.id ?? '', pid }, 'name-dropped', o, done);
  }

  /** Who holds a name, linearizably (through the leader's ReadIndex). */
  resolveName(name: number, done: (r: SsiOutcome<NameAnswer>) => void, o: SsiCallOptions = {}): void {
    this.query({ q: 'name', name }, o, done);
  }

  /** Who holds a name in this node's applied state (may lag the leader). */
  localName(name: number): NameBinding | null {
    return this.machine.nameOf(name);
  }

  /** The node a committed lease gave `pid` to, from this node's applied state (null when it does not know). */
  leaseOwner(pid: number): string | null {
    return this.machine.leaseOwner(pid);
  }

  /** The cluster's first process while it runs (orphans go to it), from this node's applied state. */
  firstProcess(): { readonly pid: number; readonly node: string } | null {
    return this.machine.firstProcess();
  }

  /** owner(pid) from this node's applied state: may lag the leader for directory entries, never for leases. */
  localOwner(pid: number): PidOwner | null {
    return this.machine.owner(pid);
  }

  private write<K extends PidValue['kind']>(op: PidOp, kind: K, o: SsiCallOptions, done: (r: SsiOutcome<ValueOf<K>>) => void): void {
    if (!this.client) return done({ ok: false, error: { kind: 'stopped', message: 'the procs service is not running' } });
    this.client.write(op, o, (r) => {
      if (!r.ok) return done(r);
      if (r.value.kind !== kind) return done({ ok: false, error: { kind: 'refused', message: `expected a ${kind} result, got ${r.value.kind}` } });
      const { kind: _k, ...value } = r.value;
      done({ ok: true, value: value as unknown as ValueOf<K> });
    });
  }

  private query<A extends QueryAnswer>(q: WireQuery['query'], o: SsiCallOptions, done: (r: SsiOutcome<A>) => void): void {
    if (!this.client) return done({ ok: false, error: { kind: 'stopped', message: 'the procs service is not running' } });
    this.client.read(q, o, done as (r: SsiOutcome<QueryAnswer>) => void);
  }

  private serveCommand(host: ProcsHost, from: NodeId, m: WireCommand): void {
    const head = { kind: 'ssi-cmd-ans', req: m.req, client: m.cmd.client, seq: m.cmd.seq } as const;
    this.served.commands++;
    host.propose(encodeCommand(m.cmd), (r) => {
      if (r.ok && r.result !== null) this.ctx?.send(from, { ...head, ok: true, result: r.result });
      else if (r.ok) this.ctx?.send(from, { ...head, ok: false, error: 'leadership changed before commit', leader: host.raft.lead });
      else this.ctx?.send(from, { ...head, ok: false, error: r.reason, leader: r.leader });
    });
  }

  private serveQuery(host: ProcsHost, from: NodeId, m: WireQuery): void {
    const head = { kind: 'ssi-read-ans', req: m.req, client: m.client } as const;
    this.served.reads++;
    host.read((r) => {
      const client = this.client;
      if (!client) return;
      if (r.ok) this.ctx?.send(from, { ...head, ok: true, answer: client.answer(m.query) });
      else this.ctx?.send(from, { ...head, ok: false, error: r.reason, leader: r.leader });
    });
  }
}
