// Raft benchmarks. Simulated (wall clock over the deterministic simulator): commits per wall second of
// 3, 5 and 7 node raft-kv clusters under 8 closed-loop writers (baseline: 3 nodes); commits per virtual
// second and Raft messages per commit (baseline: 3 nodes); get latency with lease reads against ReadIndex; election time after a leader crash in virtual
// ms (p50/p90/p99/max over seeds; baseline: the minimum election timeout, 10 ticks of 10 ms). Real mode
// on loopback with fsync: commits per second and p50/p99 latency of puts through three `atoll node`
// processes (baseline: one 128-byte append + fsync on the same disk). Wall-clock reads live only here.
// Run: npm run build && node dist/bench/raft.js [--json] [--quick]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import b from 'benny';
import { RaftSim } from '../src/scenarios/index.js';
import { runLeaderCrash } from '../src/scenarios/leader-crash.js';
import { loadClusterConfig } from '../src/cluster/index.js';
import { KvTcpClient } from '../src/kv/index.js';
import { freeLoopbackPort } from '../src/net/free-port.js';
import type { PlainFigure as BenchResult, SuiteContext } from './lib/types.js';

export type { PlainFigure as BenchResult, SuiteContext } from './lib/types.js';

const SIZES = [3, 5, 7] as const;
const COMMITS_PER_ITERATION = 200;

