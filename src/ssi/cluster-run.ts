// A cluster run: N simulated nodes, each running an emulated machine beside its services, each program started
// on the node it names, until every process has ended (or a bound is hit). Guest output, process starts and
// ends are trace records, so one seed gives one trace digest. Bounds: max_virtual_ns of virtual time and
// max_steps simulator events.
import { InputError } from '../base/index.js';
import { SimCluster } from '../cluster/index.js';
import type { LinkParams, ScheduledFault, FaultTarget, Fault } from '../net/index.js';
import { scheduleFaults } from '../net/index.js';
import { compileKernel, readProgram, layout, type SystemOptions } from '../machine/index.js';
import { parseElf, type ElfImage } from '../elf/index.js';
import type { TraceOptions } from '../sim/index.js';
import type { NodeService } from '../node/index.js';
import { MachineService, MACHINE_SERVICE, type BootProgram } from './machine-service.js';
import type { RegionFigures } from '../dsm/index.js';
import { migrationRefused, type MigrationFigures, type PagesLost } from './migration.js';
import type { PlacementPolicy } from './placement.js';
import { ProcsService, PROCS_SERVICE } from './service.js';
import { FsOps, GfsService, GfsTree, GFS_SERVICE, LocalTreeMount, type GfsConsistency, type TreeImage } from '../gfs/index.js';
import { FsError, Vfs } from '../vfs/index.js';
import { compareNodes } from './placement.js';
import { PROCS_VOTERS_MAX } from './limits.js';
import { DLM_SERVICE, LockService, type DeadlockEvent, type DeadlockStrategy } from '../deadlock/index.js';
import { ClusterConsole, type ConsoleLine, type ProcessRecord } from './cluster-console.js';

export const CLUSTER_RUN_NODES_MAX = 256;
/** Events between two looks at every node for the end of a run (besides the looks a change brings). */
const CHECK_EVERY_STEPS = 65_536;
/** A run stops after this much virtual time unless told otherwise: 10 minutes. */
export const MAX_VIRTUAL_NS_DEFAULT = 600e9;
/** A machine of a cluster run: 32 MiB of RAM unless told otherwise (a lone `atoll run` machine has 128). */
export const CLUSTER_RAM_BYTES_DEFAULT = 32 * 1024 * 1024;

/** One program to start: on node (n1, n2, ...), with its arguments (argv[0] is the path). */
export interface NodeProgram {
  readonly node: string;
  readonly path: string;
  readonly args: readonly string[];
  readonly envp?: readonly string[];
  /** The program's bytes (default: read from path). */
  readonly bytes?: Uint8Array;
}

export interface ClusterRunOptions {
  readonly programs: readonly NodeProgram[];
  /** Nodes n1..nN (default: as many as the programs name). */
  readonly nodes?: number;
  readonly seed?: number;
  readonly link?: Partial<LinkParams>;
  readonly faults?: readonly ScheduledFault[];
  readonly trace?: TraceOptions;
  /** Every machine's settings (RAM, harts, quantum, file system). */
  readonly machine?: SystemOptions;
  readonly slice_instructions?: number;
  /** Where forks' children run (default local). */
  readonly placement?: PlacementPolicy;
  readonly max_virtual_ns?: number;
  readonly max_steps?: number;
  /** Each line of guest output as it is written (virtual-time order). */
  readonly onLine?: (line: ConsoleLine) => void;
  /** Every RPC a machine executes (node, client id, seq, method): fault soaks check none runs twice. */
  readonly onRpcExecute?: (node: string, client_id: string, seq: number, method: string, idempotent: boolean) => void;
  /** Kernel log lines (node, line). */
  readonly onLog?: (node: string, line: string) => void;
  /**
   * The global namespace to start from (default: empty). A program whose path is absolute and names a file in
   * it is loaded from there (`atoll fs put prog.elf /bin/prog`, then n2:/bin/prog).
   */
  readonly fs?: TreeImage;
  /**
   * Who keeps the namespace's locks and sees to deadlocks: 'central' (default) the namespace's log, one table that
   * sees every cycle; or a strategy of the per-node lock managers (src/deadlock): edge-chasing, collector,
   * collector-naive, ordered, wait-die.
   */
  readonly deadlock?: 'central' | DeadlockStrategy;
  /** Every deadlock event of the per-node lock managers (a cycle broken, a request refused). */
  readonly onDeadlock?: (e: DeadlockEvent) => void;
  /** The simulated link a migration's pages cross, bits per second (default 1 Gbit/s). */
  readonly migration_link_bps?: number;
  /** Every machine rebalances load by moving processes to lighter nodes (src/ssi/balance.ts). */
  readonly balance?: boolean;
  /** How fresh every node's reads of the namespace are (default linearizable). */
  readonly fs_consistency?: GfsConsistency;
}

