// Clients on the TCP transport: a transport with a client id and no listener dials a node and reads the
// node's answers on that connection; the node never dials a client, and an answer for a client whose
// connection is gone is dropped and counted, never written to anyone else. Under TLS a client presents
// the CA's `client` certificate, and a node's certificate cannot be used to speak as a client.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../src/cluster/pki.js';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { CLIENT_CERT_ID, freshClientId, isClientId } from '../../src/net/tcp/index.js';
import { TcpTransport, type TlsMaterial } from '../../src/net/tcp/transport.js';
import { Prng } from '../../src/sim/index.js';
import { until } from '../helpers/until.js';

const key = randomBytes(32);
const started: TcpTransport[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

interface End {
  id: string;
  t: TcpTransport;
  got: { from: string; msg: unknown }[];
}

/** A node that answers every message from a client with `{re: msg}`. */
async function echoNode(port: number, tls?: TlsMaterial, peers = new Map<string, { host: string; port: number }>()): Promise<End> {
  const e: End = { id: 'n1', t: undefined as unknown as TcpTransport, got: [] };
  e.t = new TcpTransport({
    id: 'n1', key, listen: { host: '127.0.0.1', port }, peers, rng: new Prng(1), log: () => {}, tls,
    onMessage: (from, msg) => {
      e.got.push({ from, msg });
      e.t.send(from, { re: msg });
    },
  });
  await e.t.start();
  started.push(e.t);
  return e;
}

async function client(port: number, tls?: TlsMaterial, id = freshClientId()): Promise<End> {
  const e: End = { id, t: undefined as unknown as TcpTransport, got: [] };
  e.t = new TcpTransport({
    id, key, peers: new Map([['n1', { host: '127.0.0.1', port }]]), rng: new Prng(2), log: () => {}, tls,
    onMessage: (from, msg) => e.got.push({ from, msg }),
  });
  await e.t.start();
  started.push(e.t);
  return e;
}

describe('tcp transport clients', () => {
  it('client ids are their own namespace, and a client has no listener', () => {
    const id = freshClientId();
    expect(isClientId(id)).toBe(true);
    expect(isClientId('client')).toBe(false);
    expect(isClientId('n1')).toBe(false);
    expect(() => new TcpTransport({ id, key, listen: { host: '127.0.0.1', port: 0 }, peers: new Map(), rng: new Prng(1), log: () => {}, onMessage: () => {} }))
      .toThrow(/client id/);
    expect(() => new TcpTransport({ id: 'n2', key, peers: new Map(), rng: new Prng(1), log: () => {}, onMessage: () => {} })).toThrow(/client id/);
  });

  it('answers two clients on their own connections, and drops an answer for a client that is gone', async () => {
    const port = await freeLoopbackPort();
    const node = await echoNode(port);
    const a = await client(port);
    const b = await client(port);
    a.t.send('n1', 'from a');
    b.t.send('n1', 'from b');
    await until('both answers', () => a.got.length === 1 && b.got.length === 1);
    expect(a.got).toEqual([{ from: 'n1', msg: { re: 'from a' } }]);
    expect(b.got).toEqual([{ from: 'n1', msg: { re: 'from b' } }]);
    expect(node.t.stats.inbound_clients).toBe(2);

    // a goes away; the node's late answer to it is dropped, not queued and not handed to b or a newcomer
    await a.t.stop();
    await until('a to be gone', () => node.t.stats.inbound_clients === 1);
    expect(new Set(node.got.map((g) => g.from))).toEqual(new Set([a.id, b.id]));
    expect(node.t.send(a.id, { re: 'late' })).toBe(false);
    expect(node.t.stats.dropped['client-gone']).toBe(1);
    const c = await client(port);
    c.t.send('n1', 'from c');
    await until('the answer to c', () => c.got.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.got).toEqual([{ from: 'n1', msg: { re: 'from c' } }]);
    expect(b.got).toHaveLength(1);
  });

  it('under TLS takes the client certificate and refuses a node certificate claiming a client id', async () => {
    const ca = await createCertificateAuthority('clients');
    const n1 = await ca.issue('n1');
    const cl = await ca.issue(CLIENT_CERT_ID);
    const n2 = await ca.issue('n2');
    const [port, n2Port] = [await freeLoopbackPort(), await freeLoopbackPort()];
    // n2 is a node of the cluster (nobody listens for it here): its certificate passes TLS, not as a client
    const node = await echoNode(port, { ca: ca.cert, cert: n1.cert, key: n1.key }, new Map([['n2', { host: '127.0.0.1', port: n2Port }]]));
    const good = await client(port, { ca: ca.cert, cert: cl.cert, key: cl.key });
    good.t.send('n1', 'hello');
    await until('the answer over TLS', () => good.got.length === 1);
    expect(good.got).toEqual([{ from: 'n1', msg: { re: 'hello' } }]);

    const liar = await client(port, { ca: ca.cert, cert: n2.cert, key: n2.key });
    liar.t.send('n1', 'let me in');
    await until('the node to refuse it', () => node.t.stats.dropped['source-mismatch'] > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(liar.got).toEqual([]);
    expect(node.got.map((g) => g.msg)).toEqual(['hello']);
  });
});
