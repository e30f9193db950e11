// `atoll cluster run --real`: the same programs on real node processes over loopback TCP. Each node is
// `atoll node` with a `machine` service that loads its programs; its guests' events come back on the node's
// stdout as `@atoll` lines (src/ssi/machine-node.ts) and make up the same console and process book as a
// simulated run. The run ends when every node reports its machine idle, or after max_ms of wall time (then the
// nodes are stopped and the processes still running are reported as such). Nothing is deterministic here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError } from '../../base/index.js';
import { freeLoopbackPort } from '../../net/tcp/index.js';
import { ClusterConsole, parseMachineLine, programInNamespace, type ConsoleLine, type ClusterRunResult, type NodeProgram, type PlacementPolicy } from '../../ssi/index.js';
import { decodeFsImage, type GfsConsistency } from '../../gfs/index.js';
import { launcher } from './launcher.js';

export interface RealRunOptions {
  readonly programs: readonly NodeProgram[];
  readonly nodes: number;
  readonly placement: PlacementPolicy;
  readonly ram_bytes?: number;
  readonly harts?: number;
  /** false: each machine in slices on its node's thread (the machine option `threaded: false`), not its harts on worker threads. */
  readonly threaded?: boolean;
  /** Each machine rebalances load by migration (the machine option `balance: true`). */
  readonly balance?: boolean;
  /** Wall-clock bound of the whole run. */
  readonly max_ms: number;
  /** A namespace image file every node's gfs starts from (an absolute program path it holds runs from it). */
  readonly fs?: string;
  readonly fs_consistency?: GfsConsistency;
  readonly onLine?: (line: ConsoleLine) => void;
  readonly onLog?: (node: string, line: string) => void;
}

const NODE_START_MS_MAX = 15_000;

export async function runClusterReal(opts: RealRunOptions): Promise<ClusterRunResult> {
  const ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const dir = mkdtempSync(join(tmpdir(), 'atoll-run-'));
  const children = new Map<string, ChildProcess>();
  try {
    const ports: number[] = [];
    for (let i = 0; i < ids.length; i++) ports.push(await freeLoopbackPort());
    // A program the namespace image holds goes to the node as a file of its own.
    const start = opts.fs === undefined ? undefined : decodeFsImage(readFileSync(opts.fs, 'utf8'));
    const programPath = (p: NodeProgram, i: number): string => {
      const bytes = programInNamespace(start, p.path);
      if (bytes === undefined) return resolve(p.path);
      const file = join(dir, `program-${i}.elf`);
      writeFileSync(file, bytes);
      return file;
    };
    const paths = opts.programs.map((p, i) => programPath(p, i));
    const machine = (id: string): Record<string, unknown> => ({
      programs: opts.programs.map((p, i) => ({ p, path: paths[i]! })).filter(({ p }) => p.node === id).map(({ p, path }) => ({ path, name: p.path, args: p.args, envp: p.envp ?? [] })),
      placement: opts.placement,
      ...(opts.ram_bytes !== undefined ? { ram_bytes: opts.ram_bytes } : {}),
      ...(opts.harts !== undefined ? { harts: opts.harts } : {}),
      ...(opts.threaded === false ? { threaded: false } : {}),
      ...(opts.balance === true ? { balance: true } : {}),
    });
    const gfs = {
      ...(opts.fs !== undefined ? { image: resolve(opts.fs) } : {}),
      ...(opts.fs_consistency !== undefined ? { consistency: opts.fs_consistency } : {}),
    };
    const config = {
      key: randomBytes(32).toString('hex'),
      nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], services: { procs: {}, gfs, machine: machine(id) } })),
      services: {},
    };
    const configPath = join(dir, 'cluster.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    const console = new ClusterConsole(opts.onLine, opts.onLog);
    const t0 = Date.now();
    let failure: string | undefined;
    const ended = new Promise<void>((res) => {
      const check = (): void => { if (failure !== undefined || ids.every((id) => console.idleNodes.has(id))) res(); };
      const timer = setTimeout(res, opts.max_ms);
      timer.unref();
      for (const id of ids) {
        const child = spawn(process.execPath, [launcher(), 'node', '--config', configPath, '--id', id, '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'pipe'] });
        children.set(id, child);
        const err: string[] = [];
        createInterface({ input: child.stderr! }).on('line', (l) => { if (err.length < 20) err.push(l); });
        createInterface({ input: child.stdout! }).on('line', (l) => { feed(console, l); check(); });
        child.once('exit', (code) => {
          if (!console.idleNodes.has(id)) failure ??= `node ${id} exited (code ${code}) before its machine was done${err.length ? `: ${err.filter((e) => !e.includes('listening')).slice(-3).join(' / ')}` : ''}`;
          check();
        });
      }
    });
    const startTimer = setTimeout(() => { failure ??= `the nodes did not start within ${NODE_START_MS_MAX} ms`; }, NODE_START_MS_MAX);
    startTimer.unref();
    await ended;
    clearTimeout(startTimer);
    console.flushAll();
    if (failure !== undefined && console.processes.length === 0) throw new InputError(failure);
    const done = ids.every((id) => console.idleNodes.has(id));
    return {
      processes: console.processes, end: done ? 'ended' : 'virtual-time-limit', virtual_ns: (Date.now() - t0) * 1e6, steps: 0,
      instructions: 0, slices: 0, trace_hash: '', nodes: ids, namespace: null, migrations: [], pages_lost: [], dsm: [],
    };
  } finally {
    await Promise.all([...children.values()].map((c) => new Promise<void>((res) => {
      if (c.exitCode !== null || c.signalCode !== null) return res();
      const kill = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => { clearTimeout(kill); res(); });
      c.stdin?.end();
      c.kill('SIGTERM');
    })));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line of a node's stdout into the console (lines that are not machine events are ignored). */
function feed(console: ClusterConsole, line: string): void {
  const m = parseMachineLine(line);
  if (m === null) return;
  switch (m.t) {
    case 'out': console.write(m.node, m.pid, m.fd, Buffer.from(m.b64, 'base64')); break;
    case 'start': console.started(m.node, m.pid, m.ppid, m.program); break;
    case 'end': console.endedAs(m.node, m.pid, m.result); break;
    case 'idle': console.idle(m.node); break;
    case 'moved': console.moved(m.node, m.to, m.pid); break;
    case 'lost': console.lost(m.node, m.pid, m.why); break;
    case 'log': console.log(m.node, m.line); break;
  }
}
