// A replicated register on a quorum system, ABD-style (Attiya, Bar-Noy and Dolev; multi-writer form).
// Every node is a replica holding (tag, value) and a coordinator for its clients:
//   write: ask a write quorum for tags, pick (max version + 1, writer), store on a write quorum (asking a
//     write quorum, not just a read quorum, means a side that could never finish a write does not start
//     one, so it leaves no half-stored tag that would force its reads into a write-back they cannot do);
//   read: ask a read quorum for (tag, value), take the highest, write it back to a write quorum, return it.
// A replica also remembers the highest tag it knows is stable (held by a write quorum: the coordinator
// says so after a store completes); a read whose highest tag is stable skips the write-back, so reads stay
// available where only a read quorum is reachable. Linearizable iff read and write quorums intersect
// (src/quorum/intersection.ts). Optional anti-entropy pushes each replica's state to its peers, so replicas
// converge after a partition heals. Bounds: `max_ops` coordinations in flight; deadlines on every phase.
import type { NodeContext, NodeService } from '../node/index.js';
import { RpcClient, RpcServer } from '../rpc/index.js';
import type { QuorumSystem } from './systems.js';
import { compareTags, isTag, maxTag, TAG_ZERO, type Tag } from './tag.js';

export type RegisterValue = string | null;

export interface ReplicaState {
  readonly tag: Tag;
  readonly value: RegisterValue;
  /** The highest tag known to be held by a write quorum. */
  readonly stable: Tag;
}

export interface QuorumRegisterOptions {
  readonly system: QuorumSystem;
  /** Deadline of one read or write, both phases (default 300 ms). */
  readonly deadline_ns?: number;
  /** Resend to replicas that did not answer this often (default 50 ms). */
  readonly retry_ns?: number;
  /** Push this replica's state to every peer this often (0: never, the default). */
  readonly anti_entropy_ns?: number;
  readonly max_ops?: number;
  /** Sees each replica adopting a newer tag (for a scenario's log of how writes were ordered). */
  readonly onAdopt?: (node: string, from: Tag, to: Tag, value: RegisterValue, via: string) => void;
}

export type RegisterFailure = 'no-query-quorum' | 'no-store-quorum' | 'busy';

export type RegisterResult =
  | {
    readonly ok: true;
    readonly value: RegisterValue;
    readonly tag: Tag;
    /** Replicas whose answers completed the query phase and (when there was one) the store phase. */
    readonly queried: readonly string[];
    readonly stored: readonly string[];
  }
  | {
    readonly ok: false;
    readonly error: RegisterFailure;
    readonly message: string;
    /** A write that failed in its store phase may still take effect: its outcome is unknown. */
    readonly maybe_applied: boolean;
  };

const STATE_KEY = 'state';

function parseState(x: unknown): ReplicaState | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const s = x as Record<string, unknown>;
  if (!isTag(s['tag']) || !isTag(s['stable']) || !(s['value'] === null || typeof s['value'] === 'string')) return undefined;
  return { tag: s['tag'], value: s['value'], stable: s['stable'] };
}

export class QuorumRegister implements NodeService {
  private ctx: NodeContext | undefined;
  private rpc: RpcClient | undefined;
  private server: RpcServer | undefined;
  private replica: ReplicaState = { tag: TAG_ZERO, value: null, stable: TAG_ZERO };
  private inFlight = 0;
  private readonly deadline_ns: number;
  private readonly retry_ns: number;
  private readonly maxOps: number;

  constructor(private readonly opts: QuorumRegisterOptions) {
    this.deadline_ns = opts.deadline_ns ?? 300_000_000;
    this.retry_ns = opts.retry_ns ?? 50_000_000;
    this.maxOps = opts.max_ops ?? 10_000;
    if (!(this.deadline_ns > 0 && this.retry_ns > 0)) throw new RangeError('deadline_ns and retry_ns must be > 0');
  }

  /** This replica's (tag, value, stable). */
  get state(): ReplicaState {
    return this.replica;
  }

  start(ctx: NodeContext): void {
    if (!this.opts.system.nodes.includes(ctx.id)) throw new Error(`node ${ctx.id} is not in the quorum system (${this.opts.system.nodes.join(', ')})`);
    this.ctx = ctx;
    const saved = ctx.storage.get(STATE_KEY);
    if (saved !== undefined) this.replica = parseState(JSON.parse(saved)) ?? this.replica;
    this.rpc = new RpcClient(ctx);
    this.server = new RpcServer(ctx);
    this.server.register('q.get', () => this.replica, { idempotent: true });
    this.server.register('q.put', (args, call) => {
      const s = parseState(args);
      if (!s) throw new Error('q.put takes {tag, value, stable}');
      this.adopt(s, call.from);
      return { tag: this.replica.tag };
    }, { idempotent: true });
    const every = this.opts.anti_entropy_ns ?? 0;
    if (every > 0) {
      const push = (): void => {
        for (const peer of ctx.peers) this.rpc!.call(peer, 'q.put', this.replica, { deadline_ns: every, retry_ns: every }, () => {});
        ctx.setTimer(every, push);
      };
      ctx.setTimer(every, push);
    }
  }

  onMessage(from: string, msg: unknown): void {
    if (this.server?.handle(from, msg)) return;
    this.rpc?.handle(from, msg);
  }

  stop(): void {
    this.rpc?.close();
  }

