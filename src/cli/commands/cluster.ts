// `atoll cluster up --nodes N`: starts N real nodes on loopback as child processes on free ports, prints
// where each listens, and stops them all cleanly on SIGINT/SIGTERM or when its own stdin closes. The
// cluster key is fresh random bytes; the config (mode 0600) is written to --dir or a temporary directory.
// `atoll cluster init --dir D`: writes a config for N nodes at --host from --base-port, with a new CA and
// a key and certificate per node under D/tls/ (keys mode 0600), so the nodes talk TLS 1.3 with mutual
// authentication, and one more certificate, `client`, that clients (`atoll kv`) present; `cluster up
// --tls` does the same for the cluster it starts. Clients are not config entries.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { makeDirectories } from '../../host/index.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFlagHelp, flagBool, flagNumber, flagString, parseArgs, type FlagSpecs } from '../../base/index.js';
import { InputError, UsageError, ownEntry } from '../../base/index.js';
import { SERVICES } from '../../services/index.js';
import { freeLoopbackPort } from '../../net/tcp/index.js';
import { CLIENT_CERT_ID } from '../../net/tcp/index.js';

export const CLUSTER_UP_MAX_NODES = 64;

const FLAGS: FlagSpecs = {
  nodes: { kind: 'integer', help: `number of nodes (1..${CLUSTER_UP_MAX_NODES}, default 3)` },
  services: { kind: 'string', help: 'comma-separated services for every node (default echo,counter,mq)' },
  dir: { kind: 'string', help: 'directory for the config and node data (default: a new temporary directory)' },
  json: { kind: 'boolean', help: 'print the node list as one JSON line' },
  tls: { kind: 'boolean', help: 'up: TLS 1.3 between nodes with a new CA and per-node certificates (init always does)' },
  host: { kind: 'string', help: 'init: the nodes\' address (default 127.0.0.1)' },
  'base-port': { kind: 'integer', help: 'init: the first node\'s port; the others follow (default 7001)' },
  force: { kind: 'boolean', help: 'init: overwrite an existing cluster.json' },
  help: { kind: 'boolean', help: 'show this help' },
};

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

async function init(args: ReturnType<typeof parseArgs>, n: number, services: readonly string[]): Promise<number> {
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

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  const [verb, ...extra] = args.positionals;
  if (flagBool(args, 'help') || verb === undefined) {
    process.stdout.write(`usage: atoll cluster up|init [options]\n\n${formatFlagHelp(FLAGS)}\n`);
    return verb === undefined && !flagBool(args, 'help') ? 2 : 0;
  }
  if (verb !== 'up' && verb !== 'init') throw new UsageError(`unknown action '${verb}' (known: up, init)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const n = flagNumber(args, 'nodes') ?? 3;
  if (n < 1 || n > CLUSTER_UP_MAX_NODES) throw new UsageError(`--nodes must be between 1 and ${CLUSTER_UP_MAX_NODES}, got ${n}`);
  const services = (flagString(args, 'services') ?? 'echo,counter,mq').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of services) if (!ownEntry(SERVICES, s)) throw new UsageError(`unknown service '${s}' (known: ${Object.keys(SERVICES).join(', ')})`);

  if (verb === 'init') return init(args, n, services);
  const dirFlag = flagString(args, 'dir');
  let dir: string;
  if (dirFlag) {
    dir = resolve(dirFlag);
    makeDirectories(dir, 'the cluster directory');
  } else {
    try {
      dir = mkdtempSync(join(tmpdir(), 'atoll-cluster-'));
    } catch (err) {
      throw new InputError(`cannot create a temporary cluster directory: ${(err as Error).message}`);
    }
  }
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freeLoopbackPort());
  const configPath = await writeCluster(dir, { ids, host: '127.0.0.1', ports, services, tls: flagBool(args, 'tls') });
  const raft = services.includes('raft-kv');

  const launcher = fileURLToPath(new URL('../../../../bin/atoll.js', import.meta.url));
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => { resolveDone = r; });

  const stopAll = async (why: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`cluster: stopping ${children.size} nodes (${why})\n`);
    await Promise.all([...children.values()].map((c) => new Promise<void>((res) => {
      if (c.exitCode !== null || c.signalCode !== null) return res();
      const kill = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => { clearTimeout(kill); res(); });
      c.stdin?.end();
      c.kill('SIGTERM');
    })));
    resolveDone(code);
  };

  // Signals first: a SIGINT during start-up, or right after the node list is printed, must stop the children.
  process.once('SIGINT', () => void stopAll('SIGINT', 0));
  process.once('SIGTERM', () => void stopAll('SIGTERM', 0));
  for (const id of ids) {
    const child = spawn(process.execPath, [launcher, 'node', '--config', configPath, '--id', id, '--stop-on-stdin-close'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.set(id, child);
    child.once('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`cluster: node ${id} exited unexpectedly (${signal ?? `code ${code}`})\n`);
        void stopAll(`node ${id} exited`, 1);
      }
    });
  }
  try {
    await Promise.race([
      Promise.all(ids.map((id) => waitListening(children.get(id)!, id, 15_000))),
      done.then(() => { throw new Error('stopped while starting'); }),
    ]);
  } catch (err) {
    await stopAll('start failed', 1);
    process.stdin.destroy();
    if (stopping && (err as Error).message === 'stopped while starting') return done;
    throw new InputError((err as Error).message);
  }
  if (flagBool(args, 'json')) {
    process.stdout.write(JSON.stringify({ config: configPath, nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], pid: children.get(id)!.pid })) }) + '\n');
  } else {
    for (const [i, id] of ids.entries()) process.stdout.write(`${id}  127.0.0.1:${ports[i]}  pid ${children.get(id)!.pid}\n`);
    process.stdout.write(`config: ${configPath}\ncluster up: ${n} nodes; Ctrl-C (or closing stdin) stops them\n`);
    if (raft) process.stdout.write(`key-value store: atoll kv put|get|del|status --cluster ${configPath}\n`);
  }
  process.stdin.on('data', () => {});
  process.stdin.once('end', () => void stopAll('stdin closed', 0));
  const code = await done;
  process.stdin.destroy();
  return code;
}
