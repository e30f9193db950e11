// Cluster benchmarks: simulator events/s against the bare event heap, simulated messages/s against
// simulator events/s, simulated RPC round trips/s against simulated messages/s (all with benny), and the
// TCP RPC round trip (p50, p99) and throughput on loopback against a raw TCP echo between the same two
// processes (a node child process, or a plain echo child). Wall-clock measurement lives only here.
// Run: npm run build && node dist/bench/cluster.js [--json] [--quick]; the common runner calls suite(ctx).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import b from 'benny';
import type { NodeContext, NodeService } from '../src/cluster/context.js';
import { parseClusterConfig } from '../src/cluster/config.js';
import { RealNode } from '../src/cluster/real-node.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { RpcClient } from '../src/rpc/index.js';
import { EventQueue, Simulation } from '../src/sim/index.js';
import { freeLoopbackPort } from '../src/net/free-port.js';
import type { PlainFigure as BenchResult, SuiteContext } from './lib/types.js';
import { installNativeSha256 } from '../src/cli/native-sha256.js';

installNativeSha256();

export type { PlainFigure as BenchResult, SuiteContext } from './lib/types.js';

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

/** benny median (seconds per op) to units per second, with the sample count. */
async function bennyRates(name: string, quick: boolean, cases: [string, number, () => void][]): Promise<Map<string, { rate: number; samples: number }>> {
  const summary = await b.suite(
    name,
    b.configure({ cases: quick ? { minSamples: 5, maxTime: 0.3 } : { minSamples: 10, maxTime: 2 } }),
    ...cases.map(([n, , fn]) => b.add(n, fn)),
  );
  const out = new Map<string, { rate: number; samples: number }>();
  for (const r of summary.results) {
    const per = cases.find(([n]) => n === r.name)![1];
    out.set(r.name, { rate: per / r.details.median, samples: r.samples });
  }
  return out;
}

export async function simBenchmarks(quick = false): Promise<BenchResult[]> {
  // Both the bare heap and the simulator hold PENDING events in steady state: each event run
  // schedules its successor, as actors with timers do.
  const q = new EventQueue<number>();
  for (let i = 0; i < PENDING; i++) q.push(i, i);
  const sim = new Simulation({ seed: 1 });
  const actor = (k: number): void => void sim.after(1 + ((k * 7919 + sim.now_ns) % 1000), () => actor(k + 1));
  for (let i = 0; i < PENDING; i++) actor(i);
  const msgCluster = new SimCluster({ seed: 1, nodes: [{ id: 'a', services: { s: () => new Sink() } }, { id: 'b', services: { s: () => new Sink() } }] });
  const rpcCluster = new SimCluster({ seed: 1, nodes: [{ id: 'a', services: { c: () => new Caller() } }, { id: 'b', services: ['counter'] }] });
  const rates = await bennyRates('cluster.sim', quick, [
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
  const r = (c: string): number => rates.get(c)!.rate;
  const row = (c: string, unit: string, base: string): BenchResult => ({
    suite: 'cluster.sim', case: c, unit, median: r(c), samples: rates.get(c)!.samples,
    baseline_case: `cluster.sim/${base}`, baseline: r(base), ratio: r(c) / r(base),
  });
  return [
    row('event heap pop+push', 'events/s', 'event heap pop+push'),
    row('simulator events', 'events/s', 'event heap pop+push'),
    row('simulated messages', 'messages/s', 'simulator events'),
    row('simulated rpc round trips', 'round trips/s', 'simulated messages'),
  ];
}

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(text)) res(); });
    child.once('exit', (c) => rej(new Error(`child exited with ${c}`)));
  });
}

function percentileUs(samples_ns: number[], p: number): number {
  const s = samples_ns.slice().sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! / 1e3;
}

const now = (): number => Number(process.hrtime.bigint());

/** Raw TCP echo between this process and a child: the floor under any RPC. */
async function rawEcho(samples: number, inflight: number): Promise<{ p50: number; p99: number; throughput: number }> {
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
  const total = samples * 4;
  const t0 = now();
  for (let done = 0; done < total; done += inflight) await roundTrip(inflight);
  const throughput = total / ((now() - t0) / 1e9);
  sock.destroy();
  child.kill('SIGTERM');
  return { p50: percentileUs(lat, 50), p99: percentileUs(lat, 99), throughput };
}