function result(suite: string, name: string, unit: string, median: number, baseline: number, baseline_case: string, samples: number): BenchResult {
  return { suite, case: name, unit, median: round(median), samples, baseline_case, baseline: round(baseline), ratio: round(median / baseline) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function newSim(nodes: number, write_percent = 100): RaftSim {
  return new RaftSim({ seed: 42, nodes, clients: 8, think_ms: 0, snapshot_entries: 1000, timeline_max: 0, events_max: 0, write_percent });
}

/** Commits per wall second of the simulator (benny), and commits per virtual second, messages per commit. */
export async function simulatedBenchmarks(): Promise<BenchResult[]> {
  const sims = new Map(SIZES.map((n) => [n, newSim(n)] as const));
  for (const sim of sims.values()) sim.runUntil(1000);
  // benny announces each suite on stdout; keep stdout for the results (--json must be parseable).
  const log = console.log;
  console.log = (...args: unknown[]): void => { process.stderr.write(`${args.join(' ')}\n`); };
  const summary = await b.suite(
    'raft.sim',
    b.configure({ cases: { minSamples: 10, maxTime: 2 } }),
    ...SIZES.map((n) => b.add(`${n} nodes: ${COMMITS_PER_ITERATION} commits`, () => {
      const sim = sims.get(n)!;
      const target = sim.checker.commits + COMMITS_PER_ITERATION;
      sim.runUntil(sim.now_ms + 60_000, () => sim.checker.commits >= target);
    })),
  );
  console.log = log;
  const wall = new Map<number, number>();
  const samplesOf = new Map<number, number>();
  for (const r of summary.results) {
    wall.set(Number(r.name.split(' ')[0]), COMMITS_PER_ITERATION / r.details.median);
    samplesOf.set(Number(r.name.split(' ')[0]), r.samples);
  }
  const out: BenchResult[] = [];
  const name = (what: string, n: number): string => `${what}, ${n} nodes`;
  for (const n of SIZES) out.push(result('raft.sim', name('commits per wall second', n), 'commits/s', wall.get(n)!, wall.get(3)!, `raft.sim/${name('commits per wall second', 3)}`, samplesOf.get(n)!));
  // Virtual throughput and message cost over a fixed virtual window, from fresh clusters.
  const virt = new Map<number, { rate: number; perCommit: number; commits: number }>();
  for (const n of SIZES) {
    const sim = newSim(n);
    sim.runUntil(1000);
    const c0 = sim.checker.commits;
    const m0 = sim.raftMessages;
    sim.runUntil(6000);
    const commits = sim.checker.commits - c0;
    virt.set(n, { rate: commits / 5, perCommit: (sim.raftMessages - m0) / commits, commits });
  }
  const vname = (n: number): string => `commits per virtual second, ${n} nodes, 8 closed-loop writers`;
  const mname = (n: number): string => `raft messages per commit, ${n} nodes (writes only)`;
  for (const n of SIZES) out.push(result('raft.sim', vname(n), 'commits/virtual s', virt.get(n)!.rate, virt.get(3)!.rate, `raft.sim/${vname(3)}`, virt.get(n)!.commits));
  for (const n of SIZES) out.push(result('raft.sim', mname(n), 'messages/commit', virt.get(n)!.perCommit, virt.get(3)!.perCommit, `raft.sim/${mname(3)}`, virt.get(n)!.commits));
  return out;
}

/** Get latency in virtual ms, ReadIndex (baseline) against lease reads, 3 nodes, reads only. */
export function readBenchmarks(): BenchResult[] {
  const median = (lease: boolean): [number, number] => {
    const sim = new RaftSim({ seed: 42, nodes: 3, clients: 4, think_ms: 5, write_percent: 0, lease_reads: lease, timeline_max: 0, events_max: 0 });
    sim.runUntil(1000);
    const from = sim.recorder.ops.length;
    sim.runUntil(4000);
    const lat = sim.recorder.ops.slice(from).filter((o) => o.ret !== null).map((o) => (o.ret! - o.call) / 1e6).sort((x, y) => x - y);
    return [percentile(lat, 50), lat.length];
  };
  const [readIndex, n1] = median(false);
  const [lease, n2] = median(true);
  const base = 'get latency p50, ReadIndex, 3 nodes, links 1-5 ms';
  return [
    result('raft.read', base, 'virtual ms', readIndex, readIndex, `raft.read/${base}`, n1),
    result('raft.read', 'get latency p50, lease read, 3 nodes, links 1-5 ms', 'virtual ms', lease, readIndex, `raft.read/${base}`, n2),
  ];
}

/** Election time after a leader crash over seeds, in virtual ms. */
export function electionBenchmarks(seeds = 20): BenchResult[] {
  const out: BenchResult[] = [];
  const timeoutMin = 100;
  for (const n of SIZES) {
    const samples: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      for (const c of runLeaderCrash({ seed, nodes: n, crashes: 5 }).crashes) if (c.election_ms !== null) samples.push(c.election_ms);
    }
    samples.sort((x, y) => x - y);
    for (const [p, v] of [['p50', percentile(samples, 50)], ['p90', percentile(samples, 90)], ['p99', percentile(samples, 99)], ['max', samples[samples.length - 1] ?? 0]] as const) {
      out.push(result('raft.election', `election after leader crash, ${n} nodes, ${p}`, 'virtual ms', v, timeoutMin,
        'raft.election/minimum election timeout (10 ticks of 10 ms, configured)', samples.length));
    }
  }
  return out;
}

function fsyncBaseline_ms(dir: string, samples = 200): number {
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
  times.sort((x, y) => x - y);
  return percentile(times, 50);
}

/** Three real nodes on loopback with the file storage (fsync per Ready). */
export async function realBenchmarks(ops = 2000, concurrency = 16): Promise<BenchResult[]> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-raft-bench-'));
  const procs: ChildProcess[] = [];
  try {
    const ports = await Promise.all([0, 1, 2, 3].map(() => freeLoopbackPort()));
    const ids = ['n1', 'n2', 'n3'];
    const raftKv = { voters: ids, data_dir: path.join(dir, 'data'), tick_ms: 10, snapshot_entries: 5000 };
    const cfg = {
      key: randomBytes(32).toString('hex'),
      nodes: [...ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], services: { 'raft-kv': raftKv } })), { id: 'client', host: '127.0.0.1', port: ports[3], services: [] }],
    };
    const cfgPath = path.join(dir, 'cluster.json');
    fs.writeFileSync(cfgPath, JSON.stringify(cfg));
    for (const id of ids) {
      const p = spawn(process.execPath, [path.join(root, 'bin/atoll.js'), 'node', '--config', cfgPath, '--id', id, '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'ignore'] });
      procs.push(p);
      await new Promise<void>((resolve, reject) => {
        p.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); });
        p.once('exit', (code) => reject(new Error(`${id} exited with ${code}`)));
      });
    }
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
    lat.sort((x, y) => x - y);
    // Throughput: `concurrency` sessions, each one request at a time.
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
      while (next < ops) {
        const i = next++;
        await client.run({ op: 'put', key: `t${i % 100}`, value: `v${i}` }, 30_000, 'index', `bench-${w}`);
      }
    }));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    await client.close();
    const fsyncMs = fsyncBaseline_ms(dir);
    const fsyncCase = 'raft.real/128-byte append + fsync p50, same disk';
    return [
      result('raft.real', 'put latency p50, 3 nodes loopback, fsync', 'ms', percentile(lat, 50), fsyncMs, fsyncCase, lat.length),
      result('raft.real', 'put latency p99, 3 nodes loopback, fsync', 'ms', percentile(lat, 99), fsyncMs, fsyncCase, lat.length),
      result('raft.real', `commits per second, ${concurrency} concurrent sessions`, 'commits/s', ops / secs, 1000 / fsyncMs,
        'raft.real/sequential 128-byte append + fsync per second', ops),
    ];
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function raftBenchmarks(opts: { quick?: boolean } = {}): Promise<BenchResult[]> {
  return suite({ quick: opts.quick ?? false, progress: () => {} });
}

/** The entry point of the common benchmark runner. */
export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress('raft: simulated clusters (commits/s, messages per commit)');
  const sim = await simulatedBenchmarks();
  ctx.progress('raft: reads and elections (virtual time)');
  const reads = readBenchmarks();
  const elections = electionBenchmarks(ctx.quick ? 5 : 20);
  ctx.progress('raft: three real nodes on loopback with fsync');
  const real = await realBenchmarks(ctx.quick ? 500 : 2000);
  return [...sim, ...reads, ...elections, ...real];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  suite({ quick: process.argv.includes('--quick'), progress: (l) => process.stderr.write(`${l}\n`) }).then((rs) => {
    if (json) process.stdout.write(`${JSON.stringify(rs)}\n`);
    else for (const r of rs) process.stdout.write(`${r.suite.padEnd(14)} ${r.case.padEnd(62)} ${String(r.median).padStart(10)} ${r.unit.padEnd(18)} baseline ${String(r.baseline).padStart(9)}  ratio ${r.ratio}\n`);
  }, (err: unknown) => {
    process.stderr.write(`bench/raft: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
