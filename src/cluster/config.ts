// The cluster config file of real nodes (JSON): the cluster key, every node's address, the services
// to run, and where nodes keep their data. Validation names the first thing wrong.
//   { "key": "<hex, at least 32 digits>" | "key_file": "<path>",
//     "nodes": [ { "id": "n1", "host": "127.0.0.1", "port": 7001, "services"?: [...] }, ... ],
//     "services": ["echo", "counter"] | { "mq": { "capacity": 1000 } },
//     "data_dir"?: "<path>", "max_frame_bytes"?: 1048576,
//     "delays"?: [ { "from": ["n1", ...], "to": ["n4", ...], "ms": 80 }, ... ],   (added to every message, one way)
//     "tls"?: { "ca": "<path>", "cert": "<path, {id} = node id>", "key": "<path, {id} = node id>" } }
// A node entry may carry its own "tls": { "cert", "key" }. Relative paths are resolved from the config
// file's directory. Bound: 1000 nodes. A field not listed here is an error (a misspelt 'data_dir' must not
// silently mean "no data directory"): ALLOWED_FIELDS is the schema, checked level by level.
import { didYouMean } from '../host/index.js';
import { readFileSync } from 'node:fs';
import type { TlsMaterial } from '../net/tcp/index.js';
import { dirname, resolve } from 'node:path';
import { NODE_ID_MAX_BYTES } from '../net/tcp/index.js';

export const CONFIG_MAX_NODES = 1000;

/** The fields each level of the config may have; anything else is refused with its path. */
export const ALLOWED_FIELDS = {
  config: ['key', 'key_file', 'nodes', 'services', 'data_dir', 'max_frame_bytes', 'tls', 'delays'],
  delay: ['from', 'to', 'ms'],
  node: ['id', 'host', 'port', 'services', 'tls'],
  tls: ['ca', 'cert', 'key'],
  node_tls: ['cert', 'key'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** Refuse the first field of `o` that `allowed` does not list, naming where it is. */
function onlyFields(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      const at = where ? `${where}.${k}` : k;
      const hint = didYouMean(k, allowed);
      throw new ConfigError(`unknown field '${at}' (${hint ? `did you mean '${hint}'? ` : ''}allowed${where ? ` in ${where.replace(/\[\d+\]/, '[]')}` : ' at the top level'}: ${allowed.join(', ')})`);
    }
  }
}

