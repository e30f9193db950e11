// `atoll cluster run [options] -- n1:prog.elf [args...] -- n2:prog.elf [args...]`: boot N simulated nodes, each an
// emulated machine beside its services, start every program on its node, and end when every process has ended
// (or --max-time of virtual time has passed). Each line of guest output is printed as it comes, prefixed with
// its node and pid; --json prints one object instead (every process with its parent, node, program, status and
// output; the trace digest). Exit status: 0 when every program started here exited 0, else the first failure's
// (its code, or 128 + signal); 124 when the time bound ended the run.
import { readFileSync, writeFileSync, writeSync, openSync, closeSync } from 'node:fs';
import { decodeFsImage, encodeFsImage, type GfsTree } from '../../gfs/index.js';
import { flagBool, flagNumber, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { UsageError, InputError } from '../../base/index.js';
import { parseFaultScript, parseDuration, type LinkParams, type ScheduledFault } from '../../net/index.js';
import { runCluster, nodeIndex, isPlacementPolicy, migrationText, PLACEMENT_POLICIES, CLUSTER_RUN_NODES_MAX, type NodeProgram, type ClusterRunResult, type ProcessRecord } from '../../ssi/index.js';
import { layout } from '../../machine/index.js';
import type { ConsoleLine } from '../../ssi/index.js';
import { runClusterReal } from './cluster-run-real.js';
import { DEADLOCK_STRATEGIES, parseDeadlockStrategy, type DeadlockEvent, type DeadlockStrategy } from '../../deadlock/index.js';

/** A --real run stops after a minute of wall time unless --max-time says otherwise. */
const REAL_MAX_MS_DEFAULT = 60_000;

export const COMMAND: CommandSpec = {
  name: 'cluster run',
  summary: 'Run programs on the nodes of a simulated cluster of machines; end when every process has ended.',
  operands: '-- n1:<program.elf> [args...] [-- n2:<program.elf> [args...]]...',
  stopAtPositional: true,
  notes: [
    'Each program is `<node>:<path>` followed by its arguments; groups are separated by `--`.',
    'Nodes are n1..nN. Output lines read `n2 7| text` (node, pid); --json prints one object instead.',
    '--link takes comma-separated settings: latency=<d> or latency=<min>..<max>, loss=<p>, duplicate=<p>, reorder=<p>.',
    '--faults reads a fault script ("at 1s crash n2", "at 2s partition n1|n2,n3", see docs/cluster.md).',
  ].join('\n'),
  flags: {
    nodes: { kind: 'integer', help: `nodes n1..nN (1..${CLUSTER_RUN_NODES_MAX}; default: the highest node a program names)` },
    seed: { kind: 'integer', help: 'seed of the whole run: same seed, same run (default 1)' },
    place: { kind: 'string', value: '<policy>', help: 'where forks\' children run: local (default), spread (round robin) or least-loaded' },
    balance: { kind: 'boolean', help: 'rebalance load as it runs: a node ahead of the lightest by 3 or more moves a process there' },
    link: { kind: 'string', value: '<settings>', help: 'the simulated network, e.g. latency=2ms,loss=0.01 (default latency=1ms)' },
    faults: { kind: 'string', value: '<file>', help: 'fault script to apply during the run' },
    trace: { kind: 'string', value: '<out.jsonl>', help: 'write the run\'s trace, one JSON record per line' },
    json: { kind: 'boolean', help: 'print one JSON object with every process and the trace digest' },
    real: { kind: 'boolean', help: 'run on real node processes over loopback TCP (wall-clock time, not deterministic)' },
    stepped: { kind: 'boolean', help: 'with --real: run each machine in slices on its node\'s thread, not its harts on worker threads' },
    ram: { kind: 'size', value: '<size>', help: 'guest RAM of every machine (default 32M)' },
    harts: { kind: 'integer', value: '<k>', help: `harts of every machine (1..${layout.HARTS_MAX}, default 1)` },
    'max-time': { kind: 'string', value: '<duration>', help: 'stop after this much virtual time (default 600s; with --real, wall time, default 60s)' },
    klog: { kind: 'boolean', help: 'print the machines\' kernel logs on stderr' },
    fs: { kind: 'string', value: '<fs.json>', help: 'start the global namespace from this image (atoll fs put ... --image); an absolute program path it holds runs from it' },
    'fs-consistency': { kind: 'string', value: '<model>', help: 'linearizable (default: a read barrier before every read) or close-to-open (NFS\'s: at open only)' },
    'fs-out': { kind: 'string', value: '<fs.json>', help: 'write the global namespace as the run left it (read it with atoll fs ... --image)' },
    deadlock: { kind: 'string', value: '<strategy>', help: `who keeps the namespace's locks and sees to deadlocks: central (default, the namespace's log) or per-node managers with ${DEADLOCK_STRATEGIES.join(', ')} (docs/deadlock.md)` },
  },
};

/** `n1:prog.elf a b -- n2:x.elf` into programs; one clear error for a word that names no node. */
export function parseNodePrograms(words: readonly string[]): NodeProgram[] {
  const groups: string[][] = [[]];
  for (const w of words) {
    if (w === '--') groups.push([]);
    else groups[groups.length - 1]!.push(w);
  }
  const out: NodeProgram[] = [];
  for (const [head, ...args] of groups.filter((g) => g.length > 0)) {
    const colon = head!.indexOf(':');
    const node = colon < 0 ? '' : head!.slice(0, colon);
    const path = head!.slice(colon + 1);
    if (colon < 0 || nodeIndex(node) === null || path === '') {
      throw new UsageError(`'${head}' does not name a node and a program: write <node>:<program.elf>, e.g. n1:guest/bin/echo.elf`);
    }
    out.push({ node, path, args });
  }
  if (out.length === 0) throw new UsageError('no program to run: give -- n1:<program.elf> [args...]');
  return out;
}

/** `latency=2ms,loss=0.01` into link settings. */
export function parseLink(text: string): Partial<LinkParams> {
  const link: { -readonly [K in keyof LinkParams]?: LinkParams[K] } = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    try {
      if (key === 'latency') {
        const range = value.split('..');
        link.latency = range.length === 2
          ? { kind: 'uniform', min_ns: parseDuration(range[0]!), max_ns: parseDuration(range[1]!) }
          : { kind: 'fixed', ns: parseDuration(value) };
      } else if (key === 'loss' || key === 'duplicate' || key === 'reorder') {
        const p = Number(value);
        if (value === '' || !(p >= 0 && p <= 1)) throw new Error(`'${value}' is not a probability in [0, 1]`);
        link[key] = p;
      } else {
        throw new Error('known settings: latency, loss, duplicate, reorder');
      }
    } catch (err) {
      throw new UsageError(`--link ${part}: ${(err as Error).message}`);
    }
  }
  return link;
}

