// The global namespace's tree against Linux itself: the same sequence of operations on a GfsTree and on a host
// directory (HostDirMount, whose errors are the host kernel's) gives the same errno names and the same kinds,
// sizes, link counts and permission bits; plus what a host directory cannot show (contents in chunks, an
// unlinked file kept by its holds, the bounds).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GfsTree, CHUNK_BYTES, FILE_BYTES_MAX } from '../../src/gfs/index.js';
import { FsError, HostDirMount, type FileStat } from '../../src/vfs/index.js';

const p = (s: string): string[] => s.split('/').filter((c) => c !== '');
const open = { write: true, create: true, exclusive: false, truncate: false, directory: false, mode: 0o644 };
const outcome = (fn: () => unknown): string => {
  try {
    const v = fn();
    return v === undefined || typeof v === 'number' ? 'ok' : JSON.stringify(v);
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
};
// A directory's st_size is the host file system's own (ext4 4096, tmpfs otherwise): left out.
const shape = (s: FileStat): string => `${s.kind} ${(s.mode & 0o7777).toString(8)} size ${s.kind === 'dir' ? '-' : s.size} nlink ${s.nlink}`;

type Op = readonly [string, (t: GfsTree, time: bigint) => unknown, (h: HostDirMount) => unknown];
const both = (name: string, t: (t: GfsTree, time: bigint) => unknown, h: (h: HostDirMount) => unknown): Op => [name, t, h];

const OPS: readonly Op[] = [
  both('mkdir /a', (t, n) => t.mkdir(p('a'), 0o755, n), (h) => h.mkdir(p('a'), 0o755)),
  both('mkdir /a again', (t, n) => t.mkdir(p('a'), 0o755, n), (h) => h.mkdir(p('a'), 0o755)),
  both('mkdir /x/y', (t, n) => t.mkdir(p('x/y'), 0o755, n), (h) => h.mkdir(p('x/y'), 0o755)),
  both('create /a/f', (t, n) => t.open(p('a/f'), open, n), (h) => h.open(p('a/f'), { ...open, read: false }).close()),
  both('create /a/f exclusively', (t, n) => t.open(p('a/f'), { ...open, exclusive: true }, n), (h) => h.open(p('a/f'), { ...open, read: false, exclusive: true }).close()),
  both('open /a/f as a directory', (t, n) => t.open(p('a/f'), { ...open, create: false, write: false, directory: true }, n), (h) => h.open(p('a/f'), { ...open, read: true, write: false, create: false, directory: true }).close()),
  both('open /a for writing', (t, n) => t.open(p('a'), { ...open, create: false }, n), (h) => h.open(p('a'), { ...open, read: false, create: false }).close()),
  both('mkdir under a file', (t, n) => t.mkdir(p('a/f/g'), 0o755, n), (h) => h.mkdir(p('a/f/g'), 0o755)),
  both('lstat under a file', (t) => shape(t.lstat(p('a/f/g'))), (h) => shape(h.lstat(p('a/f/g')))),
  both('link /a/f /a/g', (t, n) => t.link(p('a/f'), p('a/g'), n), (h) => h.link(p('a/f'), p('a/g'))),
  both('lstat /a/f', (t) => shape(t.lstat(p('a/f'))), (h) => shape(h.lstat(p('a/f')))),
  both('link a directory', (t, n) => t.link(p('a'), p('b'), n), (h) => h.link(p('a'), p('b'))),
  both('symlink /s -> a/f', (t, n) => t.symlink('a/f', p('s'), n), (h) => h.symlink('a/f', p('s'))),
  both('readlink /s', (t) => t.readlink(p('s')), (h) => h.readlink(p('s'))),
  both('readlink /a', (t) => t.readlink(p('a')), (h) => h.readlink(p('a'))),
  both('lstat /s', (t) => shape(t.lstat(p('s'))), (h) => shape(h.lstat(p('s')))),
  both('unlink /a', (t, n) => t.unlink(p('a'), n), (h) => h.unlink(p('a'))),
  both('rmdir /a (not empty)', (t, n) => t.rmdir(p('a'), n), (h) => h.rmdir(p('a'))),
  both('rmdir /s (a link)', (t, n) => t.rmdir(p('s'), n), (h) => h.rmdir(p('s'))),
  both('mkdir /a/d', (t, n) => t.mkdir(p('a/d'), 0o700, n), (h) => h.mkdir(p('a/d'), 0o700)),
  both('lstat /a', (t) => shape(t.lstat(p('a'))), (h) => shape(h.lstat(p('a')))),
  both('rename /a into itself', (t, n) => t.rename(p('a'), p('a/d/e'), false, n), (h) => h.rename(p('a'), p('a/d/e'), false)),
  both('rename file over directory', (t, n) => t.rename(p('a/f'), p('a/d'), false, n), (h) => h.rename(p('a/f'), p('a/d'), false)),
  both('rename directory over file', (t, n) => t.rename(p('a/d'), p('a/f'), false, n), (h) => h.rename(p('a/d'), p('a/f'), false)),
  both('rename noreplace onto a name', (t, n) => t.rename(p('a/f'), p('a/g'), true, n), (h) => h.rename(p('a/f'), p('a/g'), true)),
  both('rename a hard link onto its twin', (t, n) => t.rename(p('a/f'), p('a/g'), false, n), (h) => h.rename(p('a/f'), p('a/g'), false)),
  both('lstat /a/g', (t) => shape(t.lstat(p('a/g'))), (h) => shape(h.lstat(p('a/g')))),
  both('mkdir /b, rename /a/d to /b/d', (t, n) => { t.mkdir(p('b'), 0o755, n); t.rename(p('a/d'), p('b/d'), false, n); }, (h) => { h.mkdir(p('b'), 0o755); h.rename(p('a/d'), p('b/d'), false); }),
  both('lstat /a after', (t) => shape(t.lstat(p('a'))), (h) => shape(h.lstat(p('a')))),
  both('lstat /b after', (t) => shape(t.lstat(p('b'))), (h) => shape(h.lstat(p('b')))),
  both('rename /b onto empty /x', (t, n) => { t.mkdir(p('x'), 0o755, n); t.rename(p('b/d'), p('x'), false, n); }, (h) => { h.mkdir(p('x'), 0o755); h.rename(p('b/d'), p('x'), false); }),
  both('rename /a onto non-empty /x... /a has g', (t, n) => t.rename(p('b'), p('a'), false, n), (h) => h.rename(p('b'), p('a'), false)),
  both('unlink /a/g', (t, n) => t.unlink(p('a/g'), n), (h) => h.unlink(p('a/g'))),
  both('unlink /a/g again', (t, n) => t.unlink(p('a/g'), n), (h) => h.unlink(p('a/g'))),
  both('rmdir /a', (t, n) => t.rmdir(p('a'), n), (h) => h.rmdir(p('a'))),
  both('access /s X_OK (dangling)', (t) => t.access(p('s'), 0), (h) => h.access(p('s'), 0)),
  both('long name', (t, n) => t.mkdir(['n'.repeat(256)], 0o755, n), (h) => h.mkdir(['n'.repeat(256)], 0o755)),
];

describe('the global namespace tree', () => {
  it('answers a sequence of operations as Linux does (a host directory alongside)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gfs-'));
    try {
      const host = new HostDirMount(dir);
      const tree = new GfsTree();
      let time = 1n;
      for (const [name, onTree, onHost] of OPS) {
        const want = outcome(() => onHost(host));
        const got = outcome(() => onTree(tree, time++));
        expect(`${name}: ${got}`).toBe(`${name}: ${want}`);
      }
      const names = (es: { name: string; kind: string }[]): string[] => es.map((e) => `${e.name} ${e.kind}`);
      const hostRoot = host.open([], { read: true, write: false, create: false, exclusive: false, truncate: false, directory: true, mode: 0 });
      expect(names(tree.readdir(tree.lookup([])))).toEqual(names(hostRoot.readdir()));
      hostRoot.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps contents in chunks: writes across a chunk boundary, holes read as zeros, truncate and size', () => {
    const t = new GfsTree();
    const ino = t.open(['f'], open, 1n);
    const data = new Uint8Array(CHUNK_BYTES + 10).map((_, i) => i % 251);
    expect(t.write(ino, CHUNK_BYTES - 5, data, 2n)).toBe(data.length);
    expect(t.stat(ino).size).toBe(BigInt(2 * CHUNK_BYTES + 5));
    expect([...t.read(ino, 0, 4)]).toEqual([0, 0, 0, 0]);
    expect(t.read(ino, CHUNK_BYTES - 5, data.length)).toEqual(data);
    expect(t.read(ino, 2 * CHUNK_BYTES + 5, 10).length).toBe(0);
    t.truncate(ino, CHUNK_BYTES, 3n);
    expect(t.stat(ino).size).toBe(BigInt(CHUNK_BYTES));
    expect(t.bytesUsed).toBe(CHUNK_BYTES);
    expect(t.stat(ino).mtime_ns).toBe(3n);
    expect(t.write(ino, 10 * CHUNK_BYTES, new Uint8Array(0), 4n)).toBe(0);
    expect(t.stat(ino).size).toBe(BigInt(CHUNK_BYTES));
    expect(outcome(() => t.write(ino, FILE_BYTES_MAX, new Uint8Array(1), 5n))).toBe('EFBIG');
    t.open(['f'], { ...open, truncate: true }, 6n);
    expect(t.stat(ino).size).toBe(0n);
    expect(t.bytesUsed).toBe(0);
  });

  it('keeps an unlinked file while a description holds it, then frees it', () => {
    const t = new GfsTree();
    const ino = t.open(['f'], open, 1n);
    t.write(ino, 0, new TextEncoder().encode('still here'), 2n);
    t.hold(ino);
    t.unlink(['f'], 3n);
    expect(outcome(() => t.lstat(['f']))).toBe('ENOENT');
    expect(new TextDecoder().decode(t.read(ino, 0, 64))).toBe('still here');
    expect(t.stat(ino).nlink).toBe(0);
    t.release(ino);
    expect(outcome(() => t.stat(ino))).toBe('EBADF');
    expect(t.bytesUsed).toBe(0);
    expect(t.inodeCount).toBe(1);
  });
});
