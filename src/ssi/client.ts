// The node-local side of the `procs` service: calls another service on the same node makes in-process
// (lease, place, end, forget, move, node-down; lookup and list), each finished exactly once by its deadline.
// On the leader a call goes straight to the rsm host; on a follower it is forwarded to the leader as a
// message, retried (after no answer, a refusal, or no leader known) until the deadline. Writes run on
// client sessions ("lanes", one command at a time each), so a retried command is applied at most once.
// Bounds: `max_calls` calls open at once (running or waiting for a lane), `lanes` sessions per incarnation.
import type { NodeContext, TimerId } from '../node/index.js';
import type { NodeId } from '../raft/index.js';
import type { ProposalDone, RsmHost } from '../rsm/index.js';
import { encodeCommand, type PidOp, type PidResult, type PidStateMachine, type PidValue } from './state-machine.js';
import type { PidQuery, QueryAnswer, WireCommandAnswer, WireQueryAnswer } from './wire.js';

/**
 * Why a call failed. `refused`: the state machine refused the command (nothing changed; retrying will not
 * help). `no-leader`: no leader was known at the deadline; `timeout`: a leader was known but no answer came
 * (for a write the outcome is unknown). `busy`: too many calls open. `stopped`: the service is not running.
 */
export type SsiErrorKind = 'refused' | 'no-leader' | 'timeout' | 'busy' | 'stopped';

export interface SsiError {
  readonly kind: SsiErrorKind;
  readonly message: string;
}

export type SsiOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SsiError };

export interface SsiCallOptions {
  /** Give up after this many ms of the node's monotonic clock (default: the service's call_timeout_ms). */
  readonly timeout_ms?: number;
}

export interface ProcsClientOptions {
  /** Default call deadline. */
  readonly call_timeout_ms: number;
  /** Wait this long for the leader's answer before asking again. */
  readonly attempt_timeout_ms: number;
  /** Wait this long before asking again after a refusal or while no leader is known. */
  readonly retry_ms: number;
  readonly lanes: number;
  readonly max_calls: number;
}

export const PROCS_CLIENT_DEFAULTS: ProcsClientOptions = {
  call_timeout_ms: 2000, attempt_timeout_ms: 200, retry_ms: 20, lanes: 8, max_calls: 4096,
};

type Work = { readonly write: PidOp } | { readonly read: PidQuery };
type Answer = PidValue | QueryAnswer;

interface Lane {
  readonly session: string;
  seq: number;
  call: Call | null;
}

interface Call {
  readonly work: Work;
  readonly done: (r: SsiOutcome<Answer>) => void;
  readonly deadline: TimerId;
  lane: Lane | null;
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

const err = (kind: SsiErrorKind, message: string): { ok: false; error: SsiError } => ({ ok: false, error: { kind, message } });

export class ProcsClient {
  private readonly lanes: Lane[];
  private readonly waiting: Call[] = [];
  private readonly open = new Set<Call>();
  private readonly byReq = new Map<number, Call>();
  private req = 0;
  private stopped = false;
  /** Answers dropped: for no open call, or naming another command. */
  dropped_answers = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly host: RsmHost<PidResult | null>,
    private readonly machine: PidStateMachine,
    /** This incarnation's session prefix (unique across restarts of the node). */
    readonly prefix: string,
    private readonly opts: ProcsClientOptions,
  ) {
    this.lanes = Array.from({ length: opts.lanes }, (_, i) => ({ session: `${prefix}/${i}`, seq: 0, call: null }));
  }

  /** Calls open (running or waiting for a lane). */
  get pending(): number {
    return this.open.size;
  }

  write(op: PidOp, o: SsiCallOptions, done: (r: SsiOutcome<PidValue>) => void): void {
    this.submit({ write: op }, o, done as (r: SsiOutcome<Answer>) => void);
  }

  read(query: PidQuery, o: SsiCallOptions, done: (r: SsiOutcome<QueryAnswer>) => void): void {
    this.submit({ read: query }, o, done as (r: SsiOutcome<Answer>) => void);
  }

  /** The answer to a command this node forwarded. */
  onCommandAnswer(from: NodeId, m: WireCommandAnswer): void {
    const c = this.byReq.get(m.req);
    if (!c || !('write' in c.work) || c.lane?.session !== m.client || c.seq !== m.seq) return void this.dropped_answers++;
    if (m.ok) this.finishWith(c, m.result);
    else this.refused(c, `${from}: ${m.error}`, m.leader);
  }

