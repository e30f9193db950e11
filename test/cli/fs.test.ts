// `atoll fs`: the global namespace from outside. On a saved image: put (parents made, parts of 256 KiB), ls, stat,
// cat, get (the same bytes back), mkdir -p, rm, and clear errors; `cluster run --fs` starts a program put there
// and `--fs-out` saves what the run left. On a real cluster of three gfs nodes over TCP: put, ls, cat and rm
// through the log, answered by another node once the one asked first is killed, and kept across kill -9 of every
// node and a restart from their data directories.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);
const atoll = (...args: string[]) => spawnSync(process.execPath, ['bin/atoll.js', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
const dir = mkdtempSync(join(tmpdir(), 'atoll-fs-'));
const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const n of nodes) n.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const big = Buffer.from(Array.from({ length: 600 * 1024 }, (_, i) => (i * 7 + (i >> 10)) & 0xff));

describe.skipIf(!built)('atoll fs', () => {
  it('puts, lists, reads and removes files in a namespace image', () => {
    const img = join(dir, 'fs.json');
    const host = join(dir, 'big.bin');
    writeFileSync(host, big, { mode: 0o640 });
    expect(atoll('fs', 'put', host, '/data/shared/big.bin', '--image', img).status).toBe(0);
    expect(atoll('fs', 'put', join(root, 'guest/bin/echo.elf'), '/bin/echo', '--image', img).status).toBe(0);
    const ls = atoll('fs', 'ls', '/data/shared', '--image', img, '--json');
    expect(ls.status).toBe(0);
    expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'big.bin', kind: 'file', size: big.length, mode: 0o640, nlink: 1 }]);
    expect(atoll('fs', 'ls', '/', '--image', img).stdout).toMatch(/^d.* bin\nd.* data\n$/);
    const back = join(dir, 'back.bin');
    expect(atoll('fs', 'get', '/data/shared/big.bin', back, '--image', img).status).toBe(0);
    expect(readFileSync(back).equals(big)).toBe(true);
    expect(atoll('fs', 'mkdir', '/a/b/c', '--parents', '--image', img).status).toBe(0);
    expect(JSON.parse(atoll('fs', 'stat', '/a/b/c', '--image', img, '--json').stdout)).toMatchObject({ kind: 'dir', nlink: 2 });
    const again = atoll('fs', 'mkdir', '/a', '--image', img);
    expect([again.status, again.stderr.trim()]).toEqual([1, 'atoll fs mkdir /a: EEXIST']);
    const notEmpty = atoll('fs', 'rm', '/a', '--image', img);
    expect([notEmpty.status, notEmpty.stderr.trim()]).toEqual([1, 'atoll fs rm /a: ENOTEMPTY']);
    expect(atoll('fs', 'rm', '/data/shared/big.bin', '--image', img).status).toBe(0);
    expect(atoll('fs', 'cat', '/data/shared/big.bin', '--image', img).stderr.trim()).toBe('atoll fs cat /data/shared/big.bin: ENOENT');
    // A program from the namespace, and the namespace a run leaves.
    const out = join(dir, 'out.json');
    const r = atoll('cluster', 'run', '--nodes', '2', '--fs', img, '--fs-out', out, '--json', '--', 'n2:/bin/echo', 'from', 'the', 'namespace');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).processes[0]).toMatchObject({ node: 'n2', stdout: 'from the namespace\n', exit_code: 0 });
    expect(JSON.parse(atoll('fs', 'ls', '/bin', '--image', out, '--json').stdout)).toMatchObject([{ name: 'echo', mode: 0o755 }]);
    // The same image under real nodes: every node's gfs starts from it.
    const real = atoll('cluster', 'run', '--real', '--nodes', '2', '--fs', img, '--json', '--', 'n2:/bin/echo', 'on', 'real', 'nodes');
    expect(real.status, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).processes[0]).toMatchObject({ node: 'n2', stdout: 'on real nodes\n', exit_code: 0 });
    expect(atoll('cluster', 'run', '--real', '--fs-out', out, '--', 'n1:/bin/echo').status).toBe(2);
  });

  it('refuses bad input with one line', () => {
    const img = join(dir, 'bad.json');
    writeFileSync(img, JSON.stringify({ format: 'atoll-fs', version: 1, tree: { next_ino: 3, inodes: [{ ino: 1, kind: 'dir', perm: 493, nlink: 2, size: 4096, times: ['0', '0', '0', '0'], entries: [['x', 7]], chunks: [], target: '' }] } }));
    const bad = atoll('fs', 'ls', '/', '--image', img);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe(`atoll fs: ${img}: inode 1: entry "x" names no inode`);
    const rel = atoll('fs', 'ls', 'data', '--image', img);
    expect(rel.status).toBe(2);
    expect(rel.stderr).toContain('a path in the namespace starts with /');
    expect(atoll('fs', 'ls', '/').status).toBe(2);
    expect(atoll('fs', 'frob', '/', '--image', img).status).toBe(2);
    expect(atoll('cluster', 'run', '--fs', img, '--', 'n1:/bin/echo').status).toBe(1);
  });

  it('works on a real cluster through the log, and goes on when a node is killed', async () => {
    const ports = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const ids = ['n1', 'n2', 'n3'];
    const config = {
      // Snapshots every 5 entries: the restart below restores the tree from a snapshot and the log after it.
      key: randomBytes(32).toString('hex'), services: { gfs: { snapshot_entries: 5 } }, data_dir: join(dir, 'data'),
      nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i] })),
    };
    const cfg = join(dir, 'cluster.json');
    writeFileSync(cfg, JSON.stringify(config), { mode: 0o600 });
    const running: ChildProcess[] = [];
    const startAll = async (): Promise<void> => {
      const ready = ids.map(() => ({ listening: false }));
      for (const [i, id] of ids.entries()) {
        const child = spawn(process.execPath, ['bin/atoll.js', 'node', '--config', cfg, '--id', id], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('listening')) ready[i]!.listening = true; });
        nodes.push(child);
        running[i] = child;
      }
      const end = Date.now() + 20_000;
      while (!ready.every((r) => r.listening) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    };
    await startAll();
    const fs = (...a: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ['bin/atoll.js', 'fs', ...a, '--cluster', cfg], { cwd: root });
      let stdout = '', stderr = '';
      c.stdout.on('data', (b: Buffer) => { stdout += b.toString('latin1'); });
      c.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
      c.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    const host = join(dir, 'big2.bin');
    writeFileSync(host, big);
    // The first call may find no leader yet: it fails with EIO, and a later one goes through.
    let put = await fs('put', host, '/data/big.bin');
    for (let i = 0; i < 10 && put.status !== 0; i++) put = await fs('put', host, '/data/big.bin');
    expect(put.status).toBe(0);
    expect(JSON.parse((await fs('ls', '/data', '--json')).stdout)).toMatchObject([{ name: 'big.bin', size: big.length }]);
    expect(Buffer.from((await fs('cat', '/data/big.bin')).stdout, 'latin1').equals(big)).toBe(true);
    running[0]!.kill('SIGKILL');
    let ls = await fs('ls', '/data', '--json');
    for (let i = 0; i < 10 && ls.status !== 0; i++) ls = await fs('ls', '/data', '--json');
    expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'big.bin' }]);
    // kill -9 of every node, and a restart from their data directories: nothing acknowledged is lost.
    for (const c of running) c.kill('SIGKILL');
    await Promise.all(running.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.on('exit', r)))));
    await startAll();
    let cat = await fs('cat', '/data/big.bin');
    for (let i = 0; i < 10 && cat.status !== 0; i++) cat = await fs('cat', '/data/big.bin');
    expect(Buffer.from(cat.stdout, 'latin1').equals(big)).toBe(true);
    expect((await fs('rm', '/data/big.bin')).status).toBe(0);
    expect((await fs('cat', '/data/big.bin')).stderr.trim()).toBe('atoll fs cat /data/big.bin: ENOENT');
  }, 120_000);
});
