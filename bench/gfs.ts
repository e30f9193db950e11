// The global namespace, in simulation (links of 1 ms): metadata operations (mkdir, create, stat, unlink) per wall
// second against the same operations on one node's own tree (LocalTreeMount, the baseline: no log, no network);
// the virtual latency of a 4 KiB write and of a 4 KiB read (barrier, then the replica) at p50 and p99, from a
// follower and from the leader, against the link's round trip; and the log entries a read costs (none: reads go
// through a read barrier, not the log); and a read of an open file in close-to-open mode (no barrier) against it.
// On real nodes (loopback TCP, durable Raft storage with fsync): 4 KiB write and read latency (p50, p99) and
// metadata ops/s through atoll fs's client, 3 nodes against 1 node.
// Run: npm run build && node dist/bench/gfs.js [--json] [--quick]
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimCluster } from '../src/cluster/index.js';
import { freeLoopbackPort } from '../src/net/tcp/index.js';
import { loadClusterConfig } from '../src/services/index.js';
import { OperatorClient, type FsRequestBody } from '../src/ssi/index.js';
import { GfsMount, GfsService, LocalTreeMount, TreeMount, type GfsConsistency } from '../src/gfs/index.js';
import { FsError, Later, type FileHandle, type Maybe } from '../src/vfs/index.js';
import { bennySamples } from './lib/benny-cases.js';
import { startRealNodes } from './lib/real-nodes.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, percentileFigure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'gfs.sim';
const MS = 1_000_000;
const META_OPS = 40;
const RW = { read: true, write: true, create: true, exclusive: false, truncate: false, directory: false, mode: 0o644 };
const RO = { read: true, write: false, create: false, exclusive: false, truncate: false, directory: false, mode: 0 };

class Namespace {
  readonly c: SimCluster;
  private n = 0;
  constructor(seed: number, consistency: GfsConsistency = 'linearizable') {
    const ids = ['n1', 'n2', 'n3'];
    this.c = new SimCluster({
      seed, nodes: ids.map((id) => ({ id, services: { gfs: () => new GfsService({ consistency }) } })),
      link: { latency: { kind: 'fixed', ns: MS } },
    });
    this.c.sim.run({ until_ns: 5000 * MS, stop_when: () => this.leader() !== null });
    this.c.sim.runFor(500 * MS); // every node has released its earlier holds and serves
  }
  svc(id: string): GfsService {
    return this.c.service<GfsService>(id, 'gfs')!;
  }
  leader(): string | null {
    return ['n1', 'n2', 'n3'].find((id) => this.c.service<GfsService>(id, 'gfs')?.host?.raft.role === 'leader') ?? null;
  }
  follower(): string {
    return ['n1', 'n2', 'n3'].find((id) => id !== this.leader())!;
  }
  /** Run until m settles; its value (a failure is a bug here). */
  wait<T>(m: Maybe<T>): T {
    if (!(m instanceof Later)) return m;
    let out: { v: T } | { e: FsError } | null = null;
    m.then((v) => { out = { v }; }, (e) => { out = { e }; });
    this.c.sim.run({ until_ns: this.c.sim.now_ns + 60_000 * MS, stop_when: () => out !== null });
    const o = out as { v: T } | { e: FsError } | null;
    if (o === null) throw new Error('a namespace call did not settle');
    if ('e' in o) throw o.e;
    return o.v;
  }
  /** The virtual ns m takes (0 for one answered at once, or null: nothing to wait for). */
  timed<T>(make: () => Maybe<T> | null): number {
    const t0 = this.c.sim.now_ns;
    const m = make();
    if (m !== null) this.wait(m);
    return this.c.sim.now_ns - t0;
  }
  fresh(): string {
    return `f${++this.n}`;
  }
}

/** One round of metadata: mkdir, create (open and close), stat after a barrier, unlink, rmdir. */
function metadataRound(m: TreeMount, name: string, wait: <T>(x: Maybe<T>) => T): void {
  wait(m.mkdir([name], 0o755));
  const h = wait(m.open([name, 'x'], RW));
  h.close();
  const r = m.ready();
  if (r !== null) wait(r);
  m.lstat([name, 'x']);
  wait(m.unlink([name, 'x']));
  wait(m.rmdir([name]));
}

