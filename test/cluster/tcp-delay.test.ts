// A WAN over loopback: the cluster config's `delays` (checked as the rest of the config) make the TCP transport
// hold every message to the named peers for that long before it leaves, keeping their order.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, linkDelayMs, parseClusterConfig } from '../../src/cluster/index.js';
import { TcpTransport, freeLoopbackPort } from '../../src/net/tcp/index.js';
import { Prng } from '../../src/sim/index.js';

const started: TcpTransport[] = [];
afterAll(async () => { for (const t of started) await t.stop(); });

describe('link delays', () => {
  const base = { key: 'ab'.repeat(16), nodes: [{ id: 'a1', port: 7001 }, { id: 'b1', port: 7002 }], services: [] };

  it('are read from the config and refused with one clear error when wrong', () => {
    const c = parseClusterConfig({ ...base, delays: [{ from: ['a1'], to: ['b1'], ms: 80 }] }, '/tmp');
    expect(linkDelayMs(c, 'a1', 'b1')).toBe(80);
    expect(linkDelayMs(c, 'b1', 'a1')).toBe(0);
    expect(parseClusterConfig(base, '/tmp').delays).toEqual([]);
    for (const [delays, message] of [
      [{ from: ['a1'], to: ['zz'], ms: 1 }, /delays\[0\]\.to: must be a non-empty list of the config's node ids/],
      [{ from: ['a1'], to: ['b1'], ms: -1 }, /delays\[0\]\.ms: must be a number of milliseconds/],
      [{ from: ['a1'], to: ['b1'], ms: 1, jitter: 2 }, /jitter/],
    ] as const) {
      expect(() => parseClusterConfig({ ...base, delays: [delays] }, '/tmp')).toThrow(ConfigError);
      expect(() => parseClusterConfig({ ...base, delays: [delays] }, '/tmp')).toThrow(message);
    }
  });

  it('hold each message that long on the sending side, in order', async () => {
    const key = randomBytes(32);
    const [pa, pb] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const got: { n: number; at: number }[] = [];
    const b = new TcpTransport({
      id: 'b1', key, listen: { host: '127.0.0.1', port: pb }, peers: new Map([['a1', { host: '127.0.0.1', port: pa }]]), rng: new Prng(2), log: () => {},
      onMessage: (_from, msg) => got.push({ n: (msg as { n: number }).n, at: Date.now() }),
    });
    const a = new TcpTransport({
      id: 'a1', key, listen: { host: '127.0.0.1', port: pa }, peers: new Map([['b1', { host: '127.0.0.1', port: pb }]]), rng: new Prng(1), log: () => {},
      onMessage: () => {}, delay_ms: (to) => (to === 'b1' ? 150 : 0),
    });
    started.push(a, b);
    await b.start();
    await a.start();
    // Connected first, so that the delay is all that is measured.
    a.send('b1', { n: 0 });
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    for (let n = 1; n <= 5; n++) a.send('b1', { n });
    for (let i = 0; i < 100 && got.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    const later = got.slice(1);
    expect(later.map((g) => g.n)).toEqual([1, 2, 3, 4, 5]);
    expect(later[0]!.at - t0).toBeGreaterThanOrEqual(140);
  });
});
