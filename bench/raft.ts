// Raft benchmarks. Simulated (wall clock over the deterministic simulator): commits per wall second of
// 3, 5 and 7 node raft-kv clusters under 8 closed-loop writers (baseline: 3 nodes); commits per virtual
// second and Raft messages per commit (baseline: 3 nodes); get latency with lease reads against ReadIndex; election time after a leader crash in virtual
// ms (p50/p90/p99/max over seeds; baseline: the minimum election timeout, 10 ticks of 10 ms). Real mode
// on loopback with fsync: commits per second and p50/p99 latency of puts through three `atoll node`
// processes (baseline: one 128-byte append + fsync on the same disk). Wall-clock reads live only here.
// Run: npm run build && node dist/bench/raft.js [--json] [--quick]
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import b from 'benny';
import { RaftSim } from '../src/scenarios/index.js';
import { runLeaderCrash } from '../src/scenarios/leader-crash.js';
import { loadClusterConfig } from '../src/cluster/index.js';
import { KvTcpClient } from '../src/kv/index.js';
import { freeLoopbackPort } from '../src/net/tcp/index.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

export type { BenchResult, SuiteContext } from './lib/types.js';

// The figure-building helpers of this suite (kept apart from the imports above, which follow src/raft).
import { bennySamples } from './lib/benny-cases.js';
import { startRealNodes } from './lib/real-nodes.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, percentileFigure, withBaseline, type FigureOptions } from './lib/stats.js';

const SIZES = [3, 5, 7] as const;
const COMMITS_PER_ITERATION = 200;
/** The virtual window over which commit rates and message costs are counted, one sample per second. */
const VIRTUAL_WINDOW_S = 5;
/** Real-mode throughput: the puts split, in completion order, into this many timed slices. */
const THROUGHPUT_SLICES = 10;

const opts = (suite: string, c: string, unit: string, extra?: FigureOptions['extra']): FigureOptions => ({ suite, case: c, unit, ...(extra ? { extra } : {}) });

/** A row read against the chain's baseline row (the baseline row against itself, ratio 1). */
function against(r: BenchResult, base: BenchResult): BenchResult {
  return withBaseline(r, base);
}

function newSim(nodes: number, write_percent = 100): RaftSim {
  return new RaftSim({ seed: 42, nodes, clients: 8, think_ms: 0, snapshot_entries: 1000, timeline_max: 0, events_max: 0, write_percent });
}

/** Commits per wall second of the simulator (benny), and commits per virtual second, messages per commit. */
export async function simulatedBenchmarks(ctx: SuiteContext): Promise<BenchResult[]> {
  const sims = new Map(SIZES.map((n) => [n, newSim(n)] as const));
  for (const sim of sims.values()) sim.runUntil(1000);
  const caseName = (n: number): string => `${n} nodes: ${COMMITS_PER_ITERATION} commits`;
  const got = await bennySamples(ctx, 'raft.sim', SIZES.map((n) => ({
    name: caseName(n),
    fn: () => {
      const sim = sims.get(n)!;
      const target = sim.checker.commits + COMMITS_PER_ITERATION;
      sim.runUntil(sim.now_ms + 60_000, () => sim.checker.commits >= target);
    },
  })), ctx.quick ? { minSamples: 3, maxTime: 0.3 } : { minSamples: 10, maxTime: 2 });
  const out: BenchResult[] = [];
  const name = (what: string, n: number): string => `${what}, ${n} nodes`;
  const wall = SIZES.map((n) => figure(opts('raft.sim', name('commits per wall second', n), 'commits/s'),
    got.get(caseName(n))!.map((sec) => COMMITS_PER_ITERATION / sec)));
  out.push(...wall.map((r) => against(r, wall[0]!)));
  // Virtual throughput and message cost over a fixed virtual window, from fresh clusters, per virtual second.
  const rates = new Map<number, number[]>();
  const perCommit = new Map<number, number[]>();
  const commits = new Map<number, number>();
  for (const n of SIZES) {
    const sim = newSim(n);
    sim.runUntil(1000);
    const r: number[] = [], m: number[] = [];
    for (let s = 1; s <= VIRTUAL_WINDOW_S; s++) {
      const c0 = sim.checker.commits, m0 = sim.raftMessages;
      sim.runUntil(1000 + s * 1000);
      const c = sim.checker.commits - c0;
      r.push(c);
      if (c > 0) m.push((sim.raftMessages - m0) / c);
    }
    rates.set(n, r);
    perCommit.set(n, m);
    commits.set(n, r.reduce((a, x) => a + x, 0));
  }
  const vname = (n: number): string => `commits per virtual second, ${n} nodes, 8 closed-loop writers`;
  const mname = (n: number): string => `raft messages per commit, ${n} nodes (writes only)`;
  const virt = SIZES.map((n) => figure(opts('raft.sim', vname(n), 'commits/virtual s', { commits: commits.get(n)! }), rates.get(n)!));
  const msgs = SIZES.map((n) => figure(opts('raft.sim', mname(n), 'messages/commit', { commits: commits.get(n)! }), perCommit.get(n)!));
  out.push(...virt.map((r) => against(r, virt[0]!)), ...msgs.map((r) => against(r, msgs[0]!)));
  return out;
}

