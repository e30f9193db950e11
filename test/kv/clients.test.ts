// What outside testing found in the kv client, as tests against three real `atoll node` processes: a
// `kv` call that gave up early left its answer queued for the next client process, which printed it as
// its own (another key's value, or "(absent)"), and a second client at the same time could not start.
// The config keeps the old fixed `client` entry, so it also shows that such configs still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { loadClusterConfig } from '../../src/cluster/index.js';
import { KvTcpClient } from '../../src/kv/index.js';
import { ROOT, RealKvCluster } from './real-cluster.js';

let cluster: RealKvCluster;
let cfgPath = '';

/** One `atoll kv` process; resolves with its exit code and output. */
function kv(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'kv', ...args, '--cluster', cfgPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.once('exit', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

function client(session: string): KvTcpClient {
  return new KvTcpClient({ config: loadClusterConfig(cfgPath), session, seed: session.length, attempt_timeout_ms: 500, clock_ms: () => Date.now() });
}

beforeAll(async () => {
  cluster = await RealKvCluster.start('atoll-kv-clients-');
  cfgPath = cluster.cfgPath;
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('kv clients of a real cluster', () => {
  it('two clients at once each get their own answers', async () => {
    const a = client('conc-a');
    const b = client('conc-b');
    await a.start();
    await b.start();
    try {
      const run = async (c: KvTcpClient, who: string): Promise<void> => {
        for (let i = 0; i < 15; i++) {
          await c.run({ op: 'put', key: `${who}${i}`, value: `${who}-${i}` }, 20_000);
          expect(await c.run({ op: 'get', key: `${who}${i}` }, 20_000)).toBe(`${who}-${i}`);
        }
      };
      await Promise.all([run(a, 'a'), run(b, 'b')]);
    } finally {
      await a.close();
      await b.close();
    }
    // and two CLI processes at the same moment
    const [p, q] = await Promise.all([kv(['put', 'cli-p', 'P']), kv(['put', 'cli-q', 'Q'])]);
    expect(p).toMatchObject({ code: 0, out: 'ok', err: '' });
    expect(q).toMatchObject({ code: 0, out: 'ok', err: '' });
    const [gp, gq] = await Promise.all([kv(['get', 'cli-p']), kv(['get', 'cli-q'])]);
    expect([gp.out, gq.out]).toEqual(['P', 'Q']);
  }, 120_000);

  it('a call that timed out never hands its answer to the next process', async () => {
    expect((await kv(['put', 'y', 'Y'])).code).toBe(0);
    expect((await kv(['put', 'z', 'Z'])).code).toBe(0);
    const wrong: string[] = [];
    for (let i = 0; i < 20; i++) {
      // a put or a get of z that gives up before its answer can arrive, then a get of y by another process
      const first = i % 2 === 0 ? ['put', `z${i}`, `Z${i}`] : ['get', 'z'];
      const early = await kv([...first, '--timeout-ms', String([2, 5, 10, 20, 40][i % 5])]);
      const got = await kv(['get', 'y']);
      if (got.code !== 0 || got.out !== 'Y') wrong.push(`after '${first.join(' ')}' (exit ${early.code}): get y printed '${got.out}' ${got.err}`);
    }
    expect(wrong).toEqual([]);
  }, 180_000);
});
