// The replicated-state-machine host: the one driver of Raft (etcd's RawNode plus its node loop). It owns
// the Raft instance, its tick timer, the storage, and the node loop: persist a Ready, send its messages
// through the NodeContext, apply its committed entries to the state machine, advance. On top it offers
// proposals and linearizable reads (ReadIndex, or the leader's lease) with completion callbacks, batches
// proposals arriving together into one Ready (one fsync), and snapshots the state machine every
// `snapshot_entries` applied entries. Deterministic: time and randomness come only from the context.
// Bound: `max_pending` proposals and reads waiting at once; more are refused (retryable).
import { Raft, type NodeId, type RaftConfig, type RaftStorage, type Ready, type ReadState } from '../raft/index.js';
import type { NodeContext } from '../node/index.js';
import type { StateMachine } from './state-machine.js';
import type { WireRaft } from './wire.js';

/** What the host needs of a node: its id, sending, timers, the service's random stream, the log. */
/** Raft's tick unless a service says otherwise: 10 ms of the node's monotonic clock. */
export const DEFAULT_TICK_NS = 10_000_000;

export type RsmContext = Pick<NodeContext, 'id' | 'send' | 'setTimer' | 'clearTimer' | 'rng' | 'log'>;

export interface RsmHostOptions<R> {
  readonly ctx: RsmContext;
  readonly machine: StateMachine<R>;
  /** Bootstrap voters (a stored snapshot's membership wins). */
  readonly voters: readonly NodeId[];
  readonly storage: RaftStorage;
  /** Nanoseconds of the node's monotonic clock per Raft tick. Default 10 ms. */
  readonly tick_ns?: number;
  /** Snapshot the state machine after this many applied entries. Default 1000. */
  readonly snapshot_entries?: number;
  /** Proposals plus reads waiting at once. Default 4096. */
  readonly max_pending?: number;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'voters' | 'rng' | 'hardState' | 'snapshot' | 'entries'>>;
  /** Called with every Ready before it is acknowledged (checkers and scenario timelines watch this). */
  readonly observe?: (host: RsmHost<R>, rd: Ready) => void;
}

/** A refusal: nothing was applied, and the same command may be retried (at `leader`, when known). */
export interface Refusal {
  readonly ok: false;
  readonly reason: string;
  readonly leader: NodeId | null;
}

/** A proposal's outcome: its result once applied here, or a refusal. */
export type ProposalDone<R> = { readonly ok: true; readonly result: R } | Refusal;

/** A read's outcome: ok means the state machine now reflects every write committed before the read began. */
export type ReadDone = { readonly ok: true } | Refusal;

/** Raft's view of this node, for operators. */
export interface RsmStatus {
  readonly id: NodeId;
  readonly role: string;
  readonly term: number;
  readonly lead: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly last_index: number;
  readonly snap_index: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

interface PendingWrite<R> {
  readonly term: number;
  readonly done: (r: ProposalDone<R>) => void;
}

interface PendingRead {
  index: number;
  readonly done: (r: ReadDone) => void;
}

export class RsmHost<R> {
  readonly id: NodeId;
  readonly raft: Raft;
  readonly machine: StateMachine<R>;
  /** The last log index applied to the state machine (or covered by its restored snapshot). */
  applied = 0;
  /** Raft messages dropped because they did not come from their claimed sender. */
  malformed = 0;
  private readonly ctx: RsmContext;
  private readonly storage: RaftStorage;
  private readonly tickNs: number;
  private readonly snapshotEntries: number;
  private readonly maxPending: number;
  private readonly observe: RsmHostOptions<R>['observe'];
  private readonly writes = new Map<number, PendingWrite<R>>();
  private readonly reads = new Map<string, PendingRead>();
  /** Read contexts with a confirmed index, waiting for apply to reach it. */
  private readonly readyReads: string[] = [];
  private readCounter = 0;
  /** Callbacks waiting for apply to reach an index, in index order. */
  private appliedWaits: { readonly index: number; readonly fn: () => void }[] = [];
  private timer: number | null = null;
  private flushTimer: number | null = null;
  private stopped = false;

  constructor(opts: RsmHostOptions<R>) {
    this.ctx = opts.ctx;
    this.id = opts.ctx.id;
    this.machine = opts.machine;
    this.storage = opts.storage;
    this.tickNs = opts.tick_ns ?? DEFAULT_TICK_NS;
    this.snapshotEntries = opts.snapshot_entries ?? 1000;
    this.maxPending = opts.max_pending ?? 4096;
    this.observe = opts.observe;
    const stored = this.storage.load();
    const rng = opts.ctx.rng;
    this.raft = new Raft({
      ...opts.raft, id: this.id, voters: opts.voters, rng: { nextInt: (bound) => rng.int(0, bound - 1) },
      hardState: stored.hardState ?? undefined, snapshot: stored.snapshot, entries: stored.entries,
    });
    if (stored.snapshot) this.restore(stored.snapshot.data, stored.snapshot.meta.index);
  }

  start(): void {
    this.scheduleTick();
  }

  /** Stop ticking and answering; pending callbacks are dropped (the node is going away). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.ctx.clearTimer(this.timer);
    if (this.flushTimer !== null) this.ctx.clearTimer(this.flushTimer);
    this.timer = null;
    this.flushTimer = null;
  }

  /** A validated Raft message from the network (see validateRaftWire). */
  step(from: NodeId, msg: WireRaft): void {
    if (this.stopped) return;
    if (msg.msg.from !== from && from !== '') {
      this.malformed++;
      return;
    }
    this.raft.step(msg.msg);
    this.processReady();
  }

