// The node-local client of a replicated service: calls another part of the same node makes in-process, each
// finished exactly once by its deadline. On the leader a call goes straight to the rsm host; on a follower it is
// forwarded to the leader as a message, retried (after no answer, a refusal, or no leader known) until the
// deadline. Writes run on client sessions ("lanes", one command at a time each), so a retried command is applied
// at most once. A service supplies how its commands are written into the log, what their results mean, how a
// query is answered from the applied state, and the messages that carry forwarded calls (its wire).
// Bounds: `max_calls` calls open at once (running or waiting for a lane), `lanes` sessions per incarnation.
import type { NodeContext, TimerId } from '../node/index.js';
import type { NodeId } from '../raft/index.js';
import type { ProposalDone, RsmHost } from './host.js';

/**
 * Why a call failed. `refused`: the state machine refused the command (nothing changed; retrying will not
 * help). `no-leader`: no leader was known at the deadline; `timeout`: a leader was known but no answer came
 * (for a write the outcome is unknown). `busy`: too many calls open. `stopped`: the service is not running.
 */
export type RsmErrorKind = 'refused' | 'no-leader' | 'timeout' | 'busy' | 'stopped';

export interface RsmError {
  readonly kind: RsmErrorKind;
  readonly message: string;
}

export type RsmOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RsmError };

export interface RsmCallOptions {
  /** Give up after this many ms of the node's monotonic clock (default: the service's call_timeout_ms). */
  readonly timeout_ms?: number;
}

export interface RsmClientOptions {
  /** Default call deadline. */
  readonly call_timeout_ms: number;
  /** Wait this long for the leader's answer before asking again. */
  readonly attempt_timeout_ms: number;
  /** Wait this long before asking again after a refusal or while no leader is known. */
  readonly retry_ms: number;
  readonly lanes: number;
  readonly max_calls: number;
}

export const RSM_CLIENT_DEFAULTS: RsmClientOptions = {
  call_timeout_ms: 2000, attempt_timeout_ms: 200, retry_ms: 20, lanes: 8, max_calls: 4096,
};

/** A command's applied result as the client sees it: a value, or the state machine's refusal. */
export type Settled<V> = { readonly ok: true; readonly value: V } | { readonly ok: false; readonly error: string };

/** What a service tells its client. R: the state machine's result; Op, V: a write and its value; Q, A: a query and its answer. */
export interface RsmClientService<R, Op, V, Q, A> {
  /** The log text of op on session client at seq (the same text on every attempt). */
  encode(client: string, seq: number, op: Op): string;
  /** A result applied here; null: no command result (the entry was another leader's). */
  settle(result: R): Settled<V> | null;
  /** The answer to q from this node's applied state (the leader's, after a ReadIndex round). */
  answer(q: Q): A;
  /** Whether a forwarded answer a answers q. */
  answers(q: Q, a: A): boolean;
  /** The message that forwards op to the leader. */
  commandMessage(req: number, client: string, seq: number, op: Op): unknown;
  /** The message that asks the leader for q (client: this incarnation's prefix, echoed back). */
  queryMessage(req: number, client: string, q: Q): unknown;
}

/** A forwarded command's answer, as the service's wire validated it. */
export type CommandAnswer<V> = { readonly req: number; readonly client: string; readonly seq: number } & (
  | { readonly ok: true; readonly result: Settled<V> }
  | { readonly ok: false; readonly error: string; readonly leader: NodeId | null }
);

/** A forwarded query's answer, as the service's wire validated it. */
export type QueryAnswerOf<A> = { readonly req: number; readonly client: string } & (
  | { readonly ok: true; readonly answer: A }
  | { readonly ok: false; readonly error: string; readonly leader: NodeId | null }
);

type Work<Op, Q> = { readonly write: Op } | { readonly read: Q };

interface Lane<Op, Q> {
  readonly session: string;
  seq: number;
  call: Call<Op, Q> | null;
}

interface Call<Op, Q> {
  readonly work: Work<Op, Q>;
  readonly done: (r: RsmOutcome<unknown>) => void;
  readonly deadline: TimerId;
  lane: Lane<Op, Q> | null;
  seq: number;
  /** Bumped on every attempt: a callback of an earlier local attempt is ignored. */
  attempt: number;
  readonly reqs: number[];
  timer: TimerId | null;
  /** The leader a refusal named, tried when Raft knows none. */
  hint: NodeId | null;
  /** Whether the last attempt found a leader to ask (decides no-leader versus timeout). */
  leaderKnown: boolean;
  lastError: string;
}

