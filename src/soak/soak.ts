// The fault-injection soak for Raft: a simulated raft-kv cluster (the scenarios' RaftSim) under a seeded
// fault schedule (schedule.ts) or a fault script, with message loss, duplication, reordering and clock
// drift, and clients recording a history. Safety is checked on every Ready of every node (SafetyChecker)
// and after every simulator event; after the faults stop the cluster must elect a leader and complete
// client requests within a bound (liveness); the history goes to the linearizability checker. Same seed,
// same run: a failure prints the command that replays it. The CLI is main.ts (`npm run soak`).
import { checkHistory, type CheckVerdict } from '../check/index.js';
import { parseFaultScript, scheduleFaults } from '../net/index.js';
import { Prng } from '../sim/index.js';
import { MS, RaftSim } from '../scenarios/index.js';
import { FaultCounts, scheduleRandomFaults } from './schedule.js';

export interface SoakOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly clients?: number;
  /** Virtual milliseconds of faults. */
  readonly fault_ms?: number;
  /** After faults stop: a leader and a completed request per client within this many virtual ms. */
  readonly liveness_ms?: number;
  readonly loss?: number;
  readonly duplicate?: number;
  readonly reorder?: number;
  readonly drift_ppm_max?: number;
  readonly snapshot_entries?: number;
  readonly lease_reads?: boolean;
  /** Membership changes and leader transfers during the fault phase (default true). */
  readonly membership?: boolean;
  /**
   * A fault script (src/net/faults.ts grammar, servers named n1..nN) replacing the random nemesis, leader
   * kills, crash storms, link faults and drift. The fault phase lasts until its last fault (at least fault_ms).
   */
  readonly fault_script?: string;
  /** Receives every trace line of the run (network, faults, nodes, Raft role changes, client operations). */
  readonly trace_sink?: (line: string) => void;
}

export interface SoakProfile {
  readonly pre_vote: boolean;
  readonly check_quorum: boolean;
  readonly latency_max_ms: number;
}

export interface SoakResult {
  readonly seed: number;
  readonly profile: SoakProfile;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly liveness: { readonly ok: boolean; readonly recovered_ms: number | null };
  readonly history: { readonly ops: number; readonly completed: number; readonly unknown: number; readonly verdict: CheckVerdict };
  readonly stats: {
    readonly elections: number; readonly commits: number; readonly messages: number; readonly faults: number;
    readonly crashes: number; readonly snapshots_installed: number; readonly service_errors: number;
    readonly reconfigurations: number;
  };
  readonly trace_digest: string;
  readonly replay: string;
}

type Settings = Required<Omit<SoakOptions, 'trace_sink'>>;

function defaults(o: SoakOptions): Settings {
  return {
    seed: o.seed, nodes: o.nodes ?? 5, clients: o.clients ?? 3, fault_ms: o.fault_ms ?? 20_000,
    liveness_ms: o.liveness_ms ?? 5_000, loss: o.loss ?? 0.05, duplicate: o.duplicate ?? 0.03, reorder: o.reorder ?? 0.05,
    drift_ppm_max: o.drift_ppm_max ?? 50_000, snapshot_entries: o.snapshot_entries ?? 40, lease_reads: o.lease_reads ?? false,
    fault_script: o.fault_script ?? '', membership: o.membership ?? true,
  };
}

export function replayCommand(o: SoakOptions): string {
  const d = defaults({ seed: 0 });
  const parts = [`npm run soak -- --seed ${o.seed}`];
  const f = defaults(o);
  if (f.nodes !== d.nodes) parts.push(`--nodes ${f.nodes}`);
  if (f.clients !== d.clients) parts.push(`--clients ${f.clients}`);
  if (f.fault_ms !== d.fault_ms) parts.push(`--fault-ms ${f.fault_ms}`);
  if (f.lease_reads) parts.push('--lease-reads');
  if (!f.membership) parts.push('--no-membership');
  if (f.fault_script !== '') parts.push('--faults <the same script file>');
  return parts.join(' ');
}

/** Each seed also draws a profile, so the seeds cover configurations, not only schedules. */
function drawProfile(seed: number): SoakProfile {
  const rng = new Prng(seed).split('soak-profile');
  return { pre_vote: rng.chance(0.7), check_quorum: rng.chance(0.7), latency_max_ms: rng.pick([8, 8, 30, 60]) };
}

/** One seed's cluster, its counters and the hooks the fault schedule needs. */
interface SoakRun {
  readonly rs: RaftSim;
  readonly counts: FaultCounts;
  readonly snapshots: { installed: number };
}

