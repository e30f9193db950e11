// `atoll scenario quorum`: the seed's example of why intersecting quorums order writes. Five replicas
// S1..S5 of an ABD register. With majorities (R=W=3): W1 is confirmed by {S1,S2,S3} while S4,S5 are cut
// off, W2 by {S3,S4,S5} while S1,S2 are; S3 is in both quorums, so W2's version query sees W1's tag and
// W2 gets the higher one; a later read through S3 returns W2. The same script with R=W=2 (quorums that do
// not intersect): W1 on {S1,S2}, W2 on {S4,S5}, nobody sees both, both take version 1, a read after both
// returns W1, and the linearizability checker reports the violation.
import {
  checkIntersection, formatTag, majorityQuorums, RegisterSim, thresholdQuorums,
  type IntersectionReport, type QuorumSystem, type RegisterOp, type Tag,
} from '../quorum/index.js';
import { describeCounterexample, opSummary, type OpSummary, verdictText, seededScenario, verdictLines } from './quorum-report.js';
import { createSha256 } from '../sim/index.js';
import type { ScenarioEntry } from './types.js';

const NODES = ['S1', 'S2', 'S3', 'S4', 'S5'] as const;
const MS = 1_000_000;

export interface QuorumStep {
  readonly step: number;
  readonly partition: string;
  readonly op: OpSummary;
}

export interface ReplicaLog {
  readonly node: string;
  /** The tags this replica took, in order, and from whom. */
  readonly adopted: readonly { readonly tag: string; readonly value: string | null; readonly via: string }[];
  readonly final: string;
}

export interface QuorumRun {
  readonly system: string;
  readonly intersection: IntersectionReport;
  readonly steps: readonly QuorumStep[];
  readonly replicas: readonly ReplicaLog[];
  /** Replicas that took both W1 and W2 (in the order they took them). */
  readonly saw_both: readonly string[];
  /** Requests of the script served and refused (no quorum within the deadline). */
  readonly served: number;
  readonly refused: number;
  readonly verdict: 'ok' | 'illegal' | 'unknown';
  readonly counterexample: readonly string[] | null;
}

export interface QuorumReport {
  readonly scenario: 'quorum';
  readonly seed: number;
  readonly majority: QuorumRun;
  readonly disjoint: QuorumRun;
  readonly checks: Readonly<Record<string, boolean>>;
  readonly trace_hash: string;
  readonly passed: boolean;
}

type Script = readonly { readonly groups: readonly (readonly string[])[]; readonly act: (sim: RegisterSim) => RegisterOp }[];

function runScript(seed: number, system: QuorumSystem, script: Script, hashes: string[]): { run: QuorumRun; ops: RegisterOp[] } {
  const adopted = new Map<string, { tag: string; value: string | null; via: string }[]>(NODES.map((n) => [n, []]));
  const sim = new RegisterSim({
    seed, system, deadline_ms: 100,
    link: { latency: { kind: 'lognormal', median_ns: MS, sigma: 0.3, min_ns: MS / 4 } },
    onAdopt: (node, _from, to: Tag, value, via) => adopted.get(node)!.push({ tag: formatTag(to), value, via }),
  });
  const net = sim.cluster.net;
  const steps: QuorumStep[] = [];
  script.forEach((s, i) => {
    net.heal();
    net.partition(s.groups);
    const op = s.act(sim);
    sim.settle();
    sim.runFor(20);
    steps.push({ step: i + 1, partition: s.groups.map((g) => g.join(',')).join(' | '), op: opSummary(op) });
  });
  const result = sim.check();
  hashes.push(sim.cluster.sim.trace.digest());
  const replicas = NODES.map((node) => {
    const st = sim.replica(node)!.state;
    return { node, adopted: adopted.get(node)!, final: `${formatTag(st.tag)} ${st.value ?? 'never written'}` };
  });
  const w = sim.ops.filter((o) => o.kind === 'write').map((o) => o.value!);
  const saw_both = replicas.filter((r) => w.every((v) => r.adopted.some((a) => a.value === v))).map((r) => r.node);
  return {
    ops: sim.ops,
    run: {
      system: system.description, intersection: checkIntersection(system), steps, replicas, saw_both,
      served: steps.filter((x) => x.op.outcome === 'served').length,
      refused: steps.filter((x) => x.op.outcome !== 'served').length,
      verdict: result.verdict,
      counterexample: result.counterexample ? describeCounterexample(result.counterexample.ops) : null,
    },
  };
}

