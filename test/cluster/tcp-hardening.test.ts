// What outside testing found in the TCP transport, each as a test: replayed frames, idle connections
// filling the inbound limit, memory held by partial frames, and replies dropped after failed connects.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { ReplayWindow, REPLAY_WINDOW } from '../../src/net/tcp/session.js';
import { TcpTransport, type TcpTransportOptions } from '../../src/net/tcp/transport.js';
import { Prng } from '../../src/sim/index.js';
import { until } from '../helpers/until.js';

const key = randomBytes(32);
const started: TcpTransport[] = [];
const sockets: Socket[] = [];
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of closers.splice(0)) c();
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

interface Node {
  t: TcpTransport;
  got: { from: string; msg: unknown }[];
  logs: string[];
}

async function node(id: string, ports: Record<string, number>, extra: Partial<TcpTransportOptions> = {}, onMsg?: (n: Node, from: string, msg: unknown) => void): Promise<Node> {
  const peers = new Map(Object.entries(ports).map(([p, port]) => [p, { host: '127.0.0.1', port }]));
  const n: Node = { t: undefined as unknown as TcpTransport, got: [], logs: [] };
  n.t = new TcpTransport({
    id, key, listen: { host: '127.0.0.1', port: ports[id]! }, peers, rng: new Prng(id.length), log: (l) => n.logs.push(l),
    onMessage: (from, msg) => { n.got.push({ from, msg }); onMsg?.(n, from, msg); }, ...extra,
  });
  await n.t.start();
  started.push(n.t);
  return n;
}

/** A TCP relay to `port` that records what the client sends. */
async function recordingRelay(port: number): Promise<{ port: number; sent: Buffer[] }> {
  const sent: Buffer[] = [];
  const server = createServer((c) => {
    const up = connect({ host: '127.0.0.1', port });
    c.on('data', (d: Buffer) => { sent.push(Buffer.from(d)); up.write(d); });
    up.on('data', (d: Buffer) => c.write(d));
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
    c.on('error', () => {});
    up.on('error', () => {});
  });
  const relayPort = await freeLoopbackPort();
  await new Promise<void>((r) => server.listen(relayPort, '127.0.0.1', () => r()));
  closers.push(() => server.close());
  return { port: relayPort, sent };
}

function openRaw(port: number, bytes?: Buffer): Promise<Socket> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      if (bytes) s.write(bytes);
      res(s);
    });
    s.on('error', () => {});
    s.on('data', () => {});
    sockets.push(s);
  });
}

describe('replay protection', () => {
  it('accepts each sequence number once, within a 64-frame window', () => {
    const w = new ReplayWindow();
    expect([1, 2, 3].map((s) => w.accept(s))).toEqual([true, true, true]);
    expect(w.accept(2)).toBe(false); // duplicate
    expect(w.accept(10)).toBe(true);
    expect(w.accept(5)).toBe(true); // reordered inside the window: accepted once
    expect(w.accept(5)).toBe(false);
    expect(w.accept(10 + REPLAY_WINDOW)).toBe(true);
    expect(w.accept(10)).toBe(false); // now beyond the window
    expect(w.accept(0)).toBe(false);
  });

  it('refuses a recorded put replayed on a new connection after the sender is gone, and counts it', async () => {
    const ports = { n1: await freeLoopbackPort(), c: await freeLoopbackPort() };
    const n1 = await node('n1', ports);
    const relay = await recordingRelay(ports.n1);
    const c = await node('c', { ...ports, n1: relay.port });
    expect(c.t.send('n1', { op: 'put', key: 'k', value: 'v' })).toBe(true);
    await until('the put to arrive', () => n1.got.length === 1);
    await c.t.stop(); // the client's session is over
    const replay = await openRaw(ports.n1);
    // the recording starts with the old knock: the node answers it with a fresh challenge, which the
    // recorded hello cannot answer
    replay.write(Buffer.concat(relay.sent));
    await until('the replay to be refused', () => n1.t.stats.dropped.replayed >= 2); // its hello and its put
    await new Promise((r) => setTimeout(r, 50));
    expect(n1.got).toHaveLength(1);
  });

  it('refuses a frame repeated on its own connection', async () => {
    const ports = { n1: await freeLoopbackPort(), c: await freeLoopbackPort() };
    const n1 = await node('n1', ports);
    // a relay that sends every chunk from the client twice
    const server = createServer((cl) => {
      const up = connect({ host: '127.0.0.1', port: ports.n1 });
      let chunks = 0;
      cl.on('data', (d: Buffer) => { up.write(d); if (++chunks > 1) up.write(d); });
      up.on('data', (d: Buffer) => cl.write(d));
      cl.on('error', () => {});
      up.on('error', () => {});
      cl.on('close', () => up.destroy());
    });
    const relayPort = await freeLoopbackPort();
    await new Promise<void>((r) => server.listen(relayPort, '127.0.0.1', () => r()));
    closers.push(() => server.close());
    const c = await node('c', { ...ports, n1: relayPort });
    await until('link up', () => c.t.isConnected('n1'));
    await new Promise((r) => setTimeout(r, 20));
    c.t.send('n1', { op: 'del', key: 'k' });
    await until('the duplicate to be refused', () => n1.t.stats.dropped.replayed >= 1);
    expect(n1.got).toEqual([{ from: 'c', msg: { op: 'del', key: 'k' } }]);
  });
});

