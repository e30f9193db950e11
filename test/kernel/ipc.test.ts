// IPC between processes of one node (assembly/ipc.ts): requests and replies arrive intact across address
// spaces, every refusal has its errno, a dying server wakes its waiting clients with -EPIPE, a server's
// reply to a dead client is -ESRCH, and the same holds on several harts and on worker threads.
// The threaded cases need `npm run build` (dist/), as threaded.test.ts does.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runGuests } from './helpers.js';
import { KS, KS_LIVE_PROCS, KS_LIVE_THREADS, THREADS_MAX, LOCK_SCHED, LOCK_PROC } from '../../src/machine/layout.js';

const ATOLL = join(import.meta.dirname, '../../bin/atoll.js');
const GUEST_IPC = join(import.meta.dirname, '../../guest/ipc');

const ERRORS = [
  'register 0: -22',
  'register: ok',
  'register again: -98',
  'lookup: same id',
  'lookup missing: -2',
  'endpoints: 32, then -28',
  'call stale id: -9',
  'call too long: -90',
  'call bad request pointer: -14',
  'call kernel pointer: -14',
  'recv bad id: -9',
  'recv bad length pointer: -14',
  'recv read-only buffer: -14',
  'reply unknown token: -3',
  'reply too long: -90',
].join('\n') + '\n';

describe('kernel IPC between processes', () => {
  it.each([1, 2])('a client gets every reply intact from a server process on %i hart(s)', async (harts) => {
    const r = await runGuests([['ipc', 'server', 'echo', '200'], ['ipc', 'client', 'echo', '200']], { harts });
    expect(r.out).toBe('client echo: 200 replies ok\n');
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
    expect(r.sys.machine.kernel.framesUsed()).toBe(0);
  });

  it('two clients share a server of three threads; all requests are served once', async () => {
    const r = await runGuests([['ipc', 'server', 'srv3', '150', '3'], ['ipc', 'client', 'srv3', '75'], ['ipc', 'client', 'srv3', '75']], { harts: 2 });
    expect(r.out.split('\n').filter(Boolean).sort()).toEqual(['client srv3: 75 replies ok', 'client srv3: 75 replies ok']);
    expect(r.results.every((x) => x.kind === 'exit' && x.code === 0)).toBe(true);
  });

  it('refuses bad names, ids, sizes and pointers with their errno, and bounds the endpoint table', async () => {
    const r = await runGuests([['ipc', 'errors']]);
    expect(r.out).toBe(ERRORS);
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }]);
  });

  it('a server that exits holding a request wakes its client with -EPIPE', async () => {
    const r = await runGuests([['ipc', 'vanish', 'gone'], ['ipc', 'orphan', 'gone']]);
    expect(r.out).toBe('vanish: took a request of 4 bytes (token ok)\norphan: call returned -32\n');
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
  });

  it('a server that ends with clients queued on its endpoint wakes each of them with -EPIPE', async () => {
    const r = await runGuests([['ipc', 'server', 'ends', '4', '2'], ['ipc', 'client', 'ends', '10'], ['ipc', 'client', 'ends', '10']], { harts: 2 });
    expect(r.out).toBe('call 2: -32 (want 78)\ncall 2: -32 (want 78)\n');
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 1 }, { kind: 'exit', code: 1 }]);
    expect(r.sys.machine.kernel.ipcWaiters()).toBe(0);
  });

  it('a request too long for the waiting server\'s buffer is -EMSGSIZE and the server goes on waiting', async () => {
    const r = await runGuests([['ipc', 'small', 'tiny'], ['ipc', 'big', 'tiny']]);
    expect(r.out).toBe('big: 16 bytes to an 8-byte buffer: -90\nsmall: received 4 bytes\nsmall: reply 0\nbig: 4 bytes: 2\n');
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
  });

  it('a process cannot receive on another process\'s endpoint; a reply too long for the client fails both sides', async () => {
    const r = await runGuests([['ipc', 'server', 'mine', '1'], ['ipc', 'steal', 'mine']]);
    expect(r.out).toBe('steal: recv returned -1\nreply: -90\nsteal: call with a reply buffer too small: -90\n');
  });

  it('a client killed while its request is served leaves the server a -ESRCH reply, and no waiter behind', async () => {
    const r = await runGuests([['ipc', 'late', 'slow'], ['ipc', 'victim', 'slow']]);
    expect(r.out).toBe('late: reply to a dead client: -3\n');
    expect(r.results[0]).toEqual({ kind: 'exit', code: 0 });
    expect(r.results[1]).toMatchObject({ kind: 'fault', signal: 'SIGSEGV' });
    const machine = r.sys.machine;
    expect(machine.kernel.ipcWaiters()).toBe(0);
    expect([KS_LIVE_PROCS, KS_LIVE_THREADS].map((f) => machine.u32(KS + f))).toEqual([0, 0]);
  });

  it('threaded on 2 harts: clients get every reply and the kernel tables come back empty', async () => {
    for (let run = 0; run < 3; run++) {
      const r = await runGuests([['ipc', 'server', 'thr', '300', '2'], ['ipc', 'client', 'thr', '150'], ['ipc', 'client', 'thr', '150']], { harts: 2, threaded: true });
      expect(r.results.every((x) => x.kind === 'exit' && x.code === 0)).toBe(true);
      const machine = r.sys.machine;
      expect(machine.kernel.framesUsed()).toBe(0);
      for (let t = 0; t < THREADS_MAX; t++) expect(machine.kernel.threadState(t)).toBe(0);
      for (const l of [LOCK_SCHED, LOCK_PROC]) expect(machine.u32(l)).toBe(0);
    }
  }, 60_000);

  it('atoll run daemon.elf -- client.elf prints the direct and daemon figures (deterministic and threaded)', () => {
    for (const flags of [[], ['--harts', '2', '--threaded']]) {
      const out = execFileSync('node', [ATOLL, 'run', ...flags, join(GUEST_IPC, 'daemon.elf'), '--', join(GUEST_IPC, 'client.elf'), '2000'], { encoding: 'utf8' });
      expect(out).toMatch(/^client: 2000 getpid calls, direct and through the daemon process/);
      const direct = Number(/direct system call\s+([\d.]+)/.exec(out)![1]);
      const daemon = Number(/through the daemon\s+([\d.]+)/.exec(out)![1]);
      expect(direct).toBeGreaterThan(0);
      // Deterministic on one hart the daemon's instructions run on the client's hart: the path costs more.
      if (flags.length === 0) expect(daemon).toBeGreaterThan(direct + 10);
    }
  }, 30_000);

  it('the client alone finds no daemon and says so', () => {
    let err = '';
    try {
      execFileSync('node', [ATOLL, 'run', join(GUEST_IPC, 'client.elf'), '5'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toContain('client: no daemon (ipc_lookup: -2)');
  });
});

