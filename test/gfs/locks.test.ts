// Advisory locks for guests: guest/tests/libc_locks (POSIX record locks with waits and EDEADLK, OFD locks,
// flock, releases at close, the errors) prints the same lines under qemu-riscv32, under atoll run (the machine's
// own lock table) and in a cluster with its children on other nodes (the global namespace's locks, in the log).
// And the gfs service's locks directly: a wait on one node granted by an unlock on another, a cancelled wait,
// and a node's locks released when it is gone.
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/cluster/index.js';
import { GfsMount, GfsService } from '../../src/gfs/index.js';
import { runCluster } from '../../src/ssi/index.js';
import { FsError, Later, LOCK_END, type FileHandle } from '../../src/vfs/index.js';
import { atollNotBuilt, qemuMissing, scratch, underAtoll, underQemu } from '../guest/runners.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const sorted = (s: string): string[] => s.split('\n').filter(Boolean).sort();
const MS = 1_000_000;

const EXPECTED = [
  'parent: write lock on 0..10: ok', 'parent: F_GETLK over its own lock: unlocked',
  'child: F_GETLK sees a write lock of 10 bytes at 0, held by the parent: yes', 'child: write lock on 5..15: EAGAIN',
  'child: read lock on 20..30: ok', "child: flock LOCK_EX|LOCK_NB (apart from fcntl's locks): ok",
  'parent: write lock on 90..100: ok', 'parent: unlock 0..10: ok', "child: F_SETLKW on 0..10 after the parent's unlock: ok",
  'parent: F_SETLKW on 0..10 (the child waits for the parent): EDEADLK', 'parent: unlock 90..100: ok',
  'child: F_SETLKW on 90..100 (the parent then asks for 0..10): ok', 'child ended: 0', 'parent: OFD write lock on 50..60: ok',
  'child: POSIX write lock on 55..56: EAGAIN', 'child: F_OFD_GETLK: write, pid -1', 'child ended: 0', 'parent: OFD unlock: ok',
  'parent: flock LOCK_EX on a second description: ok', 'child: flock LOCK_SH|LOCK_NB: EAGAIN',
  "child: flock LOCK_EX|LOCK_NB after the parent's close: ok", 'child ended: 0', 'parent: write lock on 0..100: ok',
  'child: write lock on 0..100 after the parent closed another descriptor: ok', 'child ended: 0', 'parent: l_type 7: EINVAL',
  'parent: write lock on a read-only descriptor: EBADF', 'parent: OFD lock with l_pid 42: EINVAL', 'parent: a bad pointer: EFAULT',
  'parent: flock(fd, LOCK_SH | LOCK_EX): EINVAL', 'parent: flock(fd, 99) (LOCK_MAND: ignored): ok',
  'parent: flock of a closed descriptor: EBADF', 'parent: F_GETLK with F_UNLCK: EINVAL', 'parent: a range before the start of the file: EINVAL',
];

describe('file locks for guests', () => {
  it.skipIf(qemuMissing() !== undefined)('libc_locks under qemu-riscv32', async () => {
    const place = scratch();
    try {
      const q = await underQemu(guest('tests/libc_locks.elf'), [], { cwd: place.cwd });
      expect(q.status).toBe(0);
      expect(sorted(q.stdout)).toEqual([...EXPECTED].sort());
    } finally {
      place.remove();
    }
  });

  it.skipIf(atollNotBuilt() !== undefined)('libc_locks under atoll run, on 1 hart and on 2 threaded harts', async () => {
    for (const flags of [[], ['--harts', '2', '--threaded']]) {
      const place = scratch();
      try {
        const a = await underAtoll([...flags, guest('tests/libc_locks.elf')], { cwd: place.cwd });
        expect(a.status, a.stderr).toBe(0);
        expect(sorted(a.stdout)).toEqual([...EXPECTED].sort());
      } finally {
        place.remove();
      }
    }
  });

  it('libc_locks with its children on other nodes', async () => {
    const r = await runCluster({ seed: 4, nodes: 3, placement: 'spread', programs: [{ node: 'n1', path: guest('tests/libc_locks.elf'), args: [] }] });
    expect(r.end).toBe('ended');
    const root = r.processes.find((p) => p.ppid === 0)!;
    expect(new Set(r.processes.filter((p) => p.ppid === root.pid).map((p) => p.node))).toEqual(new Set(['n2', 'n3']));
    expect(sorted(r.processes.map((p) => p.stdout).join(''))).toEqual([...EXPECTED].sort());
  });
});

