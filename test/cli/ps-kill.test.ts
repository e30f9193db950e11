// `atoll ps` and `atoll kill` on a real cluster: two node processes over TCP, a parent on n1 whose forked child
// runs on n2 (placement spread); ps lists both with the child's parent; kill reaches the child on n2 from any
// node; the parent sees it end by SIGKILL; a pid no process has is "no such process".
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { atoll, built, root } from '../helpers/atoll-cli.js';
import { until } from '../helpers/until.js';

const dir = mkdtempSync(join(tmpdir(), 'atoll-ps-'));
const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const n of nodes) n.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});


describe.skipIf(!built)('atoll ps and atoll kill', () => {
  it('list a real cluster\'s processes with their parents and signal one on another node', async () => {
    const ports = [await freeLoopbackPort(), await freeLoopbackPort()];
    const machine = (programs: object[]) => ({ procs: {}, machine: { placement: 'spread', programs } });
    const config = {
      key: randomBytes(32).toString('hex'), services: {},
      nodes: [
        { id: 'n1', host: '127.0.0.1', port: ports[0], services: machine([{ path: join(root, 'guest/cluster/crash_wait.elf'), name: 'crash_wait' }]) },
        { id: 'n2', host: '127.0.0.1', port: ports[1], services: machine([]) },
      ],
    };
    const cfg = join(dir, 'cluster.json');
    writeFileSync(cfg, JSON.stringify(config), { mode: 0o600 });
    const logs = ['n1', 'n2'].map((id) => join(dir, `${id}.log`));
    for (const [i, id] of ['n1', 'n2'].entries()) {
      const out = { data: '' };
      const child = spawn(process.execPath, ['bin/atoll.js', 'node', '--config', cfg, '--id', id], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (b: Buffer) => { out.data += b.toString(); writeFileSync(logs[i]!, out.data); });
      nodes.push(child);
    }
    type Row = { pid: number; ppid: number; node: string; state: string; program: string };
    let rows: Row[] = [];
    await until('the child on n2', () => {
      const r = atoll('ps', '--cluster', cfg, '--json');
      rows = r.status === 0 ? (JSON.parse(r.stdout) as { processes: Row[] }).processes : [];
      return rows.some((p) => p.node === 'n2');
    }, 30_000, 100);
    const parent = rows.find((p) => p.node === 'n1')!;
    const child = rows.find((p) => p.node === 'n2')!;
    expect(parent).toMatchObject({ ppid: 0, state: 'running', program: 'crash_wait' });
    expect(child).toMatchObject({ ppid: parent.pid, state: 'running', program: 'crash_wait' });
    const human = atoll('ps', '--cluster', cfg);
    expect(human.stdout).toMatch(new RegExp(`^\\s+${child.pid}\\s+${parent.pid} n2\\s+running\\s+crash_wait$`, 'm'));
    const k = atoll('kill', '--signal', 'KILL', String(child.pid), '--cluster', cfg);
    expect(k.stderr).toBe('');
    expect(k.status).toBe(0);
    await until('the parent to see its child killed', () => existsSync(logs[0]!) && readFileSync(logs[0]!, 'utf8').includes('"t":"end"'), 30_000, 100);
    const out = readFileSync(logs[0]!, 'utf8').split('\n').filter((l) => l.startsWith('@atoll ')).map((l) => JSON.parse(l.slice(7)) as { t: string; b64?: string });
    expect(out.filter((m) => m.t === 'out').map((m) => Buffer.from(m.b64!, 'base64').toString()).join('')).toContain('killed by signal 9');
    const none = atoll('kill', '99999', '--cluster', cfg);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('kill 99999: no such process');
    const bad = atoll('kill', '--signal', 'NOPE', '1', '--cluster', cfg);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--signal NOPE: not a signal');
  }, 90_000);
});
