// The single-system image's costs: guest MIPS of simulated cluster nodes running compute-bound guests (every
// machine a slice of the simulator's events) against one machine alone running the same guest in the same
// run (the co-simulation's cost is 1 - ratio); and the largest cluster, 256 nodes of 16 MiB, booted and run to
// the end of a short program on every node (wall time and the process's resident memory, per node against a
// 4-node cluster of the same machines); and a fork's latency in virtual time with the child on another node
// against the child on the same node, over a 1 ms link (one sample each: a simulated run is deterministic); and
// guest RPC (ipc_call to a cluster-wide endpoint on another node) round trips per second, in virtual and wall
// time in simulation and in wall time over real TCP between node processes, against the same calls between two
// processes of one node. Wall-clock measurement lives only here.
// Run: npm run build && node dist/bench/ssi.js [--json] [--quick]; the common runner calls suite(ctx).
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../src/elf/index.js';
import { System } from '../src/machine/index.js';
import { runCluster, type NodeProgram } from '../src/ssi/index.js';
import { treeWithFiles, type TreeImage } from '../src/gfs/index.js';
import { runClusterReal } from '../src/cli/commands/cluster-run-real.js';
import { collect, figure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { packageRoot } from './lib/kernel-wasm.js';
import { runWhenInvoked } from './lib/direct.js';

const SUITE = 'ssi';
const COMPUTE = 'guest/examples/compute.elf';
const ECHO = 'guest/bin/echo.elf';
const MIB = 1024 * 1024;

function bytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(packageRoot(), path)));
}

/** MIPS of one machine alone running compute with `rounds`. */
async function aloneMips(rounds: number): Promise<number> {
  const image = parseElf(bytes(COMPUTE));
  const sys = await System.create({ ram_bytes: 32 * MIB, harts: 1 });
  sys.spawn(image, { argv: [COMPUTE, String(rounds)], name: 'compute' });
  const t0 = performance.now();
  sys.run({ write: () => undefined }, () => undefined);
  const ms = performance.now() - t0;
  return Number(sys.machine.instructions(0)) / ms / 1000;
}

/** Aggregate MIPS of a simulated cluster of `nodes` running compute with `rounds` on each. */
async function clusterMips(nodes: number, rounds: number): Promise<number> {
  const code = bytes(COMPUTE);
  const programs: NodeProgram[] = Array.from({ length: nodes }, (_, i) => ({ node: `n${i + 1}`, path: COMPUTE, args: [String(rounds)], bytes: code }));
  const t0 = performance.now();
  const r = await runCluster({ programs, seed: 1 });
  const ms = performance.now() - t0;
  if (r.end !== 'ended' || r.processes.some((p) => p.exit_code !== 0)) throw new Error(`the cluster run did not end cleanly: ${r.end}`);
  return r.instructions / ms / 1000;
}

const FORK_LOOP = 'guest/cluster/fork_loop.elf';

/** Virtual us per fork+exit+wait of fork_loop on a 3-node cluster under placement, with a fixed link latency. */
async function forkVirtualUs(placement: 'local' | 'spread', forks: number, link_ns: number): Promise<number> {
  const code = bytes(FORK_LOOP);
  const once = async (n: number): Promise<number> => {
    const r = await runCluster({ programs: [{ node: 'n1', path: FORK_LOOP, args: [String(n)], bytes: code }], nodes: 3, seed: 1, placement, link: { latency: { kind: 'fixed', ns: link_ns } } });
    const root = r.processes.find((p) => p.ppid === 0);
    if (r.end !== 'ended' || root?.exit_code !== 0) throw new Error(`fork_loop did not end cleanly under ${placement}`);
    return r.virtual_ns;
  };
  // The difference between n forks and none takes out the start-up (the first pid lease, loading).
  return (await once(forks) - await once(0)) / forks / 1000;
}

const IPC_SERVER = 'guest/cluster/ipc_counter.elf';
const IPC_CLIENT = 'guest/cluster/ipc_caller.elf';

/** ipc_counter on n1, ipc_caller making `calls` calls from `client`: the programs of one RPC run. */
function rpcPrograms(calls: number, client: string): NodeProgram[] {
  return [
    { node: 'n1', path: IPC_SERVER, args: ['ctr1'], bytes: bytes(IPC_SERVER) },
    { node: client, path: IPC_CLIENT, args: ['ctr1', String(calls), 'quiet'], bytes: bytes(IPC_CLIENT) },
  ];
}

interface RpcRate { readonly virtual_per_s: number; readonly wall_per_s: number }

