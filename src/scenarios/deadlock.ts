// `atoll scenario deadlock [--strategy <s>|all] [--nodes N] [--seed S] [--json] [--soak SEEDS]`: distributed
// deadlock under each strategy of the per-node lock managers (src/deadlock, docs/deadlock.md).
// The ring: three processes on three nodes each hold one file and then ask for the next one's, the three files'
// locks kept by three different managers. For each strategy: each node's local view when the cycle is complete
// (its manager's own waits: no cycle in any of them), the global waits-for graph (the simulator's truth, the union
// of every table at that instant), what the strategy found or prevented, when, with how many messages, and the
// outcomes (the survivors' waits granted); then the same ring as guest programs (guest/cluster/lock_ring: Linux
// fcntl locks on files of the global namespace) on a cluster of machines, their own count of EDEADLK and grants.
// The phantom: nodes booted 25 ms apart report out of phase; p1 waits for p2 at one manager, is granted, and then
// p2 waits for p1 at the other: the naive collector joins the older report of the first edge with the newer one
// of the second into a cycle that never was and breaks it (an EDEADLK for nothing); the confirming collector
// finds the first edge gone when it asks its manager, and breaks nothing.
// --soak SEEDS runs the soak (deadlock-soak.ts) over that many seeds instead.
import { flagBool, flagNumber, flagString, UsageError, type ParsedArgs } from '../base/index.js';
import { allCycles, DEADLOCK_STRATEGIES, managerOf, parseDeadlockStrategy, type DeadlockEvent, type DeadlockStrategy, type TrueEdge } from '../deadlock/index.js';
import { createSha256 } from '../sim/index.js';
import { runCluster } from '../ssi/index.js';
import { LockSim } from './deadlock-sim.js';
import { soak, soakBoundNs, SOAK_LINK, type SoakSummary } from './deadlock-soak.js';
import { loadClusterGuest, type ClusterGuest } from './cluster-guest.js';
import type { ScenarioEntry } from './types.js';

const MS = 1_000_000;
const RING = 3;
const NODES_MAX = 8;

export interface LocalView {
  readonly node: string;
  /** This manager's waits: `p1 waits for p2 (file 2)`. */
  readonly waits: readonly string[];
  readonly cycle_here: boolean;
}

export interface StrategyRun {
  readonly strategy: DeadlockStrategy;
  readonly files: readonly { readonly file: number; readonly manager: string; readonly holder: string }[];
  /** When the true graph first held the cycle (null: it never formed, the strategy prevented it). */
  readonly cycle_formed_ns: number | null;
  readonly local_views: readonly LocalView[];
  readonly global_edges: readonly string[];
  readonly global_cycles: readonly string[];
  readonly events: readonly DeadlockEvent[];
  /** From the cycle's forming to the first break (detection strategies). */
  readonly detection_ns: number | null;
  readonly detection_messages: number;
  readonly outcomes: Readonly<Record<string, string>>;
  readonly survivors_finished: boolean;
  readonly guests: { readonly stdout: string; readonly end: string; readonly trace_hash: string } | null;
  readonly trace_hash: string;
}

export interface PhantomRun {
  readonly strategy: 'collector-naive' | 'collector';
  readonly broken: number;
  readonly edeadlk: readonly string[];
  /** Whether each cycle broken was in the true graph just before its abort. */
  readonly real: readonly boolean[];
  readonly trace_hash: string;
}

export interface DeadlockReport {
  readonly scenario: 'deadlock';
  readonly seed: number;
  readonly nodes: number;
  readonly runs: readonly StrategyRun[];
  readonly phantom: readonly PhantomRun[];
  readonly checks: Readonly<Record<string, boolean>>;
  readonly trace_hash: string;
  readonly passed: boolean;
}

const edgeText = (e: TrueEdge, file: string): string => `${e.from} waits for ${e.to} (file ${file}, at ${e.mgr})`;

