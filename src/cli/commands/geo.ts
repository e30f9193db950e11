// `atoll geo put|get|rm|ls ... --cluster <config.json> --centre <name>`: use the geo-replicated store of
// a real cluster whose nodes run the `geo` service. The request goes to a replica of the named centre
// (the first that answers; never another centre), which coordinates it with its local quorum. The session
// (what this client wrote and read) lives in the file given by --session, so read-your-writes and
// monotonic reads hold across invocations; without it every invocation is a session of its own. Prints the
// value for get ('(absent)' when missing), 'ok <version>' for put and rm, one key a line for ls; --json
// prints one JSON object. A request the centre cannot serve exits 1 with the store's error.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { flagBool, flagNumber, flagString, InputError, UsageError, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { ConfigError, isEnvelope, loadTlsMaterial, type ClusterConfig } from '../../cluster/index.js';
import { CLIENT_CERT_ID, freshClientId, TcpTransport, type PeerAddress } from '../../net/tcp/index.js';
import { Prng } from '../../sim/index.js';
import { formatVersion, GEO_CLIENT_SERVICE, GEO_SERVICE, isSessionState, newSession, parseGeoOptions, type GeoClientReply, type SessionState } from '../../geo/index.js';
import { loadClusterConfig } from '../../services/index.js';

export const COMMAND: CommandSpec = {
  name: 'geo',
  summary: 'Use the geo-replicated store of a real cluster: put, get, rm or ls through a replica of one centre.',
  operands: 'put <key> <value> | get <key> | rm <key> | ls [prefix]',
  flags: {
    cluster: { kind: 'string', value: '<cluster.json>', help: 'cluster config file (JSON) whose nodes run the geo service' },
    centre: { kind: 'string', value: '<name>', help: 'the centre to use (one of the geo service\'s centres)' },
    session: { kind: 'string', value: '<file>', help: 'keep the session here (created when missing), so later invocations read their writes' },
    'timeout-ms': { kind: 'integer', value: '<ms>', help: 'give up on a replica after this long (default 2000)' },
    json: { kind: 'boolean', help: 'print one JSON object' },
  },
};

const USAGE = `usage: atoll geo ${COMMAND.operands}  --cluster <config.json> --centre <name>`;

type GeoCliOp = { readonly op: 'put'; readonly key: string; readonly value: string | null } | { readonly op: 'get' | 'ls'; readonly key: string };

function parseOp(pos: readonly string[]): GeoCliOp {
  const [verb, key, value, ...extra] = pos;
  if (verb === undefined) throw new UsageError(`missing operation\n${USAGE}`);
  const none = (x: string | undefined): void => { if (x !== undefined) throw new UsageError(`unexpected argument '${x}'`); };
  if (verb === 'ls') { none(value); return { op: 'ls', key: key ?? '' }; }
  if (verb !== 'put' && verb !== 'get' && verb !== 'rm') throw new UsageError(`unknown operation '${verb}' (put, get, rm, ls)`);
  if (key === undefined || key === '') throw new UsageError(`${verb}: missing key`);
  if (verb === 'put') {
    if (value === undefined) throw new UsageError('put: missing value');
    none(extra[0]);
    return { op: 'put', key, value };
  }
  none(value);
  return verb === 'rm' ? { op: 'put', key, value: null } : { op: 'get', key };
}

/** The geo service's centres, as every node's config gives them (they must agree). */
function centresOf(config: ClusterConfig): ReadonlyMap<string, readonly string[]> {
  const withGeo = config.nodes.filter((n) => Object.keys(n.services ?? config.services).includes(GEO_SERVICE));
  if (withGeo.length === 0) throw new InputError(`no node in the config runs the ${GEO_SERVICE} service`);
  const opts = (withGeo[0]!.services ?? config.services)[GEO_SERVICE]!;
  return parseGeoOptions(opts).topology.replicas;
}

function loadSession(path: string | undefined): SessionState {
  if (path === undefined || !existsSync(path)) return newSession(freshClientId());
  let s: unknown;
  try { s = JSON.parse(readFileSync(path, 'utf8')); } catch (err) { throw new InputError(`${path}: not a session file (${(err as Error).message})`); }
  if (!isSessionState(s)) throw new InputError(`${path}: not a session file (remove it to start a new session)`);
  return s;
}

