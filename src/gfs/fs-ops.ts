// What `atoll fs` does to a namespace, written once over a VFS: stat, ls, read a range, write a range (the
// first part of a put makes the parents and creates or truncates the file), mkdir (-p), rm (a file, a link or
// an empty directory). Each waits for the VFS's read barrier first and answers now or later (a Maybe), so the
// same code serves a saved image (answers now) and a node of a real cluster (answers when the log has them).
// Paths are absolute; symbolic links are followed except at the last component of rm and stat's lstat view. Every
// operation takes the barrier an open takes, so a close-to-open node answers them as fresh as a linearizable one.
import { FsError, andThen, joinPath, splitPath, type FileHandle, type FileKind, type FileStat, type Maybe, type Vfs } from '../vfs/index.js';

/** One file as `atoll fs ls` and `stat` show it. */
export interface FsEntry {
  readonly name: string;
  readonly kind: FileKind;
  readonly mode: number;
  readonly size: number;
  readonly nlink: number;
  readonly ino: number;
  readonly mtime_ns: string;
  /** A symbolic link's target. */
  readonly target?: string;
}

const READ_ONLY = { read: true, write: false, create: false, exclusive: false, truncate: false, directory: false, mode: 0 };

export class FsOps {
  constructor(readonly vfs: Vfs) {}

  /** path's attributes (a symbolic link itself, not its target). */
  stat(path: string): Maybe<FsEntry> {
    return andThen(this.vfs.ready('open'), () => {
      const r = this.vfs.resolve('/', absolute(path), { follow: false });
      if (r.stat === null) throw new FsError('ENOENT');
      return this.entry(r.last === '' ? '/' : r.last, r.stat, r.stat.kind === 'symlink' ? r.mount.readlink(r.rel) : undefined);
    });
  }

  /** A directory's entries (sorted by name), or the one file path names. */
  ls(path: string): Maybe<FsEntry[]> {
    return andThen(this.vfs.ready('open'), () => {
      const r = this.vfs.resolve('/', absolute(path), { follow: true });
      if (r.stat === null) throw new FsError('ENOENT');
      if (r.stat.kind !== 'dir') return [this.entry(r.last, r.stat)];
      return andThen(r.mount.open(r.rel, { ...READ_ONLY, directory: true }), (h) => {
        try {
          return h.readdir().map((e) => {
            const st = r.mount.lstat([...r.rel, e.name]);
            return this.entry(e.name, st, st.kind === 'symlink' ? r.mount.readlink([...r.rel, e.name]) : undefined);
          });
        } finally {
          h.close();
        }
      });
    });
  }

  /** Up to len bytes of the file at pos, and its size. */
  read(path: string, pos: number, len: number): Maybe<{ readonly bytes: Uint8Array; readonly size: number }> {
    return andThen(this.vfs.ready('open'), () => {
      const r = this.vfs.resolve('/', absolute(path), { follow: true });
      if (r.stat === null) throw new FsError('ENOENT');
      if (r.stat.kind === 'dir') throw new FsError('EISDIR');
      return andThen(r.mount.open(r.rel, READ_ONLY), (h) => {
        try {
          const buf = new Uint8Array(len);
          const n = h.read(buf, pos);
          return { bytes: buf.subarray(0, n), size: Number(h.stat().size) };
        } finally {
          h.close();
        }
      });
    });
  }

  /**
   * Write bytes at pos of the file; first: make its parent directories (mode 0755) and create it with mode (or
   * truncate it) before. The bytes written.
   */
  write(path: string, pos: number, bytes: Uint8Array, first: boolean, mode: number): Maybe<number> {
    const parts = splitPath(absolute(path));
    if (parts.length === 0) throw new FsError('EISDIR');
    const made = first ? this.mkdir(joinPath(parts.slice(0, -1)), true) : undefined;
    return andThen(made, () => andThen(this.vfs.ready('open'), () => {
      const r = this.vfs.resolve('/', joinPath(parts), { follow: true });
      if (r.stat?.kind === 'dir') throw new FsError('EISDIR');
      const how = { read: false, write: true, create: first, exclusive: false, truncate: first, directory: false, mode: mode & 0o7777 };
      return andThen(r.mount.open(r.rel, how), (h: FileHandle) => andThen(bytes.length === 0 ? 0 : h.write(bytes, pos), (n) => {
        h.close();
        return n;
      }));
    }));
  }

  /** Make a directory; parents: its missing parents too, and no error when it exists. */
  mkdir(path: string, parents: boolean, mode = 0o755): Maybe<void> {
    const parts = splitPath(absolute(path));
    const step = (i: number): Maybe<void> => {
      if (i > parts.length) return undefined;
      if (!parents && i < parts.length) return step(i + 1);
      return andThen(this.vfs.ready('open'), () => {
        const r = this.vfs.resolve('/', joinPath(parts.slice(0, i)), { follow: true });
        if (r.stat !== null) {
          if (r.stat.kind !== 'dir') throw new FsError('ENOTDIR');
          if (!parents && i === parts.length) throw new FsError('EEXIST');
          return step(i + 1);
        }
        return andThen(r.mount.mkdir(r.rel, mode), () => step(i + 1));
      });
    };
    return parts.length === 0 ? (parents ? undefined : andThen(this.vfs.ready('open'), () => { throw new FsError('EEXIST'); })) : step(parents ? 1 : parts.length);
  }

  /** Remove a file, a link or an empty directory. */
  rm(path: string): Maybe<void> {
    return andThen(this.vfs.ready('open'), () => {
      const r = this.vfs.resolve('/', absolute(path), { follow: false });
      if (r.stat === null) throw new FsError('ENOENT');
      if (r.rel.length === 0) throw new FsError('EBUSY');
      return r.stat.kind === 'dir' ? r.mount.rmdir(r.rel) : r.mount.unlink(r.rel);
    });
  }

  private entry(name: string, st: FileStat, target?: string): FsEntry {
    return {
      name, kind: st.kind, mode: st.mode & 0o7777, size: Number(st.size), nlink: st.nlink, ino: Number(st.ino), mtime_ns: String(st.mtime_ns),
      ...(target !== undefined ? { target } : {}),
    };
  }
}

function absolute(path: string): string {
  if (!path.startsWith('/')) throw new FsError('EINVAL', `${path}: a path in the namespace starts with /`);
  return path;
}
