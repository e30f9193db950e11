// Raft's safety properties checked from outside, on every Ready of every node (the fault harness calls
// observe() from each server): election safety (one leader per term), log matching (an entry's index and
// term fix its data and its predecessor's term), leader completeness (a new leader holds every committed
// entry), and state machine safety (every node applies the same entry at an index). Violations are
// collected as lines of text. Bounds: the tables grow with the log of one run.
import type { Raft } from './raft.js';
import type { NodeId, Ready } from './types.js';

interface EntryFact {
  readonly data: string;
  readonly type: string;
  readonly prevTerm: number | undefined;
}

export class SafetyChecker {
  readonly violations: string[] = [];
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** `${index}/${term}` -> what that entry is. */
  private readonly entries = new Map<string, EntryFact>();
  /** index -> term of the committed entry there. */
  private readonly committed = new Map<number, number>();
  /** index -> the term in which it was first known committed (the committing leader's term). */
  private readonly commitTerm = new Map<number, number>();
  private maxCommitted = 0;
  /** index -> the entry every node applied there. */
  private readonly applied = new Map<number, { term: number; data: string }>();
  private readonly commitChecked = new WeakMap<Raft, number>();
  elections = 0;
  commits = 0;

  constructor(private readonly now: () => number = () => 0, readonly max_violations = 20) {}

  private fail(what: string): void {
    if (this.violations.length < this.max_violations) this.violations.push(`t=${this.now()}ns ${what}`);
  }

  observe(node: NodeId, raft: Raft, rd: Ready): void {
    if (rd.softState?.role === 'leader') this.onLeader(node, raft);
    for (const e of rd.entries) {
      const key = `${e.index}/${e.term}`;
      const fact: EntryFact = { data: e.data, type: e.type, prevTerm: raft.log.term(e.index - 1) };
      const known = this.entries.get(key);
      if (!known) this.entries.set(key, fact);
      else if (known.data !== fact.data || known.type !== fact.type) {
        this.fail(`log matching: ${node} holds a different entry at index ${e.index} term ${e.term}`);
      } else if (known.prevTerm !== undefined && fact.prevTerm !== undefined && known.prevTerm !== fact.prevTerm) {
        this.fail(`log matching: ${node} has term ${fact.prevTerm} before ${key}, another node ${known.prevTerm}`);
      }
    }
    if (rd.hardState) this.onCommit(node, raft, rd.hardState.commit);
    for (const e of rd.committedEntries) {
      const seen = this.applied.get(e.index);
      if (!seen) this.applied.set(e.index, { term: e.term, data: e.data });
      else if (seen.term !== e.term || seen.data !== e.data) {
        this.fail(`state machine safety: ${node} applied (${e.index}, term ${e.term}) but another node applied term ${seen.term} there`);
      }
    }
    if (rd.snapshot) {
      const t = this.committed.get(rd.snapshot.meta.index);
      if (t !== undefined && t !== rd.snapshot.meta.term) {
        this.fail(`state machine safety: ${node} installed a snapshot at ${rd.snapshot.meta.index} of term ${rd.snapshot.meta.term}, committed term was ${t}`);
      }
    }
  }

  private onLeader(node: NodeId, raft: Raft): void {
    this.elections++;
    const prev = this.leaderOfTerm.get(raft.term);
    if (prev !== undefined && prev !== node) this.fail(`election safety: ${prev} and ${node} both led term ${raft.term}`);
    this.leaderOfTerm.set(raft.term, node);
    for (let i = Math.max(raft.log.snapIndex + 1, 1); i <= this.maxCommitted; i++) {
      const want = this.committed.get(i);
      // Raft promises committed entries to leaders of later terms only: a leader of an older term can
      // still be elected late (a paused candidate that resumes), and it can commit nothing.
      if (want === undefined || this.commitTerm.get(i)! >= raft.term) continue;
      const have = raft.log.term(i);
      if (have !== want) {
        this.fail(`leader completeness: ${node} leads term ${raft.term} without committed entry ${i} (term ${want}, has ${have ?? 'none'})`);
        return;
      }
    }
  }

  private onCommit(node: NodeId, raft: Raft, commit: number): void {
    const from = Math.max(raft.log.snapIndex + 1, (this.commitChecked.get(raft) ?? 0) + 1);
    this.commitChecked.set(raft, Math.max(commit, this.commitChecked.get(raft) ?? 0));
    for (let i = from; i <= commit; i++) {
      const t = raft.log.term(i);
      if (t === undefined) continue;
      const known = this.committed.get(i);
      if (known === undefined) {
        this.committed.set(i, t);
        this.commitTerm.set(i, raft.term);
        this.commits++;
      } else if (known !== t) {
        this.fail(`state machine safety: ${node} committed index ${i} with term ${t}, earlier committed with term ${known}`);
        return;
      }
    }
    this.maxCommitted = Math.max(this.maxCommitted, commit);
  }
}
