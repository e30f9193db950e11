// The search for one part of a history, as Porcupine does it: Wing and Gong's backtracking over a
// doubly linked list of call and return entries in time order (a linearized call and its return are lifted
// out of the list, and put back on backtrack), with Lowe's memo of visited (linearized set, state) pairs.
// The linearized set is a bitset with a Zobrist hash kept incrementally, so a memo probe costs one state
// hash and, on a hash hit, a word-by-word compare. The search is resumable: run(budget) does at most
// `budget` steps and says whether it finished, so a caller can interleave many parts and stop early.
import type { Model, Operation } from './model.js';

export type SearchStatus = 'ok' | 'illegal' | 'running';

interface ListEntry {
  readonly id: number;
  /** The return entry of a call; null for a return entry (and the list head). */
  readonly match: ListEntry | null;
  prev: ListEntry | null;
  next: ListEntry | null;
}

/** Deterministic per-operation hash words for the linearized set. */
function zobristWords(n: number): Int32Array {
  const z = new Int32Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    z[i] = x;
  }
  return z;
}

const MEMO_ENTRIES_FIRST = 1024;

/**
 * The set of visited (linearized set, state) pairs: a chained hash table in typed arrays, with the bitsets
 * of all entries in one arena, so remembering a pair allocates nothing but, now and then, a doubling.
 */
class Memo<S> {
  private heads = new Int32Array(MEMO_ENTRIES_FIRST); // bucket -> first entry + 1 (0: empty)
  private next = new Int32Array(MEMO_ENTRIES_FIRST);  // entry -> next entry + 1 in its bucket
  private pairHash = new Int32Array(MEMO_ENTRIES_FIRST);
  private setHash = new Int32Array(MEMO_ENTRIES_FIRST);
  private arena: Uint32Array;
  private states: S[] = [];
  private count = 0;

  constructor(private readonly words: number, private readonly equal: (a: S, b: S) => boolean) {
    this.arena = new Uint32Array(MEMO_ENTRIES_FIRST * words);
  }

  get size(): number { return this.count; }

  /** Adds the pair; false if it was there already. */
  add(bits: Uint32Array, setHash: number, stateHash: number, state: S): boolean {
    const h = setHash ^ Math.imul(stateHash, 0x27d4eb2f);
    const { words, arena } = this;
    for (let e = this.heads[h & (this.heads.length - 1)]! - 1; e >= 0; e = this.next[e]! - 1) {
      if (this.pairHash[e] !== h || this.setHash[e] !== setHash) continue;
      let same = true;
      for (let i = 0, at = e * words; i < words; i++) if (arena[at + i] !== bits[i]) { same = false; break; }
      if (same && this.equal(this.states[e]!, state)) return false;
    }
    if (this.count === this.next.length) this.grow();
    const e = this.count++;
    this.pairHash[e] = h;
    this.setHash[e] = setHash;
    this.states.push(state);
    this.arena.set(bits, e * words);
    const b = h & (this.heads.length - 1);
    this.next[e] = this.heads[b]!;
    this.heads[b] = e + 1;
    return true;
  }

  private grow(): void {
    const cap = this.next.length * 2;
    const widen = (a: Int32Array): Int32Array<ArrayBuffer> => { const b = new Int32Array(cap); b.set(a); return b; };
    this.pairHash = widen(this.pairHash);
    this.setHash = widen(this.setHash);
    this.next = new Int32Array(cap);
    const arena = new Uint32Array(cap * this.words);
    arena.set(this.arena);
    this.arena = arena;
    this.heads = new Int32Array(cap);
    const mask = cap - 1;
    for (let e = 0; e < this.count; e++) {
      const b = this.pairHash[e]! & mask;
      this.next[e] = this.heads[b]!;
      this.heads[b] = e + 1;
    }
  }
}

/**
 * Operations whose outcome is unknown and that cannot change the state carry no information: they are
 * dropped before the search.
 */
export function searchable<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[]): Operation<I, O>[] {
  const readOnly = model.readOnly;
  return readOnly ? ops.filter((o) => !(o.ret === null && readOnly(o.input))) : [...ops];
}

