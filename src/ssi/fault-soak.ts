// The single-system image under faults: one seed's cluster run with crashes, partitions, loss, duplication and
// clock drift drawn from the seed, and a checker of what must hold whatever happens: no PID given to two
// processes, no process on two nodes, no RPC executed twice (per client and sequence number), and every
// message a producer's send acknowledged delivered to the consumer once and in order. Programs (guest/cluster):
// a producer on n1 and a consumer on n3 of the queue /telemetry-soak (whose home is n2), fork_spread on n2
// (children spread over the others), sig_target on n4, and a guest RPC client on n1 whose 20 increments of a
// counter served on n2 must each run once; only n4 crashes (it holds no queue, no producer, no endpoint).
import { Prng } from '../sim/index.js';
import type { ScheduledFault } from '../net/index.js';
import { runCluster, type ClusterRunResult } from './cluster-run.js';

export interface SoakOutcome {
  readonly seed: number;
  readonly violations: readonly string[];
  readonly faults: readonly ScheduledFault[];
  readonly run: ClusterRunResult;
}

const MS = 1_000_000;

/** The faults of one seed: link loss and duplication, a node's drift, n4 cut off a while, n4 crashed and back. */
export function soakFaults(seed: number): { link: { loss: number; duplicate: number }; faults: ScheduledFault[] } {
  const rng = new Prng(seed ^ 0x5eed);
  const link = { loss: Math.round(rng.float() * 50) / 1000, duplicate: Math.round(rng.float() * 50) / 1000 };
  const faults: ScheduledFault[] = [];
  faults.push({ at_ns: 0, fault: { kind: 'drift', node: `n${1 + rng.int(0, 3)}`, ppm: rng.int(-200, 200) } });
  const cut = rng.int(100, 600) * MS;
  faults.push({ at_ns: cut, fault: { kind: 'partition', groups: [['n1', 'n2', 'n3'], ['n4']] } });
  faults.push({ at_ns: cut + rng.int(50, 400) * MS, fault: { kind: 'heal' } });
  const crash = rng.int(100, 1500) * MS;
  faults.push({ at_ns: crash, fault: { kind: 'crash', node: 'n4' } });
  if (rng.float() < 0.5) faults.push({ at_ns: crash + rng.int(100, 1000) * MS, fault: { kind: 'restart', node: 'n4' } });
  return { link, faults: faults.sort((a, b) => a.at_ns - b.at_ns) };
}

/** Guest RPC calls (increments of a counter on n2 from n1) each seed makes. */
const SOAK_RPC_CALLS = 20;

/** Run one seed and check it. guest(name) gives a program's path. */
export async function soakSeed(seed: number, guest: (name: string) => string): Promise<SoakOutcome> {
  const { link, faults } = soakFaults(seed);
  const executed = new Map<string, number>();
  const run = await runCluster({
    seed, nodes: 4, placement: 'spread', link, faults, max_virtual_ns: 120e9,
    programs: [
      { node: 'n1', path: guest('cluster/mq_producer.elf'), args: ['/telemetry-soak'] },
      { node: 'n3', path: guest('cluster/mq_consumer.elf'), args: ['/telemetry-soak'] },
      { node: 'n2', path: guest('cluster/fork_spread.elf'), args: [] },
      { node: 'n4', path: guest('cluster/sig_target.elf'), args: [] },
      { node: 'n2', path: guest('cluster/ipc_counter.elf'), args: ['soak'] },
      { node: 'n1', path: guest('cluster/ipc_caller.elf'), args: ['soak', String(SOAK_RPC_CALLS), 'quiet'] },
    ],
    onRpcExecute: (node, cid, seq, method, idempotent) => {
      if (idempotent) return;
      const key = `${node} ${cid} ${seq} ${method}`;
      executed.set(key, (executed.get(key) ?? 0) + 1);
    },
  });
  return { seed, faults, run, violations: check(run, executed) };
}

function check(run: ClusterRunResult, executed: ReadonlyMap<string, number>): string[] {
  const v: string[] = [];
  if (run.end !== 'ended') v.push(`the run did not end (${run.end})`);
  const seen = new Map<number, string>();
  for (const p of run.processes) {
    const other = seen.get(p.pid);
    if (other !== undefined) v.push(`pid ${p.pid} given twice: on ${other} and on ${p.node}`);
    seen.set(p.pid, p.node);
  }
  for (const [key, n] of executed) if (n > 1) v.push(`rpc executed ${n} times: ${key}`);
  const consumer = run.processes.find((p) => p.node === 'n3' && p.ppid === 0);
  const producer = run.processes.find((p) => p.node === 'n1' && p.ppid === 0);
  if (producer?.exit_code !== 0) v.push(`the producer did not exit 0: ${producer?.state} ${producer?.exit_code ?? producer?.signal}`);
  if (consumer?.exit_code !== 0 || !consumer.stdout.includes('40 messages in order, each once: yes')) {
    v.push(`the consumer did not get every message once, in order: ${consumer?.stdout.trim() ?? 'no consumer'}`);
  }
  // Every acknowledged increment ran once: the server's counter is the client's count of replies.
  const caller = run.processes.find((p) => p.program.includes('ipc_caller'));
  const counter = run.processes.find((p) => p.program.includes('ipc_counter'));
  if (caller?.exit_code !== 0 || !caller.stdout.includes(`${SOAK_RPC_CALLS} calls, last reply ${SOAK_RPC_CALLS}`)) v.push(`the RPC client did not get ${SOAK_RPC_CALLS} replies in order: ${caller?.stdout.trim()}`);
  if (!counter?.stdout.includes(`served ${SOAK_RPC_CALLS + 1} requests, counter ${SOAK_RPC_CALLS}`)) v.push(`the RPC server did not run each call once: ${counter?.stdout.trim()}`);
  for (const p of run.processes) {
    // Only n4 crashes: elsewhere a process ends by its own exit, or by a kill its program sends (SIGTERM) or
    // the crash of its child's node... never by SIGKILL unless it ran on n4.
    if (p.state === 'killed' && p.signal === 'SIGKILL' && p.node !== 'n4') v.push(`${p.node} ${p.pid} killed by SIGKILL away from the crashed node`);
    if (p.state === 'running') v.push(`${p.node} ${p.pid} still running at the end`);
  }
  return v;
}
