// Cluster benchmarks: simulator events/s against the bare event heap, simulated messages/s against
// simulator events/s, simulated RPC round trips/s against simulated messages/s (all with benny), and the
// TCP RPC round trip (p50, p99) and throughput on loopback against a raw TCP echo between the same two
// processes (a node child process, or a plain echo child). Every row is built from its samples (benny's,
// the timed round trips, the timed batches); a baseline row of each chain is read against itself.
// Wall-clock measurement lives only here.
// Run: npm run build && node dist/bench/cluster.js [--json] [--quick]; the common runner calls suite(ctx).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeContext, NodeService } from '../src/node/index.js';
import { SERVICES, parseClusterConfig } from '../src/services/index.js';
import { RealNode } from '../src/cluster/real-node.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { RpcClient } from '../src/rpc/index.js';
import { EventQueue, Simulation } from '../src/sim/index.js';
import { freeLoopbackPort } from '../src/net/tcp/index.js';
import { bennySamples } from './lib/benny-cases.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, MAX_SAMPLES, percentileFigure, withBaseline, type FigureOptions } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { installNativeSha256 } from '../src/cli/native-sha256.js';

installNativeSha256();

export type { BenchResult, SuiteContext } from './lib/types.js';

const BATCH = 10_000;
const RPC_BATCH = 1_000;
const PENDING = 1_000;

class Sink implements NodeService {
  ctx!: NodeContext;
  n = 0;
  start(ctx: NodeContext): void { this.ctx = ctx; }
  onMessage(): void { this.n++; }
  stop(): void {}
}

class Caller implements NodeService {
  client!: RpcClient;
  start(ctx: NodeContext): void { this.client = new RpcClient(ctx, { service: 'counter', max_pending: 100_000 }); }
  onMessage(from: string, msg: unknown): void { this.client.handle(from, msg); }
  stop(): void { this.client.close(); }
}

/** benny samples (seconds per call of a case doing `per` operations) as operations per second. */
async function bennyRates(ctx: SuiteContext, name: string, cases: [string, number, () => void][]): Promise<Map<string, number[]>> {
  const options = ctx.quick ? { minSamples: 5, maxTime: 0.3 } : { minSamples: 10, maxTime: 2 };
  const got = await bennySamples(ctx, name, cases.map(([n, , fn]) => ({ name: n, fn })), options);
  return new Map(cases.map(([n, per]) => [n, got.get(n)!.map((sec) => per / sec)]));
}

/** The figure of a case read against its baseline row (itself for the head of a chain). */
function chained(rows: readonly BenchResult[], r: BenchResult, baseCase: string): BenchResult {
  return withBaseline(r, baseCase === r.case ? r : rows.find((x) => x.case === baseCase));
}

