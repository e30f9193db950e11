// `atoll cluster up|init|down|stop|start`: real nodes on loopback, each a child process on a free port.
// `up` writes cluster.json (fresh random key, mode 0600) into --dir or a new temporary directory, starts the
// nodes, prints where each listens and the `atoll kv` command to paste, and stops them on SIGINT/SIGTERM (on end
// of its stdin only with --stop-on-stdin-close); a temporary directory (it holds the key) is removed when it
// ends. `up --detach` leaves the nodes running in the background, `down --dir D` stops them; `stop NODE` and
// `start NODE` stop and restart one node alone. Every running node's pid is in D/run/<id>.pid, a background
// node's output in D/logs/<id>.log. `init --dir D` writes a config for N nodes at --host from --base-port, with
// a new CA and a key and certificate per node under D/tls/ (keys mode 0600), and one more certificate,
// `client`, that clients (`atoll kv`) present; `up --tls` does the same for the cluster it starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { makeDirectories } from '../../host/index.js';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagBool, flagNumber, flagString, type CommandSpec, type ParsedArgs } from '../../base/index.js';
import { commandHelp, parseCommand, unknownName } from '../../host/index.js';
import { InputError, UsageError, ownEntry } from '../../base/index.js';
import { SERVICES, loadClusterConfig } from '../../services/index.js';
import { ConfigError } from '../../cluster/index.js';
import { freeLoopbackPort } from '../../net/tcp/index.js';
import { launcher } from './launcher.js';
import { CLIENT_CERT_ID } from '../../net/tcp/index.js';

export const CLUSTER_UP_MAX_NODES = 64;
/** How long a node may take to print its "listening" line, and to exit after SIGTERM before SIGKILL. */
const NODE_START_MS_MAX = 15_000;
const NODE_STOP_MS_MAX = 5_000;
const DEFAULT_SERVICES = 'echo,counter,mq,raft-kv';
/** Marks a cluster directory that `up` created itself: it is removed when the cluster ends. */
const TEMPORARY_MARK = '.atoll-temporary';
const VERBS = ['up', 'init', 'down', 'stop', 'start', 'run'];

export const COMMAND: CommandSpec = {
  name: 'cluster',
  summary: 'Start, stop and configure a cluster of real nodes on loopback.',
  operands: 'up | init | down | stop <node> | start <node> | run -- n1:<prog.elf> ...',
  notes: [
    'actions:',
    '  run -- n1:p.elf [args] -- n2:q.elf   run programs on a simulated cluster of machines (atoll cluster run -h)',
    '  up             start --nodes nodes; Ctrl-C stops them (--detach: in the background)',
    '  down           stop every node of --dir (started by up --detach, or restarted by start)',
    '  stop <node>    stop one node of --dir; the others go on',
    '  start <node>   start one node of --dir again (in the background)',
    '  init           write a TLS cluster config for fixed ports into --dir',
  ].join('\n'),
  flags: {
    nodes: { kind: 'integer', help: `number of nodes (1..${CLUSTER_UP_MAX_NODES}, default 3)` },
    services: { kind: 'string', value: '<a,b,...>', help: `services for every node (default ${DEFAULT_SERVICES})` },
    dir: { kind: 'string', value: '<directory>', help: 'directory of the config, data, pids and logs (up: default a new temporary directory, removed at the end)' },
    json: { kind: 'boolean', help: 'up, init: print one JSON line' },
    tls: { kind: 'boolean', help: 'up: TLS 1.3 between nodes with a new CA and per-node certificates (init always does)' },
    detach: { kind: 'boolean', help: 'up: leave the nodes running in the background and return; stop them with down --dir' },
    'stop-on-stdin-close': { kind: 'boolean', help: 'up: also stop when standard input reaches end of file' },
    host: { kind: 'string', value: '<address>', help: 'init: the nodes\' address (default 127.0.0.1)' },
    'base-port': { kind: 'integer', value: '<port>', help: 'init: the first node\'s port; the others follow (default 7001)' },
    force: { kind: 'boolean', help: 'init: overwrite an existing cluster.json' },
  },
};

/** A word as the shell reads it back. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`;
}

/** How the user ran atoll, to print commands they can paste: `atoll` when installed, else `node <path>`. */
function atollCommand(): string {
  const script = process.argv[1] ?? '';
  if (basename(script) === 'atoll') return 'atoll';
  const path = resolve(script);
  const rel = relative(process.cwd(), path);
  return `node ${shellWord(rel.startsWith('..') || rel.startsWith(sep) ? path : rel)}`;
}