export class PartitionSearch<S, I, O> {
  /** Steps taken so far (one per list entry visited or backtrack). */
  steps = 0;
  /** The most operations linearized at once: how far the search got, for a report. */
  deepest = 0;
  readonly operations: number;
  private status: SearchStatus = 'running';
  private readonly head: ListEntry;
  private entry: ListEntry | null;
  private state: S;
  private readonly inputs: I[];
  private readonly outputs: (O | undefined)[];
  private readonly bits: Uint32Array;
  private readonly zobrist: Int32Array;
  private setHash = 0;
  private readonly stackEntry: ListEntry[] = [];
  private readonly stackState: S[] = [];
  private memo: Memo<S> | null;

  constructor(private readonly model: Model<S, I, O>, opsIn: readonly Operation<I, O>[]) {
    const ops = searchable(model, opsIn);
    const n = ops.length;
    this.operations = n;
    this.inputs = ops.map((o) => o.input);
    this.outputs = ops.map((o) => (o.ret === null ? undefined : o.output));
    this.bits = new Uint32Array((n + 31) >>> 5);
    this.memo = new Memo<S>(this.bits.length, model.equal);
    this.zobrist = zobristWords(n);
    this.state = model.init();
    this.head = { id: -1, match: null, prev: null, next: null };
    this.entry = this.link(ops);
  }

  /** Builds the list: entries by time, a call before a return at the same instant (touching counts as overlapping). */
  private link(ops: readonly Operation<I, O>[]): ListEntry | null {
    const events: { entry: ListEntry; time: number; call: boolean }[] = [];
    ops.forEach((op, id) => {
      const ret: ListEntry = { id, match: null, prev: null, next: null };
      const call: ListEntry = { id, match: ret, prev: null, next: null };
      if (!(op.ret === null || op.ret >= op.call)) throw new Error(`history: operation ${id} returns (${op.ret}) before its call (${op.call})`);
      events.push({ entry: call, time: op.call, call: true }, { entry: ret, time: op.ret ?? Number.POSITIVE_INFINITY, call: false });
    });
    events.sort((a, b) => a.time - b.time || (a.call === b.call ? a.entry.id - b.entry.id : a.call ? -1 : 1));
    let prev = this.head;
    for (const e of events) {
      prev.next = e.entry;
      e.entry.prev = prev;
      prev = e.entry;
    }
    return this.head.next;
  }

  /** Runs at most `budget` more steps; returns 'running' if the verdict is still open. */
  run(budget: number): SearchStatus {
    if (this.status !== 'running') return this.status;
    const { head, model, inputs, outputs, bits, zobrist, stackEntry, stackState } = this;
    const memo = this.memo!;
    let { entry, state, setHash, steps } = this;
    const stepsEnd = steps + budget;
    let verdict: SearchStatus = 'running';
    while (steps < stepsEnd) {
      if (head.next === null) { verdict = 'ok'; break; }
      steps++;
      if (entry !== null && entry.match !== null) {
        const id = entry.id;
        const r = model.step(state, inputs[id]!, outputs[id]);
        if (r.ok) {
          const w = id >>> 5, m = 1 << (id & 31);
          bits[w]! |= m;
          const h = setHash ^ zobrist[id]!;
          if (memo.add(bits, h, model.hash(r.state), r.state)) {
            stackEntry.push(entry);
            stackState.push(state);
            state = r.state;
            setHash = h;
            liftEntry(entry);
            entry = head.next;
            continue;
          }
          bits[w]! &= ~m;
        }
        entry = entry.next;
      } else {
        // A return whose call could not be placed before it: undo the last linearized call.
        if (stackEntry.length > this.deepest) this.deepest = stackEntry.length;
        const top = stackEntry.pop();
        if (top === undefined) { verdict = 'illegal'; break; }
        state = stackState.pop()!;
        bits[top.id >>> 5]! &= ~(1 << (top.id & 31));
        setHash ^= zobrist[top.id]!;
        unliftEntry(top);
        entry = top.next;
      }
    }
    if (verdict === 'running' && head.next === null) verdict = 'ok';
    if (verdict === 'ok') this.deepest = this.operations;
    this.entry = entry;
    this.state = state;
    this.setHash = setHash;
    this.steps = steps;
    this.status = verdict;
    if (verdict !== 'running') this.memo = null;
    return verdict;
  }
}

function liftEntry(call: ListEntry): void {
  call.prev!.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

function unliftEntry(call: ListEntry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next !== null) call.next.prev = call;
}
