// Three real `atoll node` processes on 127.0.0.1 running raft-kv with file storage, for the tests of the
// key-value store over TCP: start, kill -9 and restart nodes by id; remove everything at the end. The
// config keeps an old-style fixed `client` entry, so older configs are exercised too.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const IDS = ['n1', 'n2', 'n3'];

export class RealKvCluster {
  readonly procs = new Map<string, ChildProcess>();

  private constructor(readonly dir: string, readonly cfgPath: string) {}

  /** Write the config (raft-kv options merged over voters, data_dir and tick_ms) and start every node. */
  static async start(prefix: string, raftKvOptions: Readonly<Record<string, unknown>> = {}): Promise<RealKvCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const ports = await Promise.all([0, 1, 2, 3].map(() => freeLoopbackPort()));
    const raftKv = { voters: IDS, data_dir: path.join(dir, 'data'), tick_ms: 10, ...raftKvOptions };
    const config = {
      key: randomBytes(32).toString('hex'),
      nodes: [
        ...IDS.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i], services: { 'raft-kv': raftKv } })),
        { id: 'client', host: '127.0.0.1', port: ports[3], services: [] },
      ],
    };
    const cfgPath = path.join(dir, 'cluster.json');
    fs.writeFileSync(cfgPath, JSON.stringify(config));
    const c = new RealKvCluster(dir, cfgPath);
    for (const id of IDS) await c.startNode(id);
    return c;
  }

  /** Start node `id` and wait until it listens. */
  async startNode(id: string): Promise<void> {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'node', '--config', this.cfgPath, '--id', id, '--stop-on-stdin-close'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.procs.set(id, p);
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

  /** kill -9 node `id` and wait for it to be gone. */
  kill9(id: string): Promise<void> {
    const p = this.procs.get(id)!;
    this.procs.delete(id);
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Kill every node and remove the directory. */
  async stop(): Promise<void> {
    for (const id of [...this.procs.keys()]) await this.kill9(id);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
