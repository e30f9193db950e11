// A cluster scenario run for the page (in its scenario worker): the deterministic simulator with the same code
// and the same defaults as `atoll scenario <name> --seed S [--faults F] --json`, so a seed and a fault script
// give the trace digest the CLI prints. The trace lines the view reads (cluster-model.ts) go out in batches as
// the run goes, with the Raft timeline's new samples; `pace` may hold the run between lines (the worker's
// playback speed) and never changes what runs. Reads no clock.
import { parseFaultScript, type ScheduledFault } from '../net/index.js';
import {
  raftSimNodeIds, runSwarm, swarmNodeIds, type DeadlockReport, type MigrateReport, type FalseSharingReport, type RaftSim, type ScenarioEntry, type TimelineEvent, type TimelineSample,
} from '../scenarios/index.js';
import type { FlagValue } from '../base/index.js';
import { VIEW_EVENTS, type TraceLine } from './cluster-model.js';

/** How the view draws a scenario: a swarm's or a Raft cluster's nodes and messages, or only its checks. */
export type ScenarioKind = 'swarm' | 'raft' | 'checks';

export interface PageScenario {
  readonly summary: string;
  readonly kind: ScenarioKind;
  /** Virtual time the space-time diagram spans (ns). */
  readonly window_ns: number;
  readonly load?: () => Promise<ScenarioEntry>;
  /** The CLI's text report from its JSON one (default: the verdict and the report's checks). */
  readonly text?: (report: unknown) => Promise<string>;
}

/** The scenarios the page runs, with the CLI's summaries; each module loads on demand. */
export const PAGE_SCENARIOS: Readonly<Record<string, PageScenario>> = {
  swarm: { summary: 'robot swarm: exactly-once RPC commands and in-order telemetry over a lossy network', kind: 'swarm', window_ns: 8e6 },
  'leader-crash': { summary: 'crash the Raft leader repeatedly under client load', kind: 'raft', window_ns: 40e6 },
  'raft-partition': { summary: 'cut the Raft leader off with a minority; the majority elects', kind: 'raft', window_ns: 40e6 },
  quorum: { summary: 'N=5 register: quorums that miss each other fail the checker', kind: 'checks', window_ns: 0, load: async () => (await import('../scenarios/quorum.js')).quorumScenario },
  cap: { summary: 'CAP on a quorum register: consistency first and availability first', kind: 'checks', window_ns: 0, load: async () => (await import('../scenarios/cap.js')).capScenario },
  geo: { summary: 'geo store: 3 centres, LOCAL_QUORUM, WAN cut and heal, sessions, staleness, convergence', kind: 'checks', window_ns: 0, load: async () => (await import('../scenarios/geo.js')).geoScenario },
  deadlock: {
    summary: 'distributed deadlock: a ring of 3 processes on 3 nodes under each strategy, and the phantom', kind: 'checks', window_ns: 0,
    load: async () => (await import('../scenarios/deadlock.js')).deadlockScenario,
    text: async (r) => (await import('../scenarios/deadlock.js')).deadlockText(r as DeadlockReport),
  },
  migrate: {
    summary: 'process migration: stop-and-copy, pre-copy and post-copy across 3 nodes with a drifting clock', kind: 'checks', window_ns: 0,
    load: async () => (await import('../scenarios/migrate.js')).migrateScenario,
    text: async (r) => (await import('../scenarios/migrate.js')).migrateText(r as MigrateReport),
  },
  'false-sharing': {
    summary: 'false sharing: x and y on two nodes in one page and padded apart, under IVY', kind: 'checks', window_ns: 0,
    load: async () => (await import('../scenarios/false-sharing.js')).falseSharingScenario,
    text: async (r) => (await import('../scenarios/false-sharing.js')).falseSharingText(r as FalseSharingReport),
  },
};

/** The swarm's defaults, as `atoll scenario swarm` has them (src/scenarios/swarm-cli.ts). */
export const SWARM_DEFAULTS = { robots: 8, commands: 40, duration_ms: 2000 } as const;
/** Trace lines sent in one batch at most (the pace may send one sooner). */
export const BATCH_LINES_MAX = 4000;

