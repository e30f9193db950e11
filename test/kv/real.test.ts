// Three real `atoll node` processes on 127.0.0.1 with file storage: kill -9 of the leader loses no
// acknowledged write, and restarting every node recovers the store from disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadClusterConfig } from '../../src/cluster/index.js';
import { KvTcpClient } from '../../src/kv/index.js';
import { IDS, ROOT, RealKvCluster } from './real-cluster.js';

let cluster: RealKvCluster;
let cfgPath = '';
const startNode = (id: string): Promise<void> => cluster.startNode(id);
const kill9 = (id: string): Promise<void> => cluster.kill9(id);

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
  cluster = await RealKvCluster.start('atoll-raft-real-', { snapshot_entries: 25 });
  cfgPath = cluster.cfgPath;
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
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
    expect(fs.existsSync(path.join(cluster.dir, 'data', 'n1', 'raft', 'raft.log'))).toBe(true);
  }, 120_000);
});