async function tcpRpc(samples: number, inflight: number): Promise<{ p50: number; p99: number; throughput: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
  const ports = [await freeLoopbackPort(), await freeLoopbackPort()];
  const raw = { key: randomBytes(32).toString('hex'), nodes: [{ id: 'a', host: '127.0.0.1', port: ports[0] }, { id: 'b', host: '127.0.0.1', port: ports[1] }], services: ['counter'] };
  const configPath = join(dir, 'cluster.json');
  writeFileSync(configPath, JSON.stringify(raw));
  const launcher = fileURLToPath(new URL('../../bin/atoll.js', import.meta.url));
  const child = spawn(process.execPath, [launcher, 'node', '--config', configPath, '--id', 'b', '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'ignore'] });
  await waitFor(child, 'listening');
  const node = new RealNode({
    config: parseClusterConfig(raw, dir), id: 'a', seed: 1, log: () => {},
    clock: { physical_ns: () => Date.now() * 1e6, monotonic_ns: now },
    services: { c: () => new Caller() },
  });
  await node.start();
  const client = (node.services.get('c') as Caller).client;
  const call = (): Promise<void> => new Promise((res, rej) => client.call('b', 'incr', { by: 1 }, { deadline_ns: 5e9, retry_ns: 1e9 }, (o) => (o.ok ? res() : rej(o.error))));
  for (let i = 0; i < 200; i++) await call(); // connect and warm up
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) { const t0 = now(); await call(); lat.push(now() - t0); }
  const total = samples * 4;
  const t0 = now();
  for (let done = 0; done < total; done += inflight) await Promise.all(Array.from({ length: inflight }, call));
  const throughput = total / ((now() - t0) / 1e9);
  await node.stop();
  child.stdin!.end();
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { p50: percentileUs(lat, 50), p99: percentileUs(lat, 99), throughput };
}

export async function tcpBenchmarks(samples = 2000, inflight = 64): Promise<BenchResult[]> {
  const raw = await rawEcho(samples, inflight);
  const rpc = await tcpRpc(samples, inflight);
  const rawP50 = 'raw tcp echo round trip p50';
  const rawP99 = 'raw tcp echo round trip p99';
  const rawTput = `raw tcp echo throughput (${inflight} in flight)`;
  const row = (c: string, unit: string, v: number, baseCase: string, base: number, n: number): BenchResult => ({
    suite: 'cluster.tcp', case: c, unit, median: v, samples: n, baseline_case: `cluster.tcp/${baseCase}`, baseline: base, ratio: v / base,
  });
  return [
    row(rawP50, 'us', raw.p50, rawP50, raw.p50, samples),
    row(rawP99, 'us', raw.p99, rawP99, raw.p99, samples),
    row(rawTput, 'round trips/s', raw.throughput, rawTput, raw.throughput, 1),
    row('tcp rpc round trip p50', 'us', rpc.p50, rawP50, raw.p50, samples),
    row('tcp rpc round trip p99', 'us', rpc.p99, rawP99, raw.p99, samples),
    row(`tcp rpc throughput (${inflight} in flight)`, 'calls/s', rpc.throughput, rawTput, raw.throughput, 1),
  ];
}

/** The entry point of the common benchmark runner. */
export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress('cluster: simulator, simulated messages and RPC');
  const sim = await simBenchmarks(ctx.quick);
  ctx.progress('cluster: TCP RPC against a raw TCP echo on loopback');
  const tcp = await tcpBenchmarks(ctx.quick ? 300 : 2000);
  return [...sim, ...tcp];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await suite({ quick: process.argv.includes('--quick'), progress: (l) => process.stderr.write(`${l}\n`) });
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(results) + '\n');
  else {
    process.stdout.write('\n');
    for (const r of results) {
      process.stdout.write(`${r.suite.padEnd(12)} ${r.case.padEnd(40)} ${r.median.toPrecision(4).padStart(12)} ${r.unit.padEnd(14)} ratio ${r.ratio?.toFixed(3) ?? "-"}\n`);
    }
  }
}