/** The ring under one strategy: on the dlm-only cluster with the truth, then as guests (lock_ring, unless null). */
async function ringRun(strategy: DeadlockStrategy, nodes: number, seed: number, ring: ClusterGuest | null): Promise<StrategyRun> {
  const sim = new LockSim({ strategy, nodes, seed });
  const ids = sim.ids;
  // Owner i (p1..p3) on node i holds file i+1 and then asks for file i+2 (p3 for file 1).
  const files = Array.from({ length: RING }, (_, i) => ({ file: i + 1, manager: managerOf(String(i + 1), ids), holder: `p${i + 1}` }));
  const nodeOf = (i: number): string => ids[i % ids.length]!;
  for (let i = 0; i < RING; i++) sim.lock(nodeOf(i), i + 1, i + 1, 0, false);
  sim.runFor(20 * MS);
  const outcomes: Record<string, string> = {};
  const settled: string[] = [];
  for (let i = 0; i < RING; i++) {
    const want = ((i + 1) % RING) + 1;
    sim.lock(nodeOf(i), i + 1, want, 0, true, (o) => {
      outcomes[`p${i + 1}`] = o.outcome!;
      settled.push(`p${i + 1}`);
      sim.releaseAll(nodeOf(i), i + 1);
    });
    sim.runFor(1 * MS);
  }
  let formed: number | null = null;
  let views: LocalView[] = [];
  let global: TrueEdge[] = [];
  const fileOfWait = new Map<string, string>();
  const end = sim.now_ns + 2000 * MS;
  while (sim.now_ns < end && settled.length < RING) {
    const g = sim.truth();
    if (formed === null && allCycles(g).length > 0) {
      formed = sim.now_ns;
      global = g;
      views = sim.live().map((s) => {
        const es = s.manager!.edges();
        for (const e of es) fileOfWait.set(`${s.nodeId} ${e.id}`, e.file);
        const local = es.flatMap((e) => e.blockers.filter((b) => b.id !== e.owner.id).map((b) => ({ from: e.owner.id, to: b.id })));
        return { node: s.nodeId, waits: es.flatMap((e) => e.blockers.map((b) => `${e.owner.id} waits for ${b.id} (file ${e.file})`)), cycle_here: allCycles(local).length > 0 };
      });
    }
    sim.runFor(1 * MS);
  }
  sim.runFor(20 * MS);
  const events = [...sim.events];
  const firstBreak = events.find((e) => e.kind === 'broken');
  let guestOut: StrategyRun['guests'] = null;
  if (ring !== null) {
    const r = await runCluster({
      seed, nodes: RING, placement: 'spread', deadlock: strategy,
      programs: [{ node: 'n1', path: ring.path, args: [String(RING), 'cycle'], bytes: ring.bytes }],
    });
    guestOut = { stdout: r.processes.find((p) => p.ppid === 0)?.stdout ?? '', end: r.end, trace_hash: r.trace_hash };
  }
  const granted = Object.values(outcomes).filter((o) => o === 'ok').length;
  const refused = Object.values(outcomes).filter((o) => o === 'EDEADLK').length;
  return {
    strategy, files, cycle_formed_ns: formed, local_views: views,
    global_edges: global.map((e) => edgeText(e, fileOfWait.get(`${e.mgr} ${e.wait}`) ?? '?')),
    global_cycles: allCycles(global).map((c) => [...c, c[0]].join(' -> ')),
    events, detection_ns: firstBreak !== undefined && formed !== null ? firstBreak.at_ns - formed : null,
    detection_messages: sim.detectionMessages(), outcomes,
    survivors_finished: settled.length === RING && refused >= 1 && granted + refused === RING,
    guests: guestOut, trace_hash: sim.digest(),
  };
}

