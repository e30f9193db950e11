// The `gfs` node service: the global namespace (GfsStateMachine) on the rsm host, replicated on every voter and
// followed by every other node as a Raft learner, so each node holds a whole replica to read from. It offers the
// node's VFS mount (mount.ts) two things:
// - mutate(op): a mutation through the log (forwarded to the leader from a follower, on client sessions so a
//   retry is applied once), answered with its result once applied here;
// - barrier(): a read barrier, after which this replica reflects every mutation completed before the barrier
//   began: the leader confirms its leadership (ReadIndex) and names its applied index, and the barrier passes
//   when this replica has applied that far. Barriers asked while one round is out wait for the next round (one
//   round serves them all).
// A call that gets no answer by its deadline fails with EIO (`hard: true` retries instead, as NFS's hard mount).
// A node starting again first releases the holds of its earlier boot (release-node of itself) before it serves.
// Options (cluster config): `voters`, `tick_ms`, `snapshot_entries`, `election_ticks`, `pre_vote`,
// `check_quorum`, `data_dir`, `hard`, `consistency`, `image` (a namespace image file to start from), and the client's `call_timeout_ms`, `attempt_timeout_ms`, `retry_ms`, `lanes`.
import { readFileSync } from 'node:fs';
import { OPERATOR_SERVICE, type NodeContext, type NodeService } from '../node/index.js';
import { decodeFsImage } from './image.js';
import { isClientId } from '../net/tcp/index.js';
import type { RaftStorage, Ready } from '../raft/index.js';
import {
  RsmClient, incarnationPrefix, openRaftStorage, parseRsmServiceOptions, serviceClientOptions, serviceHost, type RaftFileOpener,
  type RsmError, type RsmHost, type RsmServiceOptions,
} from '../rsm/index.js';
import { FsError, Later, Vfs, type Errno, type LockCall, type LockManager, type LockRequest } from '../vfs/index.js';
import { FsOps } from './fs-ops.js';
import { GfsMount, type GfsConsistency } from './mount.js';
import { parseFsRequest, serveFsRequest } from './operator.js';
import { GfsStateMachine, encodeCommand, gfsValue, type GfsOp, type GfsResult, type GfsValue } from './state-machine.js';

export type { GfsValue } from './state-machine.js';
import { GfsTree, type TreeImage } from './tree.js';
import { validateGfsWire, type GfsIndexAnswer, type GfsIndexQuery, type GfsWireCommand, type GfsWireQuery } from './wire.js';

export const GFS_SERVICE = 'gfs';
export type { GfsConsistency } from './mount.js';
/** A mount's call deadline unless configured: then EIO. */
export const GFS_CALL_TIMEOUT_MS = 5000;
/** A hard mount's deadline: 20 days, as good as none (and within a real timer's 2^31 ms). */
const HARD_TIMEOUT_MS = 20 * 86_400_000;

export type GfsHost = RsmHost<GfsResult | null>;


/** A mutation as the client submits it: the op and the proposer's CLOCK_REALTIME, fixed across retries. */
interface Stamped {
  readonly time_ns: string;
  readonly op: GfsOp;
}

export interface GfsServiceOptions extends RsmServiceOptions {
  readonly open_file_storage?: RaftFileOpener;
  /** Retry a call that misses its deadline for ever instead of failing it with EIO. */
  readonly hard?: boolean;
  /** linearizable (default): a read barrier before every read; close-to-open: only when a file is opened. */
  readonly consistency?: GfsConsistency;
  /** The tree the namespace starts from (a node's stored snapshot wins): every node must be given the same. */
  readonly initial?: TreeImage;
  /** Simulation only: watch every Ready. */
  readonly observe?: (host: GfsHost, rd: Ready) => void;
}