const err = (kind: RsmErrorKind, message: string): { ok: false; error: RsmError } => ({ ok: false, error: { kind, message } });

export class RsmClient<R, Op, V, Q, A> {
  private readonly lanes: Lane<Op, Q>[];
  private readonly waiting: Call<Op, Q>[] = [];
  private readonly open = new Set<Call<Op, Q>>();
  private readonly byReq = new Map<number, Call<Op, Q>>();
  private req = 0;
  private stopped = false;
  /** Answers dropped: for no open call, or naming another command. */
  dropped_answers = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly host: RsmHost<R>,
    private readonly service: RsmClientService<R, Op, V, Q, A>,
    /** This incarnation's session prefix (unique across restarts of the node). */
    readonly prefix: string,
    private readonly opts: RsmClientOptions,
    /** For messages: the service's name. */
    private readonly name: string,
  ) {
    this.lanes = Array.from({ length: opts.lanes }, (_, i) => ({ session: `${prefix}/${i}`, seq: 0, call: null }));
  }

  /** Calls open (running or waiting for a lane). */
  get pending(): number {
    return this.open.size;
  }

  write(op: Op, o: RsmCallOptions, done: (r: RsmOutcome<V>) => void): void {
    this.submit({ write: op }, o, done as (r: RsmOutcome<unknown>) => void);
  }

  read(query: Q, o: RsmCallOptions, done: (r: RsmOutcome<A>) => void): void {
    this.submit({ read: query }, o, done as (r: RsmOutcome<unknown>) => void);
  }

  /** The answer to q from this node's applied state. */
  answer(q: Q): A {
    return this.service.answer(q);
  }

  /** The answer to a command this node forwarded. */
  onCommandAnswer(from: NodeId, m: CommandAnswer<V>): void {
    const c = this.byReq.get(m.req);
    if (!c || !('write' in c.work) || c.lane?.session !== m.client || c.seq !== m.seq) return void this.dropped_answers++;
    if (m.ok) this.finishWith(c, m.result);
    else this.refused(c, `${from}: ${m.error}`, m.leader);
  }

  /** The answer to a read this node forwarded. */
  onQueryAnswer(from: NodeId, m: QueryAnswerOf<A>): void {
    const c = this.byReq.get(m.req);
    if (!c || !('read' in c.work) || m.client !== this.prefix || (m.ok && !this.service.answers(c.work.read, m.answer))) return void this.dropped_answers++;
    if (m.ok) this.finish(c, { ok: true, value: m.answer });
    else this.refused(c, `${from}: ${m.error}`, m.leader);
  }

  /** Fail every open call with `stopped` (the node is going away). */
  stop(): void {
    this.stopped = true;
    for (const c of [...this.open]) this.finish(c, err('stopped', `the ${this.name} service stopped`));
  }

  private submit(work: Work<Op, Q>, o: RsmCallOptions, done: (r: RsmOutcome<unknown>) => void): void {
    if (this.stopped) return done(err('stopped', `the ${this.name} service stopped`));
    if (this.open.size >= this.opts.max_calls) return done(err('busy', `more than ${this.opts.max_calls} ${this.name} calls open`));
    const timeout_ms = o.timeout_ms ?? this.opts.call_timeout_ms;
    if (!(timeout_ms > 0)) return done(err('refused', 'timeout_ms must be > 0'));
    const c: Call<Op, Q> = {
      work, done, lane: null, seq: 0, attempt: 0, reqs: [], timer: null, hint: null, leaderKnown: false, lastError: 'no answer',
      deadline: this.ctx.setTimer(timeout_ms * 1e6, () => this.expire(c)),
    };
    this.open.add(c);
    if ('read' in work) {
      this.attempt(c);
      return;
    }
    c.lastError = `waiting for one of ${this.lanes.length} session lanes`;
    this.waiting.push(c);
    this.assignLanes();
  }

  /** Waiting writes take free lanes, in arrival order; each gets the lane's next seq. */
  private assignLanes(): void {
    for (const lane of this.lanes) {
      if (lane.call) continue;
      const c = this.waiting.shift();
      if (!c) return;
      lane.call = c;
      c.lane = lane;
      c.seq = ++lane.seq;
      this.attempt(c);
    }
  }

  private attempt(c: Call<Op, Q>): void {
    if (!this.open.has(c)) return;
    this.clearTimer(c);
    const attempt = ++c.attempt;
    if (this.host.raft.role === 'leader') {
      c.leaderKnown = true;
      if ('read' in c.work) {
        const q = c.work.read;
        this.host.read((r) => {
          if (c.attempt !== attempt || !this.open.has(c)) return;
          if (r.ok) this.finish(c, { ok: true, value: this.service.answer(q) });
          else this.refused(c, r.reason, r.leader);
        });
      } else {
        this.host.propose(this.service.encode(c.lane!.session, c.seq, c.work.write), (r) => {
          if (c.attempt === attempt && this.open.has(c)) this.proposed(c, r);
        });
      }
      return;
    }
    const lead = this.host.raft.lead ?? c.hint;
    if (lead === null || lead === this.ctx.id || !this.ctx.peers.includes(lead)) {
      c.leaderKnown = false;
      c.lastError = 'no leader known';
      c.timer = this.ctx.setTimer(this.opts.retry_ms * 1e6, () => this.attempt(c));
      return;
    }
    c.leaderKnown = true;
    this.forward(c, lead);
  }

  private forward(c: Call<Op, Q>, lead: NodeId): void {
    const req = ++this.req;
    c.reqs.push(req);
    this.byReq.set(req, c);
    const msg = 'read' in c.work
      ? this.service.queryMessage(req, this.prefix, c.work.read)
      : this.service.commandMessage(req, c.lane!.session, c.seq, c.work.write);
    const sent = this.ctx.send(lead, msg);
    c.lastError = sent ? `no answer from ${lead}` : `could not send to ${lead}`;
    const wait = sent ? this.opts.attempt_timeout_ms : this.opts.retry_ms;
    c.timer = this.ctx.setTimer(wait * 1e6, () => this.attempt(c));
  }

  private proposed(c: Call<Op, Q>, r: ProposalDone<R>): void {
    if (!r.ok) return this.refused(c, r.reason, r.leader);
    const s = this.service.settle(r.result);
    if (s === null) this.refused(c, 'leadership changed before commit', this.host.raft.lead);
    else this.finishWith(c, s);
  }

  /** A refusal that leaves the command unapplied: ask again after a pause, at the named leader if any. */
  private refused(c: Call<Op, Q>, reason: string, leader: NodeId | null): void {
    c.lastError = reason;
    if (leader !== null) c.hint = leader;
    this.clearTimer(c);
    c.timer = this.ctx.setTimer(this.opts.retry_ms * 1e6, () => this.attempt(c));
  }

  private finishWith(c: Call<Op, Q>, result: Settled<V>): void {
    this.finish(c, result.ok ? { ok: true, value: result.value } : err('refused', result.error));
  }

  private expire(c: Call<Op, Q>): void {
    if (!this.open.has(c)) return;
    // A write still waiting for a lane never asked anyone: its node was too busy, not leaderless.
    const why = c.leaderKnown || ('write' in c.work && c.lane === null) ? 'timeout' : 'no-leader';
    this.finish(c, err(why, `no answer before the deadline (last: ${c.lastError})`), false);
  }

  private finish(c: Call<Op, Q>, r: RsmOutcome<unknown>, clearDeadline = true): void {
    if (!this.open.delete(c)) return;
    this.clearTimer(c);
    if (clearDeadline) this.ctx.clearTimer(c.deadline);
    for (const req of c.reqs) this.byReq.delete(req);
    const queued = this.waiting.indexOf(c);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (c.lane) c.lane.call = null;
    c.done(r);
    if (c.lane && !this.stopped) this.assignLanes();
  }

  private clearTimer(c: Call<Op, Q>): void {
    if (c.timer !== null) this.ctx.clearTimer(c.timer);
    c.timer = null;
  }
}

/**
 * A session prefix no earlier incarnation of this node used (tag names the service's keys): a durable start
 * counter, the node's clock and a draw from its random stream (a real node's stream repeats across restarts; its
 * storage may be memory). A reused prefix would hand a new incarnation the cached answers of an old one.
 */
export function incarnationPrefix(ctx: NodeContext, tag: string): string {
  const key = `${tag}-incarnation`;
  const n = (Number(ctx.storage.get(key) ?? '0') || 0) + 1;
  ctx.storage.put(key, String(n));
  ctx.storage.sync();
  const stamp = Math.floor(ctx.now_ns() / 1e6).toString(36);
  const draw = ctx.rng.split(`${tag}-session`).nextU32().toString(36);
  return `${ctx.id}~${n}.${stamp}.${draw}`;
}
