// `atoll scenario leader-crash`: a simulated raft-kv cluster under client load loses its leader by a
// crash, again and again (each crashed leader restarts after `down_ms`). Reports every crash with the
// time until a new leader was elected, the timeline of roles, terms and commit indexes, and the checks:
// Raft's safety properties held, the client history is linearizable, and the cluster recovered each time.
// A fault script (`--faults <file>`) adds faults of its own at their virtual times (a crash or a cut the
// page's clicks ask for); the checks stay the same, so faults that leave no majority fail them.
import { flagBool, flagNumber, flagString, type ParsedArgs } from '../base/index.js';
import { UsageError } from '../base/index.js';
import type { ScheduledFault } from '../net/index.js';
import { readFaultFile } from './fault-file.js';
import { formatTimeline, raftSimNodeIds, RaftSim, round3, type TimelineEvent, type TimelineSample } from './raft-sim.js';
import type { ScenarioEntry } from './types.js';

export interface LeaderCrashOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly crashes: number;
  readonly interval_ms?: number;
  readonly down_ms?: number;
  /** Extra faults at given virtual times (nodes n1..nN, clients c1, c2). */
  readonly faults?: readonly ScheduledFault[];
  /** Sees every trace line (the page draws the run from them as it goes). */
  readonly trace_sink?: (line: string) => void;
  /** Called with the simulation once built (the page follows its timeline while it runs). */
  readonly watch?: (sim: RaftSim) => void;
}

/** What `atoll scenario leader-crash` runs without flags. */
export const LEADER_CRASH_DEFAULTS = { nodes: 5, crashes: 5, clients: 2 } as const;

export interface CrashRecord {
  readonly at_ms: number;
  readonly leader: string;
  readonly term: number;
  readonly new_leader: string | null;
  readonly new_term: number | null;
  /** Virtual ms from the crash to a new leader (null: none within the interval). */
  readonly election_ms: number | null;
}

export interface LeaderCrashReport {
  readonly scenario: 'leader-crash';
  readonly seed: number;
  readonly nodes: readonly string[];
  readonly crashes: readonly CrashRecord[];
  readonly history: { readonly ops: number; readonly completed: number; readonly verdict: string };
  readonly violations: readonly string[];
  readonly events: readonly TimelineEvent[];
  readonly timeline: readonly TimelineSample[];
  /** SHA-256 of the run's trace: the same seed gives the same hash. */
  readonly trace_hash: string;
  readonly passed: boolean;
}

export function runLeaderCrash(o: LeaderCrashOptions): LeaderCrashReport {
  const sim = new RaftSim({
    seed: o.seed, nodes: o.nodes, clients: LEADER_CRASH_DEFAULTS.clients, sample_ms: 100, faults: o.faults,
    ...(o.trace_sink ? { trace: { keep_max_lines: 0, sink: o.trace_sink } } : {}),
  });
  o.watch?.(sim);
  const interval = o.interval_ms ?? 1500;
  const down = o.down_ms ?? 700;
  sim.runUntil(interval, () => false);
  const crashes: CrashRecord[] = [];
  for (let i = 0; i < o.crashes && !sim.broken(); i++) {
    const start = (i + 1) * interval;
    sim.runUntil(start);
    // Wait (bounded) for a leader to crash.
    if (!sim.leader()) sim.runUntil(start + interval / 2, () => sim.leader() !== null);
    const lead = sim.leader();
    if (!lead) break;
    const at = sim.now_ms;
    sim.crash(lead.id);
    const elected = sim.runUntil(at + interval, () => {
      const l = sim.leader();
      return l !== null && l.id !== lead.id;
    });
    const now = sim.leader();
    crashes.push({
      at_ms: round3(at), leader: lead.id, term: lead.term, new_leader: elected ? now!.id : null,
      new_term: elected ? now!.term : null, election_ms: elected ? round3(sim.now_ms - at) : null,
    });
    const restartAt = at + down;
    sim.runUntil(Math.max(restartAt, sim.now_ms));
    sim.restart(lead.id);
  }
  sim.runUntil(sim.now_ms + interval);
  const fin = sim.finish();
  const passed = fin.violations.length === 0 && fin.verdict === 'ok' && crashes.length === o.crashes && crashes.every((c) => c.election_ms !== null);
  return {
    scenario: 'leader-crash', seed: o.seed, nodes: sim.servers, crashes,
    history: { ops: fin.ops, completed: fin.completed, verdict: fin.verdict }, violations: fin.violations,
    events: sim.events, timeline: sim.timeline, trace_hash: sim.cluster.sim.trace.digest(), passed,
  };
}

function human(r: LeaderCrashReport): string {
  const lines = [`leader-crash: ${r.nodes.length} nodes, seed ${r.seed}, ${r.crashes.length} leader crashes`, ''];
  lines.push('crash   at(ms)   leader (term)   new leader (term)   election(ms)');
  r.crashes.forEach((c, i) => lines.push(
    `${String(i + 1).padStart(5)}  ${String(c.at_ms).padStart(7)}   ${`${c.leader} (${c.term})`.padEnd(14)}  ` +
    `${(c.new_leader ? `${c.new_leader} (${c.new_term})` : 'none').padEnd(18)}  ${c.election_ms ?? '-'}`));
  lines.push('', 'events:');
  for (const e of r.events) lines.push(`${String(e.t_ms).padStart(10)} ms  ${e.what}`);
  lines.push('', 'timeline (L leader, F follower, P pre-candidate, C candidate; t term, c commit index):');
  lines.push(formatTimeline(r.nodes, r.timeline));
  lines.push('', `client history: ${r.history.ops} operations, ${r.history.completed} completed, linearizable: ${r.history.verdict}`);
  lines.push(`safety (election safety, log matching, leader completeness, state machine safety): ${r.violations.length === 0 ? 'held' : r.violations.join('; ')}`);
  lines.push(`trace: sha256 ${r.trace_hash}`);
  lines.push(r.passed ? 'PASS' : 'FAIL');
  return lines.join('\n') + '\n';
}

export const leaderCrashScenario: ScenarioEntry = {
  summary: 'crash the Raft leader repeatedly under client load; time each re-election',
  flags: {
    nodes: { kind: 'integer', help: 'raft nodes (3..9, default 5)' },
    seed: { kind: 'integer', help: 'seed of the run (default 1)' },
    crashes: { kind: 'integer', help: 'leader crashes (1..100, default 5)' },
    faults: { kind: 'string', value: '<file>', help: 'fault script file ("at 1200ms crash n2", see docs/cluster.md; nodes n1.., clients c1, c2)' },
    json: { kind: 'boolean', help: 'print the report as one JSON object' },
  },
  async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
    const nodes = flagNumber(args, 'nodes') ?? LEADER_CRASH_DEFAULTS.nodes;
    if (nodes < 3 || nodes > 9) throw new UsageError(`--nodes must be between 3 and 9, got ${nodes}`);
    const crashes = flagNumber(args, 'crashes') ?? LEADER_CRASH_DEFAULTS.crashes;
    if (crashes < 1 || crashes > 100) throw new UsageError(`--crashes must be between 1 and 100, got ${crashes}`);
    const faultsPath = flagString(args, 'faults');
    const faults = faultsPath ? readFaultFile(faultsPath, raftSimNodeIds(nodes, LEADER_CRASH_DEFAULTS.clients)) : undefined;
    const r = runLeaderCrash({ seed: flagNumber(args, 'seed') ?? 1, nodes, crashes, faults });
    out(flagBool(args, 'json') ? JSON.stringify(r) + '\n' : human(r));
    return r.passed ? 0 : 1;
  },
};
