// The geo store mounted into a node's file system (/geo): files are keys, directories their prefixes (mkdir
// leaves a marker), writes go to a local quorum and reach the other centres in the background; the mount's session
// reads its own writes; links are EPERM; bad names and missing files get Linux's errnos.
import { describe, expect, it } from 'vitest';
import { GeoMount, GeoSim } from '../../src/geo/index.js';
import { FsError, Later, Vfs, type FileHandle, type Maybe } from '../../src/vfs/index.js';
import { LocalTreeMount as TreeMount } from '../../src/gfs/index.js';

const MS = 1_000_000;
const RW = { read: true, write: true, create: true, exclusive: false, truncate: false, directory: false, mode: 0o644 };
const RO = { read: true, write: false, create: false, exclusive: false, truncate: false, directory: false, mode: 0 };

describe('the geo mount', () => {
  const sim = new GeoSim({ seed: 3, topology: { centres: 2, replicas_per_centre: 3 } });
  sim.runFor(200);
  const wait = <T>(m: Maybe<T>): T | FsError => {
    if (!(m instanceof Later)) return m;
    let out: { v: T } | { e: FsError } | null = null;
    m.then((v) => { out = { v }; }, (e) => { out = { e }; });
    sim.cluster.sim.run({ until_ns: sim.cluster.sim.now_ns + 5000 * MS, stop_when: () => out !== null });
    const o = out as { v: T } | { e: FsError } | null;
    if (o === null) throw new Error('did not settle');
    return 'v' in o ? o.v : o.e;
  };
  const ok = <T>(m: Maybe<T>): T => {
    const r = wait(m);
    if (r instanceof FsError) throw r;
    return r;
  };
  const text = (h: FileHandle): string => {
    const b = new Uint8Array(Number(h.stat().size));
    h.read(b, 0);
    return Buffer.from(b).toString('latin1');
  };

  it('writes a file on a local quorum, reads it back, and shows it in the other centre once replicated', () => {
    const here = new GeoMount(sim.store('dc1-r1')!, 'dc1-r1');
    ok(here.mkdir(['docs'], 0o755));
    const h = ok(here.open(['docs', 'a.txt'], RW));
    expect(ok(h.write(Buffer.from('hello geo'), 0))).toBe(9);
    expect(ok(h.write(Buffer.from('HE'), 0))).toBe(2);
    expect(text(ok(here.open(['docs', 'a.txt'], RO)))).toBe('HEllo geo');
    expect(here.lstat(['docs']).kind).toBe('dir');
    expect(here.lstat(['docs', 'a.txt'])).toMatchObject({ kind: 'file', size: 9n });
    expect(ok(here.open(['docs'], { ...RO, directory: true })).readdir().map((e) => [e.name, e.kind])).toEqual([['a.txt', 'file']]);
    // Through a VFS, as a machine's calls see it.
    const vfs = new Vfs(new TreeMount(() => 0n));
    vfs.mount('/geo', here);
    expect(vfs.resolve('/', '/geo/docs/a.txt', { follow: true }).stat?.size).toBe(9n);
    sim.runFor(1000);
    const far = new GeoMount(sim.store('dc2-r2')!, 'dc2-r2');
    expect(text(ok(far.open(['docs', 'a.txt'], RO)))).toBe('HEllo geo');
  });

  it('removes files and empty directories, and refuses what a key store cannot do', () => {
    const m = new GeoMount(sim.store('dc1-r2')!, 'dc1-r2');
    ok(m.mkdir(['tmp'], 0o755));
    ok(ok(m.open(['tmp', 'x'], RW)).write(Buffer.from('1'), 0));
    expect(() => m.rmdir(['tmp'])).toThrow(/ENOTEMPTY/);
    ok(m.rename(['tmp', 'x'], ['tmp', 'y'], false));
    expect(() => m.lstat(['tmp', 'x'])).toThrow(FsError);
    ok(m.unlink(['tmp', 'y']));
    ok(m.rmdir(['tmp']));
    expect(() => m.lstat(['tmp'])).toThrow(/ENOENT/);
    expect(() => m.symlink()).toThrow(/EPERM/);
    expect(() => m.link()).toThrow(/EPERM/);
    expect((wait(m.open(['missing'], RO)) as FsError).code).toBe('ENOENT');
    expect(() => m.unlink(['missing'])).toThrow(/ENOENT/);
    expect(() => m.mkdir(['docs'], 0o755)).toThrow(/EEXIST/);
  });
});