export async function simBenchmarks(ctx: SuiteContext): Promise<BenchResult[]> {
  // Both the bare heap and the simulator hold PENDING events in steady state: each event run
  // schedules its successor, as actors with timers do.
  const q = new EventQueue<number>();
  for (let i = 0; i < PENDING; i++) q.push(i, i);
  const sim = new Simulation({ seed: 1 });
  const actor = (k: number): void => void sim.after(1 + ((k * 7919 + sim.now_ns) % 1000), () => actor(k + 1));
  for (let i = 0; i < PENDING; i++) actor(i);
  const msgCluster = new SimCluster({ seed: 1, nodes: [{ id: 'a', services: { s: () => new Sink() } }, { id: 'b', services: { s: () => new Sink() } }] });
  const rpcCluster = new SimCluster({ seed: 1, nodes: [{ id: 'a', services: { c: () => new Caller() } }, { id: 'b', services: ['counter'] }], registry: SERVICES });
  const rates = await bennyRates(ctx, 'cluster.sim', [
    ['event heap pop+push', BATCH, () => {
      for (let i = 0; i < BATCH; i++) {
        const e = q.pop()!;
        q.push(e.at_ns + 1 + ((e.item * 7919 + i) % 1000), e.item + 1);
      }
    }],
    ['simulator events', BATCH, () => {
      sim.run({ max_steps: BATCH });
    }],
    ['simulated messages', BATCH, () => {
      const ctx = msgCluster.service<Sink>('a', 's')!.ctx;
      for (let i = 0; i < BATCH; i++) ctx.send('b', { t: 'm', i });
      msgCluster.sim.run();
    }],
    ['simulated rpc round trips', RPC_BATCH, () => {
      const client = rpcCluster.service<Caller>('a', 'c')!.client;
      for (let i = 0; i < RPC_BATCH; i++) client.call('b', 'incr', { by: 1 }, {}, () => {});
      rpcCluster.sim.run();
    }],
  ]);
  const out: BenchResult[] = [];
  for (const [c, unit, base] of [
    ['event heap pop+push', 'events/s', 'event heap pop+push'],
    ['simulator events', 'events/s', 'event heap pop+push'],
    ['simulated messages', 'messages/s', 'simulator events'],
    ['simulated rpc round trips', 'round trips/s', 'simulated messages'],
  ] as const) {
    out.push(chained(out, figure({ suite: 'cluster.sim', case: c, unit }, rates.get(c)!), base));
  }
  return out;
}

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(text)) res(); });
    child.once('exit', (c) => rej(new Error(`child exited with ${c}`)));
  });
}

const now = (): number => Number(process.hrtime.bigint());

/** What one side of the TCP comparison measured: round trips one at a time, and batches in flight. */
interface TcpSamples {
  /** Each round trip, one at a time, in µs. */
  readonly latency_us: readonly number[];
  /** Round trips per second of each batch of `inflight` concurrent ones. */
  readonly batch_rates: readonly number[];
  /** All batches' round trips over their total time. */
  readonly overall_rate: number;
}