export type ClusterRunEnd = 'ended' | 'virtual-time-limit' | 'step-limit';

export interface ClusterRunResult {
  readonly processes: ProcessRecord[];
  readonly end: ClusterRunEnd;
  readonly virtual_ns: number;
  readonly steps: number;
  readonly instructions: number;
  readonly slices: number;
  readonly trace_hash: string;
  readonly nodes: readonly string[];
  /** The global namespace at the end (the replica of an up node that applied the most), or null if none is up. */
  readonly namespace: GfsTree | null;
  /** Every scripted migration (`migrate` in the fault script), in the order they ended. */
  readonly migrations: readonly MigrationFigures[];
  /** Post-copy moves whose source went before every page came: the pages lost (a thread touching one died of SIGBUS). */
  readonly pages_lost: readonly PagesLost[];
  /** Every node's named regions of distributed shared memory and their IVY counters (src/dsm/region.ts). */
  readonly dsm: readonly { readonly node: string; readonly regions: readonly RegionFigures[] }[];
}

/** "n3" -> 3; anything else is not a node name of a cluster run. */
export function nodeIndex(name: string): number | null {
  const m = /^n([1-9][0-9]*)$/.exec(name);
  return m ? Number(m[1]) : null;
}

export async function runCluster(opts: ClusterRunOptions): Promise<ClusterRunResult> {
  if (opts.programs.length === 0) throw new InputError('no program to run: give at least one node:program');
  const wanted = Math.max(...opts.programs.map((p) => nodeIndex(p.node) ?? Infinity));
  if (!Number.isFinite(wanted)) throw new InputError(`a program's node must be n1, n2, ... (not '${opts.programs.find((p) => nodeIndex(p.node) === null)!.node}')`);
  const n = opts.nodes ?? wanted;
  if (!Number.isInteger(n) || n < 1 || n > CLUSTER_RUN_NODES_MAX) throw new InputError(`--nodes must be 1..${CLUSTER_RUN_NODES_MAX}, not ${n}`);
  if (wanted > n) throw new InputError(`a program runs on n${wanted}, but the cluster has ${n} node${n === 1 ? '' : 's'}`);
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const boot = new Map<string, BootProgram[]>(ids.map((id) => [id, []]));
  const start = opts.fs !== undefined ? GfsTree.fromImage(opts.fs) : undefined;
  for (const p of opts.programs) {
    const image: ElfImage = parseElf(p.bytes ?? programInNamespace(start, p.path) ?? readProgram(p.path), { userEnd: layout.LOAD_END });
    boot.get(p.node)!.push({ image, argv: [p.path, ...p.args], envp: p.envp ?? [], name: p.path });
  }
  const kernel = await compileKernel();
  let cluster: SimCluster | undefined;
  const record = (ev: string, fields: Record<string, string | number | null>): void => cluster?.sim.record(ev, fields);
  const console = new ClusterConsole((line) => {
    record('guest.out', { node: line.node, pid: line.pid, fd: line.fd, text: line.text });
    opts.onLine?.(line);
  }, (node, line) => {
    record('kernel.log', { node, line });
    opts.onLog?.(node, line);
  });
  // Whether every machine is done changes only when one goes idle or a node goes down: the check over all the
  // nodes runs then (and every CHECK_EVERY_STEPS events, for a node a failing service brought down), not after
  // every event of the simulator.
  const settled = { changed: true, steps: 0 };
  const everIdle = new Set<string>();
  const observer = {
    write: console.write.bind(console),
    started: (node: string, pid: number, ppid: number, program: string) => {
      record('proc.start', { node, pid, ppid, program });
      console.started(node, pid, ppid, program);
    },
    ended: (node: string, end: Parameters<ClusterConsole['ended']>[1]) => {
      console.ended(node, end);
      const r = console.record(node, end.pid);
      record('proc.end', { node, pid: end.pid, state: r?.state ?? null, exit_code: r?.exit_code ?? null, signal: r?.signal ?? null });
    },
    idle: (node: string) => {
      everIdle.add(node);
      console.idle(node);
      settled.changed = true;
    },
    log: console.log.bind(console),
    moved: (from: string, to: string, pid: number) => {
      record('proc.moved', { pid, from, to });
      console.moved(from, to, pid);
      // Moved by the directory to a node that crashed while it moved: it went with that node.
      if (c.node(to).status === 'down') observer.lost(to, pid, `node ${to} crashed as it moved there`);
    },
    lost: (node: string, pid: number, why: string) => {
      record('proc.lost', { node, pid, why });
      console.lost(node, pid, why);
      settled.changed = true;
    },
    migrated: (f: MigrationFigures) => migrated(f),
  };
  const migrations: MigrationFigures[] = [];
  const machines = new Map<string, MachineService>();
  const counters = { instructions: 0, slices: 0 };
  const booted = new Set<string>();
  const machineFactory = (id: string) => (): NodeService => {
    const prev = machines.get(id);
    if (prev) { counters.instructions += prev.instructions; counters.slices += prev.slices; }
    const first = !booted.has(id);
    booted.add(id);
    const m = new MachineService({
      kernel, observer, boot: first ? boot.get(id)! : [], slice_instructions: opts.slice_instructions, placement: opts.placement ?? 'local',
      system: { ram_bytes: CLUSTER_RAM_BYTES_DEFAULT, ...opts.machine },
      ...(opts.migration_link_bps !== undefined ? { migration_link_bps: opts.migration_link_bps } : {}),
      ...(opts.balance === true ? { balance: true } : {}),
      ...(opts.onRpcExecute ? { onRpcExecute: (cid: string, seq: number, method: string, idem: boolean) => opts.onRpcExecute!(id, cid, seq, method, idem) } : {}),
    }, first);
    machines.set(id, m);
    return m;
  };
  cluster = new SimCluster({
    seed: opts.seed ?? 1,
    // procs first: the machine asks it for its first pid lease as it starts.
    // and gfs before the machine too: it is the machine's '/'.
    nodes: ids.map((id) => ({
      id, services: {
        [PROCS_SERVICE]: () => new ProcsService({ voters: procsVoters(ids) }),
        [GFS_SERVICE]: () => new GfsService({
          voters: procsVoters(ids), ...(opts.fs !== undefined ? { initial: opts.fs } : {}),
          ...(opts.fs_consistency !== undefined ? { consistency: opts.fs_consistency } : {}),
        }),
        // the lock managers before the machine too: its file server's locks of the namespace are theirs.
        ...(opts.deadlock !== undefined && opts.deadlock !== 'central'
          ? { [DLM_SERVICE]: () => new LockService({ strategy: opts.deadlock as DeadlockStrategy, ...(opts.onDeadlock ? { observe: opts.onDeadlock } : {}) }) } : {}),
        [MACHINE_SERVICE]: machineFactory(id),
      },
    })),
    ...(opts.link ? { link: opts.link } : {}),
    ...(opts.trace ? { trace: opts.trace } : {}),
  });
  const c = cluster;
  const migrated = (fig: MigrationFigures): void => {
    migrations.push(fig);
    record('migration', { pid: fig.pid, from: fig.from, to: fig.to, method: fig.method, ok: fig.ok ? 1 : 0, error: fig.error, downtime_ns: fig.downtime_ns, bytes: fig.bytes });
    settled.changed = true;
  };
  // A scripted move: the process (by pid, or the first running one of a program) on whichever up node has it.
  // @program: the first running process whose program ends so, one that is no running process's parent first (a
  // parent cannot move while its child lives: a forking program's worker is its child).
  const migrate = (f: Extract<Fault, { kind: 'migrate' }>): void => {
    const parents = new Set(console.processes.filter((r) => r.state === 'running').map((r) => r.ppid));
    for (const skip of f.pid !== null ? [undefined] : [parents, undefined]) {
      for (const id of ids) {
        const m = machines.get(id);
        if (m === undefined || c.node(id).status === 'down') continue;
        const pid = f.pid !== null ? (m.hasProcess(f.pid) ? f.pid : undefined) : m.findProgram(f.program!, skip);
        if (pid !== undefined) { m.migrate(pid, f.node, f.method, () => {}); return; } // its outcome: observer.migrated
      }
    }
    const who = f.pid !== null ? `process ${f.pid}` : `a process running ${f.program}`;
    migrated(migrationRefused(f.pid ?? 0, '', f.node, f.method, `${who} runs on no node that is up`));
  };
  if (opts.faults && opts.faults.length > 0) scheduleFaults({ ...crashAware(c, console, () => { settled.changed = true; }), migrate }, opts.faults);
  // Done: every node down, or booted (it has been idle once) with its machine quiet now (nothing runs, nothing is
  // moving there or away: a process between two machines is on neither, one a failed move gave back runs again,
  // and one moved to a node that lost it leaves that node with nothing to run).
  const done = (): boolean => ids.every((id) => (everIdle.has(id) && machines.get(id)?.quiet() !== false) || c.node(id).status === 'down');
  const r = c.sim.run({
    until_ns: opts.max_virtual_ns ?? MAX_VIRTUAL_NS_DEFAULT,
    max_steps: opts.max_steps ?? Number.MAX_SAFE_INTEGER,
    stop_when: () => {
      if (!settled.changed && ++settled.steps % CHECK_EVERY_STEPS !== 0) return false;
      settled.changed = false;
      return done();
    },
  });
  console.flushAll();
  for (const m of machines.values()) { counters.instructions += m.instructions; counters.slices += m.slices; }
  const end: ClusterRunEnd = done() ? 'ended' : r.reason === 'max_steps' ? 'step-limit' : 'virtual-time-limit';
  return {
    processes: console.processes, end, virtual_ns: c.sim.now_ns, steps: r.steps,
    instructions: counters.instructions, slices: counters.slices, trace_hash: c.sim.trace.digest(), nodes: ids,
    namespace: finalNamespace(c, ids), migrations, pages_lost: [...machines.values()].flatMap((m) => m.migrationLosses()),
    dsm: [...machines].map(([node, m]) => ({ node, regions: m.dsmRegions() })).filter((x) => x.regions.length > 0),
  };
}

