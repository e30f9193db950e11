// A linearizability checker for key-value histories: Wing and Gong's search with Lowe's memoization of
// (set of linearized operations, state), as Porcupine does, after splitting the history per key
// (P-compositionality: a history is linearizable iff each key's sub-history is). The model is a register
// per key (put sets, del clears, get must read the current value). Operations with an unknown outcome may
// take effect at any time after their call, or never (gets with unknown outcome carry no information and are
// dropped). The search is bounded by `max_steps` per key; past it the verdict is 'unknown'.
import type { KvOperation } from './history.js';

export type CheckVerdict = 'ok' | 'illegal' | 'unknown';

export interface KeyResult {
  readonly key: string;
  readonly verdict: CheckVerdict;
  readonly operations: number;
  readonly steps: number;
}

export interface CheckResult {
  readonly verdict: CheckVerdict;
  readonly keys: readonly KeyResult[];
  /** The first key found not linearizable, with its operations, for a report. */
  readonly counterexample: { readonly key: string; readonly ops: readonly KvOperation[] } | null;
}

export const DEFAULT_MAX_STEPS = 5_000_000;

interface Node {
  readonly isCall: boolean;
  readonly id: number;
  readonly time: number;
  op: KvOperation;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

type RegState = string | null;

function step(state: RegState, op: KvOperation): [boolean, RegState] {
  switch (op.kind) {
    case 'put': return [true, op.value ?? ''];
    case 'del': return [true, null];
    case 'get': return [(op.output ?? null) === state, state];
  }
}

/** A growable bitset keyed for the memo table. */
class Bits {
  readonly w: Uint32Array;
  constructor(n: number) {
    this.w = new Uint32Array((n + 31) >>> 5);
  }
  set(i: number): void { this.w[i >>> 5]! |= 1 << (i & 31); }
  clear(i: number): void { this.w[i >>> 5]! &= ~(1 << (i & 31)); }
  key(): string {
    let s = '';
    for (let i = 0; i < this.w.length; i++) s += this.w[i]!.toString(36) + ',';
    return s;
  }
}

export function checkKey(key: string, opsIn: readonly KvOperation[], max_steps = DEFAULT_MAX_STEPS): KeyResult {
  // Unknown-outcome gets say nothing; unknown writes may land any time after their call.
  const ops = opsIn.filter((o) => !(o.ret === null && o.kind === 'get'));
  const n = ops.length;
  const events: Node[] = [];
  ops.forEach((op, id) => {
    const call: Node = { isCall: true, id, time: op.call, op, match: null, prev: null, next: null };
    const ret: Node = { isCall: false, id, time: op.ret ?? Number.POSITIVE_INFINITY, op, match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  // Calls before returns at the same instant: touching operations count as concurrent (the lenient side).
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.id - b.id : a.isCall ? -1 : 1));
  const head: Node = { isCall: false, id: -1, time: -1, op: ops[0]!, match: null, prev: null, next: null };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  const lift = (c: Node): void => {
    c.prev!.next = c.next;
    if (c.next) c.next.prev = c.prev;
    const r = c.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (c: Node): void => {
    const r = c.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    c.prev!.next = c;
    if (c.next) c.next.prev = c;
  };

  const linearized = new Bits(n);
  const cache = new Set<string>();
  const stack: { node: Node; state: RegState }[] = [];
  let state: RegState = null;
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (++steps > max_steps) return { key, verdict: 'unknown', operations: n, steps };
    if (entry !== null && entry.isCall) {
      const [ok, next] = step(state, entry.op);
      if (ok) {
        linearized.set(entry.id);
        const memo = `${linearized.key()}|${next === null ? '\u0000' : next}`;
        if (!cache.has(memo)) {
          cache.add(memo);
          stack.push({ node: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.id);
      }
      entry = entry.next;
    } else {
      // A return whose call cannot be placed before it (or the end of the list): backtrack.
      const top = stack.pop();
      if (!top) return { key, verdict: 'illegal', operations: n, steps };
      state = top.state;
      linearized.clear(top.node.id);
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return { key, verdict: 'ok', operations: n, steps };
}

export function checkHistory(ops: readonly KvOperation[], max_steps = DEFAULT_MAX_STEPS): CheckResult {
  const byKey = new Map<string, KvOperation[]>();
  for (const op of ops) {
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const keys: KeyResult[] = [];
  let verdict: CheckVerdict = 'ok';
  let counterexample: CheckResult['counterexample'] = null;
  for (const key of [...byKey.keys()].sort()) {
    const r = checkKey(key, byKey.get(key)!, max_steps);
    keys.push(r);
    if (r.verdict === 'illegal') {
      verdict = 'illegal';
      counterexample ??= { key, ops: byKey.get(key)! };
    } else if (r.verdict === 'unknown' && verdict === 'ok') verdict = 'unknown';
  }
  return { verdict, keys, counterexample };
}
