// Geo store benchmarks, in simulation (wall clock over the deterministic simulator). Store operations
// (30% writes) per wall second of 30 closed-loop clients, 10 in each of 3 centres of 3 replicas (benny);
// in virtual time, operations per virtual second in each centre (baseline: dc1); and the time the
// replicas take to converge after a 500 ms WAN cut heals, against the WAN's median latency (20, 40, 80
// and 160 ms; baseline 80 ms): a few anti-entropy rounds (each replica asks one peer per 100 ms), each
// costing a WAN round trip or two when its peer is in another centre. And the same kind of workload on nine real
// nodes on loopback, the WAN injected by the config's `delays` (80 ms one way between centres).
// Run: npm run build && node dist/bench/geo.js [--json] [--quick]
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isEnvelope, loadClusterConfig } from '../src/cluster/index.js';
import { GeoSim, GEO_CLIENT_SERVICE, GEO_SERVICE, newSession, type GeoClientReply, type SessionState } from '../src/geo/index.js';
import { TcpTransport, freeLoopbackPort, freshClientId } from '../src/net/tcp/index.js';
import { Prng } from '../src/sim/index.js';
import { startRealNodes } from './lib/real-nodes.js';
import { bennySamples } from './lib/benny-cases.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, percentileFigure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'geo.sim';
const OPS_PER_ITERATION = 500;
const MS = 1_000_000;
const WAN_MEDIANS_MS = [20, 40, 80, 160] as const;

function newSim(seed: number, wan_median_ms = 80): GeoSim {
  const sim = new GeoSim({ seed, links: { wan: { latency: { kind: 'lognormal', median_ns: wan_median_ms * MS, sigma: 0.3, min_ns: (wan_median_ms / 2) * MS, max_ns: 5 * wan_median_ms * MS } } } });
  return sim;
}

function clients(sim: GeoSim): ReturnType<GeoSim['client']>[] {
  return sim.topology.centres.flatMap((dc) => Array.from({ length: 10 }, (_, i) => sim.client(`${dc}.c${i + 1}`, dc)));
}

/** Virtual ms from the heal of a 500 ms WAN cut (the workload stops at the heal) until the replicas agree. */
function convergence(seed: number, wan_median_ms: number): number {
  const sim = newSim(seed, wan_median_ms);
  sim.closedLoop(clients(sim), 700);
  sim.cluster.sim.at(200 * MS, () => sim.cutWan());
  sim.runFor(700);
  sim.heal();
  const t = sim.runUntilConverged(30_000);
  if (t === null) throw new Error(`geo bench: no convergence within 30 s (WAN median ${wan_median_ms} ms, seed ${seed})`);
  return t;
}

export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress(`${SUITE}: store operations per wall second`);
  const sim = newSim(42);
  sim.closedLoop(clients(sim), Number.MAX_SAFE_INTEGER / MS);
  sim.runFor(200);
  const name = `3 centres x 3 replicas, 30 clients: ${OPS_PER_ITERATION} operations`;
  const got = await bennySamples(ctx, SUITE, [{
    name,
    fn: () => {
      const target = sim.ops.length + OPS_PER_ITERATION;
      sim.cluster.sim.run({ until_ns: sim.cluster.sim.now_ns + 600_000 * MS, stop_when: () => sim.ops.length >= target });
    },
  }], ctx.quick ? { minSamples: 3, maxTime: 0.3 } : { minSamples: 10, maxTime: 2 });
  const out: BenchResult[] = [figure({ suite: SUITE, case: 'store ops per wall second, 3 centres x 3 replicas, 30 clients', unit: 'ops/s' }, got.get(name)!.map((s) => OPS_PER_ITERATION / s))];

  ctx.progress(`${SUITE}: operations per virtual second per centre`);
  const v = newSim(7);
  v.closedLoop(clients(v), Number.MAX_SAFE_INTEGER / MS);
  v.runFor(200);
  const perCentre = new Map(v.topology.centres.map((c) => [c, [] as number[]]));
  for (let k = 0; k < (ctx.quick ? 2 : 5); k++) {
    const t0 = v.cluster.sim.now_ns;
    v.runFor(1000);
    for (const c of v.topology.centres) {
      perCentre.get(c)!.push(v.ops.filter((o) => o.centre === c && o.result?.ok && o.ret_ns! > t0).length);
    }
  }
  const rates = v.topology.centres.map((c) => figure({ suite: SUITE, case: `ops per virtual second, ${c} (10 clients)`, unit: 'ops/virtual s' }, perCentre.get(c)!));
  out.push(...rates.map((r) => withBaseline(r, rates[0])));

  ctx.progress(`${SUITE}: convergence after a WAN cut against the WAN latency`);
  const seeds = ctx.quick ? [1, 2] : [1, 2, 3, 4, 5];
  const conv = WAN_MEDIANS_MS.map((m) => figure(
    { suite: SUITE, case: `convergence after a 500 ms WAN cut, WAN median ${m} ms`, unit: 'virtual ms', note: `anti-entropy every 100 ms; ${seeds.length} seeds` },
    seeds.map((s) => convergence(s, m)),
  ));
  const base = conv[WAN_MEDIANS_MS.indexOf(80)];
  out.push(...conv.map((r) => withBaseline(r, base)));
  ctx.progress(`${SUITE}: real nodes on loopback with an injected WAN delay`);
  out.push(...await realBenchmarks(ctx.quick ? 1500 : 4000));
  return out;
}

const REAL = 'geo.real';
const REAL_WAN_MS = 80;

