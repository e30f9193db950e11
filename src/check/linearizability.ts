// A linearizability checker for histories of any model (src/check/model.ts): the history is split into
// independent parts (P-compositionality: a history is linearizable iff each part is), and each part is
// searched as Porcupine does (src/check/search.ts). Parts are searched interleaved, smallest first, in
// slices of steps that double each round, and the check stops at the first illegal part: a short illegal
// part is found quickly however long the others would take, as Porcupine's parallel search finds it.
// Limits: at most `max_steps_per_key` steps per part and `max_steps_total` in all; past either the verdict
// is 'unknown' and `limit` says which parts ran out.
import type { Model, Operation, Partition } from './model.js';
import { kvRegisterModel, type KvRegisterInput, type KvRegisterOutput } from './models.js';
import { PartitionSearch } from './search.js';
import type { KvOperation } from './history.js';

export type CheckVerdict = 'ok' | 'illegal' | 'unknown';

/** Why a part's verdict is 'unknown': its own step limit, the total limit, or the check stopped at another part's illegal verdict. */
export type StopReason = 'key-limit' | 'total-limit' | 'early-exit';

export interface KeyResult {
  readonly key: string;
  readonly verdict: CheckVerdict;
  /** Operations searched (unknown-outcome reads are dropped first). */
  readonly operations: number;
  readonly steps: number;
  /** Set when the verdict is 'unknown'. */
  readonly stopped?: StopReason;
  /** The most operations the search had linearized at once (all of them when ok). */
  readonly deepest?: number;
}

export interface CheckLimit {
  /** 'key': some part ran out of its own steps; 'total': the whole check ran out. */
  readonly kind: 'key' | 'total';
  readonly max_steps_per_key: number;
  readonly max_steps_total: number;
  /** The parts left without a verdict because of a limit. */
  readonly keys: readonly string[];
}

export interface ModelCheckResult<I, O> {
  readonly verdict: CheckVerdict;
  /** Every part, in key order. */
  readonly keys: readonly KeyResult[];
  /** Steps over all parts. */
  readonly steps: number;
  /** Null when no limit was hit. */
  readonly limit: CheckLimit | null;
  /** The part found not linearizable, for a report. */
  readonly counterexample: { readonly key: string; readonly ops: readonly Operation<I, O>[] } | null;
}

export interface CheckOptions {
  readonly max_steps_per_key?: number;
  readonly max_steps_total?: number;
  /** Steps each part gets in the first round (doubling each round). */
  readonly first_slice_steps?: number;
}

export const DEFAULT_MAX_STEPS = 5_000_000;
/** Each step remembers at most one (set, state) pair, so this also bounds the memo: about 20 M × (16 + n/8) bytes for n operations a part. */
export const DEFAULT_MAX_STEPS_TOTAL = 20_000_000;
const FIRST_SLICE_STEPS = 1024;

interface Running<S, I, O> {
  readonly part: Partition<I, O>;
  readonly search: PartitionSearch<S, I, O>;
  verdict: CheckVerdict | null;
  stopped?: StopReason;
}

