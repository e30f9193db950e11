// `atoll scenario raft-partition`: a five-node (or larger) raft-kv cluster under client load is cut in
// two: the leader with a minority on one side, the majority on the other. The majority elects a new
// leader and keeps committing; the old leader commits nothing new and steps down (CheckQuorum); after the
// heal the old side rejoins without raising terms (PreVote) and catches up. Timeline and checks as in
// leader-crash; a fault script (`--faults <file>`) adds faults of its own at their virtual times.
import { flagBool, flagNumber, flagString, type ParsedArgs } from '../base/index.js';
import { UsageError } from '../base/index.js';
import { maxFailures } from '../raft/index.js';
import type { ScheduledFault } from '../net/index.js';
import { readFaultFile } from './fault-file.js';
import { formatTimeline, raftSimNodeIds, MS, RaftSim, round3, type TimelineEvent, type TimelineSample } from './raft-sim.js';
import type { ScenarioEntry } from './types.js';

export interface RaftPartitionOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly partition_ms?: number;
  /** Extra faults at given virtual times (nodes n1..nN, clients c1, c2). */
  readonly faults?: readonly ScheduledFault[];
  /** Sees every trace line (the page draws the run from them as it goes). */
  readonly trace_sink?: (line: string) => void;
  /** Called with the simulation once built (the page follows its timeline while it runs). */
  readonly watch?: (sim: RaftSim) => void;
}

/** What `atoll scenario raft-partition` runs without flags. */
export const RAFT_PARTITION_DEFAULTS = { nodes: 5, partition_ms: 2000, clients: 2 } as const;

export interface RaftPartitionReport {
  readonly scenario: 'raft-partition';
  readonly seed: number;
  readonly nodes: readonly string[];
  readonly minority: readonly string[];
  readonly majority: readonly string[];
  readonly old_leader: string | null;
  readonly old_term: number | null;
  readonly new_leader: string | null;
  readonly new_term: number | null;
  /** Virtual ms from the cut until the majority had a leader. */
  readonly majority_election_ms: number | null;
  /** Virtual ms from the cut until the old leader stopped leading. */
  readonly old_leader_stepdown_ms: number | null;
  readonly minority_commit_before: number;
  readonly minority_commit_during_max: number;
  readonly majority_commit_after: number;
  readonly final_term: number;
  readonly converged: boolean;
  readonly history: { readonly ops: number; readonly completed: number; readonly verdict: string };
  readonly violations: readonly string[];
  readonly events: readonly TimelineEvent[];
  readonly timeline: readonly TimelineSample[];
  readonly checks: Readonly<Record<string, boolean>>;
  /** SHA-256 of the run's trace: the same seed gives the same hash. */
  readonly trace_hash: string;
  readonly passed: boolean;
}

export function runRaftPartition(o: RaftPartitionOptions): RaftPartitionReport {
  const sim = new RaftSim({
    seed: o.seed, nodes: o.nodes, clients: RAFT_PARTITION_DEFAULTS.clients, sample_ms: 100, faults: o.faults,
    ...(o.trace_sink ? { trace: { keep_max_lines: 0, sink: o.trace_sink } } : {}),
  });
  o.watch?.(sim);
  const cutFor = o.partition_ms ?? RAFT_PARTITION_DEFAULTS.partition_ms;
  sim.runUntil(1000);
  sim.runUntil(2000, () => sim.leader() !== null);
  const lead = sim.leader();
  const minoritySize = maxFailures(o.nodes);
  const others = sim.servers.filter((s) => s !== lead?.id);
  const minority = lead ? [lead.id, ...others.slice(0, minoritySize - 1)] : others.slice(0, minoritySize);
  const majority = sim.servers.filter((s) => !minority.includes(s));
  const commitOf = (ids: readonly string[]): number => Math.max(0, ...ids.map((id) => sim.nodeSample(id).commit));
  // Let in-flight replication settle for one round trip so "before" is what the minority had at the cut.
  const cutAt = sim.now_ms;
  sim.partition([minority, majority]);
  const minorityBefore = commitOf(minority);
  let minorityDuring = minorityBefore;
  let stepdown: number | null = null;
  let elected: number | null = null;
  let newLeader: { id: string; term: number } | null = null;
  const end = cutAt + cutFor;
  const endNs = Math.round(end * MS);
  // Sample every 5 virtual ms; integer nanoseconds keep the loop exact, and a safety violation ends it.
  while (sim.cluster.sim.now_ns < endNs && !sim.broken()) {
    sim.runUntil(Math.min(end, sim.now_ms + 5));
    minorityDuring = Math.max(minorityDuring, commitOf(minority));
    if (stepdown === null && lead && sim.nodeSample(lead.id).role !== 'leader') stepdown = round3(sim.now_ms - cutAt);
    const l = majority.map((id) => ({ id, s: sim.nodeSample(id) })).find((x) => x.s.role === 'leader');
    if (elected === null && l) {
      elected = round3(sim.now_ms - cutAt);
      newLeader = { id: l.id, term: l.s.term };
    }
  }
  const termBeforeHeal = Math.max(...majority.map((id) => sim.nodeSample(id).term));
  sim.heal();
  sim.runUntil(sim.now_ms + 1500);
  const fin = sim.finish();
  const samples = sim.servers.map((id) => sim.nodeSample(id));
  const converged = samples.every((s) => s.commit === samples[0]!.commit) && sim.leader() !== null;
  const finalTerm = Math.max(...samples.map((s) => s.term));
  const checks = {
    majority_elected_a_leader: elected !== null,
    old_leader_stepped_down: stepdown !== null,
    // Whatever the minority committed during the cut was already replicated to a majority before it.
    minority_committed_nothing_new: minorityDuring <= Math.max(minorityBefore, commitOf(majority)),
    majority_kept_committing: commitOf(majority) > minorityBefore,
    rejoin_did_not_raise_term: finalTerm === termBeforeHeal,
    converged,
    safety_held: fin.violations.length === 0,
    linearizable: fin.verdict === 'ok',
  };
  return {
    scenario: 'raft-partition', seed: o.seed, nodes: sim.servers, minority, majority,
    old_leader: lead?.id ?? null, old_term: lead?.term ?? null, new_leader: newLeader?.id ?? null, new_term: newLeader?.term ?? null,
    majority_election_ms: elected, old_leader_stepdown_ms: stepdown, minority_commit_before: minorityBefore,
    minority_commit_during_max: minorityDuring, majority_commit_after: commitOf(majority), final_term: finalTerm, converged,
    history: { ops: fin.ops, completed: fin.completed, verdict: fin.verdict }, violations: fin.violations,
    events: sim.events, timeline: sim.timeline, checks, trace_hash: sim.cluster.sim.trace.digest(), passed: Object.values(checks).every(Boolean),
  };
}