  /** Read the register; cb runs exactly once. */
  read(cb: (r: RegisterResult) => void): void {
    if (!this.admit(cb)) return;
    const end = this.end(cb);
    this.gather('q.get', {}, 'read', (replies, queried) => {
      let best: ReplicaState = { tag: TAG_ZERO, value: null, stable: TAG_ZERO };
      let stable = TAG_ZERO;
      for (const r of replies) {
        if (compareTags(r.tag, best.tag) > 0) best = r;
        stable = maxTag(stable, r.stable);
      }
      if (compareTags(stable, best.tag) >= 0) {
        end({ ok: true, value: best.value, tag: best.tag, queried, stored: [] });
        return;
      }
      this.store({ ...best, stable }, (stored) => {
        if (stored === undefined) end({ ok: false, error: 'no-store-quorum', message: `read: the write-back of ${best.tag.v} found no write quorum`, maybe_applied: false });
        else end({ ok: true, value: best.value, tag: best.tag, queried, stored });
      });
    }, () => end({ ok: false, error: 'no-query-quorum', message: 'read: no read quorum answered before the deadline', maybe_applied: false }));
  }

  /** Write value as `writer` (unique per write: a client id and its write count); cb runs once. */
  write(writer: string, value: string, cb: (r: RegisterResult) => void): void {
    if (!this.admit(cb)) return;
    const end = this.end(cb);
    this.gather('q.get', {}, 'write', (replies, queried) => {
      let v = 0;
      let stable = TAG_ZERO;
      for (const r of replies) { v = Math.max(v, r.tag.v); stable = maxTag(stable, r.stable); }
      const tag: Tag = { v: v + 1, w: writer };
      this.store({ tag, value, stable }, (stored) => {
        if (stored === undefined) end({ ok: false, error: 'no-store-quorum', message: `write ${value}: no write quorum acknowledged before the deadline`, maybe_applied: true });
        else end({ ok: true, value, tag, queried, stored });
      });
    }, () => end({ ok: false, error: 'no-query-quorum', message: `write ${value}: no write quorum answered the version query before the deadline`, maybe_applied: false }));
  }

  private admit(cb: (r: RegisterResult) => void): boolean {
    if (!this.ctx) throw new Error('the register is not started');
    if (this.inFlight >= this.maxOps) {
      cb({ ok: false, error: 'busy', message: `more than ${this.maxOps} operations in flight`, maybe_applied: false });
      return false;
    }
    this.inFlight++;
    return true;
  }

  private end(cb: (r: RegisterResult) => void): (r: RegisterResult) => void {
    let done = false;
    return (r) => {
      if (done) throw new Error('register: an operation ended twice');
      done = true;
      this.inFlight--;
      cb(r);
    };
  }

  /** Store on a write quorum; then tell every replica the tag is stable. undefined: no quorum in time. */
  private store(s: ReplicaState, cb: (stored: string[] | undefined) => void): void {
    this.gather('q.put', s, 'write', (_replies, stored) => {
      const stable: ReplicaState = { ...s, stable: maxTag(s.stable, s.tag) };
      this.adopt(stable, this.ctx!.id);
      for (const peer of this.ctx!.peers) this.rpc!.call(peer, 'q.put', stable, { deadline_ns: this.deadline_ns, retry_ns: this.deadline_ns }, () => {});
      cb(stored);
    }, () => cb(undefined));
  }

  /** Call `method` on every replica until the repliers form a quorum of `kind`, or the deadline passes. */
  private gather(method: string, args: unknown, kind: 'read' | 'write', done: (replies: ReplicaState[], who: string[]) => void, fail: () => void): void {
    const ctx = this.ctx!;
    const q = this.opts.system;
    const isQuorum = kind === 'read' ? q.isReadQuorum : q.isWriteQuorum;
    // the kind is the quorum awaited; the method says what is asked (a query or a store)
    const replies: ReplicaState[] = [];
    const who: string[] = [];
    let mask = 0;
    let over = false;
    const deadline = ctx.setTimer(this.deadline_ns, () => { if (!over) { over = true; fail(); } });
    const onReply = (node: string, result: unknown): void => {
      if (over) return;
      const i = q.nodes.indexOf(node);
      if (i < 0 || (mask & (1 << i)) !== 0) return;
      // a store's acknowledgement carries the replica's tag; only a query's answer is kept
      const s = method === 'q.get' ? parseState(result) : undefined;
      if (method === 'q.get' && !s) return;
      mask |= 1 << i;
      if (s) replies.push(s);
      who.push(node);
      if (isQuorum(mask)) {
        over = true;
        ctx.clearTimer(deadline);
        done(replies, who);
      }
    };
    for (const node of q.nodes) {
      if (node === ctx.id) {
        // the local replica answers at once, through the same handlers
        const local = method === 'q.get' ? this.replica : (this.adopt(args as ReplicaState, ctx.id), { tag: this.replica.tag });
        onReply(node, local);
        continue;
      }
      this.rpc!.call(node, method, args, { deadline_ns: this.deadline_ns, retry_ns: this.retry_ns }, (o) => { if (o.ok) onReply(node, o.result); });
    }
  }

  /** Take a newer (tag, value) and a newer stable mark; persist before answering. */
  private adopt(s: ReplicaState, via: string): void {
    const cur = this.replica;
    const newer = compareTags(s.tag, cur.tag) > 0;
    const stable = maxTag(cur.stable, s.stable);
    if (!newer && stable === cur.stable) return;
    this.replica = newer ? { tag: s.tag, value: s.value, stable } : { ...cur, stable };
    const ctx = this.ctx!;
    ctx.storage.put(STATE_KEY, JSON.stringify(this.replica));
    ctx.storage.sync();
    if (newer) this.opts.onAdopt?.(ctx.id, cur.tag, s.tag, s.value, via);
  }
}
