// `atoll migrate` on a real cluster: two node processes over TCP, the memory-busy worker (a child of its parent on
// n1, reporting through a pipe) moved to n2 while it runs; the parent's output is every round once and in order,
// the worker's pid and clock unchanged; ps finds it on n2. Bad requests get one clear error and change nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/net/tcp/index.js';
import { atoll, built, root } from '../helpers/atoll-cli.js';
import { until } from '../helpers/until.js';

const dir = mkdtempSync(join(tmpdir(), 'atoll-migrate-'));
const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const n of nodes) n.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});


type Row = { pid: number; ppid: number; node: string; state: string; program: string };
const ROUNDS = 600;

/** The guests' standard output as a node printed it (machine lines). */
function output(log: string): string {
  if (!existsSync(log)) return '';
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('@atoll '))
    .map((l) => JSON.parse(l.slice(7)) as { t: string; b64?: string }).filter((m) => m.t === 'out').map((m) => Buffer.from(m.b64!, 'base64').toString()).join('');
}

describe.skipIf(!built)('atoll migrate on a real cluster', () => {
  it.each([['stop'], ['precopy'], ['postcopy']])('moves the running worker from n1 to n2 (%s); pid, pipe and clock kept', async (method) => {
    const ports = [await freeLoopbackPort(), await freeLoopbackPort()];
    const machine = (programs: object[]) => ({ procs: {}, machine: { programs } });
    const config = {
      key: randomBytes(32).toString('hex'), services: {},
      nodes: [
        { id: 'n1', host: '127.0.0.1', port: ports[0], services: machine([{ path: join(root, 'guest/cluster/migrate_worker.elf'), name: 'migrate_worker', args: [String(ROUNDS), '8'] }]) },
        { id: 'n2', host: '127.0.0.1', port: ports[1], services: machine([]) },
      ],
    };
    const cfg = join(dir, `cluster-${method}.json`);
    writeFileSync(cfg, JSON.stringify(config), { mode: 0o600 });
    const logs = ['n1', 'n2'].map((id) => join(dir, `${method}-${id}.log`));
    const mine: ChildProcess[] = [];
    for (const [i, id] of ['n1', 'n2'].entries()) {
      const out = { data: '' };
      const child = spawn(process.execPath, ['bin/atoll.js', 'node', '--config', cfg, '--id', id], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (b: Buffer) => { out.data += b.toString(); writeFileSync(logs[i]!, out.data); });
      nodes.push(child);
      mine.push(child);
    }
    try {
      let rows: Row[] = [];
      await until('the worker', () => {
        const r = atoll('ps', '--cluster', cfg, '--json');
        rows = r.status === 0 ? (JSON.parse(r.stdout) as { processes: Row[] }).processes : [];
        return rows.some((p) => p.ppid !== 0) && output(logs[0]!).includes('round 5 ');
      }, 30_000, 100);
      const worker = rows.find((p) => p.ppid !== 0)!;
      expect(worker.node).toBe('n1');
      const m = atoll('migrate', String(worker.pid), 'n2', '--method', method, '--cluster', cfg, '--json');
      expect(m.stderr).toBe('');
      expect(m.status).toBe(0);
      const f = JSON.parse(m.stdout) as { ok: boolean; pid: number; from: string; to: string; method: string; downtime_ns: number; bytes: number; pages: number };
      expect(f).toMatchObject({ ok: true, pid: worker.pid, from: 'n1', to: 'n2', method });
      expect(f.bytes).toBeGreaterThan(0);
      const after = JSON.parse(atoll('ps', '--cluster', cfg, '--json').stdout) as { processes: Row[] };
      const moved = after.processes.find((p) => p.pid === worker.pid);
      if (moved !== undefined) expect(moved.node).toBe('n2'); // (or it has already ended there)
      // A process that is not there, a node that is not there, a move to where it is: one error each.
      const none = atoll('migrate', '99999', 'n2', '--cluster', cfg);
      expect(none.status).toBe(1);
      expect(none.stderr).toContain('no process 99999 runs on the cluster');
      const nowhere = atoll('migrate', String(worker.pid), 'n9', '--cluster', cfg);
      expect(nowhere.status).toBe(1);
      expect(nowhere.stderr).toContain('the cluster has no node n9');
      await until('the parent to reap the worker', () => output(logs[0]!).includes('worker reaped'), 60_000, 100);
      const text = output(logs[0]!);
      const roundLines = (t: string): string[] => t.split('\n').filter((l) => /^round \d+ /.test(l));
      expect(roundLines(text).map((l) => Number(/^round (\d+)/.exec(l)![1]))).toEqual(Array.from({ length: ROUNDS }, (_, i) => i));
      // Every round's sum over the heap as on one machine without a move (the memory crossed intact).
      const alone = atoll('run', join(root, 'guest/cluster/migrate_worker.elf'), String(ROUNDS), '8');
      expect(alone.status).toBe(0);
      expect(roundLines(text)).toEqual(roundLines(alone.stdout));
      expect(text).toContain('worker done: pid kept, monotonic time never went back: yes');
      expect(text).toMatch(/worker reaped: yes, status 0/);
      const bad = atoll('migrate', '5', 'n2', '--method', 'teleport', '--cluster', cfg);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--method teleport: not a method');
    } finally {
      for (const n of mine) n.kill('SIGKILL');
    }
  }, 120_000);
});
