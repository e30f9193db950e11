// A Raft key-value node: drives the pure Raft state machine with a tick timer, persists each Ready through
// a RaftStorage before sending its messages, applies committed entries to the KV state machine, answers
// clients (proposals through the log, gets through ReadIndex), and snapshots every `snapshot_entries`
// applied entries. The same class runs in the simulator and over TCP: the host gives it send/timers.
// Bounds: `max_pending` client requests waiting for commit or a read index.
import { Raft, type RaftConfig } from './raft.js';
import { KvStateMachine, encodeCommand } from './kv.js';
import type { RaftStorage } from './storage/storage.js';
import type { NodeId, RaftRandom, Ready, ReadState } from './types.js';
import { kvResultToWire, validateWire, type NodeStatusReport, type RaftWire, type WireKvRequest, type WireKvResponse } from './wire.js';

export interface RaftServerHost {
  /** `service`: the receiving service when it is not this one (a client's reply_to). */
  send(to: NodeId, msg: RaftWire, service?: string): void;
  setTimer(delay_ns: number, cb: () => void): number;
  clearTimer(id: number): void;
  log?(line: string): void;
}

export interface RaftServerOptions {
  readonly id: NodeId;
  readonly voters: readonly NodeId[];
  readonly storage: RaftStorage;
  readonly rng: RaftRandom;
  readonly host: RaftServerHost;
  /** Virtual (or real) nanoseconds per Raft tick. Default 10 ms. */
  readonly tick_ns?: number;
  readonly snapshot_entries?: number;
  readonly max_pending?: number;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'voters' | 'rng' | 'hardState' | 'snapshot' | 'entries'>>;
  /** Called with every Ready before it is acknowledged (checkers and scenario timelines watch this). */
  readonly observe?: (server: RaftKvServer, rd: Ready) => void;
}

interface Requester {
  readonly from: NodeId;
  readonly req: number;
  readonly reply_to: string | undefined;
}

interface PendingWrite extends Requester {
  readonly term: number;
}

interface PendingRead extends Requester {
  readonly key: string;
  index: number;
}

export const DEFAULT_TICK_NS = 10_000_000;

export class RaftKvServer {
  readonly id: NodeId;
  readonly raft: Raft;
  readonly kv = new KvStateMachine();
  private readonly storage: RaftStorage;
  private readonly host: RaftServerHost;
  private readonly tickNs: number;
  private readonly snapshotEntries: number;
  private readonly maxPending: number;
  private readonly observe: RaftServerOptions['observe'];
  private readonly writes = new Map<number, PendingWrite>();
  private readonly reads = new Map<string, PendingRead>();
  /** Read contexts with a confirmed index, waiting for apply to reach it. */
  private readonly readyReads: string[] = [];
  private readCounter = 0;
  private timer: number | null = null;
  private stopped = false;
  /** Messages dropped because they failed validation. */
  malformed = 0;

  constructor(opts: RaftServerOptions) {
    this.id = opts.id;
    this.storage = opts.storage;
    this.host = opts.host;
    this.tickNs = opts.tick_ns ?? DEFAULT_TICK_NS;
    this.snapshotEntries = opts.snapshot_entries ?? 1000;
    this.maxPending = opts.max_pending ?? 4096;
    this.observe = opts.observe;
    const stored = this.storage.load();
    this.raft = new Raft({
      ...opts.raft, id: opts.id, voters: opts.voters, rng: opts.rng,
      hardState: stored.hardState ?? undefined, snapshot: stored.snapshot, entries: stored.entries,
    });
    if (stored.snapshot) this.kv.restore(stored.snapshot.data);
  }

  start(): void {
    this.scheduleTick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.host.clearTimer(this.timer);
    if (this.flushTimer !== null) this.host.clearTimer(this.flushTimer);
    this.timer = null;
    this.flushTimer = null;
  }

  /** Everything from the network comes in here, validated first. */
  onMessage(from: NodeId, raw: unknown): void {
    if (this.stopped) return;
    const msg = validateWire(raw);
    if (typeof msg === 'string') {
      this.malformed++;
      this.host.log?.(`raft ${this.id}: dropped a message from ${from}: ${msg}`);
      return;
    }
    if (msg.kind === 'raft') {
      if (msg.msg.from !== from && from !== '') {
        this.malformed++;
        return;
      }
      this.raft.step(msg.msg);
    } else if (msg.kind === 'status-req') {
      this.host.send(from, { kind: 'status-resp', req: msg.req, status: this.statusReport() }, msg.reply_to ?? 'kv-client');
      return;
    } else if (msg.kind === 'kv-req') {
      this.handleRequest(from, msg);
      // Client requests arriving together are persisted and sent as one batch: one fsync, one append.
      this.scheduleFlush();
      return;
    } else {
      return;
    }
    this.processReady();
  }