export interface ScenarioRequest {
  readonly scenario: string;
  readonly seed: number;
  /** A fault script (src/net/faults.ts), '' for none. */
  readonly faults: string;
}

/** The scenario worker's control block (Int32 slots over a SharedArrayBuffer): pause, a wake-up, the rate. */
export const CONTROL = { paused: 0, wake: 1, rate: 2, length: 3 } as const;
/** The rate is virtual time per wall second in thousandths (1000: real time); 0 runs as fast as it goes. */
export const RATE_REAL_TIME = 1000;

/** The scenario worker's first message. */
export interface WorkerStart extends ScenarioRequest {
  /** CONTROL.length Int32 slots over a SharedArrayBuffer (null: no pacing, as fast as it goes). */
  readonly control: SharedArrayBuffer | null;
}

export type RunMessage =
  | { readonly kind: 'start'; readonly scenario: string; readonly nodes: readonly string[]; readonly lanes: readonly string[]; readonly roles: Readonly<Record<string, string>> }
  | { readonly kind: 'progress'; readonly lines: readonly TraceLine[]; readonly timeline: readonly TimelineSample[]; readonly events: readonly TimelineEvent[] }
  | { readonly kind: 'done'; readonly trace_hash: string; readonly passed: boolean; readonly summary: string; readonly events: readonly TimelineEvent[] }
  | { readonly kind: 'error'; readonly message: string };

/** The nodes a scenario's view draws, and every node its messages name (what a fault script may name). */
export function scenarioNodes(name: string): { nodes: string[]; lanes: string[] } {
  if (name === 'swarm') { const ids = swarmNodeIds(SWARM_DEFAULTS.robots); return { nodes: ids, lanes: ids }; }
  if (PAGE_SCENARIOS[name]?.kind === 'raft') { const ids = raftSimNodeIds(5, 2); return { nodes: ids.slice(0, 5), lanes: ids }; }
  return { nodes: [], lanes: [] };
}

