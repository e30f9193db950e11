// Three real `atoll node` processes on 127.0.0.1 with file storage: kill -9 of the leader loses no
// acknowledged write, and restarting every node recovers the store from disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
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
const procs = new Map<string, ChildProcess>();

async function startNode(id: string): Promise<void> {
  const p = spawn(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'node', '--config', cfgPath, '--id', id, '--stop-on-stdin-close'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  procs.set(id, p);
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

function kill9(id: string): Promise<void> {
  const p = procs.get(id)!;
  procs.delete(id);
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

async function withClient<T>(seed: number, fn: (c: KvTcpClient) => Promise<T>): Promise<T> {
  const c = new KvTcpClient({ config: loadClusterConfig(cfgPath), session: `test-${seed}`, seed, attempt_timeout_ms: 500, clock_ms: () => Date.now() });
  await c.start();
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-raft-real-'));
  const ports = await Promise.all([0, 1, 2, 3].map(() => freeLoopbackPort()));
  const raftKv = { voters: IDS, data_dir: path.join(dir, 'data'), tick_ms: 10, snapshot_entries: 25 };
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
  for (const id of [...procs.keys()]) await kill9(id);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('raft-kv on real nodes over TCP', () => {
  it('kill -9 of the leader loses no acknowledged write; restarting every node recovers from disk', async () => {
    const acked = new Map<string, string>();
    const leader = await withClient(1, async (c) => {
      for (let i = 0; i < 40; i++) {
        await c.run({ op: 'put', key: `k${i}`, value: `v${i}` });
        acked.set(`k${i}`, `v${i}`);
      }
      return c.leader;
    });
    expect(leader).not.toBeNull();
    await kill9(leader!);
    await withClient(2, async (c) => {
      for (let i = 40; i < 60; i++) {
        await c.run({ op: 'put', key: `k${i}`, value: `v${i}` });
        acked.set(`k${i}`, `v${i}`);
      }
      await c.run({ op: 'del', key: 'k0' });
      acked.delete('k0');
      for (const [k, v] of acked) expect(await c.run({ op: 'get', key: k })).toBe(v);
      expect(await c.run({ op: 'get', key: 'k0' })).toBeNull();
      expect(c.leader).not.toBe(leader);
    });
    // Everyone down hard, then back: the state comes from the files alone.
    await startNode(leader!);
    for (const id of IDS) await kill9(id);
    for (const id of IDS) await startNode(id);
    await withClient(3, async (c) => {
      for (const [k, v] of acked) expect(await c.run({ op: 'get', key: k }, 20_000)).toBe(v);
    });
    // And the CLI reads the same store.
    const out = execFileSync(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'kv', 'get', 'k59', '--cluster', cfgPath], { encoding: 'utf8' });
    expect(out.trim()).toBe('v59');
    const status = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'kv', 'status', '--cluster', cfgPath, '--json'], { encoding: 'utf8' })) as
      Record<string, { role: string; commit: number; keys: number } | null>;
    expect(Object.keys(status).sort()).toEqual(IDS);
    expect(Object.values(status).filter((s) => s?.role === 'leader')).toHaveLength(1);
    for (const s of Object.values(status)) expect(s!.commit).toBeGreaterThan(60);
    expect(fs.existsSync(path.join(dir, 'data', 'n1', 'raft', 'raft.log'))).toBe(true);
  }, 120_000);
});
