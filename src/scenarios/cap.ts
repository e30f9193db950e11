// `atoll scenario cap`: CAP made visible on the quorum register. One client per replica runs reads and
// writes in a closed loop; after 300 ms the network splits in two for a second, then heals, anti-entropy
// runs, and every replica is read once more. Four runs:
//   N=6, R=3, W=4, split 3|3: no side holds a write quorum, so writes are refused everywhere; reads are
//     served on both sides and stay consistent (they return the last value stable before the split),
//     except on a side where a write was cut off in its store phase by the split: its reads must write
//     that tag back first and are refused too (the report says so);
//   N=5, majority, split 3|2: the majority side serves reads and writes, the minority refuses both;
//   the same two splits with R=W=1 (availability first): both sides accept writes, the replicas diverge,
//     writes collide on versions (the conflicts are listed), and on heal the highest (version, writer)
//     tag wins on every replica: the other writes of that version are overwritten (counted as lost).
// Per side: requests served and refused during the split and the checker's verdict on the history the
// side's clients saw; then the verdict on the whole run.
import {
  checkIntersection, compareTags, formatTag, majorityQuorums, RegisterSim, thresholdQuorums,
  type QuorumSystem, type RegisterOp, type Tag,
} from '../quorum/index.js';
import { createSha256 } from '../sim/index.js';
import { describeCounterexample, minimalWitness, verdictText, seededScenario, verdictLines } from './quorum-report.js';
import type { ScenarioEntry } from './types.js';

const MS = 1_000_000;
const SPLIT_AT_MS = 300;
const HEAL_AT_MS = 1300;
const FINAL_READ_AT_MS = 1800;

export interface CapSide {
  readonly name: 'A' | 'B';
  readonly nodes: readonly string[];
  readonly reads_served: number;
  readonly reads_refused: number;
  readonly writes_served: number;
  /** Refused outright, or timed out after storing somewhere (outcome unknown). */
  readonly writes_refused: number;
  readonly verdict: 'ok' | 'illegal' | 'unknown';
  /**
   * At the end of the split, the side's newest tag when no replica there knew it stable: a write cut in
   * its store phase. A read that sees it must write it back first, which needs a write quorum: refused.
   */
  readonly unstable_tag: string | null;
}

export interface CapConflict {
  readonly version: number;
  /** The acknowledged writes that took this version, with the side each was made on. */
  readonly writes: readonly { readonly value: string; readonly side: 'A' | 'B'; readonly tag: string }[];
  /** The write the tag order keeps. */
  readonly winner: string;
}

export interface CapRun {
  readonly name: string;
  readonly mode: 'consistency-first' | 'availability-first';
  readonly system: string;
  readonly quorums_intersect: boolean;
  readonly split: string;
  readonly sides: readonly [CapSide, CapSide];
  readonly verdict: 'ok' | 'illegal' | 'unknown';
  readonly counterexample: readonly string[] | null;
  readonly conflicts: readonly CapConflict[];
  /** Acknowledged writes of a conflicting version that lost the tie-break on heal: no read can return them now. */
  readonly lost_on_heal: number;
  /** Every replica holds the same tag after the heal. */
  readonly converged: boolean;
  readonly final: string;
  readonly final_reads_agree: boolean;
}