export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  ctx.progress(`${SUITE}: metadata operations per wall second`);
  const ns = new Namespace(5);
  const global = new GfsMount(ns.svc(ns.follower()));
  const local = new LocalTreeMount(() => 0n, 'one node\'s tree');
  const now = <T>(x: Maybe<T>): T => {
    if (x instanceof Later) throw new Error('a local tree answers at once');
    return x;
  };
  let k = 0;
  const got = await bennySamples(ctx, SUITE, [
    { name: 'local', fn: () => { for (let i = 0; i < META_OPS / 5; i++) metadataRound(local, `l${++k}`, now); } },
    { name: 'global', fn: () => { for (let i = 0; i < META_OPS / 5; i++) metadataRound(global, `g${++k}`, (x) => ns.wait(x)); } },
  ], ctx.quick ? { minSamples: 3, maxTime: 0.3 } : { minSamples: 8, maxTime: 2 });
  const perSec = (name: string): number[] => got.get(name)!.map((s) => META_OPS / s);
  const localFig = figure({ suite: SUITE, case: 'metadata ops per wall second, one node\'s own tree (no log)', unit: 'ops/s' }, perSec('local'));
  const globalFig = figure({ suite: SUITE, case: 'metadata ops per wall second, the global namespace from a follower (3 nodes)', unit: 'ops/s' }, perSec('global'));
  const out: BenchResult[] = [localFig, withBaseline(globalFig, localFig)];

  ctx.progress(`${SUITE}: 4 KiB read and write latency in virtual time`);
  const samples = ctx.quick ? 40 : 200;
  const block = new Uint8Array(4096).fill(7);
  const rtt = 2 * MS;
  const rtFig = figure({ suite: SUITE, case: 'the link round trip', unit: 'virtual ms' }, [rtt / MS]);
  out.push(rtFig);
  for (const where of ['follower', 'leader'] as const) {
    const id = where === 'leader' ? ns.leader()! : ns.follower();
    const m = new GfsMount(ns.svc(id));
    const h: FileHandle = ns.wait(m.open([ns.fresh()], RW));
    const writes: number[] = [], reads: number[] = [];
    for (let i = 0; i < samples; i++) {
      writes.push(ns.timed(() => h.write(block, (i % 16) * 4096)) / MS);
      reads.push(ns.timed(() => h.ready!()!) / MS);
      h.read(new Uint8Array(4096), (i % 16) * 4096);
    }
    h.close();
    for (const [what, v] of [['write', writes], ['read', reads]] as const) {
      for (const p of [50, 99]) {
        out.push(withBaseline(percentileFigure({ suite: SUITE, case: `4 KiB ${what} p${p}, from the ${where}`, unit: 'virtual ms' }, v, p), rtFig));
      }
    }
  }

  // Close-to-open: an open file's reads skip the barrier (they may miss writes made since the open).
  const cto = new Namespace(5, 'close-to-open');
  const ch: FileHandle = cto.wait(new GfsMount(cto.svc(cto.follower())).open([cto.fresh()], RW));
  const ctoReads: number[] = [];
  for (let i = 0; i < samples; i++) {
    cto.wait(ch.write(block, (i % 16) * 4096));
    ctoReads.push(cto.timed(() => ch.ready!()) / MS);
    ch.read(new Uint8Array(4096), (i % 16) * 4096);
  }
  ch.close();
  const linearP50 = out.find((r) => r.case === '4 KiB read p50, from the follower');
  out.push(withBaseline(percentileFigure({ suite: SUITE, case: '4 KiB read p50, from the follower, close-to-open', unit: 'virtual ms' }, ctoReads, 50), linearP50));

  ctx.progress(`${SUITE}: log entries per read`);
  const reader = new GfsMount(ns.svc(ns.follower()));
  const h = ns.wait(reader.open([ns.fresh()], RW));
  const before = ns.svc(ns.leader()!).host!.status().last_index;
  for (let i = 0; i < 20; i++) { ns.wait(h.ready!()!); h.read(new Uint8Array(4096), 0); }
  const entries = ns.svc(ns.leader()!).host!.status().last_index - before;
  out.push(figure({ suite: SUITE, case: 'log entries appended by 20 reads (barrier and replica)', unit: 'entries', note: 'reads take a read index, not a log entry' }, [entries]));
  h.close();
  ctx.progress(`${SUITE}: real nodes on loopback with fsync`);
  out.push(...await realBenchmarks(ctx.quick ? 40 : 200));
  return out;
}