/** The naive collector's phantom, and the confirming collector on the same history. */
function phantomRun(strategy: 'collector-naive' | 'collector', seed: number): PhantomRun {
  // n2 boots 25 ms after n1: its reports go out 25 ms out of phase with n1's (the collector is n1).
  const sim = new LockSim({ strategy, nodes: 2, seed, boot_ns: [0, 25 * MS] });
  sim.runFor(30 * MS);
  // File 1 is managed by n2, file 2 by n1 (file mod nodes). p2 (on n2) holds file 1; p1 (on n1) holds file 2.
  sim.lock('n2', 2, 1, 0, false);
  sim.lock('n1', 1, 2, 0, false);
  sim.runFor(10 * MS);
  const edeadlk: string[] = [];
  const watch = (who: string) => (o: { outcome: string | null }): void => { if (o.outcome === 'EDEADLK') edeadlk.push(who); };
  // 40 ms: p1 waits for p2 at n2 (file 1); n2 reports it at 75 ms.
  sim.lock('n1', 1, 1, 0, true, watch('p1'));
  sim.runFor(40 * MS);
  // 80 ms: p2 lets go of file 1: p1 is granted it (the edge is gone, n2's report at 75 ms still has it).
  sim.releaseAll('n2', 2);
  sim.runFor(5 * MS);
  // 85 ms: p2 asks for file 2, held by p1, at n1: n1's report at 100 ms has p2 -> p1; the collector joins it
  // with n2's report of 75 ms (p1 -> p2) before n2's of 125 ms replaces it.
  sim.lock('n2', 2, 2, 0, true, watch('p2'));
  sim.runFor(200 * MS);
  const broken = sim.events.filter((e) => e.kind === 'broken');
  const real = broken.map((e) => {
    const g = e.kind === 'broken' ? sim.atAbort.get(e)?.truth : undefined;
    return g !== undefined && e.kind === 'broken' && e.cycle.every((h) => g.some((x) => x.mgr === h.mgr && x.wait === h.wait && x.from === h.owner && x.to === h.next));
  });
  return { strategy, broken: broken.length, edeadlk, real, trace_hash: sim.digest() };
}

export async function runDeadlock(opts: { readonly strategies: readonly DeadlockStrategy[]; readonly nodes: number; readonly seed: number; readonly guests?: boolean }): Promise<DeadlockReport> {
  const runs: StrategyRun[] = [];
  const ring = opts.guests ?? true ? await loadClusterGuest('lock_ring') : null;
  for (const s of opts.strategies) runs.push(await ringRun(s, opts.nodes, opts.seed, ring));
  const phantom = [phantomRun('collector-naive', opts.seed), phantomRun('collector', opts.seed)];
  const detecting = (r: StrategyRun): boolean => r.strategy === 'edge-chasing' || r.strategy === 'collector' || r.strategy === 'collector-naive';
  const guestOk = (r: StrategyRun): boolean => r.guests === null || (r.guests.end === 'ended' && (detecting(r)
    ? r.guests.stdout === `cycle of ${RING}: EDEADLK 1, granted or done ${RING - 1}, other 0\n`
    : /EDEADLK [1-9]\d*, granted or done \d+, other 0\n$/.test(r.guests.stdout)));
  const checks = {
    no_local_view_has_a_cycle: runs.every((r) => r.local_views.every((v) => !v.cycle_here)),
    the_global_graph_has_the_cycle_under_detection: runs.filter(detecting).every((r) => r.cycle_formed_ns !== null && r.global_cycles.length === 1),
    detection_breaks_it_with_one_edeadlk: runs.filter(detecting).every((r) => r.events.filter((e) => e.kind === 'broken').length === 1 && Object.values(r.outcomes).filter((o) => o === 'EDEADLK').length === 1),
    prevention_never_lets_it_form: runs.filter((r) => !detecting(r)).every((r) => r.cycle_formed_ns === null && r.events.some((e) => e.kind === 'refused')),
    the_survivors_finish: runs.every((r) => r.survivors_finished),
    the_guests_agree: runs.every(guestOk),
    the_naive_collector_reports_a_phantom: phantom[0]!.broken >= 1 && phantom[0]!.real.includes(false) && phantom[0]!.edeadlk.length >= 1,
    the_confirming_collector_does_not: phantom[1]!.broken === 0 && phantom[1]!.edeadlk.length === 0,
  };
  const h = createSha256();
  for (const r of runs) h.update(r.trace_hash + (r.guests?.trace_hash ?? ''));
  for (const p of phantom) h.update(p.trace_hash);
  return { scenario: 'deadlock', seed: opts.seed, nodes: opts.nodes, runs, phantom, checks, trace_hash: h.hexDigest(), passed: Object.values(checks).every(Boolean) };
}