interface ClusterLayout {
  readonly ids: readonly string[];
  readonly host: string;
  readonly ports: readonly number[];
  readonly services: readonly string[];
  readonly tls: boolean;
}

/** Write `cluster.json` (mode 0600) and, with TLS, a CA and every node's key and certificate under tls/. */
async function writeCluster(dir: string, c: ClusterLayout): Promise<string> {
  // With raft-kv, the voters are the started nodes; `atoll kv --cluster <config>` needs no entry of its own
  // (each client has its own id and dials the nodes), so the printed config works for it as it is.
  const nodes: { id: string; host: string; port: number; services?: string[] }[] = c.ids.map((id, i) => ({ id, host: c.host, port: c.ports[i]! }));
  const config: Record<string, unknown> = {
    key: randomBytes(32).toString('hex'),
    nodes,
    services: Object.fromEntries(c.services.map((s) => [s, s === 'raft-kv' ? { voters: c.ids } : {}])),
    data_dir: 'data',
  };
  if (c.tls) {
    const tlsDir = join(dir, 'tls');
    makeDirectories(tlsDir, 'the certificate directory');
    const { createCertificateAuthority } = await import('../../cluster/pki.js'); // X.509 code only when asked for
    const ca = await createCertificateAuthority(`atoll ${nodes.length}-node`);
    writeFileSync(join(tlsDir, 'ca.crt'), ca.cert);
    writeFileSync(join(tlsDir, 'ca.key'), ca.key, { mode: 0o600 });
    // the nodes' certificates, and the one every client presents (it names the client namespace, no node)
    for (const id of [...nodes.map((nd) => nd.id), CLIENT_CERT_ID]) {
      const pem = await ca.issue(id);
      writeFileSync(join(tlsDir, `${id}.crt`), pem.cert);
      writeFileSync(join(tlsDir, `${id}.key`), pem.key, { mode: 0o600 });
    }
    config['tls'] = { ca: 'tls/ca.crt', cert: 'tls/{id}.crt', key: 'tls/{id}.key' };
  }
  const configPath = join(dir, 'cluster.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  return configPath;
}

async function init(args: ParsedArgs, n: number, services: readonly string[]): Promise<number> {
  const dirFlag = flagString(args, 'dir');
  if (!dirFlag) throw new UsageError('cluster init: --dir <directory> is required');
  const dir = resolve(dirFlag);
  const base = flagNumber(args, 'base-port') ?? 7001;
  if (base < 1 || base + n - 1 > 65535) throw new UsageError(`--base-port ${base} leaves no room for ${n} ports`);
  if (existsSync(join(dir, 'cluster.json')) && !flagBool(args, 'force')) {
    throw new InputError(`${join(dir, 'cluster.json')} exists; pass --force to overwrite it (and make a new CA)`);
  }
  const ports = Array.from({ length: n }, (_, i) => base + i);
  let configPath: string;
  makeDirectories(dir, 'the cluster directory');
  try {
    configPath = await writeCluster(dir, {
      ids: Array.from({ length: n }, (_, i) => `n${i + 1}`), host: flagString(args, 'host') ?? '127.0.0.1', ports, services, tls: true,
    });
  } catch (err) {
    throw new InputError(`cannot write the cluster into ${dir}: ${(err as Error).message}`);
  }
  if (flagBool(args, 'json')) process.stdout.write(JSON.stringify({ config: configPath, ca: join(dir, 'tls/ca.crt') }) + '\n');
  else process.stdout.write(`config: ${configPath}\nCA and node certificates: ${join(dir, 'tls')} (keep ca.key safe; it signs new nodes)\n`);
  return 0;
}


// ---- pid files: D/run/<id>.pid for every running node, whoever started it -------------------------------

const pidPath = (dir: string, id: string): string => join(dir, 'run', `${id}.pid`);

function readPid(dir: string, id: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidPath(dir, id), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function writePid(dir: string, id: string, pid: number): void {
  makeDirectories(join(dir, 'run'), 'the pid directory');
  writeFileSync(pidPath(dir, id), `${pid}\n`);
}

function removePid(dir: string, id: string): void {
  try { unlinkSync(pidPath(dir, id)); } catch { /* already gone */ }
}

/** Ids with a pid file in D/run. */
function recordedIds(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'run')).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4)).sort();
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** SIGTERM, then SIGKILL after NODE_STOP_MS_MAX. */
async function stopPid(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  if (await waitGone(pid, NODE_STOP_MS_MAX)) return;
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  await waitGone(pid, 1000);
}