  /**
   * Propose a command. `done` is called exactly once: with the state machine's result after the command
   * is applied here, or with a refusal (synchronously when refused at once: not the leader, too busy).
   */
  propose(data: string, done: (r: ProposalDone<R>) => void): void {
    const refused = this.admit();
    if (refused) done(refused);
    else {
      const r = this.raft.propose(data);
      if (!r.ok) done(this.refusal(r.reason));
      else this.writes.set(r.index, { term: r.term, done });
    }
    this.scheduleFlush();
  }

  /**
   * A linearizable read: `done({ok: true})` once the state machine has applied everything committed when
   * the read was accepted (a ReadIndex round, or the lease), so the caller reads it locally at that
   * moment; or a refusal (synchronously when refused at once).
   */
  read(done: (r: ReadDone) => void): void {
    const refused = this.admit();
    if (refused) done(refused);
    else {
      const ctx = `${this.id}/${++this.readCounter}`;
      const r = this.raft.readIndex(ctx);
      if (!r.ok) done(this.refusal(r.reason));
      else this.reads.set(ctx, { index: -1, done });
    }
    this.scheduleFlush();
  }

  /**
   * fn once this replica has applied index (at once if it has): a follower that learnt a read index from the
   * leader reads its own state after this.
   */
  whenApplied(index: number, fn: () => void): void {
    if (index <= this.applied) { fn(); return; }
    const w = this.appliedWaits;
    let i = w.length;
    while (i > 0 && w[i - 1]!.index > index) i--;
    w.splice(i, 0, { index, fn });
  }

  status(): RsmStatus {
    const st = this.raft.status();
    return {
      id: st.id, role: st.role, term: st.term, lead: st.lead, commit: st.commit, applied: st.applied,
      last_index: st.lastIndex, snap_index: st.snapIndex, voters: st.conf.voters, learners: st.conf.learners,
    };
  }

  /** Leadership transfer, for scenarios and operators. */
  transferLeader(to: NodeId): boolean {
    const ok = this.raft.transferLeader(to);
    this.processReady();
    return ok;
  }

  /** The node loop: persist, send, apply, advance; repeat while Raft has output. */
  processReady(): void {
    for (let rounds = 0; this.raft.hasReady() && rounds < 1000; rounds++) {
      const rd = this.raft.ready();
      this.storage.persist({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
      for (const m of rd.messages) this.ctx.send(m.to, { kind: 'raft', msg: m } satisfies WireRaft);
      if (rd.snapshot) this.restore(rd.snapshot.data, rd.snapshot.meta.index);
      for (const e of rd.committedEntries) {
        if (e.index <= this.applied) continue;
        this.applied = e.index;
        const hasCommand = e.type === 'normal' && e.data !== '';
        const result = hasCommand ? this.machine.apply(e.index, e.data) : undefined;
        const w = this.writes.get(e.index);
        if (!w) continue;
        this.writes.delete(e.index);
        // Another leader's entry took the index: the proposal was never committed.
        if (w.term !== e.term || !hasCommand) w.done(this.refusal('leadership changed before commit'));
        else w.done({ ok: true, result: result as R });
      }
      this.observe?.(this, rd);
      this.raft.advance(rd);
      this.runAppliedWaits();
      this.collectReads(rd.readStates);
      if (rd.softState && rd.softState.role !== 'leader') this.failPending();
      this.maybeSnapshot();
    }
  }

  private restore(data: string, index: number): void {
    this.machine.restore(data);
    this.applied = index;
  }

  private runAppliedWaits(): void {
    let n = 0;
    while (n < this.appliedWaits.length && this.appliedWaits[n]!.index <= this.applied) n++;
    if (n === 0) return;
    for (const w of this.appliedWaits.splice(0, n)) w.fn();
  }

  private refusal(reason: string): Refusal {
    return { ok: false, reason, leader: this.raft.lead };
  }

  private admit(): Refusal | null {
    if (this.raft.role !== 'leader') return this.refusal('not the leader');
    if (this.writes.size + this.reads.size >= this.maxPending) return this.refusal('too many requests in flight');
    return null;
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    this.timer = this.ctx.setTimer(this.tickNs, () => {
      this.timer = null;
      if (this.stopped) return;
      this.raft.tick();
      this.processReady();
      this.scheduleTick();
    });
  }

  /** Requests arriving together are persisted and sent as one batch: one fsync, one append. */
  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.stopped) return;
    this.flushTimer = this.ctx.setTimer(0, () => {
      this.flushTimer = null;
      if (!this.stopped) this.processReady();
    });
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
      if (r && r.index > this.applied) break;
      this.readyReads.shift();
      if (!r) continue;
      this.reads.delete(ctx);
      r.done({ ok: true });
    }
  }

  private failPending(): void {
    for (const w of this.writes.values()) w.done(this.refusal('lost leadership'));
    this.writes.clear();
    for (const r of this.reads.values()) r.done(this.refusal('lost leadership'));
    this.reads.clear();
    this.readyReads.length = 0;
  }

  private maybeSnapshot(): void {
    if (this.raft.log.applied - this.raft.log.snapIndex < this.snapshotEntries) return;
    if (this.applied !== this.raft.log.applied) return;
    const snap = this.raft.createSnapshot(this.machine.snapshot());
    this.storage.compact(snap);
  }
}