/** Get latency in virtual ms, ReadIndex (baseline) against lease reads, 3 nodes, reads only. */
export function readBenchmarks(): BenchResult[] {
  const latencies = (lease: boolean): number[] => {
    const sim = new RaftSim({ seed: 42, nodes: 3, clients: 4, think_ms: 5, write_percent: 0, lease_reads: lease, timeline_max: 0, events_max: 0 });
    sim.runUntil(1000);
    const from = sim.recorder.ops.length;
    sim.runUntil(4000);
    return sim.recorder.ops.slice(from).filter((o) => o.ret !== null).map((o) => (o.ret! - o.call) / 1e6);
  };
  const base = figure(opts('raft.read', 'get latency p50, ReadIndex, 3 nodes, links 1-5 ms', 'virtual ms'), latencies(false));
  const lease = figure(opts('raft.read', 'get latency p50, lease read, 3 nodes, links 1-5 ms', 'virtual ms'), latencies(true));
  return [against(base, base), against(lease, base)];
}

/** Election time after a leader crash over seeds, in virtual ms, against the configured minimum timeout. */
export function electionBenchmarks(seeds = 20): BenchResult[] {
  const timeout = figure({
    ...opts('raft.election', 'minimum election timeout (10 ticks of 10 ms, configured)', 'virtual ms'),
    note: 'configured, not measured',
  }, [100]);
  const out: BenchResult[] = [against(timeout, timeout)];
  for (const n of SIZES) {
    const samples: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      for (const c of runLeaderCrash({ seed, nodes: n, crashes: 5 }).crashes) if (c.election_ms !== null) samples.push(c.election_ms);
    }
    const o = (p: string): FigureOptions => opts('raft.election', `election after leader crash, ${n} nodes, ${p}`, 'virtual ms');
    out.push(against(figure(o('p50'), samples), timeout));
    for (const [p, q] of [['p90', 90], ['p99', 99], ['max', 100]] as const) out.push(against(percentileFigure(o(p), samples, q), timeout));
  }
  return out;
}

/** One 128-byte append + fsync, `samples` times, in ms each. */
function fsyncSamples_ms(dir: string, samples = 200): number[] {
  const fd = fs.openSync(path.join(dir, 'fsync-probe'), 'a');
  const buf = Buffer.alloc(128, 1);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    fs.writeSync(fd, buf);
    fs.fsyncSync(fd);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  fs.closeSync(fd);
  return times;
}

/** Commits per second of each slice of the puts, in completion order (`done_ns`: when each finished). */
function sliceRates(start_ns: number, done_ns: readonly number[], slices: number): number[] {
  const sorted = [...done_ns].sort((x, y) => x - y);
  const per = Math.max(1, Math.floor(sorted.length / slices));
  const rates: number[] = [];
  let from = start_ns;
  for (let i = per - 1; i < sorted.length; i += per) {
    const to = sorted[i]!;
    if (to > from) rates.push(per / ((to - from) / 1e9));
    from = to;
  }
  return rates;
}