/** Guest RPC round trips per second (virtual and wall) in a 2-node simulation with a fixed link latency. */
async function rpcSimulated(calls: number, client: string, link_ns: number): Promise<RpcRate> {
  const once = async (n: number): Promise<{ virtual_ns: number; wall_ms: number }> => {
    const t0 = performance.now();
    const r = await runCluster({ programs: rpcPrograms(n, client), nodes: 2, seed: 1, link: { latency: { kind: 'fixed', ns: link_ns } } });
    if (r.end !== 'ended' || !r.processes.every((p) => p.exit_code === 0)) throw new Error('the RPC run did not end cleanly');
    return { virtual_ns: r.virtual_ns, wall_ms: performance.now() - t0 };
  };
  // The difference between n calls and none takes out the start-up (leases, the name's registration, loading).
  const a = await once(calls), b = await once(0);
  return { virtual_per_s: calls / ((a.virtual_ns - b.virtual_ns) / 1e9), wall_per_s: calls / ((a.wall_ms - b.wall_ms) / 1e3) };
}

/** Guest RPC round trips per wall second between real node processes over loopback TCP (harts on workers, or stepped). */
async function rpcReal(calls: number, client: string, threaded = true): Promise<number> {
  const once = async (n: number): Promise<number> => {
    const t0 = performance.now();
    const r = await runClusterReal({ programs: rpcPrograms(n, client).map(({ bytes: _b, ...p }) => p), nodes: 2, placement: 'local', threaded, max_ms: 120_000 });
    if (r.end !== 'ended' || !r.processes.every((p) => p.exit_code === 0)) throw new Error('the real RPC run did not end cleanly');
    return performance.now() - t0;
  };
  const a = await once(calls), b = await once(0);
  return calls / ((a - b) / 1e3);
}

const SPAWN_LOOP = 'guest/cluster/spawn_loop.elf';

/** The namespace spawn_loop spawns from: guest/bin/echo.elf at the path it names (relative to '/'). */
function echoNamespace(): TreeImage {
  return treeWithFiles({ '/guest/bin/echo.elf': bytes(ECHO) }).image();
}

/** Virtual us per spawn+wait of echo on node `on` from n1 of a 3-node cluster, with a fixed link latency. */
async function spawnVirtualUs(on: string, spawns: number, link_ns: number): Promise<number> {
  const code = bytes(SPAWN_LOOP);
  const once = async (n: number): Promise<number> => {
    const r = await runCluster({ programs: [{ node: 'n1', path: SPAWN_LOOP, args: [String(n), on], bytes: code }], nodes: 3, seed: 1, link: { latency: { kind: 'fixed', ns: link_ns } }, fs: echoNamespace() });
    const root = r.processes.find((p) => p.ppid === 0);
    if (r.end !== 'ended' || root?.exit_code !== 0) throw new Error(`spawn_loop did not end cleanly on ${on}: ${root?.stdout}`);
    return r.virtual_ns;
  };
  return (await once(spawns) - await once(0)) / spawns / 1000;
}

