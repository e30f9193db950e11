// The VFS's path resolution and its sandbox: '..' stays at the root, absolute paths and symbolic links (absolute
// or relative, pointing out of the directory) resolve inside it, links are followed at most SYMLINKS_MAX times,
// names and paths have Linux's limits, and a second mount is crossed both ways.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsError, HostDirMount, Vfs, SYMLINKS_MAX } from '../../src/vfs/index.js';

let base: string;
let root: string;
let vfs: Vfs;

function code(fn: () => unknown): string {
  try { fn(); } catch (err) { if (err instanceof FsError) return err.code; throw err; }
  return 'ok';
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'atoll-vfs-'));
  root = join(base, 'root');
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'file'), 'inside');
  writeFileSync(join(base, 'secret'), 'outside');
  vfs = new Vfs(new HostDirMount(root));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('path resolution in the sandbox', () => {
  it('".." at the root stays at the root, however many there are', () => {
    expect(vfs.resolve('/', '..', { follow: true }).path).toBe('/');
    expect(vfs.resolve('/a/b', '../../../../..', { follow: true }).path).toBe('/');
    expect(vfs.resolve('/a/b', '../../../../../secret', { follow: true }).stat).toBeNull();
    expect(vfs.resolve('/', '../a/./b/..//file', { follow: true }).path).toBe('/a/file');
  });

  it('absolute paths start at the sandbox root, not the host root', () => {
    expect(vfs.resolve('/a', '/a/file', { follow: true }).stat?.kind).toBe('file');
    expect(code(() => vfs.resolve('/', join(base, 'secret'), { follow: true }))).toBe('ENOENT');
    expect(vfs.resolve('/', '/etc', { follow: true }).stat).toBeNull();
  });

  it('symbolic links pointing out of the sandbox resolve inside it', () => {
    symlinkSync(join(base, 'secret'), join(root, 'abs'));
    symlinkSync('../secret', join(root, 'rel'));
    symlinkSync('../../../../../../..' + base, join(root, 'a', 'deep'));
    symlinkSync(base, join(root, 'dirlink'));
    expect(code(() => vfs.resolve('/', 'abs', { follow: true }))).toBe('ENOENT'); // no /tmp inside
    expect(vfs.resolve('/', 'rel', { follow: true }).path).toBe('/secret');
    expect(vfs.resolve('/', 'rel', { follow: true }).stat).toBeNull();
    expect(code(() => vfs.resolve('/', 'a/deep/secret', { follow: true }))).toBe('ENOENT');
    expect(code(() => vfs.resolve('/', 'dirlink/secret', { follow: true }))).toBe('ENOENT');
    // without following, the link itself
    expect(vfs.resolve('/', 'abs', { follow: false }).stat?.kind).toBe('symlink');
  });

  it('a link inside the sandbox is followed, through directories and at the end', () => {
    symlinkSync('a', join(root, 'toa'));
    symlinkSync('/a/file', join(root, 'a', 'b', 'tofile'));
    expect(vfs.resolve('/', 'toa/b/tofile', { follow: true }).path).toBe('/a/file');
    expect(vfs.resolve('/', 'toa/b/tofile', { follow: false }).path).toBe('/a/b/tofile');
    expect(vfs.resolve('/', 'toa/', { follow: false }).path).toBe('/a');
    expect(vfs.resolve('/', 'toa/..', { follow: true }).path).toBe('/');
  });

  it(`follows at most ${SYMLINKS_MAX} links (ELOOP beyond), and a loop is ELOOP`, () => {
    for (let i = 0; i < SYMLINKS_MAX + 1; i++) symlinkSync(`l${i + 1}`, join(root, `l${i}`));
    writeFileSync(join(root, `l${SYMLINKS_MAX + 1}`), 'end');
    expect(vfs.resolve('/', 'l1', { follow: true }).path).toBe(`/l${SYMLINKS_MAX + 1}`);
    expect(code(() => vfs.resolve('/', 'l0', { follow: true }))).toBe('ELOOP');
    symlinkSync('self', join(root, 'self'));
    expect(code(() => vfs.resolve('/', 'self', { follow: true }))).toBe('ELOOP');
    expect(code(() => vfs.resolve('/', 'self/x', { follow: false }))).toBe('ELOOP');
  });

  it('Linux errors: ENOENT, ENOTDIR, ENAMETOOLONG', () => {
    expect(code(() => vfs.resolve('/', '', { follow: true }))).toBe('ENOENT');
    expect(code(() => vfs.resolve('/', 'missing/x', { follow: true }))).toBe('ENOENT');
    expect(code(() => vfs.resolve('/', 'a/file/x', { follow: true }))).toBe('ENOTDIR');
    expect(code(() => vfs.resolve('/', 'a/file/', { follow: true }))).toBe('ENOTDIR');
    expect(code(() => vfs.resolve('/', 'n'.repeat(256), { follow: true }))).toBe('ENAMETOOLONG');
    expect(vfs.resolve('/', 'n'.repeat(255), { follow: true }).stat).toBeNull();
    expect(code(() => vfs.resolve('/', 'a/'.repeat(2048), { follow: true }))).toBe('ENAMETOOLONG');
    expect(vfs.resolve('/', './'.repeat(2047), { follow: true }).path).toBe('/');
  });

  it('a second mount is entered and left by paths and ".."', () => {
    const other = join(base, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'o.txt'), 'o');
    vfs.mount('/a/b', new HostDirMount(other));
    const r = vfs.resolve('/', 'a/b/o.txt', { follow: true });
    expect(r.stat?.kind).toBe('file');
    expect(r.rel).toEqual(['o.txt']);
    expect(vfs.resolve('/a/b', '../file', { follow: true }).path).toBe('/a/file');
    expect(vfs.resolve('/a/b', '..', { follow: true }).mount).not.toBe(r.mount);
    expect(vfs.list().map((m) => m.at)).toEqual(['/', '/a/b']);
  });
});