/** The bytes of the file an absolute path names in the namespace (undefined: not there). */
export function programInNamespace(tree: GfsTree | undefined, path: string): Uint8Array | undefined {
  if (tree === undefined || !path.startsWith('/')) return undefined;
  const ops = new FsOps(new Vfs(new LocalTreeMount(() => 0n, 'the starting namespace', tree)));
  try {
    const first = ops.read(path, 0, 0) as { size: number };
    return (ops.read(path, 0, first.size) as { bytes: Uint8Array }).bytes;
  } catch (err) {
    if (err instanceof FsError) return undefined;
    throw err;
  }
}

/** The most advanced replica of the namespace among the nodes up. */
function finalNamespace(c: SimCluster, ids: readonly string[]): GfsTree | null {
  let best: GfsService | undefined;
  for (const id of ids) {
    const g = c.service<GfsService>(id, GFS_SERVICE);
    if (g?.host !== undefined && (best === undefined || g.host.applied > best.host!.applied)) best = g;
  }
  return best?.tree ?? null;
}

/** The cluster as a fault target whose crashes also end the crashed node's processes in the book. */
function crashAware(c: SimCluster, console: ClusterConsole, changed: () => void): FaultTarget {
  return {
    sim: c.sim, ids: c.ids, net: c.net,
    crash: (id) => { c.crash(id); console.nodeCrashed(id); changed(); },
    restart: (id) => { if (c.node(id).status !== 'down') console.nodeCrashed(id); c.restart(id); changed(); },
    pause: (id) => c.pause(id), resume: (id) => c.resume(id),
    skew: (id, d) => c.skew(id, d), drift: (id, p) => c.drift(id, p),
  };
}

/** The procs voters of a simulated cluster: every node up to PROCS_VOTERS_MAX, else the first that many (the rest learn). */
export function procsVoters(ids: readonly string[]): string[] {
  return [...ids].sort(compareNodes).slice(0, PROCS_VOTERS_MAX);
}