function saveSession(path: string | undefined, s: SessionState): void {
  if (path === undefined) return;
  writeFileSync(`${path}.tmp`, JSON.stringify(s), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** Ask the replicas of a centre in turn until one answers; null when none did within timeout_ms each. */
async function ask(config: ClusterConfig, replicas: readonly string[], op: GeoCliOp, session: SessionState, timeout_ms: number): Promise<GeoClientReply | null> {
  const peers = new Map<string, PeerAddress>(config.nodes.filter((n) => replicas.includes(n.id)).map((n) => [n.id, { host: n.host, port: n.port }]));
  const waiting = new Map<number, (r: GeoClientReply) => void>();
  const transport = new TcpTransport({
    id: freshClientId(), key: config.key, peers, rng: new Prng(process.pid), max_frame_bytes: config.max_frame_bytes,
    tls: loadTlsMaterial(config, CLIENT_CERT_ID), log: () => {}, backoff_base_ms: 20, backoff_max_ms: 200,
    onMessage: (_from, payload) => {
      if (!isEnvelope(payload) || payload.svc !== GEO_CLIENT_SERVICE) return;
      const b = payload.body as Partial<GeoClientReply> | null;
      if (b && b.t === 'geo.client.rep' && typeof b.id === 'number' && isSessionState(b.session) && b.result) waiting.get(b.id)?.(b as GeoClientReply);
    },
  });
  await transport.start();
  try {
    let id = 1;
    for (const node of replicas) {
      const req = id++;
      const r = await new Promise<GeoClientReply | null>((resolve) => {
        const timer = setTimeout(() => { waiting.delete(req); resolve(null); }, timeout_ms);
        waiting.set(req, (x) => { clearTimeout(timer); waiting.delete(req); resolve(x); });
        const body = { t: 'geo.client.req', id: req, op: op.op, key: op.key, ...(op.op === 'put' ? { value: op.value } : {}), session, reply_to: GEO_CLIENT_SERVICE };
        transport.send(node, { svc: GEO_SERVICE, lc: 0, body });
      });
      if (r !== null) return r;
    }
    return null;
  } finally {
    await transport.stop();
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const op = parseOp(args.positionals);
  const cfgPath = flagString(args, 'cluster');
  if (!cfgPath) throw new UsageError('--cluster <config.json> is required');
  const centre = flagString(args, 'centre');
  if (!centre) throw new UsageError('--centre <name> is required');
  const timeout = flagNumber(args, 'timeout-ms') ?? 2000;
  if (timeout < 1) throw new UsageError('--timeout-ms must be at least 1');
  let config: ClusterConfig;
  let centres: ReadonlyMap<string, readonly string[]>;
  try {
    config = loadClusterConfig(cfgPath);
    centres = centresOf(config);
  } catch (err) {
    if (err instanceof InputError) throw err;
    if (err instanceof ConfigError || err instanceof Error) throw new InputError(`${cfgPath}: ${err.message}`);
    throw err;
  }
  const replicas = centres.get(centre);
  if (!replicas) throw new UsageError(`no centre '${centre}' (centres: ${[...centres.keys()].join(', ')})`);
  const sessionPath = flagString(args, 'session');
  const session = loadSession(sessionPath);
  const r = await ask(config, replicas, op, session, timeout);
  if (r === null) throw new InputError(`no replica of ${centre} (${replicas.join(', ')}) answered within ${timeout} ms`);
  const res = r.result;
  if (res.ok) saveSession(sessionPath, r.session);
  if (flagBool(args, 'json')) {
    const out = res.ok
      ? { op: op.op, key: op.key, ok: true, node: r.node, centre: r.centre, ...(op.op === 'ls' ? { keys: r.keys ?? [] } : { value: res.value, version: formatVersion(res.version) }) }
      : { op: op.op, key: op.key, ok: false, node: r.node, centre: r.centre, error: res.error, message: res.message };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return res.ok ? 0 : 1;
  }
  if (!res.ok) {
    process.stderr.write(`atoll geo: ${res.error}: ${res.message}\n`);
    return 1;
  }
  if (op.op === 'ls') process.stdout.write((r.keys ?? []).map((k) => `${k}\n`).join(''));
  else if (op.op === 'get') process.stdout.write(`${res.value ?? '(absent)'}\n`);
  else process.stdout.write(`ok ${formatVersion(res.version)}\n`);
  return 0;
}