const ms = (ns: number): string => `${(ns / MS).toFixed(1)} ms`;

function eventText(e: DeadlockEvent): string {
  if (e.kind === 'refused') return `${ms(e.at_ns)}: refused ${e.owner}'s request for file ${e.file} at ${e.node} (${e.rule === 'order' ? 'below what it holds in the global order' : 'it would wait for an older owner'}): EDEADLK`;
  return `${ms(e.at_ns)}: ${e.det} broke ${[...e.cycle.map((x) => x.owner), e.cycle[0]?.owner].join(' -> ')}: victim ${e.victim.owner} (the youngest) gets EDEADLK at ${e.victim.mgr}, ${e.messages} messages`;
}

/** The report as `atoll scenario deadlock` prints it without --json. */
export function deadlockText(r: DeadlockReport): string {
  const lines = [`deadlock: ${RING} processes on ${RING} of ${r.nodes} nodes each hold a file and ask for the next one's, seed ${r.seed}`, ''];
  for (const run of r.runs) {
    lines.push(`== ${run.strategy}`);
    lines.push(`files: ${run.files.map((f) => `${f.file} (manager ${f.manager}, held by ${f.holder})`).join(', ')}`);
    if (run.cycle_formed_ns === null) lines.push('the cycle never formed');
    else {
      lines.push(`at ${ms(run.cycle_formed_ns)} every wait is in place; what each node's manager sees:`);
      for (const v of run.local_views) lines.push(`  ${v.node}: ${v.waits.length === 0 ? 'no waits' : v.waits.join('; ')}${v.cycle_here ? ' -- a CYCLE' : ' (no cycle)'}`);
      lines.push(`the global waits-for graph (the union): ${run.global_edges.join('; ')}`);
      lines.push(`  cycle: ${run.global_cycles.join(', ') || 'none'}`);
    }
    for (const e of run.events) lines.push(`  ${eventText(e)}`);
    if (run.detection_ns !== null) lines.push(`found ${ms(run.detection_ns)} after the cycle formed; ${run.detection_messages} detection messages in the whole run`);
    lines.push(`outcomes: ${Object.entries(run.outcomes).map(([o, v]) => `${o} ${v === 'ok' ? 'granted' : v}`).join(', ')}; ${run.survivors_finished ? 'the survivors finish' : 'NOT every survivor finished'}`);
    if (run.guests !== null) lines.push(`guests (lock_ring ${RING} cycle, fcntl F_SETLKW on namespace files): ${run.guests.stdout.trim() || '(no output)'}${run.guests.end === 'ended' ? '' : ` (run ${run.guests.end})`}`);
    lines.push('');
  }
  lines.push('== the phantom deadlock: n2 boots 25 ms after n1, so their reports are out of phase; p1 waits for p2 at n2 (reported at 75 ms), is granted at 80 ms, then p2 waits for p1 at n1 (reported at 100 ms)');
  for (const p of r.phantom) {
    lines.push(`  ${p.strategy}: ${p.broken} cycle${p.broken === 1 ? '' : 's'} broken${p.real.length > 0 ? ` (${p.real.map((x) => (x ? 'real' : 'a PHANTOM: not in the true graph')).join(', ')})` : ''}; EDEADLK to ${p.edeadlk.join(', ') || 'no one'}`);
  }
  lines.push('');
  lines.push(...Object.entries(r.checks).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v ? 'yes' : 'NO'}`));
  lines.push(`trace: sha256 ${r.trace_hash} (over every run's trace)`, r.passed ? 'PASS' : 'FAIL');
  return lines.join('\n') + '\n';
}

function soakHuman(s: SoakSummary, seeds: number): string {
  const lines = [`deadlock soak: ${seeds} seeds x ${new Set(s.runs.map((r) => r.strategy)).size} strategies x (cyclic, acyclic); every other seed crashes a node`];
  lines.push(`network: latency 1..3 ms, 5% reordered by up to 5 ms, 1% lost; bound for a cycle of k: ${ms(soakBoundNs(2, SOAK_LINK))} (k=2) .. ${ms(soakBoundNs(6, SOAK_LINK))} (k=6)`);
  for (const st of new Set(s.runs.map((r) => r.strategy))) {
    const rs = s.runs.filter((r) => r.strategy === st);
    const sum = (f: (r: (typeof rs)[number]) => number): number => rs.reduce((n, r) => n + f(r), 0);
    lines.push(`${st.padEnd(16)} grants ${sum((r) => r.grants)}, cycles ${sum((r) => r.cycles)}, broken ${sum((r) => r.broken)}, refused ${sum((r) => r.refused)}, ` +
      `longest cycle ${ms(Math.max(...rs.map((r) => r.longest_cycle_ns)))}, broken as a manager crashed ${sum((r) => r.crash_races)}, false ${sum((r) => r.false_reports.length)}, missed ${sum((r) => r.missed.length)}`);
  }
  for (const r of s.runs) for (const f of [...r.false_reports, ...r.missed].slice(0, 3)) lines.push(`  ${r.strategy} seed ${r.seed}${r.cyclic ? '' : ' acyclic'}: ${f}`);
  lines.push(s.passed ? 'PASS: 0 false deadlocks, 0 cycles missed past the bound' : `FAIL: ${s.false_reports} false, ${s.missed} missed`);
  return lines.join('\n') + '\n';
}

export const deadlockScenario: ScenarioEntry = {
  summary: 'distributed deadlock: a ring of 3 processes on 3 nodes under each strategy; local views, the global graph, detection or prevention, the phantom',
  flags: {
    strategy: { kind: 'string', value: '<s>', help: `${DEADLOCK_STRATEGIES.join(', ')} or all (default all)` },
    nodes: { kind: 'integer', help: `nodes (${RING}..${NODES_MAX}, default ${RING})` },
    seed: { kind: 'integer', help: 'seed of the run (default 1)' },
    json: { kind: 'boolean', help: 'print the report as one JSON object' },
    soak: { kind: 'integer', value: '<seeds>', help: 'run the soak against the true waits-for graph over this many seeds instead' },
  },
  async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
    const seed = flagNumber(args, 'seed') ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${seed}`);
    const nodes = flagNumber(args, 'nodes') ?? RING;
    if (!Number.isInteger(nodes) || nodes < RING || nodes > NODES_MAX) throw new UsageError(`--nodes must be ${RING}..${NODES_MAX}, got ${nodes}`);
    const word = flagString(args, 'strategy') ?? 'all';
    let strategies: DeadlockStrategy[];
    try {
      strategies = word === 'all' ? [...DEADLOCK_STRATEGIES] : [parseDeadlockStrategy(word)];
    } catch (err) {
      throw new UsageError(`--strategy ${word}: ${(err as Error).message.replace(' (or central)', ' (or all)')}`);
    }
    const soakSeeds = flagNumber(args, 'soak');
    if (soakSeeds !== undefined) {
      if (!Number.isInteger(soakSeeds) || soakSeeds < 1) throw new UsageError(`--soak must be a number of seeds >= 1, got ${soakSeeds}`);
      const s = soak({ strategies: word === 'all' ? ['edge-chasing', 'collector', 'ordered', 'wait-die'] : strategies, seeds: soakSeeds, first_seed: seed });
      out(flagBool(args, 'json') ? JSON.stringify({ scenario: 'deadlock-soak', seeds: soakSeeds, false_reports: s.false_reports, missed: s.missed, passed: s.passed, runs: s.runs }) + '\n' : soakHuman(s, soakSeeds));
      return s.passed ? 0 : 1;
    }
    const report = await runDeadlock({ strategies, nodes, seed });
    out(flagBool(args, 'json') ? JSON.stringify(report) + '\n' : deadlockText(report));
    return report.passed ? 0 : 1;
  },
};