/** Run one scenario, posting what the view needs as it goes; pace(t_ns, flush) sees each line's time. */
export async function runForView(req: ScenarioRequest, post: (m: RunMessage) => void, pace?: (t_ns: number, flush: () => void) => void): Promise<void> {
  const ref = Object.hasOwn(PAGE_SCENARIOS, req.scenario) ? PAGE_SCENARIOS[req.scenario]! : undefined;
  if (ref === undefined) throw new Error(`no scenario '${req.scenario}' in the page (${Object.keys(PAGE_SCENARIOS).join(', ')})`);
  const { nodes, lanes } = scenarioNodes(req.scenario);
  if (ref.kind === 'checks') {
    if (req.faults.trim() !== '') throw new Error(`${req.scenario} takes no fault script`);
    post({ kind: 'start', scenario: req.scenario, nodes, lanes, roles: {} });
    post(await runByCli(ref, req.seed));
    return;
  }
  const faults: ScheduledFault[] = parseFaultScript(req.faults, lanes);
  const roles: Record<string, string> = {};
  for (const id of lanes) roles[id] = id === 'coord' ? 'coordinator' : id === 'hub' ? 'queue broker' : id.startsWith('r') ? 'robot' : id.startsWith('c') ? 'client' : 'server';
  post({ kind: 'start', scenario: req.scenario, nodes, lanes, roles });
  let batch: TraceLine[] = [];
  let sim: RaftSim | null = null;
  let samplesSent = 0, eventsSent = 0;
  const flush = (): void => {
    const timeline = sim === null ? [] : sim.timeline.slice(samplesSent);
    const events = sim === null ? [] : sim.events.slice(eventsSent);
    if (batch.length === 0 && timeline.length === 0) return;
    samplesSent += timeline.length;
    eventsSent += events.length;
    post({ kind: 'progress', lines: batch, timeline, events });
    batch = [];
  };
  const trace_sink = (line: string): void => {
    // Lines start {"t":<ns>,"ev":"<name>": read the name before parsing the few the view needs.
    const at = line.indexOf('"ev":"') + 6;
    const ev = line.slice(at, line.indexOf('"', at));
    if (VIEW_EVENTS.has(ev)) {
      batch.push(JSON.parse(line) as TraceLine);
      if (batch.length >= BATCH_LINES_MAX) flush();
    }
    if (pace !== undefined) pace(Number(line.slice(5, line.indexOf(','))), flush);
  };
  const watch = (s: RaftSim): void => { sim = s; };
  let done: Extract<RunMessage, { kind: 'done' }>;
  if (req.scenario === 'swarm') {
    const r = runSwarm({ ...SWARM_DEFAULTS, seed: req.seed, nemesis: false, ...(faults.length > 0 ? { faults } : {}), trace_sink });
    const acked = r.robots.reduce((a, x) => a + x.commands_acked, 0);
    done = {
      kind: 'done', trace_hash: r.trace_hash, passed: r.passed, events: [],
      summary: `${r.robots.length} robots, ${acked} commands acknowledged, ${r.network['sent']} messages sent, ${r.network['lost']} lost, ${r.network['duplicated']} duplicated; ${r.trace_lines} trace lines; ${r.passed ? 'PASS' : 'FAIL'}`,
    };
  } else if (req.scenario === 'leader-crash') {
    const { runLeaderCrash, LEADER_CRASH_DEFAULTS } = await import('../scenarios/leader-crash.js');
    const r = runLeaderCrash({ seed: req.seed, nodes: LEADER_CRASH_DEFAULTS.nodes, crashes: LEADER_CRASH_DEFAULTS.crashes, faults, trace_sink, watch });
    const elections = r.crashes.map((c) => `${c.leader}→${c.new_leader ?? 'none'} ${c.election_ms ?? '-'} ms`).join(', ');
    done = {
      kind: 'done', trace_hash: r.trace_hash, passed: r.passed, events: r.events,
      summary: [`${r.crashes.length} leader crashes, re-elections: ${elections}`, `client history: ${r.history.ops} operations, linearizable: ${r.history.verdict}`,
        `safety: ${r.violations.length === 0 ? 'held' : r.violations.join('; ')}`, r.passed ? 'PASS' : 'FAIL'].join('\n'),
    };
  } else {
    const { runRaftPartition, RAFT_PARTITION_DEFAULTS } = await import('../scenarios/raft-partition.js');
    const r = runRaftPartition({ seed: req.seed, nodes: RAFT_PARTITION_DEFAULTS.nodes, partition_ms: RAFT_PARTITION_DEFAULTS.partition_ms, faults, trace_sink, watch });
    done = {
      kind: 'done', trace_hash: r.trace_hash, passed: r.passed, events: r.events,
      summary: [`cut: minority {${r.minority.join(', ')}} | majority {${r.majority.join(', ')}}; majority elected ${r.new_leader ?? 'nobody'} after ${r.majority_election_ms ?? '-'} ms`,
        ...Object.entries(r.checks).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v ? 'yes' : 'NO'}`), r.passed ? 'PASS' : 'FAIL'].join('\n'),
    };
  }
  flush();
  post(done);
}

interface ChecksReport {
  readonly trace_hash: string;
  readonly passed: boolean;
  readonly checks?: Readonly<Record<string, unknown>>;
}

/** A scenario without a view of its own, run by the CLI's own entry with --seed and --json (so its report is the CLI's). */
async function runByCli(ref: PageScenario, seed: number): Promise<RunMessage> {
  const entry = await ref.load!();
  let out = '';
  const flags = new Map<string, FlagValue>([['seed', seed], ['json', true]]);
  await entry.run({ flags, positionals: [] }, (text) => { out += text; });
  const r = JSON.parse(out) as ChecksReport;
  if (ref.text !== undefined) return { kind: 'done', trace_hash: r.trace_hash, passed: r.passed, events: [], summary: (await ref.text(r)).trimEnd() };
  const checks = Object.entries(r.checks ?? {}).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return { kind: 'done', trace_hash: r.trace_hash, passed: r.passed, events: [], summary: [r.passed ? 'PASS' : 'FAIL', ...checks].join('\n') };
}
