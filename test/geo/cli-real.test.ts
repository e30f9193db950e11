// `atoll geo` on a real cluster: six `atoll node` processes over TCP, two centres of three replicas running
// the geo service. A put in one centre is read there at once (the session file carries it), reaches the
// other centre in the background, rm deletes, ls lists; with two of a centre's replicas killed a put there
// fails with the store's no-local-quorum error while the other centre serves, and the replicas restarted
// from their data directories serve again. Needs `npm run build:ts`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { ATOLL, ROOT } from '../guest/runners.js';

const built = existsSync(join(ROOT, 'dist/src/cli/main.js'));
const dir = mkdtempSync(join(tmpdir(), 'atoll-geo-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Out { readonly status: number | null; readonly stdout: string; readonly stderr: string }
const atoll = (...a: string[]): Promise<Out> => new Promise((resolve) => {
  const c = spawn(process.execPath, [ATOLL, ...a], { cwd: ROOT });
  let stdout = '', stderr = '';
  c.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
  c.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  c.on('close', (status) => resolve({ status, stdout, stderr }));
});

describe.skipIf(!built)('atoll geo on a real cluster', () => {
  it('puts, gets, removes and lists through one centre; a centre without a local quorum fails clearly', async () => {
    const ids = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'];
    const ports = await Promise.all(ids.map(() => freeLoopbackPort()));
    const cfg = join(dir, 'cluster.json');
    writeFileSync(cfg, JSON.stringify({
      key: randomBytes(32).toString('hex'), data_dir: join(dir, 'data'),
      services: { geo: { centres: { dca: ['a1', 'a2', 'a3'], dcb: ['b1', 'b2', 'b3'] }, anti_entropy_ms: 100 } },
      nodes: ids.map((id, i) => ({ id, host: '127.0.0.1', port: ports[i] })),
    }), { mode: 0o600 });
    const running = new Map<string, ChildProcess>();
    const start = async (which: readonly string[]): Promise<void> => {
      const ready = new Set<string>();
      for (const id of which) {
        const c = spawn(process.execPath, [ATOLL, 'node', '--config', cfg, '--id', id], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        c.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('listening')) ready.add(id); });
        children.push(c);
        running.set(id, c);
      }
      const end = Date.now() + 20_000;
      while (ready.size < which.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(ready.size).toBe(which.length);
    };
    await start(ids);
    const session = join(dir, 'session.json');
    const geo = (centre: string, ...a: string[]): Promise<Out> => atoll('geo', ...a, '--cluster', cfg, '--centre', centre);

    const put = await geo('dca', 'put', '/docs/a', 'hello', '--session', session);
    expect(put.stderr).toBe('');
    expect(put.stdout).toMatch(/^ok \d+\.\d+@a1\n$/);
    expect((await geo('dca', 'get', '/docs/a', '--session', session)).stdout).toBe('hello\n');
    let far = await geo('dcb', 'get', '/docs/a', '--json');
    for (let i = 0; i < 20 && JSON.parse(far.stdout).value !== 'hello'; i++) far = await geo('dcb', 'get', '/docs/a', '--json');
    expect(JSON.parse(far.stdout)).toMatchObject({ ok: true, centre: 'dcb', value: 'hello', version: put.stdout.slice(3).trim() });
    expect((await geo('dca', 'put', '/docs/b', 'x')).status).toBe(0);
    expect((await geo('dca', 'ls', '/docs')).stdout).toBe('/docs/a\n/docs/b\n');
    expect((await geo('dca', 'rm', '/docs/b', '--session', session)).status).toBe(0);
    expect((await geo('dca', 'get', '/docs/b', '--session', session)).stdout).toBe('(absent)\n');

    const bad = await geo('dcz', 'get', '/docs/a');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("atoll geo: no centre 'dcz' (centres: dca, dcb)\n");
    expect((await geo('dca', 'frob')).status).toBe(2);

    for (const id of ['a2', 'a3']) running.get(id)!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const refused = await geo('dca', 'put', '/docs/c', 'y');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^atoll geo: no-local-quorum: write \/docs\/c: 1 of 3 replicas of dca acknowledged within 50 ms, 2 needed/);
    expect((await geo('dcb', 'put', '/docs/d', 'z')).status).toBe(0);
    await start(['a2', 'a3']);
    let again = await geo('dca', 'put', '/docs/e', 'w');
    for (let i = 0; i < 10 && again.status !== 0; i++) again = await geo('dca', 'put', '/docs/e', 'w');
    expect(again.status).toBe(0);
    // the restarted replicas kept what they held and anti-entropy brings the rest: /docs/c (held by a1) and /docs/d
    let ls = await geo('dca', 'ls', '/docs');
    for (let i = 0; i < 20 && ls.stdout !== '/docs/a\n/docs/c\n/docs/d\n/docs/e\n'; i++) ls = await geo('dca', 'ls', '/docs');
    expect(ls.stdout).toBe('/docs/a\n/docs/c\n/docs/d\n/docs/e\n');
  }, 120_000);
});