describe('lock cycles across nodes', () => {
  // guest/cluster/lock_cycle: N children, each holding a byte of one file and waiting for the next one's.
  for (const n of [2, 3, 4, 5]) {
    it(`a cycle of ${n} processes on ${n} nodes ends with exactly one EDEADLK; a chain of ${n} with none`, async () => {
      for (const mode of ['cycle', 'chain'] as const) {
        const r = await runCluster({ seed: n, nodes: 5, placement: 'spread', programs: [{ node: 'n1', path: guest('cluster/lock_cycle.elf'), args: [String(n), mode] }] });
        expect(r.end).toBe('ended');
        const root = r.processes.find((p) => p.ppid === 0)!;
        const kids = r.processes.filter((p) => p.ppid === root.pid);
        expect(new Set(kids.map((k) => k.node)).size).toBe(Math.min(n, 4)); // n2..n5 in turn
        expect(root.stdout).toBe(`${mode} of ${n}: EDEADLK ${mode === 'cycle' ? 1 : 0}, granted or done ${mode === 'cycle' ? n - 1 : n}, other 0\n`);
      }
    });
  }
});

describe('the gfs service\'s locks', () => {
  const RW = { read: true, write: true, create: true, exclusive: false, truncate: false, directory: false, mode: 0o644 };
  function sim(seed: number) {
    const ids = ['n1', 'n2', 'n3'];
    const c = new SimCluster({ seed, nodes: ids.map((id) => ({ id, services: { gfs: () => new GfsService({ call_timeout_ms: 2000 }) } })) });
    const svc = (id: string): GfsService => c.service<GfsService>(id, 'gfs')!;
    const settle = <T>(m: T | Later<T>, ms = 5000): T | FsError | 'pending' => {
      if (!(m instanceof Later)) return m;
      let out: { v: T } | { e: FsError } | null = null;
      m.then((v) => { out = { v }; }, (e) => { out = { e }; });
      c.sim.run({ until_ns: c.sim.now_ns + ms * MS, stop_when: () => out !== null });
      const o = out as { v: T } | { e: FsError } | null;
      return o === null ? 'pending' : 'v' in o ? o.v : o.e;
    };
    c.sim.run({ until_ns: 5000 * MS, stop_when: () => ids.some((id) => svc(id).host?.raft.role === 'leader') });
    return { c, svc, settle };
  }
  const owner = (pid: number, family: 'posix' | 'ofd' = 'posix') => ({ family, id: family === 'posix' ? `p${pid}` : `d${pid}`, pid, node: '' });

  it('grants a wait on one node when another node unlocks, and drops a cancelled wait', () => {
    const { svc, settle } = sim(11);
    const h = settle(new GfsMount(svc('n1')).open(['f'], RW)) as FileHandle;
    const file = h.lockIdentity!.file;
    expect(settle(svc('n1').locks.set(file, { owner: owner(101), type: 'write', start: 0, end: LOCK_END, wait: false }).result)).toBeUndefined();
    const refused = settle(svc('n2').locks.set(file, { owner: owner(202), type: 'read', start: 0, end: 1, wait: false }).result);
    expect((refused as FsError).code).toBe('EAGAIN');
    const waiting = svc('n2').locks.set(file, { owner: owner(202), type: 'write', start: 0, end: 10, wait: true });
    expect(settle(waiting.result, 500)).toBe('pending');
    const other = svc('n3').locks.set(file, { owner: owner(303), type: 'write', start: 0, end: 10, wait: true });
    expect(settle(other.result, 300)).toBe('pending');
    other.cancel();
    expect((settle(other.result) as FsError).code).toBe('EINTR');
    svc('n1').locks.releaseOwner(file, 'p101');
    expect(settle(waiting.result)).toBeUndefined();
    const test = settle(svc('n3').locks.test(file, { owner: owner(303), type: 'read', start: 5, end: 6, wait: false }));
    expect(test).toEqual({ type: 'write', start: 0, end: 10, pid: 202 });
  });

  it('releases the locks of a node that is gone', () => {
    const { c, svc, settle } = sim(12);
    const h = settle(new GfsMount(svc('n2')).open(['g'], RW)) as FileHandle;
    const file = h.lockIdentity!.file;
    expect(settle(svc('n2').locks.set(file, { owner: owner(7), type: 'write', start: 0, end: LOCK_END, wait: false }).result)).toBeUndefined();
    const waiting = svc('n3').locks.set(file, { owner: owner(8), type: 'write', start: 0, end: LOCK_END, wait: true });
    expect(settle(waiting.result, 300)).toBe('pending');
    c.crash('n2');
    svc('n1').nodeDown('n2');
    expect(settle(waiting.result)).toBeUndefined();
    c.sim.runFor(500 * MS); // every replica has applied it
    expect(svc('n1').machine.holdCount).toBe(0);
    expect(svc('n3').machine.holdCount).toBe(0);
  });
});