  /** The answer to a read this node forwarded. */
  onQueryAnswer(from: NodeId, m: WireQueryAnswer): void {
    const c = this.byReq.get(m.req);
    if (!c || !('read' in c.work) || m.client !== this.prefix || (m.ok && m.answer.q !== c.work.read.q)) return void this.dropped_answers++;
    if (m.ok) this.finish(c, { ok: true, value: m.answer });
    else this.refused(c, `${from}: ${m.error}`, m.leader);
  }

  /** The answer to a query from this node's applied state (the leader's, after a ReadIndex round). */
  answer(q: PidQuery): QueryAnswer {
    if (q.q === 'lookup') return { q: 'lookup', pid: q.pid, entry: this.machine.entry(q.pid), lease_node: this.machine.leaseOwner(q.pid) };
    if (q.q === 'name') return { q: 'name', name: q.name, binding: this.machine.nameOf(q.name) };
    return { q: 'list', ...this.machine.list(q.after, q.limit) };
  }

  /** Fail every open call with `stopped` (the node is going away). */
  stop(): void {
    this.stopped = true;
    for (const c of [...this.open]) this.finish(c, err('stopped', 'the procs service stopped'));
  }

  private submit(work: Work, o: SsiCallOptions, done: (r: SsiOutcome<Answer>) => void): void {
    if (this.stopped) return done(err('stopped', 'the procs service stopped'));
    if (this.open.size >= this.opts.max_calls) return done(err('busy', `more than ${this.opts.max_calls} procs calls open`));
    const timeout_ms = o.timeout_ms ?? this.opts.call_timeout_ms;
    if (!(timeout_ms > 0)) return done(err('refused', 'timeout_ms must be > 0'));
    const c: Call = {
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

  private attempt(c: Call): void {
    if (!this.open.has(c)) return;
    this.clearTimer(c);
    const attempt = ++c.attempt;
    if (this.host.raft.role === 'leader') {
      c.leaderKnown = true;
      if ('read' in c.work) {
        const q = c.work.read;
        this.host.read((r) => {
          if (c.attempt !== attempt || !this.open.has(c)) return;
          if (r.ok) this.finish(c, { ok: true, value: this.answer(q) });
          else this.refused(c, r.reason, r.leader);
        });
      } else {
        this.host.propose(encodeCommand({ client: c.lane!.session, seq: c.seq, op: c.work.write }), (r) => {
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

  private forward(c: Call, lead: NodeId): void {
    const req = ++this.req;
    c.reqs.push(req);
    this.byReq.set(req, c);
    const msg = 'read' in c.work
      ? { kind: 'ssi-read', req, client: this.prefix, query: c.work.read }
      : { kind: 'ssi-cmd', req, cmd: { client: c.lane!.session, seq: c.seq, op: c.work.write } };
    const sent = this.ctx.send(lead, msg);
    c.lastError = sent ? `no answer from ${lead}` : `could not send to ${lead}`;
    const wait = sent ? this.opts.attempt_timeout_ms : this.opts.retry_ms;
    c.timer = this.ctx.setTimer(wait * 1e6, () => this.attempt(c));
  }

  private proposed(c: Call, r: ProposalDone<PidResult | null>): void {
    if (!r.ok) this.refused(c, r.reason, r.leader);
    else if (r.result === null) this.refused(c, 'leadership changed before commit', this.host.raft.lead);
    else this.finishWith(c, r.result);
  }

  /** A refusal that leaves the command unapplied: ask again after a pause, at the named leader if any. */
  private refused(c: Call, reason: string, leader: NodeId | null): void {
    c.lastError = reason;
    if (leader !== null) c.hint = leader;
    this.clearTimer(c);
    c.timer = this.ctx.setTimer(this.opts.retry_ms * 1e6, () => this.attempt(c));
  }

  private finishWith(c: Call, result: PidResult): void {
    this.finish(c, result.ok ? { ok: true, value: result.value } : err('refused', result.error));
  }

  private expire(c: Call): void {
    if (!this.open.has(c)) return;
    // A write still waiting for a lane never asked anyone: its node was too busy, not leaderless.
    const why = c.leaderKnown || ('write' in c.work && c.lane === null) ? 'timeout' : 'no-leader';
    this.finish(c, err(why, `no answer before the deadline (last: ${c.lastError})`), false);
  }

  private finish(c: Call, r: SsiOutcome<Answer>, clearDeadline = true): void {
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

  private clearTimer(c: Call): void {
    if (c.timer !== null) this.ctx.clearTimer(c.timer);
    c.timer = null;
  }
}