/** Wall ms and resident MiB added to boot `nodes` machines of 16 MiB and run echo on each to its end. */
async function bigCluster(nodes: number): Promise<{ ms: number; rss_mib: number }> {
  const code = bytes(ECHO);
  const programs: NodeProgram[] = Array.from({ length: nodes }, (_, i) => ({ node: `n${i + 1}`, path: ECHO, args: ['hi'], bytes: code }));
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = await runCluster({ programs, seed: 1, machine: { ram_bytes: 16 * MIB } });
  const ms = performance.now() - t0;
  const rss_mib = (process.memoryUsage().rss - rss0) / MIB;
  if (r.end !== 'ended' || r.processes.length !== nodes) throw new Error(`the ${nodes}-node run did not end cleanly: ${r.end}`);
  return { ms, rss_mib };
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const samples = ctx.quick ? 3 : 5;
  const rounds = ctx.quick ? 2 : 6;
  const results: BenchResult[] = [];
  ctx.progress(`  ${SUITE}: one machine alone`);
  const alone = figure({ suite: SUITE, case: 'one machine alone, compute', unit: 'MIPS' }, await collect(samples, 1, () => aloneMips(rounds)));
  results.push(alone);
  for (const nodes of [4, 16]) {
    ctx.progress(`  ${SUITE}: ${nodes} simulated nodes`);
    const f = figure({ suite: SUITE, case: `${nodes} simulated nodes, compute on each (aggregate)`, unit: 'MIPS', extra: { nodes } }, await collect(samples, 1, () => clusterMips(nodes, rounds)));
    results.push(withBaseline(f, alone));
  }
  const LINK_NS = 1_000_000;
  ctx.progress(`  ${SUITE}: fork latency in virtual time`);
  const forks = ctx.quick ? 10 : 40;
  // A run's virtual time is counted in slices (100 us): many local operations make it fine enough.
  const LOCAL_OPS = 400;
  const localFork = figure({ suite: SUITE, case: 'fork+exit+wait, child on the same node (virtual time)', unit: 'us', extra: { link_latency_us: LINK_NS / 1000 } }, [await forkVirtualUs('local', LOCAL_OPS, LINK_NS)]);
  results.push(localFork);
  const remote = figure({ suite: SUITE, case: 'fork+exit+wait, child on another node (virtual time)', unit: 'us', extra: { link_latency_us: LINK_NS / 1000, forks } }, [await forkVirtualUs('spread', forks, LINK_NS)]);
  results.push(withBaseline(remote, localFork));
  const localSpawn = figure({ suite: SUITE, case: 'spawn+wait of echo on the same node (virtual time)', unit: 'us', extra: { link_latency_us: LINK_NS / 1000 } }, [await spawnVirtualUs('n1', LOCAL_OPS, LINK_NS)]);
  results.push(localSpawn);
  results.push(withBaseline(figure({ suite: SUITE, case: 'spawn+wait of echo on another node (virtual time)', unit: 'us', extra: { link_latency_us: LINK_NS / 1000 } }, [await spawnVirtualUs('n2', forks, LINK_NS)]), localSpawn));
  const big = ctx.quick ? 64 : 256;
  ctx.progress(`  ${SUITE}: ${big} nodes of 16 MiB`);
  const small = await collect(samples, 1, async () => (await bigCluster(4)).ms / 4);
  const rpcCalls = ctx.quick ? 200 : 2000;
  const rpcLocal = await rpcSimulated(rpcCalls, 'n1', LINK_NS);
  const rpcRemote = await rpcSimulated(rpcCalls, 'n2', LINK_NS);
  const extraRpc = { link_latency_us: LINK_NS / 1000, calls: rpcCalls };
  const localVirtual = figure({ suite: SUITE, case: 'guest RPC, client on the server\'s node (simulated, virtual time)', unit: 'calls/s', extra: extraRpc }, [rpcLocal.virtual_per_s]);
  results.push(localVirtual, withBaseline(figure({ suite: SUITE, case: 'guest RPC, client on another node (simulated, virtual time)', unit: 'calls/s', extra: extraRpc }, [rpcRemote.virtual_per_s]), localVirtual));
  const localWall = figure({ suite: SUITE, case: 'guest RPC, client on the server\'s node (simulated, wall time)', unit: 'calls/s', extra: extraRpc }, [rpcLocal.wall_per_s]);
  results.push(localWall, withBaseline(figure({ suite: SUITE, case: 'guest RPC, client on another node (simulated, wall time)', unit: 'calls/s', extra: extraRpc }, [rpcRemote.wall_per_s]), localWall));
  const realLocal = figure({ suite: SUITE, case: 'guest RPC, client on the server\'s node (real nodes)', unit: 'calls/s', extra: { calls: rpcCalls } }, [await rpcReal(rpcCalls, 'n1')]);
  const realRemote = figure({ suite: SUITE, case: 'guest RPC, client on another node (real nodes, loopback TCP)', unit: 'calls/s', extra: { calls: rpcCalls } }, [await rpcReal(rpcCalls, 'n2')]);
  results.push(realLocal, withBaseline(realRemote, realLocal));
  // The previous design, machines stepped on their nodes' threads (--stepped), against the hart workers above.
  const steppedLocal = figure({ suite: SUITE, case: 'guest RPC, client on the server\'s node (real nodes, stepped machines)', unit: 'calls/s', extra: { calls: rpcCalls } }, [await rpcReal(rpcCalls, 'n1', false)]);
  const steppedRemote = figure({ suite: SUITE, case: 'guest RPC, client on another node (real nodes, stepped machines)', unit: 'calls/s', extra: { calls: rpcCalls } }, [await rpcReal(rpcCalls, 'n2', false)]);
  results.push(withBaseline(steppedLocal, realLocal), withBaseline(steppedRemote, realRemote));
  const smallFig = figure({ suite: SUITE, case: '4 nodes of 16 MiB, boot and run echo (per node)', unit: 'ms' }, small);
  results.push(smallFig);
  let rss = 0;
  const bigMs = await collect(ctx.quick ? 1 : 3, 0, async () => {
    const b = await bigCluster(big);
    rss = Math.max(rss, b.rss_mib);
    return b.ms / big;
  });
  results.push(withBaseline(figure({ suite: SUITE, case: `${big} nodes of 16 MiB, boot and run echo (per node)`, unit: 'ms', extra: { nodes: big, rss_added_mib: Math.round(rss) } }, bigMs), smallFig));
  return results;
}

runWhenInvoked(import.meta.url, 'The single-system image suite: co-simulated machines against one machine alone, and the largest cluster.');
