// Raft as a pure state machine, in the manner of etcd/raft: step(message) and tick() change state and
// queue output; ready() hands out messages to send, entries and hard state to persist, a snapshot to
// install and committed entries to apply; advance() acknowledges that the driver did it. No I/O, no clock,
// no Math.random (election jitter comes from the RaftRandom passed in).
// Features: PreVote, CheckQuorum, fast conflict backtracking, commit by counting current-term entries,
// batching and a bounded window of appends in flight, snapshots, one-server-at-a-time membership with
// learners, leader transfer, ReadIndex (or lease) reads.
// Bounds: appends in flight per follower (max_inflight_msgs), uncommitted entries (max_uncommitted_entries),
// entries per append (max_entries_per_msg) and per Ready to apply (max_apply_entries), pending ReadIndex
// requests (max_pending_reads). The outgoing message queue is emptied by every ready(); one step adds at
// most a few messages per peer (a window's worth after an acknowledgement).
import { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { committedIndex, hasQuorum, voteResult } from './quorum.js';
import type {
  ConfChange, ConfState, Entry, HardState, Message, MsgApp, MsgAppResp, MsgHeartbeat, MsgSnap, MsgVote, NodeId,
  RaftRandom, ReadState, Ready, Snapshot, SoftState, StateRole,
} from './types.js';

export interface RaftConfig {
  readonly id: NodeId;
  /** Bootstrap membership, used only when there is no snapshot to take it from. */
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly rng: RaftRandom;
  /** Ticks without a leader before campaigning; the actual timeout is random in [e, 2e). Default 10. */
  readonly election_ticks?: number;
  /** Ticks between a leader's heartbeats. Default 1. */
  readonly heartbeat_ticks?: number;
  readonly pre_vote?: boolean;
  readonly check_quorum?: boolean;
  /** 'safe': ReadIndex confirms leadership with a heartbeat round. 'lease': trusts CheckQuorum's lease. */
  readonly read_only?: 'safe' | 'lease';
  readonly max_entries_per_msg?: number;
  readonly max_inflight_msgs?: number;
  readonly max_apply_entries?: number;
  /** Proposals refused once this many entries are uncommitted. */
  readonly max_uncommitted_entries?: number;
  readonly max_pending_reads?: number;
  /** Restart state, as read back from storage. */
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot | null;
  readonly entries?: readonly Entry[];
}

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: 'not-leader' | 'transferring' | 'busy' | 'conf-pending' | 'bad-conf'; readonly leader: NodeId | null };

export type ReadResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'not-leader' | 'not-ready' | 'busy'; readonly leader: NodeId | null };

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: string;
  readonly learner: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly lead: NodeId | null;
  readonly role: StateRole;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly snapIndex: number;
  readonly conf: ConfState;
  readonly progress: Readonly<Record<NodeId, ProgressStatus>>;
}

interface PendingRead {
  readonly context: string;
  readonly index: number;
  readonly acks: Set<NodeId>;
}

