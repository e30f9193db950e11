// `atoll scenario geo`: the geo-replicated store under a WAN cut. Three centres of three replicas (links
// ~1 ms inside a centre, log-normal 80 ms median across); ten clients per centre read and write 64 files
// in a closed loop for 3 s, with read-your-writes and monotonic-read sessions. At 1 s the WAN is cut (each
// centre alone), at 2 s it heals; at 2.4 s two of dc3's three replicas crash for 200 ms, so dc3 has no
// local quorum: its requests fail at their deadline with a clear error. Reported: read and write latency
// p50/p99 per centre (served requests), availability in each centre during the cut, the session checker's
// counts, how stale cross-centre reads were (how long a newer write acknowledged in another centre had
// been waiting), the conflicts the last-writer-wins rule overruled (all logged), the time from the heal
// until every write acknowledged before it is on every replica, and that the replicas end identical.
import { compareVersions, formatVersion, GeoSim, type GeoOp, type Version } from '../geo/index.js';
import { summarizeNs, type LatencySummary } from './stats.js';
import { seededScenario, verdictLines } from './quorum-report.js';
import type { ScenarioEntry } from './types.js';

const MS = 1_000_000;
const CUT_AT_MS = 1000;
const HEAL_AT_MS = 2000;
const CRASH_AT_MS = 2400;
const RESTART_AT_MS = 2600;
const END_MS = 3000;
const CLIENTS_PER_CENTRE = 10;
const DEADLINE_MS = 50;
const LATENCY_GOAL_MS = 15;

export interface GeoCentreReport {
  readonly centre: string;
  readonly reads: LatencySummary;
  readonly writes: LatencySummary;
  /** Requests begun and ended during the WAN cut, and how many were served. */
  readonly cut_requests: number;
  readonly cut_served: number;
  readonly cut_availability_pct: number;
  /** Requests that failed (any time), by error. */
  readonly failed: Readonly<Record<string, number>>;
}

