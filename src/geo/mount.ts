// The geo store as a VFS mount (a cluster node's /geo when the node runs the geo service): each file is one key
// (its path under the mount, '/docs/a'), its contents the value (bytes as latin1 characters, at most the store's
// value bound); directories are implied by the keys under them, and mkdir leaves a marker key ('/docs/') so an
// empty one exists. Reads and writes are the store's: LOCAL_QUORUM, replicated to the other centres in the
// background, last writer wins with a conflict log. The mount's one session (read-your-writes and monotonic
// reads) carries what this node's machine has seen: a process reads its own writes and never older contents.
// An open reads the file once (a local-quorum read) and its reads come from that copy; each write is the whole
// new contents put back (LOCAL_QUORUM); a rename is a read, a put and a delete (not atomic); hard and symbolic
// links are EPERM. Attributes (stat, ls) come from this node's replica as it is.
import { FsError, Later, type DirEntry, type FileHandle, type FileStat, type Maybe, type Mount, type OpenMode } from '../vfs/index.js';
import { afterOp, newSession, type SessionState } from './session.js';
import type { GeoResult, GeoStore } from './store.js';

type Path = readonly string[];

const keyOf = (path: Path): string => '/' + path.join('/');
const dirKey = (path: Path): string => (path.length === 0 ? '/' : keyOf(path) + '/');
/** st_dev of the geo mount. */
const GEO_DEV = 0x4001n;

function inoOf(key: string): bigint {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return BigInt(h) + 2n;
}

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function statOf(kind: 'file' | 'dir', key: string, size: number, mtime_ns: bigint): FileStat {
  return {
    kind, mode: kind === 'dir' ? 0o040755 : 0o100644, ino: inoOf(key), dev: GEO_DEV, rdev: 0n, nlink: kind === 'dir' ? 2 : 1, uid: 0, gid: 0,
    size: BigInt(kind === 'dir' ? 4096 : size), blocks: BigInt(Math.ceil(size / 512)), blksize: 4096,
    atime_ns: mtime_ns, mtime_ns, ctime_ns: mtime_ns, birthtime_ns: mtime_ns,
  };
}

export class GeoMount implements Mount {
  readonly describe: string;
  private session: SessionState;

  constructor(private readonly store: GeoStore, node: string) {
    this.describe = `the geo store (${node}'s centre)`;
    this.session = newSession(`mount-${node}`);
  }

  /** What this node's replica holds for key (undefined: nothing; null: deleted). */
  private peek(key: string): string | null | undefined {
    return this.store.store?.get(key)?.value;
  }

  private isDir(path: Path): boolean {
    if (path.length === 0) return true;
    const k = dirKey(path);
    return this.peek(k) !== undefined && this.peek(k) !== null || this.store.list(k).length > 0;
  }

  lstat(path: Path): FileStat {
    const v = this.peek(keyOf(path));
    if (path.length > 0 && typeof v === 'string') return statOf('file', keyOf(path), v.length, this.mtime(keyOf(path)));
    if (this.isDir(path)) return statOf('dir', dirKey(path), 0, this.mtime(dirKey(path)));
    throw new FsError('ENOENT');
  }

  private mtime(key: string): bigint {
    const e = this.store.store?.get(key);
    // The version's logical time is microseconds of the writer's clock (a hybrid clock: never behind a read).
    return e === undefined ? 0n : BigInt(Math.max(0, Math.round(e.v.l))) * 1000n;
  }

  readlink(): string {
    throw new FsError('EINVAL');
  }

  access(path: Path): void {
    this.lstat(path);
  }

  open(path: Path, how: OpenMode): Maybe<FileHandle> {
    if (how.directory || this.isDir(path)) {
      if (how.write || how.create && !this.isDir(path)) throw new FsError('EISDIR');
      return new GeoDirHandle(this, path);
    }
    const key = keyOf(path);
    const start = how.truncate && how.write ? this.put(key, '') : this.get(key, how.create);
    return start.map((value) => new GeoFileHandle(this, key, value));
  }

  /** The file's contents by a local-quorum read (create: '' made for a missing one). */
  get(key: string, create: boolean): Later<string> {
    const l = new Later<string>();
    this.store.get(this.session, key, (r) => this.settle(r, l, key, 'read', (v) => {
      if (typeof v === 'string') return l.resolve(v);
      if (!create) return l.reject(new FsError('ENOENT'));
      this.put(key, '').then((x) => l.resolve(x), (e) => l.reject(e));
    }));
    return l;
  }