/** A real cluster of n gfs nodes on loopback with durable Raft storage (fsync per Ready), asked through atoll fs's client. */
async function realCluster(n: number, dir: string): Promise<{ client: OperatorClient; stop: () => void }> {
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const ports = await Promise.all(ids.map(() => freeLoopbackPort()));
  const cfg = {
    key: randomBytes(32).toString('hex'), data_dir: path.join(dir, 'data'),
    nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], services: { gfs: {} } })),
  };
  const cfgPath = path.join(dir, 'cluster.json');
  fs.writeFileSync(cfgPath, JSON.stringify(cfg));
  const nodes = await startRealNodes(cfgPath, ids);
  const client = new OperatorClient(loadClusterConfig(cfgPath), 1, 'gfs');
  await client.start();
  return { client, stop: nodes.stop };
}

/** 4 KiB writes and reads one at a time, and mkdir/rm pairs, through a node of a real cluster: 1 node, then 3. */
async function realBenchmarks(ops: number): Promise<BenchResult[]> {
  const results = new Map<number, { write: number[]; read: number[]; meta: number }>();
  for (const n of [1, 3]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-gfs-bench-'));
    const { client, stop } = await realCluster(n, dir);
    try {
      const ask = async (body: FsRequestBody): Promise<void> => {
        for (let tries = 0; ; tries++) {
          const r = await client.fs(body, 10_000);
          if (r !== null && r.ok) return;
          if (tries > 50) throw new Error(`gfs bench: ${JSON.stringify(r)}`);
          await new Promise((res) => setTimeout(res, 100)); // no leader yet
        }
      };
      const data = Buffer.alloc(4096, 7).toString('base64');
      await ask({ op: 'write', path: '/bench', pos: 0, data, first: true, mode: 0o644 });
      const write: number[] = [], read: number[] = [];
      for (let i = 0; i < ops; i++) {
        let t0 = process.hrtime.bigint();
        await ask({ op: 'write', path: '/bench', pos: (i % 16) * 4096, data, first: false, mode: 0o644 });
        write.push(Number(process.hrtime.bigint() - t0) / 1e6);
        t0 = process.hrtime.bigint();
        await ask({ op: 'read', path: '/bench', pos: (i % 16) * 4096, len: 4096 });
        read.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < ops / 2; i++) {
        await ask({ op: 'mkdir', path: `/d${i}`, parents: false });
        await ask({ op: 'rm', path: `/d${i}` });
      }
      results.set(n, { write, read, meta: ops / (Number(process.hrtime.bigint() - t0) / 1e9) });
      await client.close();
    } finally {
      stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const out: BenchResult[] = [];
  const REAL = 'gfs.real';
  const one = results.get(1)!, three = results.get(3)!;
  const note = 'atoll fs\'s client to a node over TCP; a write is an open, a write and a close through the log (fsync per Ready), a read an open, a barrier, a read and a close';
  for (const what of ['write', 'read'] as const) {
    for (const p of [50, 99]) {
      const base = percentileFigure({ suite: REAL, case: `4 KiB ${what} p${p}, 1 node, fsync`, unit: 'ms', note }, one[what], p);
      out.push(base, withBaseline(percentileFigure({ suite: REAL, case: `4 KiB ${what} p${p}, 3 nodes loopback, fsync`, unit: 'ms', note }, three[what], p), base));
    }
  }
  const metaBase = figure({ suite: REAL, case: 'metadata ops per second (mkdir, rm), 1 node, fsync', unit: 'ops/s' }, [one.meta]);
  out.push(metaBase, withBaseline(figure({ suite: REAL, case: 'metadata ops per second (mkdir, rm), 3 nodes loopback, fsync', unit: 'ops/s' }, [three.meta]), metaBase));
  return out;
}

runWhenInvoked(import.meta.url, 'The global namespace suite: metadata ops/s against one node\'s own tree, 4 KiB read and write latency in virtual time, and log entries per read, in simulation.');
