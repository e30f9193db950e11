// Migration under faults: one seed's cluster run of the memory-busy worker (guest/cluster/migrate_worker: a
// parent on n1 reads each round's line through a pipe from its child) moved several times between nodes by
// methods drawn from the seed, while links lose and duplicate messages, a node's clock drifts, a node other than
// n1 is cut off a while, and another crashes (and perhaps comes back). What must hold whatever happens:
// - never two running copies: the worker's pid is one process of the run, and every round's line reaches the
//   parent at most once and in order (two copies would both write);
// - no acknowledged line lost: a worker that was not killed (by a crash of the node it was on, or SIGBUS for a
//   page a crashed post-copy source took with it) delivers every round, and its parent's output is exactly the
//   run's without faults; a killed one delivers a prefix, and its parent sees it killed;
// - every move has an outcome: it happened (the process ran on there) or it did not (it ran on where it was).
import { Prng } from '../sim/index.js';
import { MIGRATION_METHODS, type ScheduledFault } from '../net/index.js';
import { runCluster, type ClusterRunResult } from './cluster-run.js';

const MS = 1_000_000;
const NODES = ['n1', 'n2', 'n3', 'n4'];
/** The worker's rounds and heap pages in a soak run. */
const ROUNDS = 160;
const PAGES = 32;

export interface MigrationSoakOutcome {
  readonly seed: number;
  readonly violations: readonly string[];
  readonly faults: readonly ScheduledFault[];
  /** Moves that happened, and those that did not. */
  readonly moved: number;
  readonly refused: number;
  /** Whether the worker was killed (its node crashed under it, or a page was lost). */
  readonly killed: boolean;
  readonly run: ClusterRunResult;
}

/** The faults of one seed: loss and duplication, a drift, a node cut off and healed, a node crashed, 2..5 moves. */
export function migrationSoakFaults(seed: number): { link: { loss: number; duplicate: number }; faults: ScheduledFault[] } {
  const rng = new Prng(seed ^ 0x3161);
  const link = { loss: Math.round(rng.float() * 30) / 1000, duplicate: Math.round(rng.float() * 30) / 1000 };
  const faults: ScheduledFault[] = [];
  const other = (): string => NODES[rng.int(1, NODES.length - 1)]!;
  faults.push({ at_ns: 0, fault: { kind: 'drift', node: NODES[rng.int(0, NODES.length - 1)]!, ppm: rng.int(-300_000, 300_000) } });
  const cut = other();
  const cutAt = rng.int(150, 500) * MS;
  faults.push({ at_ns: cutAt, fault: { kind: 'isolate', node: cut } }, { at_ns: cutAt + rng.int(20, 300) * MS, fault: { kind: 'rejoin', node: cut } });
  const crashed = other();
  const crashAt = rng.int(150, 550) * MS;
  faults.push({ at_ns: crashAt, fault: { kind: 'crash', node: crashed } });
  if (rng.float() < 0.5) faults.push({ at_ns: crashAt + rng.int(100, 800) * MS, fault: { kind: 'restart', node: crashed } });
  const moves = rng.int(2, 5);
  for (let i = 0; i < moves; i++) {
    faults.push({
      at_ns: rng.int(160, 520) * MS,
      fault: { kind: 'migrate', pid: null, program: 'migrate_worker.elf', node: NODES[rng.int(0, NODES.length - 1)]!, method: MIGRATION_METHODS[rng.int(0, 2)]! },
    });
  }
  return { link, faults: faults.sort((a, b) => a.at_ns - b.at_ns) };
}

/** The worker's program: guest/cluster/migrate_worker.elf's path (and its bytes, when read already). */
export interface SoakProgram { readonly path: string; readonly bytes?: Uint8Array }

function runWorker(seed: number, worker: SoakProgram, link?: { loss: number; duplicate: number }, faults: ScheduledFault[] = []): Promise<ClusterRunResult> {
  return runCluster({
    seed, nodes: NODES.length, max_virtual_ns: 120e9, ...(link !== undefined ? { link } : {}), faults,
    programs: [{ node: 'n1', ...worker, args: [String(ROUNDS), String(PAGES)] }],
  });
}

/** Run one seed and check it. `calm` is the run without faults (its output), when run already. */
export async function migrationSoakSeed(seed: number, program: SoakProgram | string, calm?: ClusterRunResult): Promise<MigrationSoakOutcome> {
  const elf = typeof program === 'string' ? { path: program } : program;
  const { link, faults } = migrationSoakFaults(seed);
  const still = calm ?? await runWorker(seed, elf);
  const run = await runWorker(seed, elf, link, faults);
  const v: string[] = [];
  if (run.end !== 'ended') v.push(`the run did not end (${run.end})`);
  const parent = run.processes.find((p) => p.ppid === 0);
  const workers = run.processes.filter((p) => p.ppid !== 0);
  const calmParent = still.processes.find((p) => p.ppid === 0);
  if (parent === undefined || calmParent === undefined) v.push('no parent process');
  if (workers.length !== 1) v.push(`${workers.length} worker processes (expected one, whatever moved)`);
  const worker = workers[0];
  const pids = run.processes.map((p) => p.pid);
  if (new Set(pids).size !== pids.length) v.push(`a pid given twice: ${pids.join(', ')}`);
  const rounds = (parent?.stdout ?? '').split('\n').filter((l) => /^round \d+ /.test(l));
  const calmRounds = (calmParent?.stdout ?? '').split('\n').filter((l) => /^round \d+ /.test(l));
  // Every line delivered is the calm run's line of that round, once, in order: a prefix of the calm run's lines.
  const prefix = rounds.every((l, i) => l === calmRounds[i]);
  if (!prefix) v.push(`the parent's rounds are not the calm run's, once and in order: ${rounds.slice(0, 3).join(' | ')} ...`);
  const killed = worker?.state === 'killed';
  // A move may pick the parent too (the program's process when its child is not movable then): a parent that
  // moved to a node that crashed went with it, and its child lost its reader; what it printed is still a prefix.
  const parentKilled = parent?.state === 'killed';
  if (parentKilled) {
    if (parent!.moves.length === 0) v.push('the parent was killed, but it never moved off n1 (which never crashes)');
  } else if (!killed && worker !== undefined) {
    if (worker.exit_code !== 0) v.push(`the worker ended ${worker.state} ${worker.exit_code ?? worker.signal}`);
    if (parent?.stdout !== calmParent?.stdout) v.push('the worker survived, but its parent\'s output differs from the calm run\'s');
  }
  if (killed && !parentKilled && !(parent?.stdout ?? '').includes('worker reaped: yes')) v.push('the worker was killed and its parent did not reap it');
  if (parent?.state === 'running' || worker?.state === 'running') v.push('a process still running at the end');
  const refused = run.migrations.filter((m) => !m.ok).length;
  for (const m of run.migrations) if (m.ok && m.error !== null) v.push(`a move both happened and failed: ${m.error}`);
  return { seed, violations: v, faults, moved: run.migrations.length - refused, refused, killed, run };
}