/** Raw TCP echo between this process and a child: the floor under any RPC. */
async function rawEcho(samples: number, inflight: number): Promise<TcpSamples> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['-e', `require('net').createServer((s)=>{s.setNoDelay(true);s.pipe(s)}).listen(${port},'127.0.0.1',()=>console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitFor(child, 'ready');
  const sock: Socket = await new Promise((res) => { const s = connect({ host: '127.0.0.1', port }, () => res(s)); s.setNoDelay(true); });
  const msg = Buffer.alloc(64, 1);
  let pending: (() => void) | undefined;
  let got = 0;
  let want = 0;
  sock.on('data', (d: Buffer) => { got += d.length; if (got >= want && pending) { const p = pending; pending = undefined; p(); } });
  const roundTrip = (n: number): Promise<void> => new Promise((res) => { want += n * msg.length; pending = res; for (let i = 0; i < n; i++) sock.write(msg); });
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) { const t0 = now(); await roundTrip(1); lat.push(now() - t0); }
  const batches = await timedBatches(samples * 4, inflight, () => roundTrip(inflight));
  sock.destroy();
  child.kill('SIGTERM');
  return { latency_us: lat.map((ns) => ns / 1e3), ...batches };
}

/** Runs `total` operations as batches of `inflight` (at most MAX_SAMPLES batches count as samples). */
async function timedBatches(total: number, inflight: number, batch: () => Promise<unknown>): Promise<{ batch_rates: number[]; overall_rate: number }> {
  const rates: number[] = [];
  const start = now();
  for (let done = 0; done < total; done += inflight) {
    const t0 = now();
    await batch();
    if (rates.length < MAX_SAMPLES) rates.push(inflight / ((now() - t0) / 1e9));
  }
  return { batch_rates: rates, overall_rate: (Math.ceil(total / inflight) * inflight) / ((now() - start) / 1e9) };
}

async function tcpRpc(samples: number, inflight: number): Promise<TcpSamples> {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
  const ports = [await freeLoopbackPort(), await freeLoopbackPort()];
  const raw = { key: randomBytes(32).toString('hex'), nodes: [{ id: 'a', host: '127.0.0.1', port: ports[0] }, { id: 'b', host: '127.0.0.1', port: ports[1] }], services: ['counter'] };
  const configPath = join(dir, 'cluster.json');
  writeFileSync(configPath, JSON.stringify(raw));
  const launcher = fileURLToPath(new URL('../../bin/atoll.js', import.meta.url));
  const child = spawn(process.execPath, [launcher, 'node', '--config', configPath, '--id', 'b', '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'ignore'] });
  await waitFor(child, 'listening');
  const node = new RealNode({
    config: parseClusterConfig(raw, dir), id: 'a', registry: SERVICES, seed: 1, log: () => {},
    clock: { physical_ns: () => Date.now() * 1e6, monotonic_ns: now },
    services: { c: () => new Caller() },
  });
  await node.start();
  const client = (node.services.get('c') as Caller).client;
  const call = (): Promise<void> => new Promise((res, rej) => client.call('b', 'incr', { by: 1 }, { deadline_ns: 5e9, retry_ns: 1e9 }, (o) => (o.ok ? res() : rej(o.error))));
  for (let i = 0; i < 200; i++) await call(); // connect and warm up
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) { const t0 = now(); await call(); lat.push(now() - t0); }
  const batches = await timedBatches(samples * 4, inflight, () => Promise.all(Array.from({ length: inflight }, call)));
  await node.stop();
  child.stdin!.end();
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { latency_us: lat.map((ns) => ns / 1e3), ...batches };
}

export async function tcpBenchmarks(samples = 2000, inflight = 64): Promise<BenchResult[]> {
  return tcpFigures(await rawEcho(samples, inflight), await tcpRpc(samples, inflight), inflight);
}

/** The TCP rows: p50 rows are the medians of the round trips, p99 rows that percentile of the same samples. */
export function tcpFigures(raw: TcpSamples, rpc: TcpSamples, inflight: number): BenchResult[] {
  const o = (c: string, unit: string, extra?: FigureOptions['extra']): FigureOptions => ({ suite: 'cluster.tcp', case: c, unit, ...(extra ? { extra } : {}) });
  const p99 = (c: string, lat: readonly number[]): BenchResult => percentileFigure(o(c, 'us'), lat, 99);
  const tput = (c: string, unit: string, t: TcpSamples): BenchResult =>
    figure({ ...o(c, unit, { overall_rate: t.overall_rate, inflight }), note: `median over batches of ${inflight} in flight` }, t.batch_rates);
  const rawP50 = 'raw tcp echo round trip p50';
  const rawP99 = 'raw tcp echo round trip p99';
  const rawTput = `raw tcp echo throughput (${inflight} in flight)`;
  const rows: BenchResult[] = [];
  for (const [r, base] of [
    [figure(o(rawP50, 'us'), raw.latency_us), rawP50],
    [p99(rawP99, raw.latency_us), rawP99],
    [tput(rawTput, 'round trips/s', raw), rawTput],
    [figure(o('tcp rpc round trip p50', 'us'), rpc.latency_us), rawP50],
    [p99('tcp rpc round trip p99', rpc.latency_us), rawP99],
    [tput(`tcp rpc throughput (${inflight} in flight)`, 'calls/s', rpc), rawTput],
  ] as const) rows.push(chained(rows, r, base));
  return rows;
}

/** The entry point of the common benchmark runner. */
export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress('cluster: simulator, simulated messages and RPC');
  const sim = await simBenchmarks(ctx);
  ctx.progress('cluster: TCP RPC against a raw TCP echo on loopback');
  const tcp = await tcpBenchmarks(ctx.quick ? 300 : 2000);
  return [...sim, ...tcp];
}

runWhenInvoked(import.meta.url, 'The cluster suite: simulator event, message and RPC rates; TCP RPC on loopback against a raw TCP echo.');
