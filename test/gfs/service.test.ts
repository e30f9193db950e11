// The gfs node service in simulation: mutations from any node through the log, reads of each node's own replica
// after a read barrier, holds that keep an unlinked file readable, appends from several nodes, EIO for a node cut
// off from the majority, and files that survive the leader's crash.
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/cluster/index.js';
import { GfsMount, GfsService } from '../../src/gfs/index.js';
import { FsError, Later, type FileHandle, type Maybe } from '../../src/vfs/index.js';

const MS = 1_000_000;
const RW = { read: true, write: true, create: true, exclusive: false, truncate: false, directory: false, mode: 0o644 };
const RO = { read: true, write: false, create: false, exclusive: false, truncate: false, directory: false, mode: 0 };

class GfsSim {
  readonly c: SimCluster;
  readonly ids = ['n1', 'n2', 'n3'];
  constructor(seed: number, opts: ConstructorParameters<typeof GfsService>[0] = {}) {
    this.c = new SimCluster({ seed, nodes: this.ids.map((id) => ({ id, services: { gfs: () => new GfsService(opts) } })) });
  }
  svc(id: string): GfsService {
    const s = this.c.service<GfsService>(id, 'gfs');
    if (!s) throw new Error(`${id} is down`);
    return s;
  }
  mount(id: string): GfsMount {
    return new GfsMount(this.svc(id));
  }
  leader(): string | null {
    return this.ids.find((id) => this.c.service<GfsService>(id, 'gfs')?.host?.raft.role === 'leader') ?? null;
  }
  /** Run until m settles (or ms pass): its value, or the FsError it failed with. */
  wait<T>(m: Maybe<T>, ms = 10_000): T | FsError {
    if (!(m instanceof Later)) return m;
    let out: { v: T } | { e: FsError } | null = null;
    m.then((v) => { out = { v }; }, (e) => { out = { e }; });
    this.c.sim.run({ until_ns: this.c.sim.now_ns + ms * MS, stop_when: () => out !== null });
    if (out === null) throw new Error('did not settle');
    const o = out as { v: T } | { e: FsError };
    return 'v' in o ? o.v : o.e;
  }
  ok<T>(m: Maybe<T>): T {
    const r = this.wait(m);
    if (r instanceof FsError) throw r;
    return r;
  }
  boot(): string {
    this.c.sim.run({ until_ns: 5000 * MS, stop_when: () => this.leader() !== null });
    const l = this.leader();
    if (l === null) throw new Error('no leader');
    return l;
  }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
function readAll(h: FileHandle): string {
  const buf = new Uint8Array(1 << 16);
  const n = h.read(buf, 0);
  return new TextDecoder().decode(buf.subarray(0, n));
}

describe('the gfs service', () => {
  it('takes mutations from a follower and shows them on every node after a barrier', () => {
    const s = new GfsSim(1);
    const leader = s.boot();
    const follower = s.ids.find((id) => id !== leader)!;
    const other = s.ids.find((id) => id !== leader && id !== follower)!;
    const m = s.mount(follower);
    s.ok(m.mkdir(['data'], 0o755));
    s.ok(m.mkdir(['data', 'shared'], 0o755));
    const h = s.ok(m.open(['data', 'shared', 'config.txt'], RW));
    expect(s.ok(h.write(text('speed=3\n'), 0))).toBe(8);
    // The write is acknowledged: a barrier that starts now on a third node sees it in that node's replica.
    const seen = s.mount(other);
    s.ok(seen.ready());
    const st = seen.lstat(['data', 'shared', 'config.txt']);
    expect(st.size).toBe(8n);
    expect(st.kind).toBe('file');
    const h2 = s.ok(seen.open(['data', 'shared', 'config.txt'], RO));
    expect(readAll(h2)).toBe('speed=3\n');
    // The same inode number from every node.
    expect(s.mount(leader).lstat(['data', 'shared', 'config.txt']).ino).toBe(st.ino);
    // Errors are the tree's, through the log.
    expect((s.wait(m.mkdir(['data'], 0o755)) as FsError).code).toBe('EEXIST');
    expect((s.wait(m.unlink(['nowhere'])) as FsError).code).toBe('ENOENT');
  });

  it('keeps an unlinked file readable through a description open on another node until it is closed', () => {
    const s = new GfsSim(2);
    s.boot();
    const a = s.mount('n1'), b = s.mount('n3');
    const w = s.ok(a.open(['f'], RW));
    s.ok(w.write(text('still here'), 0));
    const r = s.ok(b.open(['f'], RO));
    const inodes = s.svc('n1').tree.inodeCount;
    s.ok(a.unlink(['f']));
    w.close();
    s.ok(b.ready());
    expect(() => b.lstat(['f'])).toThrow(FsError);
    s.ok(r.ready());
    expect(readAll(r)).toBe('still here');
    r.close();
    s.c.sim.runFor(500 * MS);
    expect(s.svc('n2').tree.inodeCount).toBe(inodes - 1);
    expect(s.svc('n2').machine.holdCount).toBe(0);
  });

  it('appends from several nodes without losing one', () => {
    const s = new GfsSim(3);
    s.boot();
    const hs = s.ids.map((id) => s.ok(s.mount(id).open(['log'], RW)));
    const pending = hs.flatMap((h, i) => [0, 1, 2].map((k) => h.append!(text(`n${i + 1}:${k}\n`))));
    for (const p of pending) s.ok(p);
    const m = s.mount('n2');
    s.ok(m.ready());
    const lines = readAll(s.ok(m.open(['log'], RO))).split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(9);
    expect(new Set(lines).size).toBe(9);
  });

  it('fails a call with EIO on a node cut off from the majority, and serves the majority meanwhile', () => {
    const s = new GfsSim(4, { call_timeout_ms: 1000 });
    const leader = s.boot();
    const cut = s.ids.find((id) => id !== leader)!;
    s.c.net.isolate(cut);
    const t0 = s.c.sim.now_ns;
    const e = s.wait(s.mount(cut).mkdir(['x'], 0o755));
    expect(e).toBeInstanceOf(FsError);
    expect((e as FsError).code).toBe('EIO');
    expect(s.c.sim.now_ns - t0).toBeGreaterThanOrEqual(1000 * MS);
    expect((s.wait(s.mount(cut).ready()) as FsError).code).toBe('EIO');
    s.ok(s.mount(leader).mkdir(['y'], 0o755));
    s.c.net.rejoin(cut);
    s.ok(s.mount(cut).ready());
    expect(s.mount(cut).lstat(['y']).kind).toBe('dir');
    expect(() => s.mount(cut).lstat(['x'])).toThrow(FsError);
  });

  it('on a hard mount waits past the deadline for the majority instead of failing', () => {
    const s = new GfsSim(8, { call_timeout_ms: 500, hard: true });
    const leader = s.boot();
    const cut = s.ids.find((id) => id !== leader)!;
    s.ok(s.mount(cut).ready());
    s.c.net.isolate(cut);
    const pending = s.mount(cut).mkdir(['hard'], 0o755) as Later<void>;
    s.c.sim.runFor(3000 * MS);
    expect(pending.settled).toBe(false);
    s.c.net.rejoin(cut);
    expect(s.wait(pending)).toBeUndefined();
    expect(s.mount(leader).lstat(['hard']).kind).toBe('dir');
  });

    it('keeps acknowledged files through the crash of the leader', () => {
    const s = new GfsSim(5);
    const leader = s.boot();
    const m = s.mount(leader);
    const h = s.ok(m.open(['kept'], RW));
    s.ok(h.write(text('acknowledged'), 0));
    s.c.crash(leader);
    const rest = s.ids.filter((id) => id !== leader);
    s.c.sim.run({ until_ns: s.c.sim.now_ns + 5000 * MS, stop_when: () => s.leader() !== null });
    const m2 = s.mount(rest[0]!);
    s.ok(m2.ready());
    expect(readAll(s.ok(m2.open(['kept'], RO)))).toBe('acknowledged');
    s.ok(m2.mkdir(['after'], 0o755));
    s.c.restart(leader);
    const back = s.mount(leader);
    s.ok(back.ready());
    expect(back.lstat(['after']).kind).toBe('dir');
    expect(readAll(s.ok(back.open(['kept'], RO)))).toBe('acknowledged');
  });

  it('in close-to-open mode reads an open file from the replica as it is, and sees every earlier write at the next open', () => {
    const s = new GfsSim(7, { consistency: 'close-to-open' });
    const leader = s.boot();
    const reader = s.ids.find((id) => id !== leader)!;
    const w = s.ok(s.mount(leader).open(['cfg'], RW));
    s.ok(w.write(text('v1'), 0));
    s.c.sim.runFor(50 * MS);
    const r = s.ok(s.mount(reader).open(['cfg'], RO));
    expect(r.ready!()).toBeNull(); // no barrier for an open file's reads
    expect(readAll(r)).toBe('v1');
    s.ok(w.write(text('v2'), 0));
    // Acknowledged on the leader, not yet applied on the reader's replica: the open description reads the old bytes.
    expect(readAll(r)).toBe('v1');
    // The next open takes the barrier: it sees every write completed before it.
    const again = s.ok(s.mount(reader).open(['cfg'], RO));
    expect(readAll(again)).toBe('v2');
    expect(s.mount(reader).ready('path')).toBeNull();
    expect(s.mount(reader).ready('open')).not.toBeNull();
  });

    it('runs the same way twice with one seed', () => {
    const run = (): string => {
      const s = new GfsSim(6);
      s.boot();
      const hs = s.ids.map((id) => s.ok(s.mount(id).open(['log'], RW)));
      for (const p of hs.map((h, i) => h.append!(text(`${i}`)))) s.ok(p);
      const m = s.mount('n1');
      s.ok(m.ready());
      return `${readAll(s.ok(m.open(['log'], RO)))} ${s.c.sim.now_ns}`;
    };
    expect(run()).toBe(run());
  });
});