function readFaults(path: string, nodes: readonly string[]): ScheduledFault[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    // A .json script is a list of lines of the same grammar.
    if (path.endsWith('.json')) {
      const lines = JSON.parse(text) as unknown;
      if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string')) throw new Error('a JSON fault script is a list of strings such as "at 1s crash n2"');
      text = lines.join('\n');
    }
    return parseFaultScript(text, nodes);
  } catch (err) {
    throw new InputError(`${path}: ${(err as Error).message}`);
  }
}

function maxTimeNs(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`--max-time ${text}: ${(err as Error).message}`);
  }
}

/** A process's status as a shell shows it. */
function statusText(p: ProcessRecord): string {
  if (p.state === 'running') return 'still running';
  if (p.state === 'exited') return `exited ${p.exit_code}`;
  return `killed by ${p.signal}${p.reason ? ` (${p.reason})` : ''}`;
}

/** --deadlock's word: central, or a strategy of the per-node lock managers; one clear error for anything else. */
function deadlockOf(text: string | undefined): 'central' | DeadlockStrategy {
  if (text === undefined || text === 'central') return 'central';
  try {
    return parseDeadlockStrategy(text);
  } catch (err) {
    throw new UsageError(`--deadlock ${text}: ${(err as Error).message}`);
  }
}

