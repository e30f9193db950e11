// A page's file system: one read-only directory of named files held in memory (the prebuilt guests), so a
// guest in the browser can open, stat, list and execve them. Anything that would change it is EROFS.
import { FsError, type DirEntry, type FileHandle, type FileStat, type Mount, type OpenMode } from '../vfs/index.js';

/** The most files the directory holds (a page lists a handful of guests). */
export const MEMORY_FILES_MAX = 256;

const S_IFDIR = 0o040000, S_IFREG = 0o100000;

function stat(kind: 'file' | 'dir', ino: number, size: number): FileStat {
  return {
    kind, mode: kind === 'dir' ? S_IFDIR | 0o555 : S_IFREG | 0o555, ino: BigInt(ino), dev: 1n, rdev: 0n, nlink: 1, uid: 0, gid: 0,
    size: BigInt(size), blocks: BigInt(Math.ceil(size / 512)), blksize: 4096, atime_ns: 0n, mtime_ns: 0n, ctime_ns: 0n, birthtime_ns: 0n,
  };
}

export class MemoryMount implements Mount {
  readonly describe = 'the page\'s files (read-only)';
  private readonly files: Map<string, Uint8Array>;
  private readonly inos = new Map<string, number>();

  constructor(files: ReadonlyMap<string, Uint8Array>) {
    if (files.size > MEMORY_FILES_MAX) throw new FsError('ENOSPC', `${files.size} files, at most ${MEMORY_FILES_MAX}`);
    for (const name of files.keys()) if (name === '' || name.includes('/')) throw new FsError('EINVAL', `'${name}' is not a plain name`);
    this.files = new Map(files);
    [...this.files.keys()].forEach((n, i) => this.inos.set(n, i + 2));
  }

  private file(path: readonly string[]): Uint8Array {
    if (path.length !== 1) throw new FsError(path.length === 0 ? 'EISDIR' : 'ENOENT');
    const f = this.files.get(path[0]!);
    if (f === undefined) throw new FsError('ENOENT');
    return f;
  }

  lstat(path: readonly string[]): FileStat {
    if (path.length === 0) return stat('dir', 1, 0);
    return stat('file', this.inos.get(path[0]!) ?? 0, this.file(path).length);
  }

  readlink(path: readonly string[]): string {
    this.lstat(path);
    throw new FsError('EINVAL');
  }

  open(path: readonly string[], how: OpenMode): FileHandle {
    if (how.write || how.create || how.truncate) {
      if (path.length === 1 && !this.files.has(path[0]!) && !how.create) throw new FsError('ENOENT');
      throw new FsError('EROFS');
    }
    if (path.length === 0) return this.handle(new Uint8Array(0), stat('dir', 1, 0), [...this.files.keys()].map((name) => ({ name, ino: BigInt(this.inos.get(name)!), kind: 'file' as const })));
    if (how.directory) { this.file(path); throw new FsError('ENOTDIR'); }
    const bytes = this.file(path);
    return this.handle(bytes, this.lstat(path), null);
  }

  private handle(bytes: Uint8Array, st: FileStat, listing: DirEntry[] | null): FileHandle {
    return {
      read(buf, pos) {
        if (listing !== null) throw new FsError('EISDIR');
        const n = Math.max(0, Math.min(buf.length, bytes.length - pos));
        buf.set(bytes.subarray(pos, pos + n));
        return n;
      },
      write() { throw new FsError('EBADF'); },
      stat: () => st,
      truncate() { throw new FsError('EROFS'); },
      sync() {},
      readdir() {
        if (listing === null) throw new FsError('ENOTDIR');
        return listing;
      },
      close() {},
    };
  }

  mkdir(): void { throw new FsError('EROFS'); }
  unlink(): void { throw new FsError('EROFS'); }
  rmdir(): void { throw new FsError('EROFS'); }
  rename(): void { throw new FsError('EROFS'); }
  symlink(): void { throw new FsError('EROFS'); }
  link(): void { throw new FsError('EROFS'); }
  access(path: readonly string[], mode: number): void {
    this.lstat(path);
    if ((mode & 2) !== 0) throw new FsError('EROFS');
  }
}
