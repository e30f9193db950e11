// Quorum register benchmarks, in simulation (wall clock over the deterministic simulator). Register
// operations (reads and writes, half each) per wall second of 5 closed-loop clients (pauses up to 1 ms) on majority quorums of
// 3, 5 and 7 replicas and on R=W=1 of 5 (no quorum waits beyond the local replica), through benny; and, in
// virtual time, operations per virtual second and messages per operation (baseline: majority of 3). A
// majority read costs a query round and, only when the tag it finds is not yet known stable, a write-back
// round; a write always costs two rounds and tells every replica the tag is stable.
// Run: npm run build && node dist/bench/quorum.js [--json] [--quick]
import { majorityQuorums, RegisterSim, thresholdQuorums, type QuorumSystem } from '../src/quorum/index.js';
import { bennySamples } from './lib/benny-cases.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'quorum.sim';
const OPS_PER_ITERATION = 200;
const VIRTUAL_WINDOW_S = 3;
const MS = 1_000_000;

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i + 1}`);
const SYSTEMS: readonly { readonly label: string; readonly system: QuorumSystem }[] = [
  { label: 'majority of 3', system: majorityQuorums(names(3)) },
  { label: 'majority of 5', system: majorityQuorums(names(5)) },
  { label: 'majority of 7', system: majorityQuorums(names(7)) },
  { label: 'R=W=1 of 5', system: thresholdQuorums(names(5), 1, 1) },
];

/** 5 clients spread over the replicas, pausing up to 1 ms between operations, links 1-3 ms. */
function newSim(system: QuorumSystem): RegisterSim {
  const sim = new RegisterSim({ seed: 42, system, link: { latency: { kind: 'uniform', min_ns: MS, max_ns: 3 * MS } } });
  const nodes = system.nodes;
  sim.closedLoop(Array.from({ length: 5 }, (_, i) => ({ id: `c${i + 1}`, node: nodes[i % nodes.length]! })), Number.MAX_SAFE_INTEGER / MS, { think_ms: 1 });
  return sim;
}

const finished = (sim: RegisterSim): number => sim.ops.reduce((n, o) => n + (o.result !== null ? 1 : 0), 0);

export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress(`${SUITE}: register operations per wall second`);
  const sims = new Map(SYSTEMS.map((s) => [s.label, newSim(s.system)] as const));
  for (const sim of sims.values()) sim.runFor(200);
  const caseName = (label: string): string => `${label}: ${OPS_PER_ITERATION} operations`;
  const got = await bennySamples(ctx, SUITE, SYSTEMS.map((s) => ({
    name: caseName(s.label),
    fn: () => {
      const sim = sims.get(s.label)!;
      const target = sim.ops.length + OPS_PER_ITERATION;
      sim.cluster.sim.run({ until_ns: sim.cluster.sim.now_ns + 600_000 * MS, stop_when: () => sim.ops.length >= target });
    },
  })), ctx.quick ? { minSamples: 3, maxTime: 0.3 } : { minSamples: 10, maxTime: 2 });
  const wall = SYSTEMS.map((s) => figure({ suite: SUITE, case: `register ops per wall second, ${s.label}`, unit: 'ops/s' },
    got.get(caseName(s.label))!.map((sec) => OPS_PER_ITERATION / sec)));
  const out: BenchResult[] = wall.map((r) => withBaseline(r, wall[0]));
  ctx.progress(`${SUITE}: operations per virtual second, messages per operation`);
  const rate: BenchResult[] = [];
  const cost: BenchResult[] = [];
  for (const s of SYSTEMS) {
    const sim = newSim(s.system);
    sim.runFor(200);
    const perSecond: number[] = [], perOp: number[] = [];
    for (let k = 0; k < VIRTUAL_WINDOW_S; k++) {
      const d0 = finished(sim), m0 = sim.cluster.net.stats.sent;
      sim.runFor(1000);
      const d = finished(sim) - d0;
      perSecond.push(d);
      if (d > 0) perOp.push((sim.cluster.net.stats.sent - m0) / d);
    }
    rate.push(figure({ suite: SUITE, case: `register ops per virtual second, ${s.label}`, unit: 'ops/virtual s' }, perSecond));
    cost.push(figure({ suite: SUITE, case: `messages per register op, ${s.label}`, unit: 'messages/op' }, perOp));
  }
  out.push(...rate.map((r) => withBaseline(r, rate[0])), ...cost.map((r) => withBaseline(r, cost[0])));
  return out;
}

runWhenInvoked(import.meta.url, 'The quorum register suite: register operations per wall and per virtual second, and messages per operation, in simulation.');