/**
 * Nine real nodes (3 centres of 3) on loopback, every message between centres delayed 80 ms (the config's
 * `delays`), 3 closed-loop clients per centre (30% writes) for window_ms: ops per second and latency per centre;
 * and how long a put in dc1 takes to be read in dc2 and dc3 (replication over the WAN).
 */
async function realBenchmarks(window_ms: number): Promise<BenchResult[]> {
  const centres = ['dc1', 'dc2', 'dc3'];
  const of = (c: string): string[] => [1, 2, 3].map((i) => `${c}r${i}`);
  const ids = centres.flatMap(of);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-geo-bench-'));
  const ports = await Promise.all(ids.map(() => freeLoopbackPort()));
  const cfgPath = path.join(dir, 'cluster.json');
  fs.writeFileSync(cfgPath, JSON.stringify({
    key: randomBytes(32).toString('hex'),
    services: { geo: { centres: Object.fromEntries(centres.map((c) => [c, of(c)])), anti_entropy_ms: 100 } },
    nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i] })),
    delays: centres.flatMap((a) => centres.filter((b) => b !== a).map((b) => ({ from: of(a), to: of(b), ms: REAL_WAN_MS }))),
  }));
  const nodes = await startRealNodes(cfgPath, ids);
  const config = loadClusterConfig(cfgPath);
  const waiting = new Map<number, (r: GeoClientReply) => void>();
  const transport = new TcpTransport({
    id: freshClientId(), key: config.key, peers: new Map(config.nodes.map((n) => [n.id, { host: n.host, port: n.port }])), rng: new Prng(7),
    log: () => {}, backoff_base_ms: 20, backoff_max_ms: 200,
    onMessage: (_from, payload) => {
      if (!isEnvelope(payload) || payload.svc !== GEO_CLIENT_SERVICE) return;
      const b = payload.body as GeoClientReply;
      if (b?.t === 'geo.client.rep') waiting.get(b.id)?.(b);
    },
  });
  await transport.start();
  let nextId = 1;
  const ask = (node: string, op: 'put' | 'get', key: string, value: string | undefined, session: SessionState): Promise<GeoClientReply | null> => {
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { waiting.delete(id); resolve(null); }, 2000);
      waiting.set(id, (r) => { clearTimeout(timer); waiting.delete(id); resolve(r); });
      transport.send(node, { svc: GEO_SERVICE, lc: 0, body: { t: 'geo.client.req', id, op, key, ...(op === 'put' ? { value } : {}), session, reply_to: GEO_CLIENT_SERVICE } });
    });
  };
  try {
    // Warm up: every replica answers.
    for (const id of ids) for (let i = 0; i < 50 && (await ask(id, 'get', '/warm', undefined, newSession(`warm-${id}`)))?.result.ok !== true; i++) await new Promise((r) => setTimeout(r, 50));
    const lat = new Map(centres.map((c) => [c, [] as number[]]));
    const done = new Map(centres.map((c) => [c, 0]));
    const stopAt = Date.now() + window_ms;
    let k = 0;
    await Promise.all(centres.flatMap((c) => [0, 1, 2].map(async (i) => {
      let session = newSession(`${c}-client${i}`);
      while (Date.now() < stopAt) {
        const write = (k++ % 10) < 3;
        const t0 = process.hrtime.bigint();
        const r = await ask(of(c)[i]!, write ? 'put' : 'get', `/f${k % 64}`, write ? `v${k}` : undefined, session);
        if (r?.result.ok) {
          session = r.session;
          lat.get(c)!.push(Number(process.hrtime.bigint() - t0) / 1e6);
          done.set(c, done.get(c)! + 1);
        }
      }
    })));
    // Replication over the WAN: a put in dc1, then reads in dc2 and dc3 every 10 ms until they see it.
    const lag: number[] = [];
    for (let round = 0; round < 5; round++) {
      const key = `/lag${round}`;
      const t0 = Date.now();
      await ask(of('dc1')[0]!, 'put', key, 'x', newSession(`lag-${round}`));
      for (const c of ['dc2', 'dc3']) {
        while (Date.now() - t0 < 10_000) {
          const r = await ask(of(c)[0]!, 'get', key, undefined, newSession(`lag-${round}-${c}`));
          if (r?.result.ok && (r.result as { value?: unknown }).value === 'x') break;
          await new Promise((res) => setTimeout(res, 10));
        }
        lag.push(Date.now() - t0);
      }
    }
    const out: BenchResult[] = [];
    const rates = centres.map((c) => figure({ suite: REAL, case: `ops per second, ${c} (3 clients, WAN ${REAL_WAN_MS} ms one way)`, unit: 'ops/s' }, [done.get(c)! / (window_ms / 1000)]));
    out.push(...rates.map((r) => withBaseline(r, rates[0])));
    const wan = figure({ suite: REAL, case: 'the injected WAN delay, one way', unit: 'ms' }, [REAL_WAN_MS]);
    out.push(wan);
    for (const c of centres) out.push(withBaseline(percentileFigure({ suite: REAL, case: `request latency p99, ${c}`, unit: 'ms' }, lat.get(c)!, 99), wan));
    out.push(withBaseline(figure({ suite: REAL, case: 'a put in dc1 read in another centre after', unit: 'ms', note: 'asynchronous replication over the WAN (or anti-entropy)' }, lag), wan));
    return out;
  } finally {
    await transport.stop();
    nodes.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runWhenInvoked(import.meta.url, 'The geo store suite: operations per wall and virtual second per centre, and convergence time against the WAN latency, in simulation.');