/** Validate options from a cluster config file (plain JSON). */
export function parseGfsOptions(raw: Readonly<Record<string, unknown>>): GfsServiceOptions {
  const consistency = raw['consistency'];
  if (consistency !== undefined && consistency !== 'linearizable' && consistency !== 'close-to-open') throw new Error('gfs option consistency must be linearizable or close-to-open');
  const image = raw['image'];
  if (image !== undefined && typeof image !== 'string') throw new Error('gfs option image must be the path of a namespace image');
  let initial: TreeImage | undefined;
  if (image !== undefined) {
    try {
      initial = decodeFsImage(readFileSync(image, 'utf8')).image();
    } catch (err) {
      throw new Error(`gfs option image: ${image}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return {
    ...parseRsmServiceOptions(raw, GFS_SERVICE, ['hard']),
    hard: raw['hard'] as boolean | undefined,
    consistency: consistency as GfsConsistency | undefined,
    ...(initial !== undefined ? { initial } : {}),
  };
}

/** The gfs service running beside another service of the same node (undefined when there is none). */
export function gfsOf(ctx: Pick<NodeContext, 'local'>, name = GFS_SERVICE): GfsService | undefined {
  const svc = ctx.local?.(name);
  return svc instanceof GfsService ? svc : undefined;
}

/** The EIO a mount's caller gets for a call the cluster did not answer. */
function unanswered(e: RsmError): FsError {
  return new FsError('EIO', `the global namespace did not answer: ${e.kind}: ${e.message}`);
}

export class GfsService implements NodeService {
  host: GfsHost | undefined;
  readonly machine = new GfsStateMachine();
  private client: RsmClient<GfsResult | null, Stamped, GfsValue, GfsIndexQuery, GfsIndexAnswer> | undefined;
  private ctx: NodeContext | undefined;
  private storage: RaftStorage | undefined;
  private callTimeoutMs = GFS_CALL_TIMEOUT_MS;
  /** Set once this node's earlier holds are released: nothing is served before. */
  private started = new Later<void>();
  /** Barriers waiting for the next round, and whether a round is out. */
  private nextRound: Later<void>[] = [];
  private roundOut = false;
  /** What operators' requests run on (made at the first). */
  private ops: FsOps | undefined;
  /** Messages dropped because they failed validation or came from outside the cluster. */
  malformed = 0;
  /** Counters: mutations and barrier rounds asked by this node, forwarded calls it served. */
  readonly stats = { mutations: 0, rounds: 0, barriers: 0, served_commands: 0, served_reads: 0 };

  /** Lock waits of this node's callers, by waiter id, until the log grants or drops them. */
  private readonly lockWaits = new Map<number, Later<void>>();

  /** The namespace's record locks and flocks, kept in the log: every node sees the same locks. */
  readonly locks: LockManager = {
    domain: GFS_SERVICE,
    set: (file, req) => this.lock(Number(file), req),
    test: (file, req) => this.barrier().map(() => this.machine.locks.test(file, req)),
    releaseOwner: (file, owner) => this.untilApplied({ op: 'lock-release', ino: file === null ? 0 : Number(file), owner }),
    // A description's locks go with its hold (the hold's release is one command).
    releaseDescription: () => {},
  };

  constructor(private readonly opts: GfsServiceOptions = {}) {
    if (opts.initial !== undefined) this.machine.tree = GfsTree.fromImage(opts.initial);
    this.machine.onWaitEnd = (w, end, owner) => {
      if (owner.node !== this.node) return;
      const l = this.lockWaits.get(w);
      if (l === undefined) return;
      this.lockWaits.delete(w);
      if (end === 'granted') l.resolve();
      else l.reject(new FsError('EINTR'));
    };
  }

  /** A lock request of a caller here: granted, refused, or a wait the log ends (a cancel asks it to). */
  private lock(ino: number, req: LockRequest): LockCall {
    const l = new Later<void>();
    let waiter: number | null = null;
    let cancelled = false;
    const owner = { ...req.owner, node: this.node };
    this.mutate({ op: 'lock', ino, owner, type: req.type, start: req.start, end: req.end, wait: req.wait }).then((v) => {
      if (v.waiter === undefined) return l.resolve();
      waiter = v.waiter;
      // The grant may be applied here before the answer came back (a follower's answer travels).
      const seen = this.machine.locks.outcome(v.waiter);
      if (seen === 'granted') return l.resolve();
      if (seen === 'dropped') return l.reject(new FsError('EINTR'));
      this.lockWaits.set(v.waiter, l);
      if (cancelled) this.cancelWait(v.waiter);
    }, (e) => l.reject(e));
    return { result: l, cancel: () => { cancelled = true; if (waiter !== null) this.cancelWait(waiter); } };
  }

  /** Ask the log to drop a wait; the grant or drop it applies answers the waiting call. */
  private cancelWait(waiter: number): void {
    this.mutate({ op: 'lock-cancel', waiter }).then(() => undefined, () => undefined);
  }

  /** A command that must be applied sooner or later (a release): retried while the cluster does not answer. */
  private untilApplied(op: GfsOp, tries = 20): void {
    this.mutate(op).then(() => undefined, (e) => {
      if (e.code === 'EIO' && this.ctx !== undefined && tries > 1) this.untilApplied(op, tries - 1);
    });
  }

  /** Another node is gone (its machine's peers saw it crash or fall silent): its holds and locks go. */
  nodeDown(node: string): void {
    this.untilApplied({ op: 'release-node', node });
  }

  /** How fresh this node's mount's reads are. */
  get consistency(): GfsConsistency {
    return this.opts.consistency ?? 'linearizable';
  }

  /** This node's name (the holder of its descriptions' holds). */
  get node(): string {
    return this.ctx?.id ?? '';
  }

  /** The replica's tree as applied here (read it after a barrier). */
  get tree(): GfsTree {
    return this.machine.tree;
  }

  start(ctx: NodeContext): void {
    const o = this.opts;
    this.ctx = ctx;
    this.storage = openRaftStorage(ctx, o.data_dir, o.open_file_storage, GFS_SERVICE);
    const host: GfsHost = serviceHost(ctx, this.machine, this.storage, o, o.observe);
    this.host = host;
    // A hard mount's calls keep their session and retry until they are answered (never applied twice).
    this.callTimeoutMs = o.hard === true ? HARD_TIMEOUT_MS : o.call_timeout_ms ?? GFS_CALL_TIMEOUT_MS;
    const machine = this.machine;
    this.client = new RsmClient(ctx, host, {
      encode: (client, seq, s) => encodeCommand({ client, seq, time_ns: s.time_ns, op: s.op }),
      settle: (r) => (r === null ? null : settled(r)),
      answer: () => ({ q: 'index', index: Math.max(host.applied, machine.applied) }),
      answers: (q, a) => a.q === q.q,
      commandMessage: (req, client, seq, s): GfsWireCommand => ({ kind: 'gfs-cmd', req, cmd: { client, seq, time_ns: s.time_ns, op: s.op } }),
      queryMessage: (req, client, query): GfsWireQuery => ({ kind: 'gfs-read', req, client, query }),
    }, incarnationPrefix(ctx, GFS_SERVICE), serviceClientOptions({ ...o, call_timeout_ms: this.callTimeoutMs }), GFS_SERVICE);
    host.start();
    this.releaseEarlierBoot();
  }

  stop(): void {
    this.client?.stop();
    this.host?.stop();
    this.storage?.close();
    this.client = undefined;
    this.host = undefined;
    this.ctx = undefined;
  }

  onMessage(from: string, raw: unknown): void {
    const { host, ctx, client } = this;
    if (!host || !ctx || !client) return;
    if (isClientId(from)) { this.operator(from, raw); return; }
    const msg = validateGfsWire(raw);
    if (typeof msg === 'string' || !ctx.peers.includes(from)) {
      this.malformed++;
      ctx.log(`gfs ${ctx.id}: dropped a message from ${from}: ${typeof msg === 'string' ? msg : 'not a cluster member'}`);
      return;
    }
    switch (msg.kind) {
      case 'raft': return host.step(from, msg);
      case 'gfs-cmd': {
        this.stats.served_commands++;
        const head = { kind: 'gfs-cmd-ans', req: msg.req, client: msg.cmd.client, seq: msg.cmd.seq } as const;
        host.propose(encodeCommand(msg.cmd), (r) => {
          if (r.ok && r.result !== null) this.ctx?.send(from, { ...head, ok: true, result: r.result });
          else if (r.ok) this.ctx?.send(from, { ...head, ok: false, error: 'leadership changed before commit', leader: host.raft.lead });
          else this.ctx?.send(from, { ...head, ok: false, error: r.reason, leader: r.leader });
        });
        return;
      }
      case 'gfs-read': {
        this.stats.served_reads++;
        const head = { kind: 'gfs-read-ans', req: msg.req, client: msg.client } as const;
        host.read((r) => {
          if (r.ok) this.ctx?.send(from, { ...head, ok: true, answer: client.answer(msg.query) });
          else this.ctx?.send(from, { ...head, ok: false, error: r.reason, leader: r.leader });
        });
        return;
      }
      case 'gfs-cmd-ans': return client.onCommandAnswer(from, msg.ok ? { ...msg, result: settled(msg.result) } : msg);
      case 'gfs-read-ans': return client.onQueryAnswer(from, msg);
    }
  }

  /** A request of an operator's client (atoll fs): run on this node's view of the namespace, answered to it. */
  private operator(from: string, raw: unknown): void {
    const ctx = this.ctx!;
    const r = parseFsRequest(raw);
    if (r === null) {
      this.malformed++;
      ctx.log(`gfs ${ctx.id}: dropped a malformed request from ${from}`);
      return;
    }
    this.ops ??= new FsOps(new Vfs(new GfsMount(this)));
    serveFsRequest(this.ops, ctx.id, r, (reply) => { this.ctx?.send(from, reply, OPERATOR_SERVICE); });
  }

  /**
   * A read barrier: settles once this replica reflects every mutation completed before the call (EIO if the
   * cluster gives no read index by the deadline).
   */
  barrier(): Later<void> {
    const l = new Later<void>();
    this.stats.barriers++;
    this.afterStart(l, () => {
      this.nextRound.push(l);
      this.startRound();
    });
    return l;
  }

  /** A mutation through the log: its value once applied here, or its errno (EIO when the cluster did not answer). */
  mutate(op: GfsOp): Later<GfsValue> {
    const l = new Later<GfsValue>();
    this.afterStart(l, () => this.submit(op, l));
    return l;
  }

  /** fn once this node serves (its earlier holds released); l fails with EIO if that takes past the deadline. */
  private afterStart<T>(l: Later<T>, fn: () => void): void {
    const ctx = this.ctx;
    if (this.started.settled || ctx === undefined) { this.started.then(fn, (e) => l.reject(e)); return; }
    const t = ctx.setTimer(this.callTimeoutMs * 1e6, () => l.reject(new FsError('EIO', 'the global namespace is not serving on this node yet')));
    this.started.then(() => {
      ctx.clearTimer(t);
      if (!l.settled) fn();
    }, (e) => l.reject(e));
  }

  /** Let go of a description's hold (its last close): retried until it is applied or the node stops. */
  release(hold: number): void {
    this.mutate({ op: 'release', hold }).then(() => undefined, (e) => {
      if (e.code === 'EIO' && this.ctx !== undefined) this.release(hold);
    });
  }

  private submit(op: GfsOp, l: Later<GfsValue>): void {
    const client = this.client, ctx = this.ctx;
    if (!client || !ctx) { l.reject(new FsError('EIO', 'the global namespace is not running here')); return; }
    this.stats.mutations++;
    const stamped: Stamped = { time_ns: BigInt(Math.max(0, Math.round(ctx.now_ns()))).toString(), op };
    client.write(stamped, { timeout_ms: this.callTimeoutMs }, (r) => {
      if (r.ok) return l.resolve(r.value);
      if (r.error.kind === 'refused') return l.reject(new FsError(r.error.message as Errno));
      l.reject(unanswered(r.error));
    });
  }

  private startRound(): void {
    const client = this.client, host = this.host;
    if (this.roundOut || this.nextRound.length === 0 || !client || !host) return;
    const batch = this.nextRound;
    this.nextRound = [];
    this.roundOut = true;
    this.stats.rounds++;
    client.read({ q: 'index' }, { timeout_ms: this.callTimeoutMs }, (r) => {
      this.roundOut = false;
      if (r.ok) host.whenApplied(r.value.index, () => { for (const l of batch) l.resolve(); });
      else for (const l of batch) l.reject(unanswered(r.error));
      this.startRound();
    });
  }

  /** Holds this node had before it restarted belong to descriptions that are gone. */
  private releaseEarlierBoot(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    this.submit({ op: 'release-node', node: ctx.id }, (() => {
      const l = new Later<GfsValue>();
      l.then(() => this.started.resolve(), () => {
        if (this.ctx === ctx) ctx.setTimer(100e6, () => this.releaseEarlierBoot());
      });
      return l;
    })());
  }
}

/** A forwarded command's result as the client settles it. */
function settled(r: GfsResult): { ok: true; value: GfsValue } | { ok: false; error: string } {
  return r.ok ? { ok: true, value: gfsValue(r) } : { ok: false, error: r.errno };
}