  private flushTimer: number | null = null;

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.stopped) return;
    this.flushTimer = this.host.setTimer(0, () => {
      this.flushTimer = null;
      if (!this.stopped) this.processReady();
    });
  }

  statusReport(): NodeStatusReport {
    const st = this.raft.status();
    return {
      id: st.id, role: st.role, term: st.term, lead: st.lead, commit: st.commit, applied: st.applied,
      last_index: st.lastIndex, snap_index: st.snapIndex, voters: st.conf.voters, learners: st.conf.learners, keys: this.kv.size(),
    };
  }

  /** Leadership transfer, for scenarios and operators. */
  transferLeader(to: NodeId): boolean {
    const ok = this.raft.transferLeader(to);
    this.processReady();
    return ok;
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    this.timer = this.host.setTimer(this.tickNs, () => {
      this.timer = null;
      if (this.stopped) return;
      this.raft.tick();
      this.processReady();
      this.scheduleTick();
    });
  }

  private reply(to: Requester, resp: WireKvResponse): void {
    this.host.send(to.from, resp, to.reply_to);
  }

  private refuse(to: Requester, error: string, retry: boolean): void {
    this.reply(to, { kind: 'kv-resp', req: to.req, ok: false, error, leader: this.raft.lead, retry });
  }

  private handleRequest(from: NodeId, m: WireKvRequest): void {
    const who: Requester = { from, req: m.req, reply_to: m.reply_to };
    if (this.raft.role !== 'leader') {
      this.refuse(who, 'not the leader', true);
      return;
    }
    if (this.writes.size + this.reads.size >= this.maxPending) {
      this.refuse(who, 'too many requests in flight', true);
      return;
    }
    if (m.cmd.op.op === 'get' && m.read !== 'log') {
      const ctx = `${this.id}/${++this.readCounter}`;
      const r = this.raft.readIndex(ctx);
      if (!r.ok) {
        this.refuse(who, r.reason, true);
        return;
      }
      this.reads.set(ctx, { ...who, key: m.cmd.op.key, index: -1 });
      return;
    }
    const r = this.raft.propose(encodeCommand(m.cmd));
    if (!r.ok) {
      this.refuse(who, r.reason, true);
      return;
    }
    this.writes.set(r.index, { ...who, term: r.term });
  }

  /** The driver loop: persist, send, apply, acknowledge; repeat while Raft has output. */
  processReady(): void {
    for (let rounds = 0; this.raft.hasReady() && rounds < 1000; rounds++) {
      const rd = this.raft.ready();
      this.storage.persist({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
      for (const m of rd.messages) this.host.send(m.to, { kind: 'raft', msg: m });
      if (rd.snapshot) this.kv.restore(rd.snapshot.data);
      for (const e of rd.committedEntries) {
        if (e.index <= this.kv.applied) continue;
        const result = this.kv.apply(e.index, e.type === 'normal' ? e.data : '');
        const w = this.writes.get(e.index);
        if (w) {
          this.writes.delete(e.index);
          if (w.term !== e.term || result === null) this.refuse(w, 'leadership changed before commit', true);
          else this.reply(w, kvResultToWire(w.req, result));
        }
      }
      this.observe?.(this, rd);
      this.raft.advance(rd);
      this.collectReads(rd.readStates);
      if (rd.softState && rd.softState.role !== 'leader') this.failPending();
      this.maybeSnapshot();
    }
  }

  private collectReads(states: readonly ReadState[]): void {
    for (const s of states) {
      const r = this.reads.get(s.context);
      if (!r) continue;
      r.index = s.index;
      this.readyReads.push(s.context);
    }
    while (this.readyReads.length > 0) {
      const ctx = this.readyReads[0]!;
      const r = this.reads.get(ctx);
      if (r && r.index > this.kv.applied) break;
      this.readyReads.shift();
      if (!r) continue;
      this.reads.delete(ctx);
      this.reply(r, { kind: 'kv-resp', req: r.req, ok: true, value: this.kv.get(r.key) });
    }
  }

  private failPending(): void {
    for (const w of this.writes.values()) this.refuse(w, 'lost leadership', true);
    this.writes.clear();
    for (const r of this.reads.values()) this.refuse(r, 'lost leadership', true);
    this.reads.clear();
    this.readyReads.length = 0;
  }

  private maybeSnapshot(): void {
    if (this.raft.log.applied - this.raft.log.snapIndex < this.snapshotEntries) return;
    if (this.kv.applied !== this.raft.log.applied) return;
    const snap = this.raft.createSnapshot(this.kv.snapshot());
    this.storage.compact(snap);
  }
}
