// A cluster scenario run in the page: the deterministic simulator with the same code and the same defaults as
// `atoll scenario <name> --seed S --json`, so a seed gives the trace digest the CLI prints. The swarm's trace is
// kept as the diagram needs it (messages with their send and delivery times, drops, isolations); the Raft
// scenarios bring their timeline of roles and terms, the quorum scenarios their checks. Reads no clock; runs on
// the caller's thread.
import { runSwarm, type ScenarioEntry, type SwarmReport, type TimelineEvent, type TimelineSample } from '../scenarios/index.js';
import type { ScheduledFault } from '../net/index.js';
import type { FlagValue } from '../base/index.js';

/** The scenarios the page runs, with the CLI's summaries; each module loads on demand. */
export const PAGE_SCENARIOS: Readonly<Record<string, { readonly summary: string; readonly load?: () => Promise<ScenarioEntry> }>> = {
  swarm: { summary: 'robot swarm: exactly-once RPC commands and in-order telemetry over a lossy network' },
  'leader-crash': { summary: 'crash the Raft leader repeatedly under client load', load: async () => (await import('../scenarios/leader-crash.js')).leaderCrashScenario },
  'raft-partition': { summary: 'cut the Raft leader off with a minority; the majority elects', load: async () => (await import('../scenarios/raft-partition.js')).raftPartitionScenario },
  quorum: { summary: 'N=5 register: quorums that miss each other fail the checker', load: async () => (await import('../scenarios/quorum.js')).quorumScenario },
  cap: { summary: 'CAP on a quorum register: consistency first and availability first', load: async () => (await import('../scenarios/cap.js')).capScenario },
  geo: { summary: 'geo store: 3 centres, LOCAL_QUORUM, WAN cut and heal, sessions, staleness, convergence', load: async () => (await import('../scenarios/geo.js')).geoScenario },
};

/** The swarm's defaults, as `atoll scenario swarm` has them (src/scenarios/swarm-cli.ts). */
export const SWARM_DEFAULTS = { robots: 8, commands: 40, duration_ms: 2000 } as const;
/** Messages kept for the diagram (a default swarm sends about 95,000). */
export const MESSAGES_MAX = 400_000;

export interface Message {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly sent_ns: number;
  /** When it arrived (null: lost, or still in flight at the end). */
  delivered_ns: number | null;
  /** Its Lamport time at the receiver. */
  lamport: number | null;
  dropped: boolean;
}

export interface NodeView {
  readonly id: string;
  readonly role: string;
}

/** A node cut off the network (or down) from start_ns until end_ns (null: to the end). */
export interface Outage {
  readonly node: string;
  readonly kind: string;
  readonly start_ns: number;
  end_ns: number | null;
}

export interface ClusterRun {
  readonly scenario: string;
  readonly seed: number;
  readonly trace_hash: string;
  readonly passed: boolean;
  readonly nodes: readonly NodeView[];
  readonly messages: readonly Message[];
  readonly outages: readonly Outage[];
  readonly end_ns: number;
  readonly timeline: readonly TimelineSample[];
  readonly events: readonly TimelineEvent[];
  /** One line on what the run showed, as the CLI's report would say it. */
  readonly summary: string;
}

interface TraceLine { t: number; ev: string; id?: number; from?: string; to?: string; m?: string; lc?: number; node?: string; kind?: string }