  /** Write key's whole value (null: delete) on a local quorum. */
  put(key: string, value: string | null): Later<string> {
    const l = new Later<string>();
    this.store.put(this.session, key, value, (r) => this.settle(r, l, key, 'write', () => l.resolve(value ?? '')));
    return l;
  }

  private settle(r: GeoResult, l: Later<string>, key: string, kind: 'read' | 'write', then: (v: string | null) => void): void {
    if (!r.ok) {
      // A value over the store's bound is a bad request: EFBIG; no local quorum, a lagging session, busy: EIO.
      l.reject(new FsError(r.error === 'bad-request' ? (/value/.test(r.message) ? 'EFBIG' : 'EINVAL') : 'EIO', r.message));
      return;
    }
    this.session = afterOp(this.session, kind, key, r.version);
    then(r.value);
  }

  mkdir(path: Path): Maybe<void> {
    if (this.isDir(path) || typeof this.peek(keyOf(path)) === 'string') throw new FsError('EEXIST');
    return this.put(dirKey(path), '').map(() => undefined);
  }

  unlink(path: Path): Maybe<void> {
    if (this.isDir(path)) throw new FsError('EISDIR');
    if (typeof this.peek(keyOf(path)) !== 'string') throw new FsError('ENOENT');
    return this.put(keyOf(path), null).map(() => undefined);
  }

  rmdir(path: Path): Maybe<void> {
    const k = dirKey(path);
    if (!this.isDir(path)) throw new FsError(typeof this.peek(keyOf(path)) === 'string' ? 'ENOTDIR' : 'ENOENT');
    if (this.store.list(k).some((x) => x !== k)) throw new FsError('ENOTEMPTY');
    return this.put(k, null).map(() => undefined);
  }

  rename(from: Path, to: Path, noReplace: boolean): Maybe<void> {
    if (this.isDir(from)) throw new FsError('EXDEV'); // directories are prefixes of many keys: not moved
    if (noReplace && typeof this.peek(keyOf(to)) === 'string') throw new FsError('EEXIST');
    return this.get(keyOf(from), false).map((v) => this.put(keyOf(to), v).map(() => this.put(keyOf(from), null).map(() => undefined)));
  }

  symlink(): Maybe<void> {
    throw new FsError('EPERM');
  }

  link(): Maybe<void> {
    throw new FsError('EPERM');
  }

  /** The names directly under a directory. */
  entries(path: Path): DirEntry[] {
    const k = dirKey(path);
    const names = new Map<string, 'file' | 'dir'>();
    for (const key of this.store.list(k)) {
      const rest = key.slice(k.length);
      if (rest === '') continue;
      const slash = rest.indexOf('/');
      names.set(slash < 0 ? rest : rest.slice(0, slash), slash < 0 ? 'file' : 'dir');
    }
    return [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, kind]) => ({ name, kind, ino: inoOf(k + name + (kind === 'dir' ? '/' : '')) }));
  }
}

class GeoFileHandle implements FileHandle {
  constructor(private readonly m: GeoMount, private readonly key: string, private value: string) {}

  read(buf: Uint8Array, pos: number): number {
    const part = bytesOf(this.value.slice(pos, pos + buf.length));
    buf.set(part);
    return part.length;
  }

  write(buf: Uint8Array, pos: number): Maybe<number> {
    const padded = this.value.length >= pos ? this.value : this.value + '\0'.repeat(pos - this.value.length);
    const next = padded.slice(0, pos) + latin1(buf) + padded.slice(pos + buf.length);
    return this.m.put(this.key, next).map((v) => {
      this.value = v;
      return buf.length;
    });
  }

  stat(): FileStat {
    return statOf('file', this.key, this.value.length, 0n);
  }

  truncate(length: number): Maybe<void> {
    const next = length <= this.value.length ? this.value.slice(0, length) : this.value + '\0'.repeat(length - this.value.length);
    return this.m.put(this.key, next).map((v) => { this.value = v; });
  }

  sync(): void {}

  readdir(): DirEntry[] {
    throw new FsError('ENOTDIR');
  }

  close(): void {}
}

class GeoDirHandle implements FileHandle {
  constructor(private readonly m: GeoMount, private readonly path: Path) {}

  read(): number {
    throw new FsError('EISDIR');
  }

  write(): number {
    throw new FsError('EISDIR');
  }

  stat(): FileStat {
    return this.m.lstat(this.path);
  }

  truncate(): void {
    throw new FsError('EISDIR');
  }

  sync(): void {}

  readdir(): DirEntry[] {
    return this.m.entries(this.path);
  }

  close(): void {}
}
