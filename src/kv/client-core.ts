// The one raft-kv client protocol, under both the simulated workload (sim-client.ts) and the TCP client
// (tcp-client.ts): request numbers and response matching (an answer to any attempt of a call completes
// it), the leader search (follow a refusal's leader hint, else try the next server), retries with
// backoff after a retryable refusal, an attempt timeout and a call deadline, and client sessions (the
// command's (session, seq) is what the store deduplicates, so a retried write applies once). With
// `named_replies` every request asks the server to name the command it answers, and an answer that names
// another (session, seq) than its request's, or answers no outstanding request, is dropped and counted:
// an answer meant for someone else is never taken as this client's. It reads no clock and sets no timer
// itself: a transport and timer interface (KvClientEnv) comes in.
// Bounds: `max_calls` calls in flight (one per session: calls on one session must not overlap).
import type { KvCommand, KvOp } from './state-machine.js';
import { validateWire, type NodeStatusReport, type WireKvRequest, type WireKvResponse, type WireStatusRequest } from './wire.js';

/** What the core needs from its surroundings: the simulator's NodeContext or a TCP transport with timers. */
export interface KvClientEnv {
  /** Send to a server's raft-kv service. False when the message surely did not leave. */
  send(to: string, msg: WireKvRequest | WireStatusRequest): boolean;
  setTimer(delay_ns: number, cb: () => void): number;
  clearTimer(id: number): void;
  /** The clock call deadlines are measured on, in ns. */
  now_ns(): number;
}

export interface KvRetryPolicy {
  /** Wait this long for an answer before trying the next server. */
  readonly attempt_timeout_ns: number;
  /** Delay before retrying after a retryable refusal, doubling per refusal in a row up to the max. */
  readonly backoff_base_ns: number;
  readonly backoff_max_ns: number;
  /** Cut an attempt short at the call's deadline (a waiting caller wants its answer on time). */
  readonly clamp_to_deadline: boolean;
  /** A send that surely did not leave counts as no answer at once (after the backoff), not at the timeout. */
  readonly fail_unsent: boolean;
  /** Ask for answers that name their command, and take no other (the TCP client; off in the simulator). */
  readonly named_replies?: boolean;
}

export type KvCallResult =
  | { readonly ok: true; readonly value: string | null; readonly server: string }
  /** `refused`: the store refused for good (nothing applied); `timeout`: the outcome is unknown. */
  | { readonly ok: false; readonly kind: 'refused' | 'timeout'; readonly error: string };

export interface KvCallOptions {
  readonly deadline_ns: number;
  /** Gets use ReadIndex (or the lease) unless 'log'; undefined leaves the server's default. */
  readonly read?: 'index' | 'log';
}

interface Call {
  readonly cmd: KvCommand;
  readonly opts: KvCallOptions;
  readonly reqs: number[];
  readonly done: (r: KvCallResult) => void;
  timer: number | null;
  refusals: number;
  lastError: string;
}

export const KV_MAX_CALLS = 1024;

export class KvClientCore {
  /** Index (mod servers) of the server the next attempt goes to: the last known leader, or a guess. */
  target = 0;
  /** The last server that answered a call (null after a timeout or an unhinted refusal). */
  leader: string | null = null;
  private req = 0;
  /** Request number -> its call and the server it went to. */
  private readonly calls = new Map<number, { readonly call: Call; readonly to: string }>();
  private readonly statusWaiting = new Map<number, { readonly to: string; timer: number; done: (s: NodeStatusReport | null) => void }>();
  private readonly seqs = new Map<string, number>();
  private readonly open = new Set<Call>();
  /** Answers dropped: for no outstanding request, or naming another command (or server) than it. */
  dropped_replies = 0;

  constructor(
    readonly servers: readonly string[],
    private readonly env: KvClientEnv,
    private readonly policy: KvRetryPolicy,
    /** The service on the client's node that receives the answers. */
    private readonly replyTo: string,
    private readonly max_calls = KV_MAX_CALLS,
  ) {
    if (servers.length === 0) throw new RangeError('kv client: no servers');
  }

  /** The next command number of a session (1, 2, 3 ...); a retry of a call reuses its number. */
  nextSeq(session: string): number {
    const seq = (this.seqs.get(session) ?? 0) + 1;
    this.seqs.set(session, seq);
    return seq;
  }

  /** A command for `op` on `session`, numbered. */
  command(session: string, op: KvOp): KvCommand {
    return { client: session, seq: this.nextSeq(session), op };
  }

  /** Run one command until it is answered, refused for good, or the deadline passes; `done` once. */
  call(cmd: KvCommand, opts: KvCallOptions, done: (r: KvCallResult) => void): void {
    if (this.open.size >= this.max_calls) {
      done({ ok: false, kind: 'refused', error: `more than ${this.max_calls} calls in flight` });
      return;
    }
    const c: Call = { cmd, opts, reqs: [], done, timer: null, refusals: 0, lastError: 'no answer' };
    this.open.add(c);
    this.attempt(c);
  }

