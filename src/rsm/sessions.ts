// Client sessions for exactly-once commands, generic over the result type: a client numbers its
// commands 1, 2, 3 ... and retries one with the same number; the state machine runs a command only if its
// number is new and answers a retry with the cached result. The table lives inside the replicated state
// (it is applied and snapshotted with it). Bound: `max_sessions`, least recently used session evicted.

export interface Session<R> {
  seq: number;
  result: R;
  lastIndex: number;
}

export type SessionCheck<R> =
  | { readonly kind: 'new' }
  | { readonly kind: 'retry'; readonly result: R }
  | { readonly kind: 'stale'; readonly last: number };

export class SessionTable<R> {
  private sessions = new Map<string, Session<R>>();

  constructor(readonly max_sessions: number) {
    if (!Number.isSafeInteger(max_sessions) || max_sessions < 1) throw new RangeError('sessions: max_sessions must be >= 1');
  }

  /** Is (client, seq) new, a retry of the last command (its result again), or older than that? */
  check(client: string, seq: number, index: number): SessionCheck<R> {
    const s = this.sessions.get(client);
    if (!s || seq > s.seq) return { kind: 'new' };
    if (seq === s.seq) {
      s.lastIndex = index;
      return { kind: 'retry', result: s.result };
    }
    return { kind: 'stale', last: s.seq };
  }

  /** Record the result of a new command; evicts the least recently used session past the bound. */
  record(client: string, seq: number, index: number, result: R): void {
    this.sessions.delete(client);
    this.sessions.set(client, { seq, result, lastIndex: index });
    if (this.sessions.size > this.max_sessions) {
      // Map iteration is insertion order and every use re-inserts: the first key is least recently used.
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }

  /** For snapshots: the sessions, least recently used first. */
  entries(): [string, Session<R>][] {
    return [...this.sessions];
  }

  restore(entries: readonly [string, Session<R>][]): void {
    this.sessions = new Map(entries);
  }

  clear(): void {
    this.sessions.clear();
  }
}