/** Three real nodes on loopback with the file storage (fsync per Ready). */
export async function realBenchmarks(ops = 2000, concurrency = 16): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-raft-bench-'));
  const stops: (() => void)[] = [];
  try {
    const ports = await Promise.all([0, 1, 2].map(() => freeLoopbackPort()));
    const ids = ['n1', 'n2', 'n3'];
    const raftKv = { voters: ids, data_dir: path.join(dir, 'data'), tick_ms: 10, snapshot_entries: 5000 };
    const cfg = {
      key: randomBytes(32).toString('hex'),
      nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], services: { 'raft-kv': raftKv } })),
    };
    const cfgPath = path.join(dir, 'cluster.json');
    fs.writeFileSync(cfgPath, JSON.stringify(cfg));
    const nodes = await startRealNodes(cfgPath, ids);
    stops.push(nodes.stop);
    const client = new KvTcpClient({ config: loadClusterConfig(cfgPath), session: 'bench', seed: 1, clock_ms: () => Date.now() });
    await client.start();
    await client.run({ op: 'put', key: 'warm', value: 'up' }, 30_000);
    // Latency: one request at a time.
    const lat: number[] = [];
    for (let i = 0; i < Math.min(ops, 500); i++) {
      const t0 = process.hrtime.bigint();
      await client.run({ op: 'put', key: `l${i % 50}`, value: `v${i}` });
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    // Throughput: `concurrency` sessions, each one request at a time.
    let next = 0;
    const done_ns: number[] = [];
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
      while (next < ops) {
        const i = next++;
        await client.run({ op: 'put', key: `t${i % 100}`, value: `v${i}` }, 30_000, 'index', `bench-${w}`);
        done_ns.push(Number(process.hrtime.bigint() - t0));
      }
    }));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    await client.close();
    const fsyncMs = fsyncSamples_ms(dir);
    const fsync = figure(opts('raft.real', '128-byte append + fsync p50, same disk', 'ms'), fsyncMs);
    const fsyncRate = figure(opts('raft.real', 'sequential 128-byte append + fsync per second', 'commits/s'), fsyncMs.map((ms) => 1000 / ms));
    const put = (p: string): FigureOptions => opts('raft.real', `put latency ${p}, 3 nodes loopback, fsync`, 'ms');
    const rate = figure({
      ...opts('raft.real', `commits per second, ${concurrency} concurrent sessions`, 'commits/s', { overall_commits_per_s: ops / secs, puts: ops }),
      note: `median over ${THROUGHPUT_SLICES} slices of the puts, in completion order`,
    }, sliceRates(0, done_ns, THROUGHPUT_SLICES));
    return [
      against(fsync, fsync), against(fsyncRate, fsyncRate),
      against(figure(put('p50'), lat), fsync),
      against(percentileFigure(put('p99'), lat, 99), fsync),
      against(rate, fsyncRate),
    ];
  } finally {
    for (const stop of stops) stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function raftBenchmarks(opts: { quick?: boolean } = {}): Promise<BenchResult[]> {
  return suite({ quick: opts.quick ?? false, progress: () => {} });
}

/** The entry point of the common benchmark runner. */
export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress('raft: simulated clusters (commits/s, messages per commit)');
  const sim = await simulatedBenchmarks(ctx);
  ctx.progress('raft: reads and elections (virtual time)');
  const reads = readBenchmarks();
  const elections = electionBenchmarks(ctx.quick ? 5 : 20);
  ctx.progress('raft: three real nodes on loopback with fsync');
  const real = await realBenchmarks(ctx.quick ? 500 : 2000);
  return [...sim, ...reads, ...elections, ...real];
}

runWhenInvoked(import.meta.url, 'The Raft suite: simulated commits and messages per commit, read latency, election times, real-mode puts with fsync.');