export interface NodeAddress {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly services?: ServiceList;
  /** This node's certificate and key files (absolute), when it overrides the cluster's pattern. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** TLS between nodes: the CA file and the patterns of each node's certificate and key files (absolute). */
export interface ClusterTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export type ServiceList = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface ClusterConfig {
  readonly key: Buffer;
  readonly nodes: readonly NodeAddress[];
  readonly services: ServiceList;
  readonly data_dir: string | undefined;
  readonly max_frame_bytes: number;
  readonly tls: ClusterTls | undefined;
  /** Delays added to the messages from some nodes to others (a WAN over loopback); empty: none. */
  readonly delays: readonly LinkDelay[];
}

/** Messages from any node of `from` to any of `to` wait `ms` before they are sent (one way). */
export interface LinkDelay {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly ms: number;
}

/** The delay of messages from one node to another (the largest that applies; 0: none). */
export function linkDelayMs(config: Pick<ClusterConfig, 'delays'>, from: string, to: string): number {
  let ms = 0;
  for (const d of config.delays) if (d.ms > ms && d.from.includes(from) && d.to.includes(to)) ms = d.ms;
  return ms;
}

/** The config's delays, checked: node ids it names, milliseconds in 0..60000. */
function delays(v: unknown, ids: ReadonlySet<string>): LinkDelay[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError("'delays' must be a list of { from, to, ms }");
  return v.map((d, i) => {
    const where = `delays[${i}]`;
    if (!d || typeof d !== 'object' || Array.isArray(d)) throw new ConfigError(`${where}: must be an object { from, to, ms }`);
    const o = d as Record<string, unknown>;
    onlyFields(o, ALLOWED_FIELDS.delay, where);
    const list = (k: 'from' | 'to'): string[] => {
      const l = o[k];
      if (!Array.isArray(l) || l.length === 0 || !l.every((x) => typeof x === 'string' && ids.has(x))) throw new ConfigError(`${where}.${k}: must be a non-empty list of the config's node ids`);
      return l as string[];
    };
    const ms = o['ms'];
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new ConfigError(`${where}.ms: must be a number of milliseconds in 0..60000`);
    return { from: list('from'), to: list('to'), ms };
  });
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function services(v: unknown, where: string, known: readonly string[] | undefined): ServiceList {
  const out: Record<string, Readonly<Record<string, unknown>>> = {};
  if (Array.isArray(v)) {
    for (const s of v) {
      if (typeof s !== 'string') throw new ConfigError(`${where}: service names must be strings`);
      out[s] = {};
    }
  } else if (v && typeof v === 'object') {
    for (const [k, o] of Object.entries(v)) out[k] = o && typeof o === 'object' ? (o as Record<string, unknown>) : {};
  } else {
    throw new ConfigError(`${where}: must be a list of service names or an object of service options`);
  }
  for (const name of Object.keys(out)) {
    if (known && !known.includes(name)) throw new ConfigError(`${where}: unknown service '${name}' (known: ${known.join(', ')})`);
  }
  return out;
}

/**
 * Parse and check a cluster config. `known` lists the service names a config may use (the registry's; the
 * composition layer in src/services passes its own); without it, names are not checked here.
 */
export function parseClusterConfig(raw: unknown, baseDir: string, known?: readonly string[]): ClusterConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('the config must be a JSON object');
  const c = raw as Record<string, unknown>;
  onlyFields(c, ALLOWED_FIELDS.config, '');
  let keyHex: string;
  if (typeof c['key'] === 'string') keyHex = c['key'];
  else if (typeof c['key_file'] === 'string') {
    try {
      keyHex = readFileSync(resolve(baseDir, c['key_file']), 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`cannot read key_file: ${(err as Error).message}`);
    }
  } else throw new ConfigError("missing 'key' (hex) or 'key_file'");
  if (!/^[0-9a-fA-F]{32,}$/.test(keyHex) || keyHex.length % 2 !== 0) {
    throw new ConfigError('the key must be an even number of hex digits, at least 32 (128 bits)');
  }
  const nodesRaw = c['nodes'];
  if (!Array.isArray(nodesRaw) || nodesRaw.length === 0) throw new ConfigError("'nodes' must be a non-empty list");
  if (nodesRaw.length > CONFIG_MAX_NODES) throw new ConfigError(`at most ${CONFIG_MAX_NODES} nodes`);
  const seen = new Set<string>();
  const nodes = nodesRaw.map((n, i): NodeAddress => {
    const where = `nodes[${i}]`;
    if (!n || typeof n !== 'object' || Array.isArray(n)) throw new ConfigError(`${where}: must be an object`);
    const o = n as Record<string, unknown>;
    onlyFields(o, ALLOWED_FIELDS.node, where);
    const id = o['id'];
    if (typeof id !== 'string' || !/^[A-Za-z0-9._-]+$/.test(id) || Buffer.byteLength(id) > NODE_ID_MAX_BYTES) {
      throw new ConfigError(`${where}: 'id' must be 1..${NODE_ID_MAX_BYTES} characters of A-Z a-z 0-9 . _ -`);
    }
    if (seen.has(id)) throw new ConfigError(`${where}: duplicate node id '${id}'`);
    seen.add(id);
    const host = o['host'] ?? '127.0.0.1';
    if (typeof host !== 'string' || host.length === 0) throw new ConfigError(`${where}: 'host' must be a string`);
    const port = o['port'];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${where}: 'port' must be 0..65535`);
    const base: NodeAddress = o['services'] === undefined ? { id, host, port } : { id, host, port, services: services(o['services'], `${where}.services`, known) };
    if (o['tls'] === undefined) return base;
    const t = tlsPaths(o['tls'], `${where}.tls`, baseDir, ALLOWED_FIELDS.node_tls);
    return { ...base, tls: { cert: t['cert']!, key: t['key']! } };
  });
  const frame = c['max_frame_bytes'] ?? 1024 * 1024;
  if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 256 || frame > 64 * 1024 * 1024) {
    throw new ConfigError("'max_frame_bytes' must be an integer in 256..67108864");
  }
  const dataDir = c['data_dir'];
  if (dataDir !== undefined && typeof dataDir !== 'string') throw new ConfigError("'data_dir' must be a path");
  return {
    key: Buffer.from(keyHex, 'hex'),
    nodes,
    services: services(c['services'] ?? [], 'services', known),
    data_dir: dataDir === undefined ? undefined : resolve(baseDir, dataDir),
    max_frame_bytes: frame,
    delays: delays(c['delays'], new Set(nodes.map((n) => n.id))),
    tls: c['tls'] === undefined ? undefined : (() => {
      const t = tlsPaths(c['tls'], 'tls', baseDir, ALLOWED_FIELDS.tls);
      return { ca: t['ca']!, cert: t['cert']!, key: t['key']! };
    })(),
  };
}

function tlsPaths(v: unknown, where: string, baseDir: string, names: readonly string[]): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where}: must be an object of file paths (${names.join(', ')})`);
  const o = v as Record<string, unknown>;
  onlyFields(o, names, where);
  const out: Record<string, string> = {};
  for (const n of names) {
    const p = o[n];
    if (typeof p !== 'string' || p.length === 0) throw new ConfigError(`${where}.${n}: must be a file path`);
    out[n] = resolve(baseDir, p);
  }
  return out;
}

/** The PEM files node `id` uses under the config's `tls` section, read now; undefined without TLS. */
export function loadTlsMaterial(config: ClusterConfig, id: string): TlsMaterial | undefined {
  const t = config.tls;
  if (!t) return undefined;
  const node = config.nodes.find((n) => n.id === id);
  const files = { ca: t.ca, cert: node?.tls?.cert ?? t.cert.replaceAll('{id}', id), key: node?.tls?.key ?? t.key.replaceAll('{id}', id) };
  const read = (what: keyof typeof files): string => {
    try {
      return readFileSync(files[what], 'utf8');
    } catch (err) {
      throw new ConfigError(`tls.${what} for node '${id}': cannot read ${files[what]}: ${(err as Error).message}`);
    }
  };
  return { ca: read('ca'), cert: read('cert'), key: read('key') };
}

export function loadClusterConfig(path: string, known?: readonly string[]): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseClusterConfig(raw, dirname(resolve(path)), known);
}