/** A deadlock event as a report line. */
export function deadlockLine(e: DeadlockEvent): string {
  const at = `${(e.at_ns / 1e6).toFixed(1)} ms`;
  if (e.kind === 'refused') return `deadlock: ${e.strategy} refused ${e.owner} on file ${e.file} at ${e.node}, ${at} (${e.rule}): EDEADLK`;
  const cycle = e.cycle.map((h) => h.owner).join(' -> ');
  return `deadlock: ${e.strategy} broke ${cycle ? `${cycle} -> ${e.cycle[0]!.owner}` : 'a cycle'} at ${at}: victim ${e.victim.owner} (pid ${e.victim.pid}) gets EDEADLK at ${e.victim.mgr}; ` +
    `${e.messages} message${e.messages === 1 ? '' : 's'}, ${((e.at_ns - e.started_ns) / 1e6).toFixed(1)} ms from the detection's start`;
}

function exitCodeOf(r: ClusterRunResult, started: readonly ProcessRecord[]): number {
  if (r.end !== 'ended') return 124;
  for (const p of started) {
    if (p.state === 'exited' && p.exit_code !== 0) return p.exit_code!;
    if (p.state === 'killed') return 128 + (p.signal_number ?? 0);
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (args === undefined) return 0;
  const programs = parseNodePrograms(args.positionals);
  const json = flagBool(args, 'json');
  const nodes = flagNumber(args, 'nodes') ?? Math.max(...programs.map((p) => nodeIndex(p.node)!));
  const ids = Array.from({ length: Math.min(Math.max(nodes, 0), CLUSTER_RUN_NODES_MAX) }, (_, i) => `n${i + 1}`);
  const place = flagString(args, 'place') ?? 'local';
  if (!isPlacementPolicy(place)) throw new UsageError(`--place ${place}: the policies are ${PLACEMENT_POLICIES.join(', ')}`);
  const linkText = flagString(args, 'link');
  const faultsPath = flagString(args, 'faults');
  const tracePath = flagString(args, 'trace');
  const maxTime = flagString(args, 'max-time');
  const harts = flagNumber(args, 'harts');
  const ram = flagNumber(args, 'ram');
  const fsInPath = flagString(args, 'fs'), fsOutPath = flagString(args, 'fs-out');
  const fsConsistency = flagString(args, 'fs-consistency');
  const deadlock = deadlockOf(flagString(args, 'deadlock'));
  const deadlocks: DeadlockEvent[] = [];
  if (fsConsistency !== undefined && fsConsistency !== 'linearizable' && fsConsistency !== 'close-to-open') {
    throw new UsageError(`--fs-consistency ${fsConsistency}: linearizable or close-to-open`);
  }
  let fsIn: GfsTree | undefined;
  if (fsInPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(fsInPath, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read ${fsInPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      fsIn = decodeFsImage(text);
    } catch (err) {
      throw new InputError(`${fsInPath}: ${(err as Error).message}`);
    }
  }
  let traceFd: number | undefined;
  if (tracePath) {
    try {
      traceFd = openSync(tracePath, 'w');
    } catch (err) {
      throw new InputError(`cannot write ${tracePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const out = (fd: 1 | 2, text: string): void => void writeSync(fd, text);
  try {
    const onLine = json ? undefined : (l: ConsoleLine): void => out(l.fd, `${l.node} ${l.pid}| ${l.text}\n`);
    const onLog = flagBool(args, 'klog') ? (node: string, line: string): void => out(2, `${node} ${line}\n`) : undefined;
    if (flagBool(args, 'real')) {
      for (const flag of ['seed', 'link', 'faults', 'trace']) if (args.flags.has(flag)) throw new UsageError(`--${flag} is for simulated runs; a --real run has real time and a real network`);
      if (args.flags.has('fs-out')) throw new UsageError('--fs-out is for simulated runs: a real run\'s nodes end with it (read a running cluster\'s namespace with atoll fs --cluster)');
      if (deadlock !== 'central') throw new UsageError('--deadlock is for simulated runs: a real run keeps the namespace\'s locks in its log');
    } else if (args.flags.has('stepped')) {
      throw new UsageError('--stepped is for --real runs: a simulated machine always runs in slices of the simulator\'s time');
    }
    const r = flagBool(args, 'real') ? await runClusterReal({
      programs, nodes, placement: place, ram_bytes: ram, harts, threaded: !flagBool(args, 'stepped'), balance: flagBool(args, 'balance'), max_ms: maxTime ? maxTimeNs(maxTime) / 1e6 : REAL_MAX_MS_DEFAULT, onLine, onLog,
      ...(fsInPath !== undefined ? { fs: fsInPath } : {}), ...(fsConsistency !== undefined ? { fs_consistency: fsConsistency } : {}),
    }) : await runCluster({
      programs, nodes, seed: flagNumber(args, 'seed') ?? 1, placement: place, balance: flagBool(args, 'balance'),
      ...(linkText ? { link: parseLink(linkText) } : {}),
      ...(faultsPath ? { faults: readFaults(faultsPath, ids) } : {}),
      ...(traceFd !== undefined ? { trace: { sink: (line: string) => void writeSync(traceFd!, line + '\n') } } : {}),
      machine: { ...(harts !== undefined ? { harts } : {}), ...(ram !== undefined ? { ram_bytes: ram } : {}) },
      ...(maxTime ? { max_virtual_ns: maxTimeNs(maxTime) } : {}),
      ...(fsIn !== undefined ? { fs: fsIn.image() } : {}),
      ...(fsConsistency !== undefined ? { fs_consistency: fsConsistency } : {}),
      ...(deadlock !== 'central' ? { deadlock, onDeadlock: (e: DeadlockEvent) => { deadlocks.push(e); if (!json) out(2, deadlockLine(e) + '\n'); } } : {}),
      onLine, onLog,
    });
    const started = r.processes.filter((p) => p.ppid === 0);
    if (fsOutPath !== undefined) {
      if (r.namespace === null) throw new InputError('--fs-out: no node was up at the end to give the namespace');
      try {
        writeFileSync(fsOutPath, encodeFsImage(r.namespace));
      } catch (err) {
        throw new InputError(`cannot write ${fsOutPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    if (json) {
      out(1, JSON.stringify({
        nodes: r.nodes, end: r.end, virtual_ns: r.virtual_ns, instructions: r.instructions, trace_hash: r.trace_hash || null,
        processes: r.processes.map((p) => ({
          pid: p.pid, ppid: p.ppid, node: p.node, program: p.program, state: p.state, exit_code: p.exit_code,
          signal: p.signal, signal_number: p.signal_number, reason: p.reason, moves: p.moves, stdout: p.stdout, stderr: p.stderr,
        })),
        migrations: r.migrations, pages_lost: r.pages_lost,
        deadlock: { strategy: deadlock, events: deadlocks },
      }) + '\n');
    } else {
      for (const p of r.processes) if (p.state === 'killed' || p.state === 'running' || (p.ppid === 0 && p.exit_code !== 0)) out(2, `${p.node} ${p.pid}: ${p.program} ${statusText(p)}\n`);
      for (const m of r.migrations) {
        out(2, m.ok
          ? `migration: ${m.pid} ${m.from} -> ${m.to} (${m.method}): ${migrationText(m)}\n`
          : `migration: ${m.pid}${m.from ? ` ${m.from}` : ''} -> ${m.to} did not happen: ${m.error}\n`);
      }
      for (const l of r.pages_lost) out(2, `migration: ${l.pages} pages of process ${l.pid} were lost with ${l.from} (post-copy); a thread that touched one died of SIGBUS\n`);
      if (deadlock !== 'central') {
        const broken = deadlocks.filter((e) => e.kind === 'broken').length, refused = deadlocks.length - broken;
        out(2, `deadlock: ${deadlock}: ${broken} cycle${broken === 1 ? '' : 's'} broken, ${refused} request${refused === 1 ? '' : 's'} refused\n`);
      }
      const vt = (r.virtual_ns / 1e9).toFixed(3);
      out(2, `cluster: ${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'}, ${r.processes.length} process${r.processes.length === 1 ? '' : 'es'}, ${r.end === 'ended' ? 'all ended' : `stopped (${r.end})`} at ${vt} s of ${r.trace_hash ? `virtual time; trace ${r.trace_hash.slice(0, 16)}` : 'wall time (real nodes)'}\n`);
    }
    return exitCodeOf(r, started);
  } finally {
    if (traceFd !== undefined) closeSync(traceFd);
  }
}