export interface GeoStaleness {
  readonly reads: number;
  /** Reads that returned an older version than one acknowledged in another centre before the read began. */
  readonly stale_reads: number;
  readonly stale_pct: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export interface GeoReport {
  readonly scenario: 'geo';
  readonly seed: number;
  readonly centres: readonly GeoCentreReport[];
  readonly sessions: { readonly read_your_writes: number; readonly monotonic_reads: number; readonly monotonic_writes: number; readonly writes_follow_reads: number };
  readonly staleness: { readonly before_cut: GeoStaleness; readonly during_cut: GeoStaleness; readonly after_heal: GeoStaleness };
  readonly conflicts: number;
  readonly conflict_examples: readonly string[];
  readonly lost_writes: number;
  /** From the heal until every write acknowledged before it is held by every replica (ms). */
  readonly converge_after_heal_ms: number | null;
  /** From the end of the workload until every replica holds the same entries (ms). */
  readonly converge_after_end_ms: number | null;
  readonly replicas_identical: boolean;
  readonly files: number;
  /** dc3 without a local quorum: requests begun then, how they ended, one error message. */
  readonly quorum_loss: { readonly requests: number; readonly failed: number; readonly slowest_failure_ms: number; readonly message: string | null };
  readonly checks: Readonly<Record<string, boolean>>;
  readonly trace_hash: string;
  readonly passed: boolean;
}

const within = (o: GeoOp, from_ms: number, to_ms: number): boolean => o.call_ns >= from_ms * MS && o.ret_ns !== null && o.ret_ns <= to_ms * MS;

function centreReport(sim: GeoSim, centre: string): GeoCentreReport {
  const mine = sim.ops.filter((o) => o.centre === centre);
  const served = (kind: 'read' | 'write'): number[] => mine.filter((o) => o.kind === kind && o.result?.ok).map((o) => o.ret_ns! - o.call_ns);
  const cut = mine.filter((o) => within(o, CUT_AT_MS, HEAL_AT_MS));
  const cutServed = cut.filter((o) => o.result?.ok).length;
  const failed: Record<string, number> = {};
  for (const o of mine) if (o.result && !o.result.ok) failed[o.result.error] = (failed[o.result.error] ?? 0) + 1;
  return {
    centre, reads: summarizeNs(served('read')), writes: summarizeNs(served('write')),
    cut_requests: cut.length, cut_served: cutServed,
    cut_availability_pct: cut.length === 0 ? 0 : Math.round((cutServed / cut.length) * 10_000) / 100,
    failed,
  };
}

/** Staleness of each read against writes acknowledged in other centres before it began. */
function staleness(sim: GeoSim, reads: readonly GeoOp[]): GeoStaleness {
  const writes = new Map<string, { centre: string; ret: number; v: Version }[]>();
  for (const o of sim.ops) {
    if (o.kind !== 'write' || !o.result?.ok) continue;
    let l = writes.get(o.key);
    if (!l) writes.set(o.key, (l = []));
    l.push({ centre: o.centre, ret: o.ret_ns!, v: o.result.version });
  }
  const ages: number[] = [];
  let n = 0;
  for (const r of reads) {
    if (!r.result?.ok) continue;
    n++;
    const got = r.result.version;
    let oldest = Number.POSITIVE_INFINITY;
    for (const w of writes.get(r.key) ?? []) {
      if (w.centre !== r.centre && w.ret <= r.call_ns && compareVersions(w.v, got) > 0) oldest = Math.min(oldest, w.ret);
    }
    if (oldest !== Number.POSITIVE_INFINITY) ages.push(r.call_ns - oldest);
  }
  const s = summarizeNs(ages);
  return { reads: n, stale_reads: ages.length, stale_pct: n === 0 ? 0 : Math.round((ages.length / n) * 10_000) / 100, p50_ms: s.p50_ms, p99_ms: s.p99_ms, max_ms: s.max_ms };
}

export function runGeo(seed: number): GeoReport {
  const sim = new GeoSim({ seed, store: { deadline_ns: DEADLINE_MS * MS } });
  const topo = sim.topology;
  const clients = topo.centres.flatMap((dc) => Array.from({ length: CLIENTS_PER_CENTRE }, (_, i) => sim.client(`${dc}.c${i + 1}`, dc)));
  sim.closedLoop(clients, END_MS, { write_fraction: 0.3, think_ms: 10 });
  const s = sim.cluster.sim;
  let convergedAfterHeal: number | null = null;
  s.at(CUT_AT_MS * MS, () => sim.cutWan());
  s.at(HEAL_AT_MS * MS, () => {
    sim.heal();
    const want = sim.acknowledgedBy(s.now_ns);
    const poll = (): void => {
      if (sim.holdsEverywhere(want)) { convergedAfterHeal = (s.now_ns - HEAL_AT_MS * MS) / MS; return; }
      if (s.now_ns < (END_MS + 5000) * MS) s.after(MS, poll);
    };
    poll();
  });
  s.at(CRASH_AT_MS * MS, () => { sim.cluster.crash('dc3-r2'); sim.cluster.crash('dc3-r3'); });
  s.at(RESTART_AT_MS * MS, () => { sim.cluster.start('dc3-r2'); sim.cluster.start('dc3-r3'); });
  sim.runFor(END_MS);
  sim.settle();
  const t_end = s.now_ns;
  const afterEnd = sim.runUntilConverged(10_000);
  const convergeAfterEnd = afterEnd === null ? null : Math.round(((s.now_ns - t_end) / MS) * 1000) / 1000;
  const sessions = sim.checkSessions().violations;
  const reads = sim.ops.filter((o) => o.kind === 'read');
  const cutReads = reads.filter((o) => within(o, CUT_AT_MS, HEAL_AT_MS));
  const conflicts = sim.conflicts();
  const loss = sim.ops.filter((o) => o.centre === 'dc3' && o.call_ns >= CRASH_AT_MS * MS && o.call_ns < RESTART_AT_MS * MS - DEADLINE_MS * MS);
  const lossFailed = loss.filter((o) => o.result && !o.result.ok);
  const firstFailure = lossFailed.find((o) => o.result && !o.result.ok && o.result.error === 'no-local-quorum');
  const ref = sim.replica(topo.nodes[0]!)!;
  const centres = topo.centres.map((c) => centreReport(sim, c));
  const report = {
    scenario: 'geo' as const, seed, centres,
    sessions,
    staleness: {
      before_cut: staleness(sim, reads.filter((o) => o.ret_ns !== null && o.ret_ns <= CUT_AT_MS * MS)),
      during_cut: staleness(sim, cutReads),
      after_heal: staleness(sim, reads.filter((o) => o.call_ns >= HEAL_AT_MS * MS)),
    },
    conflicts: conflicts.length,
    conflict_examples: conflicts.slice(0, 3).map((c) => `${c.key}: ${formatVersion(c.loser)} (${c.loser_value ?? 'deleted'}) overruled by ${formatVersion(c.winner)}`),
    lost_writes: sim.lostWrites().length,
    converge_after_heal_ms: convergedAfterHeal,
    converge_after_end_ms: convergeAfterEnd,
    replicas_identical: sim.converged(),
    files: ref.size,
    quorum_loss: {
      requests: loss.length, failed: lossFailed.length,
      slowest_failure_ms: lossFailed.reduce((m, o) => Math.max(m, (o.ret_ns! - o.call_ns) / MS), 0),
      message: firstFailure?.result && !firstFailure.result.ok ? firstFailure.result.message : null,
    },
  };
  const checks = {
    p99_read_and_write_under_15_ms_in_every_centre: centres.every((c) => c.reads.p99_ms < LATENCY_GOAL_MS && c.writes.p99_ms < LATENCY_GOAL_MS),
    every_local_request_served_during_the_wan_cut: centres.every((c) => c.cut_requests > 0 && c.cut_served === c.cut_requests),
    no_read_your_writes_or_monotonic_read_violation: sessions.read_your_writes === 0 && sessions.monotonic_reads === 0,
    converged_after_the_heal: convergedAfterHeal !== null,
    replicas_identical_at_the_end: report.replicas_identical,
    no_acknowledged_write_lost: report.lost_writes === 0,
    without_a_local_quorum_requests_fail_at_the_deadline: loss.length > 0 && lossFailed.length === loss.length && report.quorum_loss.slowest_failure_ms <= DEADLINE_MS + 1,
  };
  return { ...report, checks, trace_hash: s.trace.digest(), passed: Object.values(checks).every(Boolean) };
}

const pct = (x: number): string => `${x.toFixed(2)}%`;

function human(r: GeoReport): string {
  const lines = [
    `geo: 3 centres x 3 replicas, ${CLIENTS_PER_CENTRE} clients per centre, LOCAL_QUORUM 2 of 3, WAN log-normal 80 ms median; seed ${r.seed}`,
    `WAN cut ${CUT_AT_MS}-${HEAL_AT_MS} ms; dc3 loses 2 of 3 replicas ${CRASH_AT_MS}-${RESTART_AT_MS} ms; workload until ${END_MS} ms`,
    '',
    'centre  reads  p50 ms  p99 ms  writes  p50 ms  p99 ms  during the cut: served/requests  failed (any time)',
  ];
  for (const c of r.centres) {
    const failed = Object.entries(c.failed).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    lines.push(`${c.centre.padEnd(6)}  ${String(c.reads.count).padStart(5)}  ${c.reads.p50_ms.toFixed(3).padStart(6)}  ${c.reads.p99_ms.toFixed(3).padStart(6)}  ` +
      `${String(c.writes.count).padStart(6)}  ${c.writes.p50_ms.toFixed(3).padStart(6)}  ${c.writes.p99_ms.toFixed(3).padStart(6)}  ` +
      `${`${c.cut_served}/${c.cut_requests} (${pct(c.cut_availability_pct)})`.padStart(31)}  ${failed}`);
  }
  const st = (name: string, x: GeoStaleness): string => `  ${name}: ${x.stale_reads} of ${x.reads} reads (${pct(x.stale_pct)}) behind a write acknowledged in another centre; by p50 ${x.p50_ms} ms, p99 ${x.p99_ms} ms, max ${x.max_ms} ms`;
  lines.push('', `sessions (checker): read-your-writes ${r.sessions.read_your_writes}, monotonic reads ${r.sessions.monotonic_reads}, monotonic writes ${r.sessions.monotonic_writes}, writes-follow-reads ${r.sessions.writes_follow_reads} violations`);
  lines.push('staleness of cross-centre data:', st('before the cut', r.staleness.before_cut), st('during the cut', r.staleness.during_cut), st('after the heal', r.staleness.after_heal));
  lines.push(`conflicts: ${r.conflicts} writes overruled by a concurrent write with a higher version (last writer wins), each kept in the conflict log${r.conflict_examples.length ? ', e.g.' : ''}`);
  for (const e of r.conflict_examples) lines.push(`  ${e}`);
  lines.push(`acknowledged writes lost: ${r.lost_writes}`);
  lines.push(`after the heal: every write acknowledged before it on every replica in ${r.converge_after_heal_ms ?? 'NEVER'} ms`);
  lines.push(`after the workload: replicas ${r.replicas_identical ? 'identical' : 'DIFFER'} (${r.files} files) ${r.converge_after_end_ms ?? 'NEVER'} ms after the last request ended`);
  lines.push(`dc3 without a local quorum: ${r.quorum_loss.failed} of ${r.quorum_loss.requests} requests failed, the slowest after ${r.quorum_loss.slowest_failure_ms} ms (deadline ${DEADLINE_MS} ms)${r.quorum_loss.message ? `: "${r.quorum_loss.message}"` : ''}`);
  lines.push('', ...verdictLines(r.checks, r.trace_hash, 'the run\'s trace', r.passed));
  return lines.join('\n') + '\n';
}

export const geoScenario: ScenarioEntry = seededScenario('geo store: 3 centres, LOCAL_QUORUM, WAN cut and heal, sessions, staleness, convergence', runGeo, human);