function human(r: RaftPartitionReport): string {
  const yes = (b: boolean): string => (b ? 'yes' : 'NO');
  const lines = [
    `raft-partition: ${r.nodes.length} nodes, seed ${r.seed}`,
    `cut: minority {${r.minority.join(', ')}} (old leader ${r.old_leader}, term ${r.old_term}) | majority {${r.majority.join(', ')}}`,
    `majority elected ${r.new_leader ?? 'nobody'} (term ${r.new_term ?? '-'}) after ${r.majority_election_ms ?? '-'} ms; ` +
      `old leader stepped down after ${r.old_leader_stepdown_ms ?? '-'} ms`,
    `commit index: minority ${r.minority_commit_before} at the cut, at most ${r.minority_commit_during_max} during it; majority ${r.majority_commit_after} at the end`,
    '', 'events:',
    ...r.events.map((e) => `${String(e.t_ms).padStart(10)} ms  ${e.what}`),
    '', 'timeline (L leader, F follower, P pre-candidate, C candidate; t term, c commit index):',
    formatTimeline(r.nodes, r.timeline), '',
    ...Object.entries(r.checks).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${yes(v)}`),
    `client history: ${r.history.ops} operations, ${r.history.completed} completed, linearizable: ${r.history.verdict}`,
    ...r.violations.map((v) => `violation: ${v}`),
    `trace: sha256 ${r.trace_hash}`,
    r.passed ? 'PASS' : 'FAIL',
  ];
  return lines.join('\n') + '\n';
}

export const raftPartitionScenario: ScenarioEntry = {
  summary: 'cut the Raft leader off with a minority; the majority elects, the old side rejoins cleanly',
  flags: {
    nodes: { kind: 'integer', help: 'raft nodes (3..9, default 5)' },
    seed: { kind: 'integer', help: 'seed of the run (default 1)' },
    'partition-ms': { kind: 'integer', value: '<ms>', help: 'virtual ms the partition lasts (default 2000)' },
    faults: { kind: 'string', value: '<file>', help: 'fault script file ("at 2500ms crash n3", see docs/cluster.md; nodes n1.., clients c1, c2)' },
    json: { kind: 'boolean', help: 'print the report as one JSON object' },
  },
  async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
    const nodes = flagNumber(args, 'nodes') ?? RAFT_PARTITION_DEFAULTS.nodes;
    if (nodes < 3 || nodes > 9) throw new UsageError(`--nodes must be between 3 and 9, got ${nodes}`);
    const ms = flagNumber(args, 'partition-ms') ?? RAFT_PARTITION_DEFAULTS.partition_ms;
    if (ms < 100 || ms > 600_000) throw new UsageError(`--partition-ms must be between 100 and 600000, got ${ms}`);
    const faultsPath = flagString(args, 'faults');
    const faults = faultsPath ? readFaultFile(faultsPath, raftSimNodeIds(nodes, RAFT_PARTITION_DEFAULTS.clients)) : undefined;
    const r = runRaftPartition({ seed: flagNumber(args, 'seed') ?? 1, nodes, partition_ms: ms, faults });
    out(flagBool(args, 'json') ? JSON.stringify(r) + '\n' : human(r));
    return r.passed ? 0 : 1;
  },
};