const DEFAULTS = {
  election_ticks: 10, heartbeat_ticks: 1, max_entries_per_msg: 64, max_inflight_msgs: 64,
  max_apply_entries: 1024, max_uncommitted_entries: 4096, max_pending_reads: 1024,
};

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId | null = null;
  lead: NodeId | null = null;
  role: StateRole = 'follower';
  readonly log = new RaftLog();
  /** The latest snapshot (taken locally or received), served to followers that fell behind. */
  snapshot: Snapshot | null = null;

  private voters = new Set<NodeId>();
  private learners = new Set<NodeId>();
  private prs = new Map<NodeId, Progress>();
  private votes = new Map<NodeId, boolean>();
  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private pendingReads: PendingRead[] = [];
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private leadTransferee: NodeId | null = null;
  private pendingConfIndex = 0;
  private needsBcast = false;
  private prevSoft: SoftState;
  private prevHard: HardState;

  private readonly rng: RaftRandom;
  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly readOnly: 'safe' | 'lease';
  private readonly maxEntriesPerMsg: number;
  private readonly maxInflight: number;
  private readonly maxApply: number;
  private readonly maxUncommitted: number;
  private readonly maxPendingReads: number;

  constructor(cfg: RaftConfig) {
    this.id = cfg.id;
    this.rng = cfg.rng;
    this.electionTicks = cfg.election_ticks ?? DEFAULTS.election_ticks;
    this.heartbeatTicks = cfg.heartbeat_ticks ?? DEFAULTS.heartbeat_ticks;
    if (this.heartbeatTicks < 1 || this.electionTicks <= this.heartbeatTicks) {
      throw new Error('raft: election_ticks must exceed heartbeat_ticks, which must be at least 1');
    }
    this.preVote = cfg.pre_vote ?? true;
    this.checkQuorum = cfg.check_quorum ?? true;
    this.readOnly = cfg.read_only ?? 'safe';
    if (this.readOnly === 'lease' && !this.checkQuorum) throw new Error('raft: lease reads need check_quorum');
    this.maxEntriesPerMsg = cfg.max_entries_per_msg ?? DEFAULTS.max_entries_per_msg;
    this.maxInflight = cfg.max_inflight_msgs ?? DEFAULTS.max_inflight_msgs;
    this.maxApply = cfg.max_apply_entries ?? DEFAULTS.max_apply_entries;
    this.maxUncommitted = cfg.max_uncommitted_entries ?? DEFAULTS.max_uncommitted_entries;
    this.maxPendingReads = cfg.max_pending_reads ?? DEFAULTS.max_pending_reads;

    const snap = cfg.snapshot ?? null;
    if (snap) {
      this.snapshot = snap;
      this.log.snapIndex = snap.meta.index;
      this.log.snapTerm = snap.meta.term;
      this.setConf(snap.meta.conf);
    } else {
      this.setConf({ voters: cfg.voters, learners: cfg.learners ?? [] });
    }
    for (const e of cfg.entries ?? []) {
      if (e.index <= this.log.snapIndex) continue;
      this.log.append([e]);
    }
    this.log.stabled = this.log.lastIndex();
    this.log.applied = this.log.snapIndex;
    this.log.committed = this.log.snapIndex;
    const hs = cfg.hardState;
    if (hs) {
      if (hs.commit > this.log.lastIndex()) {
        throw new Error(`raft: stored commit ${hs.commit} is beyond the stored log (last index ${this.log.lastIndex()})`);
      }
      this.term = hs.term;
      this.vote = hs.vote;
      this.log.committed = Math.max(hs.commit, this.log.snapIndex);
    }
    this.prevHard = this.hardState();
    this.prevSoft = { lead: null, role: 'follower' };
    this.becomeFollower(this.term, null);
  }

  // ---- inputs -------------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Start an election now (as a timeout would). */
  campaign(): void {
    this.hup(false);
  }

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'prevote') {
        const inLease = this.checkQuorum && this.lead !== null && this.electionElapsed < this.electionTicks;
        if (!m.force && inLease) return;
      }
      if (m.type === 'prevote' || (m.type === 'prevote-resp' && !m.reject)) {
        // PreVote does not change terms: a granted pre-vote answers with the future term.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // A stale leader (perhaps cut off and unable to raise its term past PreVote) learns our term.
        this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'prevote') {
        this.send({ type: 'prevote-resp', from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }
    if (m.type === 'vote' || m.type === 'prevote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader': this.stepLeader(m); break;
      case 'candidate': case 'pre-candidate': this.stepCandidate(m); break;
      case 'follower': this.stepFollower(m); break;
    }
  }

  propose(data: string): ProposeResult {
    return this.proposeEntry('normal', data);
  }

  /** One server at a time. A voter can only be added as a learner first, and promoted once caught up. */
  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leader: this.lead };
    if (this.pendingConfIndex > this.log.applied) return { ok: false, reason: 'conf-pending', leader: this.lead };
    if (cc.kind === 'add-voter') {
      const pr = this.prs.get(cc.node);
      if (!this.learners.has(cc.node) || !pr || pr.match < this.log.committed) {
        return { ok: false, reason: 'bad-conf', leader: this.lead };
      }
    } else if (cc.kind === 'add-learner') {
      if (this.voters.has(cc.node) || this.learners.has(cc.node)) return { ok: false, reason: 'bad-conf', leader: this.lead };
    } else if (!this.voters.has(cc.node) && !this.learners.has(cc.node)) {
      return { ok: false, reason: 'bad-conf', leader: this.lead };
    } else if (this.voters.has(cc.node) && this.voters.size === 1) {
      return { ok: false, reason: 'bad-conf', leader: this.lead };
    }
    const r = this.proposeEntry('conf', JSON.stringify(cc));
    if (r.ok) this.pendingConfIndex = r.index;
    return r;
  }

  transferLeader(to: NodeId): boolean {
    if (this.role !== 'leader' || to === this.id || !this.voters.has(to)) return false;
    if (this.leadTransferee === to) return true;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.prs.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, true);
    return true;
  }

  /**
   * Ask for a linearizable read point. On success a ReadState with this context appears in a later
   * Ready; the read may be served once the state machine has applied its index.
   */
  readIndex(context: string): ReadResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leader: this.lead };
    if (this.log.term(this.log.committed) !== this.term) return { ok: false, reason: 'not-ready', leader: this.id };
    if (this.voters.size === 1 || this.readOnly === 'lease') {
      this.readStates.push({ index: this.log.committed, context });
      return { ok: true };
    }
    if (this.pendingReads.length >= this.maxPendingReads) return { ok: false, reason: 'busy', leader: this.id };
    this.pendingReads.push({ context, index: this.log.committed, acks: new Set([this.id]) });
    for (const peer of this.prs.keys()) {
      if (peer !== this.id) this.sendHeartbeat(peer, context);
    }
    return { ok: true };
  }

  /**
   * Snapshot the state machine at the applied index: the caller passes the state machine's serialized
   * state, which must reflect exactly the entries applied so far. Compacts the log up to it.
   */
  createSnapshot(data: string): Snapshot {
    const index = this.log.applied;
    const term = this.log.term(index);
    if (term === undefined) throw new Error(`raft: cannot snapshot at ${index}: not in the log`);
    const snap: Snapshot = { meta: { index, term, conf: this.confState() }, data };
    this.log.compact(index);
    this.snapshot = snap;
    return snap;
  }

  // ---- outputs ------------------------------------------------------------------------------------

  hasReady(): boolean {
    return this.needsBcast || this.msgs.length > 0 || this.readStates.length > 0 || this.log.pendingSnapshot !== null ||
      this.log.stabled < this.log.lastIndex() || this.log.committed > this.log.applied ||
      !sameHard(this.hardState(), this.prevHard) || !sameSoft(this.softState(), this.prevSoft);
  }

  ready(): Ready {
    if (this.needsBcast) {
      this.needsBcast = false;
      this.bcastAppend();
    }
    const soft = this.softState();
    const hard = this.hardState();
    const snapshot = this.log.pendingSnapshot;
    const rd: Ready = {
      softState: sameSoft(soft, this.prevSoft) ? null : soft,
      hardState: sameHard(hard, this.prevHard) ? null : hard,
      entries: this.log.unstableEntries(),
      snapshot,
      committedEntries: snapshot ? [] : this.log.nextCommitted(this.maxApply),
      messages: this.msgs,
      readStates: this.readStates,
    };
    this.msgs = [];
    this.readStates = [];
    return rd;
  }

  advance(rd: Ready): void {
    if (rd.softState) this.prevSoft = rd.softState;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      if (this.log.pendingSnapshot === rd.snapshot) this.log.pendingSnapshot = null;
      this.snapshot = rd.snapshot;
      this.log.applied = Math.max(this.log.applied, rd.snapshot.meta.index);
    }
    const lastNew = rd.entries[rd.entries.length - 1];
    if (lastNew && this.log.term(lastNew.index) === lastNew.term) {
      this.log.stabled = Math.max(this.log.stabled, lastNew.index);
    }
    for (const e of rd.committedEntries) {
      if (e.index !== this.log.applied + 1) continue;
      this.log.applied = e.index;
      if (e.type === 'conf') {
        const cc = parseConfChange(e.data);
        // Every replica sees the same bytes, so skipping a malformed change keeps them in agreement.
        if (cc) this.applyConfChange(cc);
      }
    }
  }

  status(): RaftStatus {
    const progress: Record<NodeId, ProgressStatus> = {};
    if (this.role === 'leader') {
      for (const [id, pr] of this.prs) progress[id] = { match: pr.match, next: pr.next, state: pr.state, learner: pr.isLearner };
    }
    return {
      id: this.id, term: this.term, vote: this.vote, lead: this.lead, role: this.role, commit: this.log.committed,
      applied: this.log.applied, lastIndex: this.log.lastIndex(), snapIndex: this.log.snapIndex,
      conf: this.confState(), progress,
    };
  }

  confState(): ConfState {
    return { voters: [...this.voters].sort(), learners: [...this.learners].sort() };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  /** Can this node become leader? (a voter of the current configuration) */
  promotable(): boolean {
    return this.voters.has(this.id);
  }

  // ---- roles --------------------------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + this.rng.nextInt(this.electionTicks);
    this.votes.clear();
    this.leadTransferee = null;
    this.pendingReads = [];
    this.needsBcast = false;
  }

  private becomeFollower(term: number, lead: NodeId | null): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    // Neither the term nor the vote changes: a pre-candidate that loses leaves no trace.
    this.votes.clear();
    this.lead = null;
    this.role = 'pre-candidate';
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + this.rng.nextInt(this.electionTicks);
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.prs.clear();
    const last = this.log.lastIndex();
    for (const id of [...this.voters, ...this.learners]) {
      this.prs.set(id, new Progress(last + 1, this.learners.has(id), this.maxInflight));
    }
    const self = this.prs.get(this.id);
    if (self) {
      self.match = last;
      self.recentActive = true;
    }
    // No configuration change until this term has committed an entry (the single-server change bug fix).
    this.pendingConfIndex = last;
    this.appendEntry('normal', '');
    this.maybeCommit();
  }

  private hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    if (this.hasUnappliedConf()) return;
    if (this.preVote && !transfer) this.startElection('prevote', false);
    else this.startElection('vote', transfer);
  }

  private hasUnappliedConf(): boolean {
    for (let i = this.log.applied + 1; i <= this.log.committed; i++) {
      const e = this.log.entry(i);
      if (e && e.type === 'conf') return true;
    }
    return false;
  }

  private startElection(kind: 'vote' | 'prevote', force: boolean): void {
    if (kind === 'prevote') this.becomePreCandidate();
    else this.becomeCandidate();
    const voteTerm = kind === 'prevote' ? this.term + 1 : this.term;
    this.votes.set(this.id, true);
    if (voteResult(this.votes, this.voters) === 'won') {
      if (kind === 'prevote') this.startElection('vote', force);
      else this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const v of [...this.voters].sort()) {
      if (v === this.id) continue;
      this.send({ type: kind, from: this.id, to: v, term: voteTerm, index, logTerm, force });
    }
  }

  // ---- ticks --------------------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const pr of this.prs.values()) pr.stateTicks++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, null);
        return;
      }
      this.leadTransferee = null;
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  /** CheckQuorum: did a quorum of voters talk to us during the last election timeout? Resets the marks. */
  private quorumActive(): boolean {
    const active: NodeId[] = [];
    for (const [id, pr] of this.prs) {
      if (id === this.id) {
        active.push(id);
        continue;
      }
      if (pr.recentActive) active.push(id);
      pr.recentActive = false;
    }
    return hasQuorum(active, this.voters);
  }

  // ---- message handling ---------------------------------------------------------------------------

  private handleVoteRequest(m: MsgVote): void {
    const canVote = this.vote === m.from || (this.vote === null && this.lead === null) ||
      (m.type === 'prevote' && m.term > this.term);
    const resp = m.type === 'vote' ? 'vote-resp' : 'prevote-resp';
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.send({ type: resp, from: this.id, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: resp, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeout-now':
        this.hup(true);
        break;
      default:
        break;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        break;
      case 'vote-resp':
      case 'prevote-resp': {
        const expected = this.role === 'pre-candidate' ? 'prevote-resp' : 'vote-resp';
        if (m.type !== expected) break;
        this.votes.set(m.from, !m.reject);
        const result = voteResult(this.votes, this.voters);
        if (result === 'won') {
          if (this.role === 'pre-candidate') this.startElection('vote', false);
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, null);
        }
        break;
      }
      default:
        break;
    }
  }

  private stepLeader(m: Message): void {
    const pr = this.prs.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'app-resp':
        pr.recentActive = true;
        this.handleAppendResponse(m, pr);
        break;
      case 'heartbeat-resp':
        pr.recentActive = true;
        pr.probeSent = false;
        // A snapshot still unacknowledged after an election timeout is presumed lost: probe again (which
        // resends it if still needed). Earlier, heartbeat answers may simply predate its arrival.
        if (pr.state === 'snapshot' && pr.stateTicks >= this.electionTicks) pr.becomeProbe();
        if (pr.state === 'replicate' && pr.inflightFull()) pr.freeFirst();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
        if (m.context !== null) this.readAck(m.from, m.context);
        break;
      default:
        break;
    }
  }

  private handleAppend(m: MsgApp): void {
    const reply = (index: number, reject: boolean, rejectHint: number, logTerm: number): void =>
      this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index, reject, rejectHint, logTerm });
    if (m.index < this.log.committed) {
      reply(this.log.committed, false, 0, 0);
      return;
    }
    if (this.log.matchTerm(m.index, m.logTerm)) {
      const lastNew = this.log.maybeAppend(m.index, m.entries);
      this.log.commitTo(Math.min(m.commit, lastNew));
      reply(lastNew, false, 0, 0);
      return;
    }
    const hintIndex = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    reply(m.index, true, hintIndex, this.log.term(hintIndex) ?? 0);
  }

  private handleHeartbeat(m: MsgHeartbeat): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'heartbeat-resp', from: this.id, to: m.from, term: this.term, context: m.context });
  }

  private handleSnapshot(m: MsgSnap): void {
    const meta = m.snapshot.meta;
    const reply = (index: number): void =>
      this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index, reject: false, rejectHint: 0, logTerm: 0 });
    if (meta.index <= this.log.committed) {
      reply(this.log.committed);
      return;
    }
    if (this.log.matchTerm(meta.index, meta.term)) {
      this.log.commitTo(meta.index);
      reply(this.log.committed);
      return;
    }
    this.log.restore(m.snapshot);
    this.setConf(meta.conf);
    reply(meta.index);
  }

  private handleAppendResponse(m: MsgAppResp, pr: Progress): void {
    if (m.reject) {
      let hint = m.rejectHint;
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm);
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, false);
      }
      return;
    }
    // An acknowledgement beyond our log answers no append of ours (a stale leader's, or a forged one).
    if (m.index > this.log.lastIndex()) return;
    const wasPaused = pr.isPaused();
    if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe'))) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.freeTo(m.index);
    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.sendAppend(m.from, false);
    // Fill the window; each send either adds an inflight message or returns false, so this ends.
    while (this.sendAppend(m.from, false)) { /* window bound: max_inflight_msgs */ }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private readAck(from: NodeId, context: string): void {
    const at = this.pendingReads.findIndex((r) => r.context === context);
    if (at < 0) return;
    const read = this.pendingReads[at]!;
    read.acks.add(from);
    if (!hasQuorum(read.acks, this.voters)) return;
    // Leadership confirmed at this point confirms every earlier request too.
    for (const r of this.pendingReads.splice(0, at + 1)) this.readStates.push({ index: r.index, context: r.context });
  }

  // ---- sending ------------------------------------------------------------------------------------

  private send(m: Message): void {
    this.msgs.push(m);
  }

  /** Send an append (or a snapshot) to `to`. Returns false when paused or, unless sendIfEmpty, idle. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      if (prevIndex > this.log.lastIndex()) {
        pr.becomeProbe();
        return false;
      }
      return this.sendSnapshot(to, pr);
    }
    const entries = pr.next <= this.log.lastIndex() ? this.log.slice(pr.next, this.log.lastIndex() + 1, this.maxEntriesPerMsg) : [];
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', from: this.id, to, term: this.term, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    pr.sentEntries(prevIndex + entries.length, entries.length);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snap = this.snapshot;
    if (!snap) throw new Error(`raft: log compacted below ${pr.next} but no snapshot is held`);
    this.send({ type: 'snap', from: this.id, to, term: this.term, snapshot: snap });
    pr.becomeSnapshot(snap.meta.index);
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.prs.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  private bcastHeartbeat(): void {
    const ctx = this.pendingReads.length > 0 ? this.pendingReads[this.pendingReads.length - 1]!.context : null;
    for (const id of this.prs.keys()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  private sendHeartbeat(to: NodeId, context: string | null): void {
    const pr = this.prs.get(to)!;
    const commit = Math.min(pr.match, this.log.committed);
    this.send({ type: 'heartbeat', from: this.id, to, term: this.term, commit, context });
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeout-now', from: this.id, to, term: this.term });
  }

  // ---- log and configuration ----------------------------------------------------------------------

  private proposeEntry(type: Entry['type'], data: string): ProposeResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leader: this.lead };
    if (this.leadTransferee !== null) return { ok: false, reason: 'transferring', leader: this.lead };
    if (this.log.lastIndex() - this.log.committed >= this.maxUncommitted) return { ok: false, reason: 'busy', leader: this.lead };
    const e = this.appendEntry(type, data);
    // Broadcast at the next ready(): proposals made between two Readys travel in one message.
    if (!this.maybeCommit()) this.needsBcast = true;
    return { ok: true, index: e.index, term: e.term };
  }

  private appendEntry(type: Entry['type'], data: string): Entry {
    const e: Entry = { term: this.term, index: this.log.lastIndex() + 1, type, data };
    this.log.append([e]);
    const self = this.prs.get(this.id);
    if (self) self.maybeUpdate(e.index);
    return e;
  }

  /** Commit the highest index a quorum of voters holds, if it is of the current term (Raft §5.4.2). */
  private maybeCommit(): boolean {
    const matches: number[] = [];
    for (const id of this.voters) matches.push(this.prs.get(id)?.match ?? 0);
    if (matches.length === 0) return false;
    const mci = committedIndex(matches);
    if (mci > this.log.committed && this.log.term(mci) === this.term) {
      this.log.commitTo(mci);
      return true;
    }
    return false;
  }

  private setConf(conf: ConfState): void {
    this.voters = new Set(conf.voters);
    this.learners = new Set(conf.learners.filter((l) => !this.voters.has(l)));
  }

  private applyConfChange(cc: ConfChange): void {
    const node = cc.node;
    if (cc.kind === 'add-learner') {
      if (!this.voters.has(node)) this.learners.add(node);
    } else if (cc.kind === 'add-voter') {
      this.learners.delete(node);
      this.voters.add(node);
    } else {
      this.voters.delete(node);
      this.learners.delete(node);
    }
    if (this.role !== 'leader') return;
    if (cc.kind === 'remove') {
      this.prs.delete(node);
      if (this.leadTransferee === node) this.leadTransferee = null;
      if (node === this.id) {
        this.becomeFollower(this.term, null);
        return;
      }
    } else {
      let pr = this.prs.get(node);
      const added = !pr;
      if (!pr) {
        pr = new Progress(this.log.lastIndex() + 1, true, this.maxInflight);
        pr.recentActive = true;
        this.prs.set(node, pr);
      }
      pr.isLearner = !this.voters.has(node);
      // A new member starts receiving the log now; the others heard the change already.
      if (added && node !== this.id) this.sendAppend(node, true);
    }
    // The quorum changed size: an index may now be committed.
    if (this.maybeCommit()) this.bcastAppend();
  }
}

export function parseConfChange(data: string): ConfChange | null {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  const node = c['node'];
  if (typeof node !== 'string' || node === '') return null;
  if (c['kind'] === 'add-learner' || c['kind'] === 'add-voter' || c['kind'] === 'remove') return { kind: c['kind'], node };
  return null;
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.role === b.role;
}
