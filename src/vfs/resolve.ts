// The VFS: a mount table and path resolution. A path is resolved as Linux's namei does, component by component
// from the caller's directory (its cwd or a dirfd) or from the root: '.' and empty names are skipped, '..' goes to
// the parent (and stays at the root at the root), each symbolic link met is read and its target walked in place
// (an absolute target starts again at this VFS's root, never the host's), at most SYMLINKS_MAX of them (ELOOP).
// Every path the VFS hands a mount is therefore canonical, without links, and inside the mount, so a guest cannot
// name anything outside its root. Paths are byte strings (latin1: one character per byte).
import { FsError } from './errors.js';
import type { BarrierPurpose, FileStat, LockManager, Mount } from './mount.js';
import { andThen, type Maybe } from './later.js';

/** Longest path, its NUL included (Linux's PATH_MAX): ENAMETOOLONG from this length on. */
export const PATH_MAX = 4096;
/** Longest name of one component (NAME_MAX). */
export const NAME_MAX = 255;
/** Symbolic links followed in one resolution (Linux's MAXSYMLINKS). */
export const SYMLINKS_MAX = 40;

/** Where a path led. */
export interface Resolved {
  /** The canonical absolute path ('/' or '/a/b'). */
  readonly path: string;
  readonly mount: Mount;
  /** The path inside mount. */
  readonly rel: readonly string[];
  /** Its attributes; null when the last component does not exist (its parent does). */
  readonly stat: FileStat | null;
  /** The path as written ended in '/', '.' or '..': it must name a directory. */
  readonly dirOnly: boolean;
  /** The last component as written ('.', '..', a name; '' for '/'). */
  readonly last: string;
}

export interface ResolveOptions {
  /** Follow a symbolic link at the last component (not for lstat, O_NOFOLLOW, unlink, rename...). */
  readonly follow: boolean;
}

/** Components of a canonical path. */
export function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** The canonical path of components. */
export function joinPath(parts: readonly string[]): string {
  return '/' + parts.join('/');
}

export class Vfs {
  private readonly mounts: { at: string[]; mount: Mount }[] = [];

  /** A VFS whose '/' is root. */
  constructor(root: Mount) {
    this.mounts.push({ at: [], mount: root });
  }

  /**
   * Mount m at the canonical absolute path at (replacing one there): paths under it are served by m. The
   * directory under it in the outer mount is hidden while m is mounted.
   */
  mount(at: string, m: Mount): void {
    if (!at.startsWith('/')) throw new FsError('EINVAL', `mount point ${at} is not absolute`);
    const parts = splitPath(at);
    if (parts.includes('..')) throw new FsError('EINVAL', `mount point ${at} is not canonical`);
    const i = this.mounts.findIndex((e) => e.at.join('/') === parts.join('/'));
    if (i >= 0) this.mounts.splice(i, 1);
    this.mounts.push({ at: parts, mount: m });
    this.mounts.sort((a, b) => b.at.length - a.at.length); // deepest first
  }

  /**
   * The read barrier a call must pass before it resolves a path: the barriers of the mounts shared with other
   * computers (undefined when none needs one).
   */
  ready(purpose: BarrierPurpose = 'path'): Maybe<void> {
    let out: Maybe<void> = undefined;
    for (const e of this.mounts) {
      const b = e.mount.ready?.(purpose) ?? null;
      if (b !== null) out = andThen(out, () => b);
    }
    return out;
  }

  /** The lock manager of domain among the mounts (undefined: none keeps locks so). */
  lockManager(domain: string): LockManager | undefined {
    for (const e of this.mounts) if (e.mount.locks?.domain === domain) return e.mount.locks;
    return undefined;
  }

  /** The mounts, outermost first: where each is mounted and what it serves. */
  list(): { at: string; describe: string }[] {
    return [...this.mounts].reverse().map((e) => ({ at: joinPath(e.at), describe: e.mount.describe }));
  }

  /** The mount serving canonical components parts, and the path inside it. */
  locate(parts: readonly string[]): { mount: Mount; rel: string[] } {
    for (const e of this.mounts) {
      if (e.at.length <= parts.length && e.at.every((c, i) => parts[i] === c)) return { mount: e.mount, rel: parts.slice(e.at.length) };
    }
    throw new Error('the VFS has no root mount');
  }

  private lstat(parts: readonly string[]): FileStat {
    const { mount, rel } = this.locate(parts);
    return mount.lstat(rel);
  }

  /**
   * Resolve path from the directory base (a canonical absolute path) or, for an absolute path, from the root.
   * Throws FsError: ENOENT (an empty path, a missing directory on the way, a dangling link inside the path),
   * ENOTDIR (a non-directory on the way, or at the end of a path ending in '/'), ENAMETOOLONG, ELOOP.
   */
  resolve(base: string, path: string, opts: ResolveOptions): Resolved {
    if (path.length === 0) throw new FsError('ENOENT');
    if (path.length >= PATH_MAX) throw new FsError('ENAMETOOLONG');
    const raw = path.split('/');
    const lastRaw = raw[raw.length - 1]!;
    const dirOnly = lastRaw === '' || lastRaw === '.' || lastRaw === '..';
    const lastName = [...raw].reverse().find((c) => c !== '') ?? '';
    let cur: string[] = path.startsWith('/') ? [] : splitPath(base);
    // Components still to walk, the next one last.
    const todo = raw.reverse();
    let links = 0;
    let stat: FileStat | null = null;
    let walkedLast = false;
    const isLast = (): boolean => todo.every((c) => c === '' || c === '.');
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (c === '' || c === '.') continue;
      if (c.length > NAME_MAX) throw new FsError('ENAMETOOLONG');
      walkedLast = false;
      if (c === '..') {
        cur.pop();
        continue;
      }
      const last = isLast();
      const next = [...cur, c];
      let st: FileStat;
      try {
        st = this.lstat(next);
      } catch (err) {
        if (last && err instanceof FsError && err.code === 'ENOENT') {
          const { mount, rel } = this.locate(next);
          return { path: joinPath(next), mount, rel, stat: null, dirOnly, last: lastName };
        }
        throw err;
      }
      if (st.kind === 'symlink' && (!last || opts.follow || dirOnly)) {
        if (++links > SYMLINKS_MAX) throw new FsError('ELOOP');
        const target = this.locate(next).mount.readlink(this.locate(next).rel);
        if (target.length === 0) throw new FsError('ENOENT');
        if (target.startsWith('/')) cur = [];
        for (const t of target.split('/').reverse()) todo.push(t);
        continue;
      }
      if (!last && st.kind !== 'dir') throw new FsError('ENOTDIR');
      cur = next;
      stat = st;
      walkedLast = true;
    }
    if (!walkedLast) stat = this.lstat(cur); // the path ended at a directory reached by '..', '.' or '/'
    if (dirOnly && stat !== null && stat.kind !== 'dir') throw new FsError('ENOTDIR');
    const { mount, rel } = this.locate(cur);
    return { path: joinPath(cur), mount, rel, stat, dirOnly, last: lastName };
  }
}