/** The swarm with its trace kept; faults: extra isolations the page's clicks asked for. */
export function runSwarmInPage(seed: number, faults: readonly ScheduledFault[] = []): ClusterRun {
  const messages: Message[] = [];
  const byId = new Map<number, Message>();
  const outages: Outage[] = [];
  let end_ns = 0;
  const sink = (line: string): void => {
    const e = JSON.parse(line) as TraceLine;
    end_ns = Math.max(end_ns, e.t);
    if (e.ev === 'net.send' && messages.length < MESSAGES_MAX) {
      const m: Message = { id: e.id!, from: e.from!, to: e.to!, kind: e.m ?? '', sent_ns: e.t, delivered_ns: null, lamport: null, dropped: false };
      messages.push(m);
      byId.set(m.id, m);
    } else if (e.ev === 'net.deliver') {
      const m = byId.get(e.id!);
      if (m !== undefined && m.delivered_ns === null) { m.delivered_ns = e.t; m.lamport = e.lc ?? null; }
    } else if (e.ev === 'net.drop') {
      const m = byId.get(e.id!);
      if (m !== undefined) m.dropped = true;
    } else if (e.ev === 'net.isolate' || e.ev === 'node.crash') {
      outages.push({ node: e.node!, kind: e.ev === 'net.isolate' ? 'isolated' : 'down', start_ns: e.t, end_ns: null });
    } else if (e.ev === 'net.rejoin' || e.ev === 'node.restart') {
      const o = outages.find((x) => x.node === e.node && x.end_ns === null);
      if (o !== undefined) o.end_ns = e.t;
    }
  };
  const r: SwarmReport = runSwarm({ ...SWARM_DEFAULTS, seed, nemesis: false, ...(faults.length > 0 ? { faults } : {}), trace_sink: sink });
  const role = (id: string): string => (id === 'coord' ? 'coordinator' : id === 'hub' ? 'queue broker' : 'robot');
  const ids = ['coord', 'hub', ...r.robots.map((x) => x.id)];
  const acked = r.robots.reduce((a, x) => a + x.commands_acked, 0);
  return {
    scenario: 'swarm', seed, trace_hash: r.trace_hash, passed: r.passed, nodes: ids.map((id) => ({ id, role: role(id) })),
    messages, outages, end_ns, timeline: [], events: [],
    summary: `${r.robots.length} robots, ${acked} commands acknowledged, ${r.network['sent']} messages sent, ${r.network['lost']} lost, ${r.network['duplicated']} duplicated; ${r.trace_lines} trace lines; ${r.passed ? 'PASS' : 'FAIL'}`,
  };
}

interface ScenarioReport {
  readonly trace_hash: string;
  readonly passed: boolean;
  /** The Raft scenarios' servers (the quorum scenarios report checks only). */
  readonly nodes?: readonly string[];
  readonly checks?: Readonly<Record<string, unknown>>;
  readonly timeline?: readonly TimelineSample[];
  readonly events?: readonly TimelineEvent[];
}

/** Any other scenario, run by the CLI's own entry with --seed and --json (so its report is the CLI's). */
export async function runScenarioInPage(name: string, seed: number): Promise<ClusterRun> {
  if (name === 'swarm') return runSwarmInPage(seed);
  const ref = Object.hasOwn(PAGE_SCENARIOS, name) ? PAGE_SCENARIOS[name] : undefined;
  if (ref?.load === undefined) throw new Error(`no scenario '${name}' in the page (${Object.keys(PAGE_SCENARIOS).join(', ')})`);
  const entry = await ref.load();
  let out = '';
  const flags = new Map<string, FlagValue>([['seed', seed], ['json', true]]);
  await entry.run({ flags, positionals: [] }, (text) => { out += text; });
  const r = JSON.parse(out) as ScenarioReport;
  const timeline = r.timeline ?? [];
  const last = timeline.at(-1);
  const roles = (id: string): string => last?.nodes[id]?.role ?? 'server';
  const events = r.events ?? [];
  const nodes = r.nodes ?? [];
  const checks = Object.entries(r.checks ?? {}).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return {
    scenario: name, seed, trace_hash: r.trace_hash, passed: r.passed, nodes: nodes.map((id) => ({ id, role: roles(id) })),
    messages: [], outages: [], end_ns: (last?.t_ms ?? 0) * 1e6, timeline, events,
    summary: [`${nodes.length > 0 ? `${nodes.length} servers, ${timeline.length} timeline samples, ${events.length} events; ` : ''}${r.passed ? 'PASS' : 'FAIL'}`, ...checks].join('\n'),
  };
}