export function checkOperations<S, I, O>(
  model: Model<S, I, O>, ops: readonly Operation<I, O>[], options: CheckOptions = {},
): ModelCheckResult<I, O> {
  const perKey = options.max_steps_per_key ?? DEFAULT_MAX_STEPS;
  const total = options.max_steps_total ?? DEFAULT_MAX_STEPS_TOTAL;
  if (!(perKey > 0 && total > 0)) throw new Error(`check: step limits must be positive (per key ${perKey}, total ${total})`);
  const parts = model.partition ? model.partition(ops) : [{ key: '', ops }];
  const all: Running<S, I, O>[] = parts.map((part) => ({ part, search: new PartitionSearch(model, part.ops), verdict: null }));
  let active = [...all].sort((a, b) => a.search.operations - b.search.operations || (a.part.key < b.part.key ? -1 : 1));
  let used = 0;
  let slice = options.first_slice_steps ?? FIRST_SLICE_STEPS;
  let illegal: Running<S, I, O> | null = null;
  while (active.length > 0 && illegal === null) {
    const still: Running<S, I, O>[] = [];
    for (const r of active) {
      if (illegal !== null) { r.verdict = 'unknown'; r.stopped = 'early-exit'; continue; }
      if (used >= total) { r.verdict = 'unknown'; r.stopped = 'total-limit'; continue; }
      const before = r.search.steps;
      const status = r.search.run(Math.min(slice, perKey - before, total - used));
      used += r.search.steps - before;
      if (status === 'illegal') { r.verdict = 'illegal'; illegal = r; }
      else if (status === 'ok') r.verdict = 'ok';
      else if (r.search.steps >= perKey) { r.verdict = 'unknown'; r.stopped = 'key-limit'; }
      else still.push(r);
    }
    active = still;
    slice *= 2;
  }
  for (const r of active) if (r.verdict === null) { r.verdict = 'unknown'; r.stopped = 'early-exit'; }
  return summarise(all, illegal, used, perKey, total);
}

function summarise<S, I, O>(
  all: readonly Running<S, I, O>[], illegal: Running<S, I, O> | null, used: number, perKey: number, total: number,
): ModelCheckResult<I, O> {
  const keys: KeyResult[] = all.map((r) => ({
    key: r.part.key, verdict: r.verdict ?? 'unknown', operations: r.search.operations, steps: r.search.steps,
    deepest: r.search.deepest, ...(r.stopped !== undefined ? { stopped: r.stopped } : {}),
  }));
  const limited = all.filter((r) => r.stopped === 'key-limit' || r.stopped === 'total-limit');
  const limit: CheckLimit | null = limited.length === 0 ? null : {
    kind: limited.some((r) => r.stopped === 'total-limit') ? 'total' : 'key',
    max_steps_per_key: perKey, max_steps_total: total, keys: limited.map((r) => r.part.key),
  };
  const verdict: CheckVerdict = illegal !== null ? 'illegal' : limit !== null ? 'unknown' : 'ok';
  const counterexample = illegal !== null ? { key: illegal.part.key, ops: illegal.part.ops } : null;
  return { verdict, keys, steps: used, limit, counterexample };
}

// --- Atoll's key-value histories (KvOperation: put / get / del, a register per key) --------------------

export interface CheckResult extends Omit<ModelCheckResult<KvRegisterInput, KvRegisterOutput>, 'counterexample'> {
  /** The first key found not linearizable, with its operations, for a report. */
  readonly counterexample: { readonly key: string; readonly ops: readonly KvOperation[] } | null;
}

function toOperation(op: KvOperation): Operation<KvRegisterInput, KvRegisterOutput> {
  const input: KvRegisterInput = op.value !== undefined ? { op: op.kind, key: op.key, value: op.value } : { op: op.kind, key: op.key };
  return { client: op.client, input, output: op.ret === null ? undefined : (op.output ?? null), call: op.call, ret: op.ret };
}

/** Checks a key-value history; `max_steps` bounds each key's search. */
export function checkHistory(ops: readonly KvOperation[], max_steps = DEFAULT_MAX_STEPS, options: CheckOptions = {}): CheckResult {
  const r = checkOperations(kvRegisterModel, ops.map(toOperation), { ...options, max_steps_per_key: max_steps });
  const key = r.counterexample?.key;
  return { ...r, counterexample: key === undefined ? null : { key, ops: ops.filter((o) => o.key === key) } };
}

/** Checks one key's operations (all assumed to be on that key) to the end, however long the others would take. */
export function checkKey(key: string, ops: readonly KvOperation[], max_steps = DEFAULT_MAX_STEPS): KeyResult {
  const search = new PartitionSearch(kvRegisterModel, ops.map(toOperation));
  const status = search.run(max_steps);
  const verdict: CheckVerdict = status === 'running' ? 'unknown' : status;
  return { key, verdict, operations: search.operations, steps: search.steps, deepest: search.deepest, ...(status === 'running' ? { stopped: 'key-limit' as const } : {}) };
}