export interface CapReport {
  readonly scenario: 'cap';
  readonly seed: number;
  readonly runs: readonly CapRun[];
  readonly checks: Readonly<Record<string, boolean>>;
  readonly trace_hash: string;
  readonly passed: boolean;
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i + 1}`);

interface Case {
  readonly name: string;
  readonly mode: CapRun['mode'];
  readonly system: QuorumSystem;
  readonly a: readonly string[];
  readonly b: readonly string[];
}

/** Begun and ended while the network was split (an operation that straddles the heal counts nowhere). */
const inSplit = (o: RegisterOp): boolean => o.call_ns >= SPLIT_AT_MS * MS && o.ret_ns !== null && o.ret_ns <= HEAL_AT_MS * MS;

function sideStats(name: 'A' | 'B', nodes: readonly string[], ops: readonly RegisterOp[], sim: RegisterSim, unstable_tag: string | null): CapSide {
  const during = ops.filter((o) => nodes.includes(o.node) && inSplit(o));
  const count = (kind: 'read' | 'write', ok: boolean): number => during.filter((o) => o.kind === kind && (o.result?.ok ?? false) === ok).length;
  // what this side's clients saw: everything before the split, and their own operations during it
  const seen = ops.filter((o) => o.call_ns < SPLIT_AT_MS * MS || during.includes(o));
  return {
    name, nodes,
    reads_served: count('read', true), reads_refused: count('read', false),
    writes_served: count('write', true), writes_refused: count('write', false),
    verdict: sim.check(seen).verdict, unstable_tag,
  };
}

/**
 * Versions acknowledged on both sides during the split: the replicas diverged there. (Two writers on one
 * side may also pick one version; that is ABD ordering concurrent writes by writer id, not a conflict.)
 */
function conflictsOf(ops: readonly RegisterOp[], a: readonly string[]): { conflicts: CapConflict[]; lost: number } {
  const byVersion = new Map<number, { value: string; side: 'A' | 'B'; tag: Tag }[]>();
  for (const o of ops) {
    const r = o.result;
    if (o.kind !== 'write' || !r?.ok || !inSplit(o)) continue;
    let list = byVersion.get(r.tag.v);
    if (!list) byVersion.set(r.tag.v, (list = []));
    list.push({ value: o.value!, side: a.includes(o.node) ? 'A' : 'B', tag: r.tag });
  }
  const conflicts: CapConflict[] = [];
  let lost = 0;
  for (const v of [...byVersion.keys()].sort((x, y) => x - y)) {
    const ws = byVersion.get(v)!;
    if (!(ws.some((w) => w.side === 'A') && ws.some((w) => w.side === 'B'))) continue;
    const win = ws.reduce((p, c) => (compareTags(c.tag, p.tag) > 0 ? c : p));
    lost += ws.length - 1;
    conflicts.push({ version: v, writes: ws.map((w) => ({ value: w.value, side: w.side, tag: formatTag(w.tag) })), winner: win.value });
  }
  return { conflicts, lost };
}

function runCase(seed: number, c: Case, hashes: string[]): CapRun {
  const sim = new RegisterSim({
    seed, system: c.system, deadline_ms: 100, retry_ms: 30, anti_entropy_ms: 50,
    link: { latency: { kind: 'lognormal', median_ns: 2 * MS, sigma: 0.5, min_ns: MS / 2, max_ns: 30 * MS } },
  });
  const nodes = c.system.nodes;
  sim.closedLoop(nodes.map((n, i) => ({ id: `c${i + 1}`, node: n })), HEAL_AT_MS, { write_fraction: 0.5, think_ms: 20 });
  const cl = sim.cluster;
  cl.sim.at(SPLIT_AT_MS * MS, () => cl.net.partition([c.a, c.b]));
  const unstable = new Map<string, string | null>();
  const look = (side: readonly string[]): string | null => {
    const st = side.map((n) => sim.replica(n)!.state);
    const top = st.reduce((p, x) => (compareTags(x.tag, p.tag) > 0 ? x : p));
    return st.some((x) => compareTags(x.stable, top.tag) >= 0) ? null : formatTag(top.tag);
  };
  cl.sim.at(HEAL_AT_MS * MS - 1, () => { unstable.set('A', look(c.a)); unstable.set('B', look(c.b)); });
  cl.sim.at(HEAL_AT_MS * MS, () => cl.net.heal());
  sim.runFor(FINAL_READ_AT_MS);
  sim.settle();
  const finals = nodes.map((n) => sim.read(`final-${n}`, n));
  sim.settle();
  hashes.push(cl.sim.trace.digest());
  const states = nodes.map((n) => sim.replica(n)!.state);
  const converged = states.every((s) => compareTags(s.tag, states[0]!.tag) === 0);
  const finalValues = finals.map((o) => (o.result?.ok ? o.result.value : undefined));
  const whole = sim.check();
  const { conflicts, lost } = conflictsOf(sim.ops, c.a);
  return {
    name: c.name, mode: c.mode, system: c.system.description, quorums_intersect: checkIntersection(c.system).intersects,
    split: `${c.a.join(',')} | ${c.b.join(',')}`,
    sides: [sideStats('A', c.a, sim.ops, sim, unstable.get('A') ?? null), sideStats('B', c.b, sim.ops, sim, unstable.get('B') ?? null)],
    verdict: whole.verdict,
    counterexample: whole.counterexample ? describeCounterexample((minimalWitness(whole.counterexample.ops, SPLIT_AT_MS * MS) ?? minimalWitness(whole.counterexample.ops)) ?? whole.counterexample.ops, 8) : null,
    conflicts, lost_on_heal: lost, converged,
    final: `${formatTag(states[0]!.tag)} ${states[0]!.value ?? 'never written'}`,
    final_reads_agree: finalValues.every((v) => v !== undefined && v === finalValues[0]),
  };
}

export function runCap(seed: number): CapReport {
  const n6 = names(6), n5 = names(5);
  const cases: Case[] = [
    { name: 'N=6 split 3|3, consistency first', mode: 'consistency-first', system: thresholdQuorums(n6, 3, 4), a: n6.slice(0, 3), b: n6.slice(3) },
    { name: 'N=5 split 3|2, consistency first', mode: 'consistency-first', system: majorityQuorums(n5), a: n5.slice(0, 3), b: n5.slice(3) },
    { name: 'N=6 split 3|3, availability first', mode: 'availability-first', system: thresholdQuorums(n6, 1, 1), a: n6.slice(0, 3), b: n6.slice(3) },
    { name: 'N=5 split 3|2, availability first', mode: 'availability-first', system: thresholdQuorums(n5, 1, 1), a: n5.slice(0, 3), b: n5.slice(3) },
  ];
  const hashes: string[] = [];
  const runs = cases.map((c) => runCase(seed, c, hashes));
  const [even, odd, ae, ao] = runs as [CapRun, CapRun, CapRun, CapRun];
  const all = (r: CapRun, f: (s: CapSide) => boolean): boolean => r.sides.every(f);
  const checks = {
    n6_writes_refused_on_both_sides: all(even, (s) => s.writes_served === 0 && s.writes_refused > 0),
    n6_reads_served_where_no_write_was_cut: all(even, (s) => s.unstable_tag !== null || s.reads_served > 0),
    n6_consistent: even.verdict === 'ok' && all(even, (s) => s.verdict === 'ok') && even.conflicts.length === 0,
    n5_majority_serves: odd.sides[0].reads_served > 0 && odd.sides[0].writes_served > 0,
    n5_minority_refuses: odd.sides[1].reads_served === 0 && odd.sides[1].writes_served === 0 && odd.sides[1].reads_refused + odd.sides[1].writes_refused > 0,
    n5_consistent: odd.verdict === 'ok' && odd.conflicts.length === 0,
    availability_first_both_sides_write: all(ae, (s) => s.writes_served > 0) && all(ao, (s) => s.writes_served > 0),
    availability_first_conflicts_shown: ae.conflicts.length > 0 && ao.conflicts.length > 0,
    availability_first_not_linearizable: ae.verdict === 'illegal' && ao.verdict === 'illegal',
    every_run_converges_on_heal: runs.every((r) => r.converged && r.final_reads_agree),
  };
  const h = createSha256();
  for (const x of hashes) h.update(x);
  return { scenario: 'cap', seed, runs, checks, trace_hash: h.hexDigest(), passed: Object.values(checks).every(Boolean) };
}

function humanRun(r: CapRun): string[] {
  const lines = [`${r.name}: ${r.system}, quorums ${r.quorums_intersect ? 'intersect' : 'do NOT intersect'}; split ${r.split} from ${SPLIT_AT_MS} to ${HEAL_AT_MS} ms`];
  lines.push('side  nodes            reads served/refused  writes served/refused  checker (what the side saw)');
  for (const s of r.sides) {
    lines.push(`${s.name.padEnd(4)}  ${s.nodes.join(',').padEnd(15)}  ${`${s.reads_served}/${s.reads_refused}`.padStart(20)}  ` +
      `${`${s.writes_served}/${s.writes_refused}`.padStart(21)}  ${verdictText(s.verdict)}`);
  }
  for (const s of r.sides) {
    if (s.unstable_tag !== null && r.mode === 'consistency-first') {
      lines.push(`side ${s.name} holds ${s.unstable_tag}, a write cut off in its store phase: a read there must write it back first, which needs a write quorum, so reads are refused too`);
    }
  }
  lines.push(`whole run: ${verdictText(r.verdict)}`);
  if (r.counterexample) {
    lines.push('  a part of the history (from the split on, where one exists) that no order of operations explains:');
    for (const c of r.counterexample) lines.push(`    ${c}`);
  }
  if (r.conflicts.length > 0) {
    lines.push(`conflicts: ${r.conflicts.length} versions acknowledged on both sides; on heal anti-entropy keeps the highest (version, writer) tag, so ${r.lost_on_heal} acknowledged writes lose the tie-break (no read after the heal returns them):`);
    for (const c of r.conflicts.slice(0, 6)) {
      lines.push(`  version ${c.version}: ${c.writes.map((w) => `${w.value} (side ${w.side})`).join(', ')} -> keeps ${c.winner}`);
    }
    if (r.conflicts.length > 6) lines.push(`  ... ${r.conflicts.length - 6} more`);
  } else lines.push('conflicts: none (no version was acknowledged on both sides)');
  lines.push(`after heal: replicas ${r.converged ? 'converged' : 'DIVERGED'} at ${r.final}; a read at every replica ${r.final_reads_agree ? 'returns the same value' : 'DISAGREES'}`);
  return lines;
}

function human(r: CapReport): string {
  const lines = [`cap: one client per replica, seed ${r.seed}`, ''];
  for (const run of r.runs) lines.push(...humanRun(run), '');
  lines.push(...verdictLines(r.checks, r.trace_hash, "the four runs' traces", r.passed));
  return lines.join('\n') + '\n';
}

export const capScenario: ScenarioEntry = seededScenario('CAP: N=6 split 3|3 and N=5 split 3|2, consistency first and availability first, conflicts on heal', runCap, human);