describe('connection limits', () => {
  it('closes silent connections after the handshake deadline and always lets a real peer in', async () => {
    const ports = { n1: await freeLoopbackPort(), c: await freeLoopbackPort() };
    const n1 = await node('n1', ports, { handshake_timeout_ms: 400 });
    const idle = await Promise.all(Array.from({ length: 128 }, () => openRaw(ports.n1)));
    await until('the idle sockets to be accepted', () => n1.t.stats.dropped['inbound-limit'] + n1.t.stats.inbound_unauthenticated >= 128);
    expect(n1.t.stats.inbound_unauthenticated).toBeLessThanOrEqual(16); // all from one address
    const c = await node('c', ports);
    expect(c.t.send('n1', { hello: 1 })).toBe(true);
    await until('the real peer to be heard', () => n1.got.length === 1, 3000);
    expect(n1.t.stats.inbound_authenticated).toBe(1);
    await until('the idle sockets to be closed', () => idle.every((s) => s.destroyed), 3000);
    expect(n1.t.stats.dropped['handshake-timeout']).toBeGreaterThan(0);
    expect(n1.t.stats.inbound_unauthenticated).toBe(0);
    expect(c.t.send('n1', { hello: 2 })).toBe(true);
    await until('the peer to stay connected', () => n1.got.length === 2);
  });

  it('bounds the bytes held for unauthenticated partial frames and closes the offenders', async () => {
    const ports = { n1: await freeLoopbackPort(), c: await freeLoopbackPort() };
    const n1 = await node('n1', ports, { unauthenticated_buffer_bytes: 64 * 1024, unauthenticated_budget_bytes: 512 * 1024, max_unauthenticated_per_ip: 64 });
    const big = Buffer.alloc(4 + 50_000);
    big.writeUInt32BE(1024 * 1024 - 1, 0); // announces a frame of 1 MiB - 1 byte
    const bigs = await Promise.all(Array.from({ length: 20 }, () => openRaw(ports.n1, big)));
    await until('the 1 MiB announcements to be refused', () => bigs.every((s) => s.destroyed), 3000);
    const part = Buffer.alloc(4 + 40_000);
    part.writeUInt32BE(60_000, 0); // fits the per-connection bound, not the shared budget 20 times over
    const parts = await Promise.all(Array.from({ length: 20 }, () => openRaw(ports.n1, part)));
    await until('the budget to be enforced', () => n1.t.stats.dropped['buffer-limit'] > 0, 3000);
    expect(n1.t.stats.unauthenticated_buffered_bytes_max).toBeLessThanOrEqual(512 * 1024);
    await until('the offenders to be closed', () => parts.filter((s) => s.destroyed).length >= 8, 3000);
    for (const s of parts) s.destroy();
    await until('their buffers to be freed', () => n1.t.stats.unauthenticated_buffered_bytes === 0);
    const c = await node('c', ports);
    c.t.send('n1', { still: 'serving' });
    await until('a real peer to be heard', () => n1.got.length === 1);
  });
});

describe('reachability', () => {
  it('answers a peer it has failed to reach three times as soon as that peer dials in', async () => {
    const ports = { n1: await freeLoopbackPort(), c: await freeLoopbackPort() };
    const n1 = await node('n1', ports, { backoff_base_ms: 20, backoff_max_ms: 2000 }, (n, from, msg) => {
      n.logs.push(`reply sent: ${n.t.send(from, { re: msg })}`);
    });
    await until('three failed connects to c', () => n1.t.stats.connect_failures >= 4);
    const c = await node('c', ports);
    const t0 = Date.now();
    c.t.send('n1', { status: '?' });
    await until('the reply', () => c.got.length === 1, 3000);
    expect(n1.logs).toContain('reply sent: true');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(c.got[0]!.msg).toEqual({ re: { status: '?' } });
  });
});
