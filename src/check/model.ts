// What the linearizability checker needs to know about a sequential object: its initial state, a step
// function, how to compare and hash states (for the memo of visited configurations), and optionally how to
// split a history into independent parts (P-compositionality). Models here are pure: step must not mutate
// the state it is given, because the search backtracks to it.

/** One operation of a history: its input, its output, and when it was called and returned. */
export interface Operation<I, O> {
  readonly client: string | number;
  readonly input: I;
  /** The output the client saw; undefined when the outcome is unknown (ret === null). */
  readonly output: O | undefined;
  /** Invocation time (any monotonic unit: virtual ns, line number of a log). */
  readonly call: number;
  /**
   * Response time, or null when the outcome is unknown (Jepsen's `:info`, a timeout, a crash): the operation
   * may take effect at any time after its call, or never. A definite failure (Jepsen's `:fail`) did not take
   * effect and does not belong in the history at all.
   */
  readonly ret: number | null;
}

export interface StepResult<S> {
  /** Whether the operation, applied to the state, could have produced the output. */
  readonly ok: boolean;
  /** The state after the operation (meaningful only when ok). */
  readonly state: S;
}

/** A named part of a history that can be checked on its own. */
export interface Partition<I, O> {
  readonly key: string;
  readonly ops: readonly Operation<I, O>[];
}

export interface Model<S, I, O> {
  readonly name: string;
  init(): S;
  /** Apply input to state; output undefined means the outcome is unknown (accept any that is possible). */
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  /** Equal states must have equal hashes; a hash is any 32-bit integer. */
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  /**
   * Split the history into parts that are linearizable together iff each is on its own (one per key for a
   * key-value store). Absent: the history is one part, keyed ''.
   */
  partition?(ops: readonly Operation<I, O>[]): readonly Partition<I, O>[];
  /** True when the input never changes the state: such an operation with an unknown outcome is dropped. */
  readOnly?(input: I): boolean;
  /** A short text for a report or a counterexample. */
  describe?(input: I, output: O | undefined): string;
}

/** A partition function for models whose operations each touch one key. Parts keep history order. */
export function partitionByKey<I, O>(keyOf: (input: I) => string): (ops: readonly Operation<I, O>[]) => Partition<I, O>[] {
  return (ops) => {
    const byKey = new Map<string, Operation<I, O>[]>();
    for (const op of ops) {
      const key = keyOf(op.input);
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push(op);
    }
    return [...byKey.keys()].sort().map((key) => ({ key, ops: byKey.get(key)! }));
  };
}

/** The string hash used by the models (FNV-1a over UTF-16 code units), continuing from `h`. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}
