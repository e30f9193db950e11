// What the quorum and CAP scenarios print about register operations: one operation in a line, the
// checker's verdict in words, and a counterexample as the operations of the part that failed; and the shape
// both scenarios share (a seeded run, a report that passes or fails).
import { flagBool, flagNumber, UsageError, type ParsedArgs } from '../base/index.js';
import type { ScenarioEntry } from './types.js';
import { checkOperations, registerModel, type Operation, type RegisterInput, type RegisterOutput } from '../check/index.js';
import { formatTag, type RegisterOp } from '../quorum/index.js';

export interface OpSummary {
  readonly client: string;
  readonly node: string;
  readonly kind: 'read' | 'write';
  /** served, refused (no quorum), or unknown (a write that may have been stored somewhere). */
  readonly outcome: 'served' | 'refused' | 'unknown' | 'open';
  /** write: the value written; read: the value returned. */
  readonly value: string | null;
  readonly tag: string | null;
  readonly queried: readonly string[];
  readonly stored: readonly string[];
}

export function opSummary(op: RegisterOp): OpSummary {
  const r = op.result;
  const sorted = (xs: readonly string[]): string[] => [...xs].sort();
  if (r === null) return { client: op.client, node: op.node, kind: op.kind, outcome: 'open', value: op.value ?? null, tag: null, queried: [], stored: [] };
  if (!r.ok) return { client: op.client, node: op.node, kind: op.kind, outcome: r.maybe_applied ? 'unknown' : 'refused', value: op.value ?? null, tag: null, queried: [], stored: [] };
  return { client: op.client, node: op.node, kind: op.kind, outcome: 'served', value: r.value, tag: formatTag(r.tag), queried: sorted(r.queried), stored: sorted(r.stored) };
}

export function verdictText(v: 'ok' | 'illegal' | 'unknown'): string {
  return v === 'ok' ? 'linearizable' : v === 'illegal' ? 'NOT linearizable' : 'unknown (search limit)';
}

const ms = (ns: number | null): string => (ns === null ? '?' : (ns / 1e6).toFixed(3));

/** The failing part's operations, one a line, in call order (times in virtual ms). */
export function describeCounterexample(ops: readonly Operation<RegisterInput, RegisterOutput>[], max_lines = 12): string[] {
  const sorted = [...ops].sort((a, b) => a.call - b.call);
  const lines = sorted.slice(0, max_lines).map((o) => {
    const what = o.input.op === 'write' ? `write ${String(o.input.value)}` : `read -> ${o.output === undefined ? '?' : String(o.output ?? 'never written')}`;
    return `${String(o.client).padEnd(6)} ${what.padEnd(28)} [${ms(o.call)} ms, ${ms(o.ret)} ms]`;
  });
  if (sorted.length > max_lines) lines.push(`... ${sorted.length - max_lines} more operations`);
  return lines;
}

type RegOp = Operation<RegisterInput, RegisterOutput>;

/**
 * A small part of an illegal register history that is illegal by itself, for a report. A part is kept
 * closed under "the write whose value a read returned" (values are unique), so if the whole history were
 * linearizable the part would be too: the part is a true witness. It is the shortest prefix by call time
 * (with the writes its reads name) that fails, then shrunk one operation at a time while it still fails.
 * `from_time` starts the prefixes there (earlier operations enter only as writes that reads name).
 */
export function minimalWitness(ops: readonly RegOp[], from_time = Number.NEGATIVE_INFINITY, max_ops = 400): RegOp[] | null {
  const everything = [...ops].sort((a, b) => a.call - b.call);
  const sorted = everything.filter((o) => o.call >= from_time);
  const writeOf = new Map<string, RegOp>();
  for (const o of everything) if (o.input.op === 'write') writeOf.set(String(o.input.value), o);
  const close = (part: readonly RegOp[]): RegOp[] => {
    const s = new Set(part);
    for (const o of part) if (o.input.op === 'read' && o.output !== undefined && o.output !== null) { const w = writeOf.get(String(o.output)); if (w) s.add(w); }
    return everything.filter((o) => s.has(o));
  };
  const illegal = (part: readonly RegOp[]): boolean => checkOperations(registerModel, part, { max_steps_total: 200_000 }).verdict === 'illegal';
  let k = 0;
  for (let n = 2; n <= Math.min(sorted.length, max_ops); n = n * 2 > sorted.length ? (n === sorted.length ? n + 1 : sorted.length) : n * 2) {
    if (illegal(close(sorted.slice(0, n)))) { k = n; break; }
  }
  if (k === 0) return null;
  let lo = 1, hi = k; // the shortest failing prefix is in (lo, hi]
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (illegal(close(sorted.slice(0, mid)))) hi = mid; else lo = mid; }
  let part = close(sorted.slice(0, hi));
  for (let i = part.length - 1; i >= 0; i--) {
    const o = part[i]!;
    const named = o.input.op === 'write' && part.some((r) => r.input.op === 'read' && r.output === (o.input as { value: unknown }).value);
    if (named) continue;
    const without = part.filter((x) => x !== o);
    if (illegal(without)) part = without;
  }
  return part;
}

/** The closing lines of a quorum scenario's report: each check, the trace digest (over what), the verdict. */
export function verdictLines(checks: Readonly<Record<string, boolean>>, trace_hash: string, over: string, passed: boolean): string[] {
  const lines = Object.entries(checks).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v ? 'yes' : 'NO'}`);
  lines.push(`trace: sha256 ${trace_hash} (over ${over})`, passed ? 'PASS' : 'FAIL');
  return lines;
}

/** A scenario of one seeded run: --seed, --json, and exit status 0 when its report passed. */
export function seededScenario<R extends { readonly passed: boolean }>(summary: string, run: (seed: number) => R, human: (r: R) => string): ScenarioEntry {
  return {
    summary,
    flags: {
      seed: { kind: 'integer', help: 'seed of the run (default 1)' },
      json: { kind: 'boolean', help: 'print the report as one JSON object' },
    },
    async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
      const seed = flagNumber(args, 'seed') ?? 1;
      if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${seed}`);
      const report = run(seed);
      out(flagBool(args, 'json') ? JSON.stringify(report) + '\n' : human(report));
      return report.passed ? 0 : 1;
    },
  };
}
