// TLS 1.3 with mutual authentication between real nodes: `cluster init` writes a config, a CA and node
// certificates; nodes verify the CA and the node id each certificate names.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as cluster } from '../../src/cli/commands/cluster.js';
import { ConfigError, loadClusterConfig, loadTlsMaterial, parseClusterConfig, type ClusterConfig } from '../../src/cluster/config.js';
import { createCertificateAuthority } from '../../src/cluster/pki.js';
import { RealNode } from '../../src/cluster/real-node.js';
import { TcpTransport, type TlsMaterial } from '../../src/net/tcp/transport.js';
import { Prng } from '../../src/sim/index.js';
import { Probe } from './probe.js';
import { until as waitUntil } from '../helpers/until.js';

let dir = '';
let config: ClusterConfig;
const nodes: RealNode[] = [];
let ports: number[] = [];
const clock = { physical_ns: () => Date.now() * 1e6, monotonic_ns: () => Number(process.hrtime.bigint()) };

const until = (what: string, cond: () => boolean, timeout_ms = 10_000): Promise<void> => waitUntil(what, cond, timeout_ms, 20);

const probe = (n: RealNode): Probe => n.services.get('probe') as Probe;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atoll-tls-'));
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { out.push(s); return true; }) as typeof process.stdout.write;
  try {
    expect(await cluster(['init', '--nodes', '4', '--dir', dir, '--base-port', '40001', '--services', 'echo'])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  expect(out.join('')).toMatch(/config: .*cluster\.json/);
  const raw = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { nodes: { port: number }[] };
  expect(raw.nodes).toHaveLength(4);
  config = loadClusterConfig(join(dir, 'cluster.json'));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The config with real free ports (init numbered them from --base-port). */
function withPorts(ports: number[]): ClusterConfig {
  return { ...config, nodes: config.nodes.map((n, i) => ({ ...n, port: ports[i]! })) };
}

describe('TLS between nodes', () => {
  it('writes the CA, node certificates and keys (keys private) and names TLS in the config', () => {
    for (const f of ['ca.crt', 'ca.key', 'n1.crt', 'n1.key', 'n4.key']) expect(statSync(join(dir, 'tls', f)).isFile()).toBe(true);
    expect(statSync(join(dir, 'tls', 'n1.key')).mode & 0o077).toBe(0);
    expect(config.tls?.cert).toMatch(/tls\/\{id\}\.crt$/);
    expect(loadTlsMaterial(config, 'n2')?.cert).toMatch(/BEGIN CERTIFICATE/);
  });

  it('names a bad tls section or a missing file clearly', () => {
    const base = { key: 'ab'.repeat(16), nodes: [{ id: 'n1', port: 1 }] };
    expect(() => parseClusterConfig({ ...base, tls: 'yes' }, dir)).toThrow(ConfigError);
    expect(() => parseClusterConfig({ ...base, tls: { ca: 'ca.crt', cert: 'x' } }, dir)).toThrow(/tls\.key: must be a file path/);
    const c = parseClusterConfig({ ...base, tls: { ca: 'nope.crt', cert: '{id}.crt', key: '{id}.key' } }, dir);
    expect(() => loadTlsMaterial(c, 'n1')).toThrow(/tls\.ca for node 'n1': cannot read/);
  });

  it('runs a 3-node cluster over TLS and refuses a node whose certificate is from another CA', async () => {
    const { freeLoopbackPort } = await import('../../src/net/tcp/index.js');
    ports = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const cfg = withPorts(ports);
    for (const id of ['n1', 'n2', 'n3']) {
      const n = new RealNode({ config: cfg, id, clock, seed: 1, log: () => {}, services: { probe: () => new Probe() } });
      await n.start();
      nodes.push(n);
    }
    for (const [i, n] of nodes.entries()) {
      for (const to of ['n1', 'n2', 'n3']) if (to !== `n${i + 1}`) probe(n).ctx!.send(to, { from: i + 1 });
    }
    await until('every node to hear both others', () => nodes.every((n) => probe(n).received.length === 2));

    // n4 is in the config, but its certificate comes from a CA of its own
    const other = await createCertificateAuthority('another');
    const pem = await other.issue('n4');
    const outsider: TlsMaterial = { ca: other.cert, cert: pem.cert, key: pem.key };
    const got: unknown[] = [];
    const n4 = new TcpTransport({
      id: 'n4', key: cfg.key, listen: { host: '127.0.0.1', port: ports[3]! }, rng: new Prng(4), tls: outsider, log: () => {},
      peers: new Map(cfg.nodes.map((n) => [n.id, { host: n.host, port: n.port }])), onMessage: (_f, m) => got.push(m),
    });
    await n4.start();
    try {
      n4.send('n1', { svc: 'probe', lc: 1, body: 'let me in' });
      await until('n1 to refuse the outsider', () => nodes[0]!.stats.dropped['tls-refused'] > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(probe(nodes[0]!).received).toHaveLength(2);
      expect(n4.isConnected('n1')).toBe(false);
      expect(got).toEqual([]);
    } finally {
      await n4.stop();
    }
  });

  it('refuses a cluster certificate used under another node id', async () => {
    // a genuine certificate for n2, presented by a process that calls itself n4
    const mat = loadTlsMaterial(config, 'n2')!;
    const addr = nodes[0]!;
    const before = addr.stats.dropped['source-mismatch'];
    const n1Port = ports[0]!;
    const liar = new TcpTransport({
      id: 'n4', key: config.key, listen: { host: '127.0.0.1', port: 0 }, rng: new Prng(5), tls: mat, log: () => {},
      peers: new Map([['n1', { host: '127.0.0.1', port: n1Port }]]), onMessage: () => {},
    });
    await liar.start();
    try {
      liar.send('n1', { svc: 'probe', lc: 1, body: 'I am n4' });
      await until('n1 to see the mismatch', () => addr.stats.dropped['source-mismatch'] > before);
      expect(probe(nodes[0]!).received).toHaveLength(2);
    } finally {
      await liar.stop();
    }
  });
});
