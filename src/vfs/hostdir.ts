// A directory of the host as a Mount: the sandbox a guest's root is. Every path it is given is a list of
// resolved components (resolve.ts followed the symbolic links itself, inside the sandbox), each checked here to
// be one plain name; the host path is the sandbox directory joined with them, and no call follows a link at its
// last component (open gets O_NOFOLLOW), so nothing a guest names reaches outside the directory. Names are byte
// strings (latin1: one character per byte), passed to the host as Buffers, so any name survives unchanged.
// Host files are opened non-blocking, so a FIFO in the sandbox never stalls the host's thread.
// Limit: another host process renaming directories inside the sandbox while a guest runs could race a
// resolution (a check, then a use); guests themselves cannot, their calls are served one at a time.
import {
  closeSync, constants, fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readSync,
  readdirSync, readlinkSync, renameSync, rmdirSync, symlinkSync, unlinkSync, writeSync, accessSync, type BigIntStats,
  type Dirent,
} from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { cwd } from 'node:process';
import { FsError, hostCall } from './errors.js';
import type { DirEntry, FileHandle, FileKind, FileStat, Mount, OpenMode } from './mount.js';

const S_IFMT = 0o170000;
const KINDS: Readonly<Record<number, FileKind>> = {
  0o100000: 'file', 0o040000: 'dir', 0o120000: 'symlink', 0o010000: 'fifo', 0o020000: 'char', 0o060000: 'block', 0o140000: 'socket',
};

function statOf(s: BigIntStats): FileStat {
  const mode = Number(s.mode);
  return {
    kind: KINDS[mode & S_IFMT] ?? 'file', mode, ino: s.ino, dev: s.dev, rdev: s.rdev, nlink: Number(s.nlink),
    uid: Number(s.uid), gid: Number(s.gid), size: s.size, blocks: s.blocks, blksize: Number(s.blksize),
    atime_ns: s.atimeNs, mtime_ns: s.mtimeNs, ctime_ns: s.ctimeNs, birthtime_ns: s.birthtimeNs,
  };
}

function direntKind(d: Dirent<Buffer>): FileKind | 'unknown' {
  return d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : d.isFIFO() ? 'fifo'
    : d.isCharacterDevice() ? 'char' : d.isBlockDevice() ? 'block' : d.isSocket() ? 'socket' : 'unknown';
}

/** The guests' root when a machine is given neither a file system nor a directory: the host's current directory. */
export function defaultHostRoot(): string {
  return cwd();
}

export class HostDirMount implements Mount {
  readonly root: string;
  readonly describe: string;

  constructor(dir: string) {
    this.root = resolvePath(dir);
    this.describe = `host directory ${this.root}`;
    const st = hostCall(() => lstatSync(this.root));
    if (!st.isDirectory()) throw new FsError('ENOTDIR', `${this.root} is not a directory`);
  }

  /** The host path of resolved components; throws if one is not a plain name (a bug in the caller). */
  private host(path: readonly string[]): Buffer {
    const parts: Buffer[] = [Buffer.from(this.root)];
    for (const c of path) {
      if (c === '' || c === '.' || c === '..' || c.includes('/') || c.includes('\0')) throw new Error(`not a resolved path component: ${JSON.stringify(c)}`);
      parts.push(Buffer.from('/'), Buffer.from(c, 'latin1'));
    }
    return Buffer.concat(parts);
  }

  lstat(path: readonly string[]): FileStat {
    return hostCall(() => statOf(lstatSync(this.host(path), { bigint: true })));
  }

  readlink(path: readonly string[]): string {
    return hostCall(() => readlinkSync(this.host(path), { encoding: 'buffer' }).toString('latin1'));
  }

  open(path: readonly string[], how: OpenMode): FileHandle {
    const p = this.host(path);
    let flags = (how.read && how.write ? constants.O_RDWR : how.write ? constants.O_WRONLY : constants.O_RDONLY)
      | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    if (how.create) flags |= constants.O_CREAT;
    if (how.exclusive) flags |= constants.O_EXCL;
    if (how.truncate) flags |= constants.O_TRUNC;
    if (how.directory) flags |= constants.O_DIRECTORY;
    const fd = hostCall(() => openSync(p, flags, how.mode));
    return new HostFile(fd, p);
  }

  mkdir(path: readonly string[], mode: number): void {
    hostCall(() => mkdirSync(this.host(path), { mode }));
  }

  unlink(path: readonly string[]): void {
    hostCall(() => unlinkSync(this.host(path)));
  }

  rmdir(path: readonly string[]): void {
    hostCall(() => rmdirSync(this.host(path)));
  }

  rename(from: readonly string[], to: readonly string[], noReplace: boolean): void {
    const a = this.host(from), b = this.host(to);
    if (noReplace) {
      // Node has no renameat2; the check and the rename are one step for the guest (its calls are served one
      // at a time on this thread).
      let exists = true;
      try { lstatSync(b); } catch { exists = false; }
      if (exists) throw new FsError('EEXIST');
    }
    hostCall(() => renameSync(a, b));
  }

  symlink(target: string, path: readonly string[]): void {
    hostCall(() => symlinkSync(Buffer.from(target, 'latin1'), this.host(path)));
  }

  link(from: readonly string[], to: readonly string[]): void {
    hostCall(() => linkSync(this.host(from), this.host(to)));
  }

  access(path: readonly string[], mode: number): void {
    hostCall(() => accessSync(this.host(path), mode));
  }
}

class HostFile implements FileHandle {
  private open = true;

  constructor(private readonly fd: number, private readonly path: Buffer) {}

  read(buf: Uint8Array, pos: number): number {
    if (buf.length === 0) return 0;
    return hostCall(() => readSync(this.fd, buf, 0, buf.length, pos));
  }

  write(buf: Uint8Array, pos: number): number {
    if (buf.length === 0) return 0;
    return hostCall(() => writeSync(this.fd, buf, 0, buf.length, pos));
  }

  stat(): FileStat {
    return hostCall(() => statOf(fstatSync(this.fd, { bigint: true })));
  }

  truncate(length: number): void {
    hostCall(() => ftruncateSync(this.fd, length));
  }

  sync(): void {
    hostCall(() => fsyncSync(this.fd));
  }

  readdir(): DirEntry[] {
    const entries = hostCall(() => readdirSync(this.path, { withFileTypes: true, encoding: 'buffer' }));
    const out: DirEntry[] = [];
    for (const d of entries) {
      const name = d.name.toString('latin1');
      let ino = 0n;
      try { ino = lstatSync(Buffer.concat([this.path, Buffer.from('/'), d.name]), { bigint: true }).ino; } catch { continue; }
      out.push({ name, ino, kind: direntKind(d) });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    hostCall(() => closeSync(this.fd));
  }
}