export function runQuorumScenario(seed: number): QuorumReport {
  const hashes: string[] = [];
  const majority = runScript(seed, majorityQuorums(NODES), [
    { groups: [['S1', 'S2', 'S3'], ['S4', 'S5']], act: (s) => s.write('W1', 'S1') },
    { groups: [['S1', 'S2'], ['S3', 'S4', 'S5']], act: (s) => s.write('W2', 'S5') },
    { groups: [['S1', 'S2', 'S3'], ['S4', 'S5']], act: (s) => s.read('R', 'S1') },
  ], hashes);
  const disjoint = runScript(seed, thresholdQuorums(NODES, 2, 2), [
    { groups: [['S1', 'S2'], ['S3'], ['S4', 'S5']], act: (s) => s.write('W1', 'S1') },
    { groups: [['S1', 'S2'], ['S3'], ['S4', 'S5']], act: (s) => s.write('W2', 'S5') },
    { groups: [['S1', 'S2', 'S3'], ['S4', 'S5']], act: (s) => s.read('R', 'S1') },
  ], hashes);
  const m = majority.run.steps;
  const tagOf = (op: OpSummary): string => op.tag ?? '';
  const checks = {
    w1_confirmed_by_s1_s2_s3: m[0]!.op.stored.join(',') === 'S1,S2,S3',
    w2_confirmed_by_s3_s4_s5: m[1]!.op.stored.join(',') === 'S3,S4,S5',
    s3_ordered_w1_before_w2: majority.run.saw_both.includes('S3') &&
      majority.run.replicas[2]!.adopted.map((a) => a.value).join(',') === 'W1.1,W2.1',
    read_returns_w2: m[2]!.op.value === 'W2.1',
    majority_linearizable: majority.run.verdict === 'ok' && majority.run.intersection.intersects,
    disjoint_refuted_by_intersection_checker: !disjoint.run.intersection.intersects,
    disjoint_writes_share_a_version: tagOf(disjoint.run.steps[0]!.op).startsWith('(1,') && tagOf(disjoint.run.steps[1]!.op).startsWith('(1,'),
    disjoint_violation_found: disjoint.run.verdict === 'illegal',
  };
  const passed = Object.values(checks).every(Boolean);
  const h = createSha256();
  for (const x of hashes) h.update(x);
  return { scenario: 'quorum', seed, majority: majority.run, disjoint: disjoint.run, checks, trace_hash: h.hexDigest(), passed };
}

function humanRun(title: string, r: QuorumRun): string[] {
  const lines = [`${title}: ${r.system}`];
  lines.push('step  partition                 operation             result    value   tag            queried     confirmed by');
  for (const s of r.steps) {
    const o = s.op;
    lines.push(`${String(s.step).padStart(4)}  ${s.partition.padEnd(24)}  ${`${o.kind} ${o.client} at ${o.node}`.padEnd(20)}  ` +
      `${o.outcome.padEnd(8)}  ${(o.value ?? '-').padEnd(6)}  ${(o.tag ?? '-').padEnd(13)}  ${(o.queried.join(',') || '-').padEnd(10)}  ${o.stored.join(',') || '-'}`);
  }
  lines.push('replica  tags taken, in order (from)                         final');
  for (const x of r.replicas) {
    const took = x.adopted.map((a) => `${a.tag} ${a.value} (${a.via})`).join(' -> ') || '-';
    lines.push(`${x.node.padEnd(7)}  ${took.padEnd(50)}  ${x.final}`);
  }
  lines.push(`replicas that saw both writes: ${r.saw_both.join(', ') || 'none'}`);
  lines.push(`intersection checker: ${r.intersection.intersects ? 'proved' : `refuted (read {${r.intersection.read_write.holds ? '' : r.intersection.read_write.quorums[0].join(',')}} vs write {${r.intersection.read_write.holds ? '' : r.intersection.read_write.quorums[1].join(',')}})`}`);
  lines.push(`requests: ${r.served} served, ${r.refused} refused; linearizability checker: ${verdictText(r.verdict)}`);
  if (r.counterexample) for (const c of r.counterexample) lines.push(`  ${c}`);
  return lines;
}

function human(r: QuorumReport): string {
  const lines = [`quorum: 5 replicas S1..S5, seed ${r.seed}`, ''];
  lines.push(...humanRun('intersecting quorums', r.majority), '');
  lines.push(...humanRun('quorums that do not intersect', r.disjoint), '');
  lines.push(...verdictLines(r.checks, r.trace_hash, "both runs' traces", r.passed));
  return lines.join('\n') + '\n';
}

export const quorumScenario: ScenarioEntry = seededScenario('N=5: W1 on {S1,S2,S3}, W2 on {S3,S4,S5}; S3 orders them; the same with quorums that miss each other', runQuorumScenario, human);