function buildRun(o: Settings, profile: SoakProfile, trace_sink: SoakOptions['trace_sink']): SoakRun {
  const counts = new FaultCounts();
  const snapshots = { installed: 0 };
  const crashRng = new Prng(o.seed).split('soak-targeted-crash');
  let built: RaftSim | undefined;
  const rs = new RaftSim({
    seed: o.seed, nodes: o.nodes, clients: o.clients, snapshot_entries: o.snapshot_entries, lease_reads: o.lease_reads,
    pre_vote: profile.pre_vote, check_quorum: o.lease_reads || profile.check_quorum,
    latency: { kind: 'uniform', min_ns: 1 * MS, max_ns: profile.latency_max_ms * MS },
    link: { loss: 0, duplicate: 0, reorder: 0 },
    trace: trace_sink ? { keep_max_lines: 0, sink: trace_sink } : { keep_max_lines: 0 },
    timeline_max: 0, events_max: 0,
    observe: (s, rd) => {
      if (rd.snapshot) snapshots.installed++;
      if (rd.softState) built?.cluster.sim.record('raft.state', { node: s.id, role: rd.softState.role, term: s.raft.term, lead: rd.softState.lead });
      // Targeted crashes: right after a node persisted a vote or acknowledged entries, so that what
      // it promised must come back from storage.
      if (counts.crashAfterPersist && (rd.hardState?.vote || rd.entries.length > 0) && crashRng.chance(0.03)) counts.crashAfterPersist(s.id);
    },
  });
  built = rs;
  return { rs, counts, snapshots };
}

/** Schedule the faults of the fault phase; returns when it ends (virtual ns). */
function scheduleFaultPhase(run: SoakRun, o: Settings): number {
  const { rs, counts } = run;
  const rng = rs.cluster.sim.rng.split('soak');
  const script = o.fault_script === '' ? null : parseFaultScript(o.fault_script, rs.servers);
  const faultEnd = Math.max(o.fault_ms * MS, ...(script ?? []).map((f) => f.at_ns + 1));
  if (script) {
    scheduleFaults(rs.cluster, script);
    counts.nemesis = script.length;
  } else {
    scheduleRandomFaults(rs, rng, {
      loss: o.loss, duplicate: o.duplicate, reorder: o.reorder, drift_ppm_max: o.drift_ppm_max, membership: o.membership,
      fault_end_ns: faultEnd,
    }, counts);
  }
  return faultEnd;
}

/** Faults stop: heal, bring every node back, and time how long until a leader serves every client. */
function recover(rs: RaftSim, liveness_ms: number): number | null {
  const { cluster, servers } = rs;
  const sim = cluster.sim;
  cluster.net.heal();
  cluster.net.configure({ loss: 0, duplicate: 0, reorder: 0 });
  for (const id of servers) {
    const n = cluster.node(id);
    if (n.status === 'paused') n.resume();
    if (n.status === 'down') n.start();
  }
  const healedAt = sim.now_ns;
  const baseline = new Map([...rs.clientServices].map(([id, c]) => [id, c.completed]));
  const live = (): boolean => {
    const leaders = servers.filter((id) => cluster.node(id).status === 'up' && rs.live.get(id)?.raft.role === 'leader');
    if (leaders.length !== 1) return false;
    return [...rs.clientServices].every(([id, c]) => c.completed > (baseline.get(id) ?? 0));
  };
  const r = sim.run({ until_ns: healedAt + liveness_ms * MS, stop_when: () => rs.broken() || live() });
  return r.reason === 'condition' && live() ? Math.round((sim.now_ns - healedAt) / MS) : null;
}

/** Check the run: safety violations, service errors, the history's linearizability, liveness. */
function verdictOf(run: SoakRun, o: Settings, profile: SoakProfile, recovered_ms: number | null, replay: string): SoakResult {
  const { rs, counts } = run;
  const { cluster, checker } = rs;
  const broken = rs.broken();
  const ops = rs.recorder.all();
  const verdict = broken ? 'unknown' : checkHistory(ops).verdict;
  const violations = [...checker.violations];
  if (cluster.serviceErrors > 0) violations.push(`${cluster.serviceErrors} service error(s): a node threw (see the trace's service.error)`);
  if (verdict === 'illegal') violations.push('the client history is not linearizable');
  if (!broken && recovered_ms === null) violations.push(`liveness: no leader serving every client within ${o.liveness_ms} ms after faults stopped`);
  const completed = ops.filter((x) => x.ret !== null).length;
  return {
    seed: o.seed,
    profile,
    ok: violations.length === 0 && verdict === 'ok',
    violations,
    liveness: { ok: recovered_ms !== null, recovered_ms },
    history: { ops: ops.length, completed, unknown: ops.length - completed, verdict },
    stats: {
      elections: checker.elections, commits: checker.commits, messages: cluster.net.stats.sent,
      faults: counts.nemesis + counts.crashes + counts.oneWayCuts, crashes: counts.crashes,
      snapshots_installed: run.snapshots.installed, service_errors: cluster.serviceErrors, reconfigurations: counts.reconfigurations,
    },
    trace_digest: cluster.sim.trace.digest(),
    replay,
  };
}

/** Run one seed: build, fault phase, recovery, drain, check. */
export function runSoak(opts: SoakOptions): SoakResult {
  const o = defaults(opts);
  const profile = drawProfile(o.seed);
  const run = buildRun(o, profile, opts.trace_sink);
  const { rs } = run;
  const sim = rs.cluster.sim;
  const faultEnd = scheduleFaultPhase(run, o);
  sim.run({ until_ns: faultEnd, stop_when: () => rs.broken() });
  let recovered_ms: number | null = null;
  if (!rs.broken()) {
    recovered_ms = recover(rs, o.liveness_ms);
    // Let the clients finish what they started, then check the history.
    rs.clientsActive = false;
    sim.run({ until_ns: sim.now_ns + 4_000 * MS, stop_when: () => rs.broken() });
  }
  return verdictOf(run, o, profile, recovered_ms, replayCommand(opts));
}
