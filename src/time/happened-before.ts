// Happened-before over a trace, computed from its structure alone (program order on each node plus
// send -> receive edges), independently of any clock, so Lamport and vector stamps can be checked
// against it. Bound: at most 20 000 events per analysis (reachability is quadratic in memory).

export interface CausalEvent {
  readonly node: string;
  readonly kind: 'send' | 'recv' | 'local';
  /** Message id linking a send to its receives (duplicates may give several receives). */
  readonly msg?: string;
}

export const HB_MAX_EVENTS = 20_000;

export class HappenedBefore {
  private readonly succ: number[][];
  private readonly reach = new Map<number, Uint8Array>();

  constructor(readonly events: readonly CausalEvent[]) {
    if (events.length > HB_MAX_EVENTS) throw new RangeError(`happened-before is bounded to ${HB_MAX_EVENTS} events`);
    this.succ = events.map(() => []);
    const lastOnNode = new Map<string, number>();
    const sendOf = new Map<string, number>();
    events.forEach((e, i) => {
      const prev = lastOnNode.get(e.node);
      if (prev !== undefined) this.succ[prev]!.push(i);
      lastOnNode.set(e.node, i);
      if (e.kind === 'send' && e.msg !== undefined) sendOf.set(e.msg, i);
      if (e.kind === 'recv' && e.msg !== undefined) {
        const s = sendOf.get(e.msg);
        if (s !== undefined) this.succ[s]!.push(i);
      }
    });
  }

  /** True when event a happened before event b (indices into the event list). */
  query(a: number, b: number): boolean {
    if (a === b) return false;
    return this.reachable(a)[b] === 1;
  }

  private reachable(a: number): Uint8Array {
    let r = this.reach.get(a);
    if (r) return r;
    r = new Uint8Array(this.events.length);
    const stack = [...this.succ[a]!];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (r[i]) continue;
      r[i] = 1;
      for (const j of this.succ[i]!) if (!r[j]) stack.push(j);
    }
    this.reach.set(a, r);
    return r;
  }
}