  /** Ask one server for its status; null when it does not answer within timeout_ns. */
  status(to: string, timeout_ns: number, done: (s: NodeStatusReport | null) => void): void {
    const req = ++this.req;
    const timer = this.env.setTimer(timeout_ns, () => {
      this.statusWaiting.delete(req);
      done(null);
    });
    this.statusWaiting.set(req, { to, timer, done });
    this.env.send(to, { kind: 'status-req', req, reply_to: this.replyTo });
  }

  /** Every message for the client's service comes in here. */
  onMessage(raw: unknown): void {
    const m = validateWire(raw);
    if (typeof m === 'string') return;
    if (m.kind === 'status-resp') {
      const w = this.statusWaiting.get(m.req);
      if (!w || m.status.id !== w.to) return void this.dropped_replies++;
      this.statusWaiting.delete(m.req);
      this.env.clearTimer(w.timer);
      w.done(m.status);
      return;
    }
    if (m.kind !== 'kv-resp') return;
    const sent = this.calls.get(m.req);
    if (!sent || !this.answers(m, sent.call.cmd)) return void this.dropped_replies++;
    const c = sent.call;
    const server = sent.to;
    this.clearCallTimer(c);
    if (m.ok) {
      this.leader = server;
      this.finish(c, { ok: true, value: m.value, server });
      return;
    }
    c.lastError = `${server}: ${m.error}`;
    if (!m.retry) {
      this.finish(c, { ok: false, kind: 'refused', error: m.error });
      return;
    }
    const hinted = m.leader === null ? -1 : this.servers.indexOf(m.leader);
    if (hinted >= 0 && hinted !== this.target % this.servers.length) {
      this.target = hinted;
      this.leader = m.leader;
    } else {
      this.target++;
      this.leader = null;
    }
    this.retryAfterBackoff(c);
  }

  /** Does an answer belong to the command of the request it claims? Unnamed answers only without named_replies. */
  private answers(m: WireKvResponse, cmd: KvCommand): boolean {
    if (m.client === undefined && m.seq === undefined) return !this.policy.named_replies;
    return m.client === cmd.client && m.seq === cmd.seq;
  }

  /** Drop every call and status request without answering (the client is going away). */
  close(): void {
    for (const c of this.open) this.clearCallTimer(c);
    this.open.clear();
    this.calls.clear();
    for (const w of this.statusWaiting.values()) this.env.clearTimer(w.timer);
    this.statusWaiting.clear();
  }

  private attempt(c: Call): void {
    if (!this.open.has(c)) return;
    const now = this.env.now_ns();
    if (now >= c.opts.deadline_ns) {
      this.finish(c, { ok: false, kind: 'timeout', error: c.lastError });
      return;
    }
    const to = this.servers[this.target % this.servers.length]!;
    const req = ++this.req;
    c.reqs.push(req);
    this.calls.set(req, { call: c, to });
    const msg: WireKvRequest = this.policy.named_replies
      ? { kind: 'kv-req', req, cmd: c.cmd, read: c.opts.read, reply_to: this.replyTo, named: true }
      : { kind: 'kv-req', req, cmd: c.cmd, read: c.opts.read, reply_to: this.replyTo };
    const sent = this.env.send(to, msg);
    if (!sent && this.policy.fail_unsent) {
      this.noAnswer(c, to);
      this.retryAfterBackoff(c);
      return;
    }
    const wait = this.policy.clamp_to_deadline
      ? Math.min(this.policy.attempt_timeout_ns, Math.max(1, c.opts.deadline_ns - now))
      : this.policy.attempt_timeout_ns;
    c.timer = this.env.setTimer(wait, () => {
      c.timer = null;
      this.noAnswer(c, to);
      this.attempt(c);
    });
  }

  private noAnswer(c: Call, to: string): void {
    c.lastError = `no answer from ${to}`;
    this.leader = null;
    this.target++;
  }

  private retryAfterBackoff(c: Call): void {
    const delay = Math.min(this.policy.backoff_max_ns, this.policy.backoff_base_ns * 2 ** Math.min(c.refusals, 30));
    c.refusals++;
    c.timer = this.env.setTimer(delay, () => {
      c.timer = null;
      this.attempt(c);
    });
  }

  private clearCallTimer(c: Call): void {
    if (c.timer !== null) this.env.clearTimer(c.timer);
    c.timer = null;
  }

  private finish(c: Call, r: KvCallResult): void {
    this.clearCallTimer(c);
    this.open.delete(c);
    for (const req of c.reqs) this.calls.delete(req);
    c.done(r);
  }
}
