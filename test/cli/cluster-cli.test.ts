// `atoll cluster` as people and scripts use it: the kv command it prints works when pasted into a shell, one
// node stops and starts alone, --detach leaves the nodes running until `cluster down`, a temporary directory
// (it holds the key) is removed at the end, closing stdin does not stop a cluster unless asked, `kv status`
// answers quickly when nodes refuse connections, and an unknown config field is refused. Needs `npm run build:ts`.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATOLL, ROOT } from '../guest/runners.js';
import { ConfigError, parseClusterConfig } from '../../src/cluster/index.js';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';

const built = existsSync(join(ROOT, 'dist/src/cli/main.js'));
const tmp = mkdtempSync(join(tmpdir(), 'atoll-cluster-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const atoll = (...args: string[]) => spawnSync(process.execPath, [ATOLL, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
const sh = (line: string) => spawnSync('sh', ['-c', line], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

interface Up {
  readonly proc: ChildProcessWithoutNullStreams;
  out: string;
  err: string;
  readonly exited: Promise<number | null>;
}

function up(...args: string[]): Up {
  const proc = spawn(process.execPath, [ATOLL, 'cluster', 'up', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const u: Up = { proc, out: '', err: '', exited: new Promise((r) => proc.once('exit', (c) => r(c))) };
  proc.stdout.on('data', (b: Buffer) => { u.out += b.toString(); });
  proc.stderr.on('data', (b: Buffer) => { u.err += b.toString(); });
  return u;
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pidsOf = (out: string): number[] => [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));

describe.skipIf(!built)('atoll cluster up, stop, start, down', () => {
  it('prints a kv command that works pasted into a shell; one node stops and starts alone; Ctrl-C stops them all', async () => {
    const dir = join(tmp, 'fg');
    const u = up('--nodes', '3', '--dir', dir);
    try {
      await until('the kv line', () => /^key-value store: /m.test(u.out));
      expect(u.out).toContain(`config: ${join(dir, 'cluster.json')}\n`);
      const put = /^key-value store: (.*? kv put k v --cluster \S+)/m.exec(u.out)![1]!;
      expect(put).toContain(`--cluster ${join(dir, 'cluster.json')}`);
      const p = sh(put);
      expect(p.stderr).toBe('');
      expect(p.stdout).toBe('ok\n');
      expect(sh(put.replace(' put k v ', ' get k ')).stdout).toBe('v\n');

      const stop = atoll('cluster', 'stop', 'n3', '--dir', dir);
      expect(stop.status, stop.stderr).toBe(0);
      const n3 = pidsOf(u.out)[2]!;
      expect(alive(n3)).toBe(false);
      expect(u.proc.exitCode).toBe(null); // the others go on
      expect(sh(put.replace(' put k v ', ' put k w ')).stdout).toBe('ok\n');
      const start = atoll('cluster', 'start', 'n3', '--dir', dir);
      expect(start.status, start.stderr).toBe(0);
      const n3again = pidsOf(start.stdout)[0]!;
      expect(alive(n3again)).toBe(true);
      expect(atoll('cluster', 'start', 'n3', '--dir', dir).stderr).toMatch(/node n3 is already running/);
      await until('n3 to catch up', () => {
        const st = atoll('kv', 'status', '--cluster', join(dir, 'cluster.json'), '--json');
        const s = JSON.parse(st.stdout || '{}') as Record<string, { applied: number } | null>;
        return st.status === 0 && s['n3'] !== null && s['n3'] !== undefined && s['n3'].applied === s['n1']?.applied;
      });

      u.proc.kill('SIGINT');
      expect(await u.exited).toBe(0);
      for (const pid of [...pidsOf(u.out), n3again]) expect(alive(pid)).toBe(false);
      expect(existsSync(join(dir, 'cluster.json'))).toBe(true); // a directory the user gave stays
    } finally {
      u.proc.kill('SIGKILL');
      atoll('cluster', 'down', '--dir', dir);
    }
  }, 90_000);

  it('--detach returns with the nodes running; down stops them and removes the temporary directory', async () => {
    const r = atoll('cluster', 'up', '--detach', '--nodes', '2', '--json');
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { dir: string; config: string; kv: string; nodes: { pid: number }[] };
    try {
      for (const n of info.nodes) expect(alive(n.pid)).toBe(true);
      expect(existsSync(join(info.dir, 'run', 'n1.pid'))).toBe(true);
      expect(sh(info.kv).stdout).toBe('ok\n');
      const d = atoll('cluster', 'down', '--dir', info.dir);
      expect(d.status, d.stderr).toBe(0);
      for (const n of info.nodes) expect(alive(n.pid)).toBe(false);
      expect(existsSync(info.dir)).toBe(false);
      expect(atoll('cluster', 'down', '--dir', info.dir).status).toBe(1);
    } finally {
      for (const n of info.nodes) if (alive(n.pid)) process.kill(n.pid, 'SIGKILL');
      rmSync(info.dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('removes the temporary directory it made, and stops on stdin close only with --stop-on-stdin-close', async () => {
    const u = up('--nodes', '1', '--json');
    await until('the node list', () => u.out.includes('"nodes"'));
    const { dir } = JSON.parse(u.out) as { dir: string };
    expect(existsSync(join(dir, 'cluster.json'))).toBe(true);
    u.proc.stdin.end();
    await new Promise((r) => setTimeout(r, 1000));
    expect(u.proc.exitCode).toBe(null);
    u.proc.kill('SIGINT');
    expect(await u.exited).toBe(0);
    expect(existsSync(dir)).toBe(false);

    const v = up('--nodes', '1', '--json', '--stop-on-stdin-close');
    await until('the node list', () => v.out.includes('"nodes"'));
    v.proc.stdin.end();
    expect(await v.exited).toBe(0);
    expect(existsSync((JSON.parse(v.out) as { dir: string }).dir)).toBe(false);
  }, 60_000);

  it('kv status answers within about a second when every node refuses connections, and exits 1', async () => {
    const cfg = join(tmp, 'refused.json');
    const ports = [await freeLoopbackPort(), await freeLoopbackPort()];
    writeFileSync(cfg, JSON.stringify({ key: 'ab'.repeat(16), nodes: ports.map((port, i) => ({ id: `n${i + 1}`, port })), services: { 'raft-kv': { voters: ['n1', 'n2'] } } }));
    const t0 = Date.now();
    const r = atoll('kv', 'status', '--cluster', cfg);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/n1 +\(no answer\)/);
    expect(r.stderr).toBe('atoll kv: no leader answered (no node answered)\n');
  });

  it('stop and start name a node of the config and need --dir', () => {
    expect(atoll('cluster', 'stop', 'n1').stderr).toBe('atoll cluster: cluster stop: --dir <directory> is required\n');
    expect(atoll('cluster', 'start', '--dir', tmp).status).toBe(2);
  });
});

describe('cluster config fields', () => {
  const good = { key: 'ab'.repeat(16), nodes: [{ id: 'n1', port: 7001 }], services: ['echo'] };
  it.each([
    [{ ...good, datadir: 'x' }, "unknown field 'datadir' (did you mean 'data_dir'? allowed at the top level:"],
    [{ ...good, nodes: [{ id: 'n1', prot: 7001 }] }, "unknown field 'nodes[0].prot' (did you mean 'port'? allowed in nodes[]:"],
    [{ ...good, tls: { ca: 'a', cert: 'b', key: 'c', pass: 'x' } }, "unknown field 'tls.pass' (allowed in tls: ca, cert, key)"],
    [{ ...good, nodes: [{ id: 'n1', port: 1, tls: { cert: 'a', key: 'b', ca: 'c' } }] }, "unknown field 'nodes[0].tls.ca' (allowed in nodes[].tls: cert, key)"],
  ])('refuses %j naming the field and where it is', (raw, message) => {
    expect(() => parseClusterConfig(raw, '/tmp')).toThrow(ConfigError);
    expect(() => parseClusterConfig(raw, '/tmp')).toThrow(message);
  });

  it.skipIf(!built)('atoll node refuses such a config with one line and exit 1', () => {
    const cfg = join(tmp, 'typo.json');
    writeFileSync(cfg, JSON.stringify({ ...good, nodes: [{ id: 'n1', port: 7001, service: ['echo'] }] }));
    const r = atoll('node', '--config', cfg, '--id', 'n1');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`atoll node: ${cfg}: unknown field 'nodes[0].service' (did you mean 'services'? allowed in nodes[]: id, host, port, services, tls)\n`);
  });
});