// ---- starting nodes ---------------------------------------------------------------------------------------

function waitListening(child: ChildProcess, id: string, timeout_ms: number): Promise<string> {
  return new Promise((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error(`node ${id} did not start within ${timeout_ms} ms`)), timeout_ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const line = buf.split('\n').find((l) => l.includes('listening on'));
      if (line) {
        clearTimeout(timer);
        res(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`node ${id} exited with code ${code} while starting`));
    });
  });
}

/** Start one node in the background (its output appended to D/logs/<id>.log); resolves once it listens. */
async function startDetached(dir: string, configPath: string, id: string): Promise<number> {
  makeDirectories(join(dir, 'logs'), 'the log directory');
  const log = join(dir, 'logs', `${id}.log`);
  const fd = openSync(log, 'a');
  const from = statSync(log).size;
  const child = spawn(process.execPath, [launcher(), 'node', '--config', configPath, '--id', id], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new InputError(`cannot start node ${id}`);
  writePid(dir, id, pid);
  let exited: number | null | undefined;
  child.once('exit', (code) => { exited = code; });
  const deadline = Date.now() + NODE_START_MS_MAX;
  for (;;) {
    const text = readFileSync(log, 'utf8').slice(from);
    if (text.includes(`node ${id} listening on`)) return pid;
    if (exited !== undefined || Date.now() > deadline) {
      removePid(dir, id);
      if (exited === undefined) await stopPid(pid);
      const last = text.trim().split('\n').at(-1) ?? '';
      throw new InputError(`node ${id} did not start${exited !== undefined ? ` (exit code ${exited})` : ` within ${NODE_START_MS_MAX} ms`}${last ? `: ${last}` : ''} (log: ${log})`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function clusterDir(args: ParsedArgs, verb: string): string {
  const d = flagString(args, 'dir');
  if (!d) throw new UsageError(`cluster ${verb}: --dir <directory> is required`);
  return resolve(d);
}

/** The ids of D/cluster.json's nodes. */
function configIds(dir: string): string[] {
  const path = join(dir, 'cluster.json');
  try {
    return loadClusterConfig(path).nodes.map((n) => n.id);
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(`${path}: ${err.message}`);
    throw err;
  }
}

function nodeOf(dir: string, id: string | undefined, verb: string): string {
  if (id === undefined) throw new UsageError(`${verb}: missing the node (atoll cluster ${verb} <node> --dir <directory>)`);
  const ids = configIds(dir);
  if (!ids.includes(id)) throw new InputError(unknownName('node', id, ids));
  return id;
}

// ---- the actions ------------------------------------------------------------------------------------------

async function stopOne(args: ParsedArgs, id: string | undefined): Promise<number> {
  const dir = clusterDir(args, 'stop');
  const node = nodeOf(dir, id, 'stop');
  const pid = readPid(dir, node);
  if (pid === undefined || !alive(pid)) {
    removePid(dir, node);
    throw new InputError(`node ${node} is not running`);
  }
  removePid(dir, node); // first: whoever supervises it sees a stop that was asked for
  await stopPid(pid);
  process.stdout.write(`stopped ${node} (pid ${pid}); start it again: ${atollCommand()} cluster start ${node} --dir ${shellWord(dir)}\n`);
  return 0;
}

async function startOne(args: ParsedArgs, id: string | undefined): Promise<number> {
  const dir = clusterDir(args, 'start');
  const node = nodeOf(dir, id, 'start');
  const running = readPid(dir, node);
  if (running !== undefined && alive(running)) throw new InputError(`node ${node} is already running (pid ${running})`);
  const pid = await startDetached(dir, join(dir, 'cluster.json'), node);
  process.stdout.write(`started ${node} (pid ${pid}); log: ${join(dir, 'logs', `${node}.log`)}\n`);
  return 0;
}

/** Stop every node with a pid file in D; remove D when `up` made it. */
async function down(dir: string, quiet = false): Promise<number> {
  const ids = recordedIds(dir);
  const found = ids.map((id) => ({ id, pid: readPid(dir, id) }));
  await Promise.all(found.map(async ({ id, pid }) => {
    removePid(dir, id);
    if (pid !== undefined && alive(pid)) {
      await stopPid(pid);
      if (!quiet) process.stdout.write(`stopped ${id} (pid ${pid})\n`);
    }
  }));
  if (existsSync(join(dir, TEMPORARY_MARK))) rmSync(dir, { recursive: true, force: true });
  return 0;
}

async function downCommand(args: ParsedArgs): Promise<number> {
  const dir = clusterDir(args, 'down');
  if (!existsSync(join(dir, 'cluster.json'))) throw new InputError(`${dir} holds no cluster.json`);
  if (recordedIds(dir).length === 0) throw new InputError(`no node of ${dir} is running (no pid files in ${join(dir, 'run')})`);
  return down(dir);
}

interface UpPlan {
  readonly dir: string;
  readonly temporary: boolean;
  readonly configPath: string;
  readonly ids: readonly string[];
  readonly ports: readonly number[];
  readonly raft: boolean;
}

async function prepareUp(args: ParsedArgs, n: number, services: readonly string[]): Promise<UpPlan> {
  const dirFlag = flagString(args, 'dir');
  let dir: string;
  if (dirFlag) {
    dir = resolve(dirFlag);
    makeDirectories(dir, 'the cluster directory');
    const running = recordedIds(dir).filter((id) => { const p = readPid(dir, id); return p !== undefined && alive(p); });
    if (running.length > 0) throw new InputError(`${dir} has running nodes (${running.join(', ')}); stop them with: atoll cluster down --dir ${shellWord(dir)}`);
  } else {
    try {
      dir = mkdtempSync(join(tmpdir(), 'atoll-cluster-'));
      writeFileSync(join(dir, TEMPORARY_MARK), 'made by atoll cluster up; removed when the cluster ends\n');
    } catch (err) {
      throw new InputError(`cannot create a temporary cluster directory: ${(err as Error).message}`);
    }
  }
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freeLoopbackPort());
  const configPath = await writeCluster(dir, { ids, host: '127.0.0.1', ports, services, tls: flagBool(args, 'tls') });
  return { dir, temporary: !dirFlag, configPath, ids, ports, raft: services.includes('raft-kv') };
}

/** What `up` prints once every node listens: the nodes, the config and commands to paste. */
function report(args: ParsedArgs, plan: UpPlan, pids: readonly number[], detached: boolean): void {
  const a = atollCommand();
  const dir = shellWord(plan.dir);
  const kv = plan.raft ? `${a} kv put k v --cluster ${shellWord(plan.configPath)}` : undefined;
  if (flagBool(args, 'json')) {
    const nodes = plan.ids.map((id, i) => ({ id, host: '127.0.0.1', port: plan.ports[i], pid: pids[i] }));
    process.stdout.write(JSON.stringify({ config: plan.configPath, dir: plan.dir, nodes, ...(kv ? { kv } : {}) }) + '\n');
    return;
  }
  for (const [i, id] of plan.ids.entries()) process.stdout.write(`${id}  127.0.0.1:${plan.ports[i]}  pid ${pids[i]}\n`);
  const lines = [`config: ${plan.configPath}`];
  if (kv) lines.push(`key-value store: ${kv}   (also: get k, del k, status)`);
  lines.push(`one node: ${a} cluster stop ${plan.ids.at(-1)} --dir ${dir}, then ${a} cluster start ${plan.ids.at(-1)} --dir ${dir}`);
  if (detached) lines.push(`cluster up: ${plan.ids.length} nodes in the background; stop them: ${a} cluster down --dir ${dir}`);
  else lines.push(`cluster up: ${plan.ids.length} nodes; Ctrl-C stops them${flagBool(args, 'stop-on-stdin-close') ? ' (or closing stdin)' : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function upDetached(args: ParsedArgs, plan: UpPlan): Promise<number> {
  const pids: number[] = [];
  try {
    for (const id of plan.ids) pids.push(await startDetached(plan.dir, plan.configPath, id));
  } catch (err) {
    await down(plan.dir, true);
    throw err;
  }
  report(args, plan, pids, true);
  return 0;
}

async function upForeground(args: ParsedArgs, plan: UpPlan): Promise<number> {
  const { dir, ids, configPath } = plan;
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => { resolveDone = r; });

  const stopAll = async (why: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const others = recordedIds(dir).filter((id) => !children.has(id)); // nodes restarted by `cluster start`
    process.stderr.write(`cluster: stopping ${children.size + others.length} nodes (${why})\n`);
    await Promise.all([...children.values()].map((c) => new Promise<void>((res) => {
      if (c.exitCode !== null || c.signalCode !== null) return res();
      const kill = setTimeout(() => c.kill('SIGKILL'), NODE_STOP_MS_MAX);
      c.once('exit', () => { clearTimeout(kill); res(); });
      c.stdin?.end();
      c.kill('SIGTERM');
    })));
    await down(dir, true);
    resolveDone(code);
  };

  // Signals first: a SIGINT during start-up, or right after the node list is printed, must stop the children.
  process.once('SIGINT', () => void stopAll('SIGINT', 0));
  process.once('SIGTERM', () => void stopAll('SIGTERM', 0));
  const cli = launcher();
  for (const id of ids) {
    // Each child also stops when its stdin (a pipe from here) closes, so it cannot outlive a killed parent.
    const child = spawn(process.execPath, [cli, 'node', '--config', configPath, '--id', id, '--stop-on-stdin-close'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.set(id, child);
    if (child.pid !== undefined) writePid(dir, id, child.pid);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      children.delete(id);
      if (readPid(dir, id) !== child.pid) { // its pid file was removed: `atoll cluster stop` or `down` asked for it
        process.stderr.write(`cluster: node ${id} stopped\n`);
        if (children.size === 0 && recordedIds(dir).length === 0) void stopAll('every node stopped', 0);
        return;
      }
      removePid(dir, id);
      process.stderr.write(`cluster: node ${id} exited unexpectedly (${signal ?? `code ${code}`})\n`);
      void stopAll(`node ${id} exited`, 1);
    });
  }
  try {
    await Promise.race([
      Promise.all(ids.map((id) => waitListening(children.get(id)!, id, NODE_START_MS_MAX))),
      done.then(() => { throw new Error('stopped while starting'); }),
    ]);
  } catch (err) {
    await stopAll('start failed', 1);
    if ((err as Error).message === 'stopped while starting') return done;
    throw new InputError((err as Error).message);
  }
  report(args, plan, ids.map((id) => children.get(id)!.pid!), false);
  if (flagBool(args, 'stop-on-stdin-close')) {
    process.stdin.on('data', () => {});
    process.stdin.once('end', () => void stopAll('stdin closed', 0));
  }
  const code = await done;
  process.stdin.destroy();
  return code;
}

export async function run(argv: string[]): Promise<number> {
  // `cluster run` boots a simulated cluster of machines: its own flags, in cluster-run.ts.
  if (argv[0] === 'run') return (await import('./cluster-run.js')).run(argv.slice(1));
  const args = parseCommand(argv, COMMAND);
  const [verb, node, ...extra] = args.positionals;
  if (args.help || verb === undefined) {
    process.stdout.write(commandHelp(COMMAND));
    return args.help ? 0 : 2;
  }
  if (!VERBS.includes(verb)) throw new UsageError(unknownName('action', verb, VERBS));
  const takesNode = verb === 'stop' || verb === 'start';
  const unexpected = takesNode ? extra[0] : node;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument '${unexpected}'`);
  if (verb === 'stop') return stopOne(args, node);
  if (verb === 'start') return startOne(args, node);
  if (verb === 'down') return downCommand(args);
  const n = flagNumber(args, 'nodes') ?? 3;
  if (n < 1 || n > CLUSTER_UP_MAX_NODES) throw new UsageError(`--nodes must be between 1 and ${CLUSTER_UP_MAX_NODES}, got ${n}`);
  const services = (flagString(args, 'services') ?? DEFAULT_SERVICES).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of services) if (!ownEntry(SERVICES, s)) throw new UsageError(`unknown service '${s}' (${didYouMeanOrKnown(s)})`);
  if (verb === 'init') return init(args, n, services);
  const plan = await prepareUp(args, n, services);
  return flagBool(args, 'detach') ? upDetached(args, plan) : upForeground(args, plan);
}

function didYouMeanOrKnown(s: string): string {
  return unknownName('service', s, Object.keys(SERVICES)).replace(/^unknown service '[^']*' \((.*)\)$/, '$1');
}
