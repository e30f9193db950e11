// What outside testing found in the kv client, as tests against three real `atoll node` processes: a
// `kv` call that gave up early left its answer queued for the next client process, which printed it as
// its own (another key's value, or "(absent)"), and a second client at the same time could not start.
// The config keeps the old fixed `client` entry, so it also shows that such configs still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClusterConfig } from '../../src/cluster/index.js';
import { KvTcpClient } from '../../src/kv/index.js';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const IDS = ['n1', 'n2', 'n3'];
let dir = '';
let cfgPath = '';
const procs: ChildProcess[] = [];

async function startNode(id: string): Promise<void> {
  const p = spawn(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'node', '--config', cfgPath, '--id', id, '--stop-on-stdin-close'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  procs.push(p);
  let err = '';
  p.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start: ${err}`)), 20_000);
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    p.once('exit', (code) => reject(new Error(`${id} exited with ${code}: ${err}`)));
  });
}

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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-kv-clients-'));
  const ports = await Promise.all([0, 1, 2, 3].map(() => freeLoopbackPort()));
  const raftKv = { voters: IDS, data_dir: path.join(dir, 'data'), tick_ms: 10 };
  const config = {
    key: randomBytes(32).toString('hex'),
    nodes: [
      ...IDS.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], services: { 'raft-kv': raftKv } })),
      { id: 'client', host: '127.0.0.1', port: ports[3], services: [] },
    ],
  };
  cfgPath = path.join(dir, 'cluster.json');
  fs.writeFileSync(cfgPath, JSON.stringify(config));
  for (const id of IDS) await startNode(id);
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  })));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
