// Distributed deadlock (src/deadlock), in simulation (links of 1 ms, probe period 50 ms): for edge chasing and the
// confirming collector, the detection latency in virtual time (from the moment the true waits-for graph holds the
// cycle to its victim's abort) and the messages per detection, against the cycle's length (k owners on k nodes)
// and the cluster's size (a cycle of 3 on 3, 5, 8 nodes), over seeds; latency against the probe period, messages
// against k. The throughput of a lock-heavy workload (6 owners on 4 nodes taking 1..3 of 4 files in random order,
// holding them a few ms) in grants per virtual second under each prevention scheme, against edge chasing (which
// refuses nothing it need not). And the wall cost of simulating one detection (benny), edge chasing against the
// collector.
// Run: npm run build && node dist/bench/deadlock.js [--json] [--quick]
import { allCycles, PROBE_PERIOD_NS_DEFAULT, type DeadlockStrategy } from '../src/deadlock/index.js';
import { LockSim } from '../src/scenarios/deadlock-sim.js';
import { soakRun } from '../src/scenarios/deadlock-soak.js';
import { bennySamples } from './lib/benny-cases.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'deadlock.sim';
const MS = 1_000_000;
const LINK = { latency: { kind: 'fixed' as const, ns: MS } };

/** A ring of k owners on n nodes (owner i on node i mod n holds file i+1, then waits for the next): latency, messages. */
export function detectRing(strategy: DeadlockStrategy, k: number, nodes: number, seed: number): { latency_ns: number; messages: number } {
  const sim = new LockSim({ strategy, nodes, seed, link: LINK });
  const node = (i: number): string => sim.ids[i % nodes]!;
  for (let i = 0; i < k; i++) sim.lock(node(i), i + 1, i + 1, 0, false);
  // The cycle forms at a different moment of the probe period for each seed.
  sim.runFor(10 * MS + ((seed * 7 * MS) % PROBE_PERIOD_NS_DEFAULT));
  for (let i = 0; i < k; i++) sim.lock(node(i), i + 1, ((i + 1) % k) + 1, 0, true, () => sim.releaseAll(node(i), i + 1));
  let formed: number | null = null;
  for (let t = 0; t < 2000 && !sim.events.some((e) => e.kind === 'broken'); t++) {
    if (formed === null && allCycles(sim.truth()).length > 0) formed = sim.now_ns;
    sim.runFor(MS / 4);
  }
  const e = sim.events.find((x) => x.kind === 'broken');
  if (e === undefined || e.kind !== 'broken' || formed === null) throw new Error(`${strategy}: a ring of ${k} on ${nodes} nodes was not broken`);
  return { latency_ns: e.at_ns - formed, messages: e.messages };
}

export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  const seeds = Array.from({ length: ctx.quick ? 3 : 10 }, (_, i) => i + 1);
  const out: BenchResult[] = [];
  const period = figure({ suite: SUITE, case: 'the probe period', unit: 'virtual ms' }, [PROBE_PERIOD_NS_DEFAULT / MS]);
  out.push(period);
  const shapes: { k: number; nodes: number }[] = [
    ...[2, 3, 4, 5].map((k) => ({ k, nodes: k })),
    { k: 3, nodes: 5 }, { k: 3, nodes: 8 },
  ];
  for (const strategy of ['edge-chasing', 'collector'] as DeadlockStrategy[]) {
    ctx.progress(`${SUITE}: ${strategy}: detection latency and messages`);
    for (const { k, nodes } of shapes) {
      const rs = seeds.map((s) => detectRing(strategy, k, nodes, s));
      const kFig = figure({ suite: SUITE, case: `cycle length ${k}`, unit: 'messages' }, [k]);
      if (!out.some((r) => r.case === kFig.case)) out.push(kFig);
      out.push(withBaseline(figure({ suite: SUITE, case: `${strategy}: detection latency, cycle of ${k} on ${nodes} nodes`, unit: 'virtual ms' }, rs.map((r) => r.latency_ns / MS)), period));
      out.push(withBaseline(figure({ suite: SUITE, case: `${strategy}: messages per detection, cycle of ${k} on ${nodes} nodes`, unit: 'messages' }, rs.map((r) => r.messages)), kFig));
    }
  }

  ctx.progress(`${SUITE}: lock-heavy throughput under each scheme`);
  const load = (strategy: DeadlockStrategy): { grants: number[]; refused: number[] } => {
    const grants: number[] = [], refused: number[] = [];
    for (const seed of seeds) {
      const r = soakRun({ strategy, seed, cyclic: true, nodes: 4, owners: 6, files: 4, duration_ns: 2000 * MS, link: LINK });
      grants.push(r.grants / 2);
      refused.push(r.edeadlk / 2);
    }
    return { grants, refused };
  };
  const base = load('edge-chasing');
  const baseFig = figure({ suite: SUITE, case: 'lock-heavy workload, edge-chasing (detection): grants per virtual second', unit: 'grants/s' }, base.grants);
  out.push(baseFig, figure({ suite: SUITE, case: 'lock-heavy workload, edge-chasing: EDEADLK per virtual second', unit: 'refusals/s' }, base.refused));
  for (const strategy of ['ordered', 'wait-die', 'collector'] as DeadlockStrategy[]) {
    const r = load(strategy);
    out.push(withBaseline(figure({ suite: SUITE, case: `lock-heavy workload, ${strategy}: grants per virtual second`, unit: 'grants/s' }, r.grants), baseFig));
    out.push(figure({ suite: SUITE, case: `lock-heavy workload, ${strategy}: EDEADLK per virtual second`, unit: 'refusals/s' }, r.refused));
  }

  ctx.progress(`${SUITE}: wall time to simulate one detection`);
  let n = 0;
  const got = await bennySamples(ctx, SUITE, [
    { name: 'collector', fn: () => detectRing('collector', 3, 3, (n++ % 10) + 1) },
    { name: 'edge-chasing', fn: () => detectRing('edge-chasing', 3, 3, (n++ % 10) + 1) },
  ], ctx.quick ? { minSamples: 3, maxTime: 0.3 } : { minSamples: 8, maxTime: 2 });
  const wall = (name: string): BenchResult => figure({ suite: SUITE, case: `wall ms to simulate a ring of 3 broken by ${name}`, unit: 'ms' }, got.get(name)!.map((s) => s * 1000));
  const col = wall('collector');
  out.push(col, withBaseline(wall('edge-chasing'), col));
  return out;
}

runWhenInvoked(import.meta.url, 'The distributed deadlock suite: detection latency (virtual time) and messages per detection against cycle length and cluster size, throughput of a lock-heavy workload under each prevention scheme, in simulation.');
