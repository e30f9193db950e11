// The global namespace's tree: directories, regular files, symbolic links and hard links, with inode numbers,
// link counts, sizes, permission bits and timestamps, as one deterministic structure that every replica of the
// namespace holds alike (the replicated state machine applies the same operations in log order). Paths come
// resolved, as the VFS's Mount seam gives them (components with no '.', '..' or symbolic link on the way). A
// failure is an FsError with Linux's errno name; an operation that fails changes nothing. Time comes with each
// mutation (the proposer's clock, carried in the log), never from here. An inode with no links stays while a
// description holds it open anywhere (`hold`), so an unlinked file stays readable. Contents are kept in
// CHUNK_BYTES chunks; bounds: limits.ts.
import { base64Bytes, base64Text } from '../base/index.js';
import { FsError, type FileKind, type FileStat, type DirEntry, type OpenMode } from '../vfs/index.js';
import { CAPACITY_BYTES, CHUNK_BYTES, FILE_BYTES_MAX, HOLDS_MAX, INODES_MAX, NAME_BYTES_MAX, ROOT_INO, SYMLINK_BYTES_MAX } from './limits.js';

const S_IFREG = 0o100000, S_IFDIR = 0o040000, S_IFLNK = 0o120000;
const TYPE_BITS: Readonly<Record<'file' | 'dir' | 'symlink', number>> = { file: S_IFREG, dir: S_IFDIR, symlink: S_IFLNK };
/** st_size of a directory, as ext4 reports one block (guests compared with a host directory see the same). */
const DIR_SIZE = 4096;
/** st_dev of the namespace (the same on every node). */
export const GFS_DEV = 0x4000n;

interface Inode {
  readonly ino: number;
  readonly kind: 'file' | 'dir' | 'symlink';
  perm: number;
  nlink: number;
  size: number;
  atime_ns: bigint;
  mtime_ns: bigint;
  ctime_ns: bigint;
  readonly birth_ns: bigint;
  /** A directory's entries. */
  readonly entries: Map<string, number>;
  /** A file's chunks by index (a missing one reads as zeros). */
  readonly chunks: Map<number, Uint8Array>;
  readonly target: string;
  /** Descriptions open on it anywhere. */
  holds: number;
}

/** How open finds or makes its file: the VFS's open mode less read access (which changes nothing here). */
export type GfsOpen = Omit<OpenMode, 'read'>;

/** An inode as a snapshot carries it (times as decimal strings, chunks in base64). */
export interface InodeImage {
  readonly ino: number;
  readonly kind: Inode['kind'];
  readonly perm: number;
  readonly nlink: number;
  readonly size: number;
  readonly times: readonly [string, string, string, string];
  readonly entries: readonly (readonly [string, number])[];
  readonly chunks: readonly (readonly [number, string])[];
  readonly target: string;
  readonly holds: number;
}

/** The whole tree as a snapshot carries it. */
export interface TreeImage {
  readonly next_ino: number;
  readonly inodes: readonly InodeImage[];
}

const utf8 = new TextEncoder();

export class GfsTree {
  private readonly inodes = new Map<number, Inode>();
  private nextIno = ROOT_INO + 1;
  /** Bytes of contents held (the chunks' lengths), against CAPACITY_BYTES. */
  private used = 0;
  private holdCount = 0;

  constructor(time_ns = 0n) {
    this.inodes.set(ROOT_INO, this.make(ROOT_INO, 'dir', 0o755, time_ns, ''));
    this.inodes.get(ROOT_INO)!.nlink = 2;
  }

  get inodeCount(): number {
    return this.inodes.size;
  }

  get bytesUsed(): number {
    return this.used;
  }

  // ---- reads ----

  lstat(path: readonly string[]): FileStat {
    return this.statOf(this.walk(path));
  }

  stat(ino: number): FileStat {
    return this.statOf(this.inode(ino));
  }

  readlink(path: readonly string[]): string {
    const n = this.walk(path);
    if (n.kind !== 'symlink') throw new FsError('EINVAL', 'not a symbolic link');
    return n.target;
  }

  /** The ino a path names (no symbolic link followed). */
  lookup(path: readonly string[]): number {
    return this.walk(path).ino;
  }

  /** Up to len bytes of file ino from pos (fewer at its end). */
  read(ino: number, pos: number, len: number): Uint8Array {
    const n = this.inode(ino);
    if (n.kind === 'dir') throw new FsError('EISDIR');
    if (n.kind !== 'file') throw new FsError('EINVAL');
    const end = Math.min(n.size, pos + len);
    const out = new Uint8Array(Math.max(0, end - pos));
    for (let at = pos; at < end;) {
      const c = Math.floor(at / CHUNK_BYTES), off = at % CHUNK_BYTES;
      const take = Math.min(CHUNK_BYTES - off, end - at);
      const chunk = n.chunks.get(c);
      if (chunk) out.set(chunk.subarray(off, Math.min(chunk.length, off + take)), at - pos);
      at += take;
    }
    return out;
  }

  /** A directory's entries in name order ('.' and '..' not included). */
  readdir(ino: number): DirEntry[] {
    const n = this.inode(ino);
    if (n.kind !== 'dir') throw new FsError('ENOTDIR');
    // A removed directory still open somewhere lists nothing, as Linux's dead directory: ENOENT.
    if (n.nlink === 0) throw new FsError('ENOENT');
    return [...n.entries.keys()].sort().map((name) => {
      const child = this.inodes.get(n.entries.get(name)!)!;
      return { name, ino: BigInt(child.ino), kind: child.kind as FileKind };
    });
  }

  /** R_OK 4, W_OK 2, X_OK 1 (0: existence) as root has them: X_OK needs an execute bit on a non-directory. */
  access(path: readonly string[], mode: number): void {
    const n = this.walk(path);
    if ((mode & 1) !== 0 && n.kind !== 'dir' && (n.perm & 0o111) === 0) throw new FsError('EACCES');
  }

  // ---- mutations (each with the proposer's time) ----

  /** Find or make the file open names: its ino. */
  open(path: readonly string[], how: GfsOpen, time_ns: bigint): number {
    const { dir, name } = this.parentOf(path);
    const existing = name === null ? ROOT_INO : dir.entries.get(name);
    if (existing !== undefined) {
      const n = this.inodes.get(existing)!;
      if (how.create && how.exclusive) throw new FsError('EEXIST');
      if (how.directory && n.kind !== 'dir') throw new FsError('ENOTDIR');
      if (n.kind === 'dir' && (how.write || how.truncate)) throw new FsError('EISDIR');
      if (how.truncate && how.write && n.kind === 'file' && n.size > 0) this.resize(n, 0, time_ns);
      return n.ino;
    }
    if (!how.create) throw new FsError('ENOENT');
    if (how.directory) throw new FsError('EINVAL', 'O_CREAT with O_DIRECTORY');
    return this.addChild(dir, name!, 'file', how.mode, time_ns, '').ino;
  }

  mkdir(path: readonly string[], mode: number, time_ns: bigint): number {
    const { dir, name } = this.freeName(path);
    const n = this.addChild(dir, name, 'dir', mode, time_ns, '');
    n.nlink = 2;
    dir.nlink++;
    return n.ino;
  }

  symlink(target: string, path: readonly string[], time_ns: bigint): number {
    if (target === '') throw new FsError('ENOENT', 'an empty target');
    if (utf8.encode(target).length > SYMLINK_BYTES_MAX) throw new FsError('ENAMETOOLONG');
    const { dir, name } = this.freeName(path);
    const n = this.addChild(dir, name, 'symlink', 0o777, time_ns, target);
    n.size = utf8.encode(target).length;
    return n.ino;
  }

  link(from: readonly string[], to: readonly string[], time_ns: bigint): void {
    const n = this.walk(from);
    if (n.kind === 'dir') throw new FsError('EPERM', 'a hard link to a directory');
    const { dir, name } = this.freeName(to);
    dir.entries.set(name, n.ino);
    n.nlink++;
    n.ctime_ns = time_ns;
    this.touchDir(dir, time_ns);
  }

  unlink(path: readonly string[], time_ns: bigint): void {
    const { dir, name, node } = this.entryOf(path);
    if (node.kind === 'dir') throw new FsError('EISDIR');
    dir.entries.delete(name);
    this.touchDir(dir, time_ns);
    this.dropLink(node, time_ns);
  }

  rmdir(path: readonly string[], time_ns: bigint): void {
    if (path.length === 0) throw new FsError('EBUSY', 'the root');
    const { dir, name, node } = this.entryOf(path);
    if (node.kind !== 'dir') throw new FsError('ENOTDIR');
    if (node.entries.size > 0) throw new FsError('ENOTEMPTY');
    dir.entries.delete(name);
    dir.nlink--;
    this.touchDir(dir, time_ns);
    node.nlink = 0;
    this.freeIfGone(node);
  }

  rename(from: readonly string[], to: readonly string[], noReplace: boolean, time_ns: bigint): void {
    if (from.length === 0 || to.length === 0) throw new FsError('EBUSY', 'the root');
    const src = this.entryOf(from);
    const { dir: toDir, name: toName } = this.parentOf(to);
    const existing = toDir.entries.get(toName!);
    if (existing !== undefined && noReplace) throw new FsError('EEXIST');
    if (existing === src.node.ino) return; // the same file under both names: nothing to do, as Linux does
    if (src.node.kind === 'dir' && to.length > from.length && from.every((c, i) => to[i] === c)) throw new FsError('EINVAL', 'into its own subtree');
    if (existing !== undefined) {
      if (noReplace) throw new FsError('EEXIST');
      const victim = this.inodes.get(existing)!;
      if (src.node.kind === 'dir' && victim.kind !== 'dir') throw new FsError('ENOTDIR');
      if (src.node.kind !== 'dir' && victim.kind === 'dir') throw new FsError('EISDIR');
      if (victim.kind === 'dir' && victim.entries.size > 0) throw new FsError('ENOTEMPTY');
    }
    if (utf8.encode(toName!).length > NAME_BYTES_MAX) throw new FsError('ENAMETOOLONG');
    if (existing !== undefined) {
      const victim = this.inodes.get(existing)!;
      toDir.entries.delete(toName!);
      if (victim.kind === 'dir') { toDir.nlink--; victim.nlink = 0; this.freeIfGone(victim); } else this.dropLink(victim, time_ns);
    }
    src.dir.entries.delete(src.name);
    toDir.entries.set(toName!, src.node.ino);
    if (src.node.kind === 'dir' && src.dir !== toDir) { src.dir.nlink--; toDir.nlink++; }
    src.node.ctime_ns = time_ns;
    this.touchDir(src.dir, time_ns);
    this.touchDir(toDir, time_ns);
  }

  /** Write data into file ino at pos: the bytes written (all of them). */
  write(ino: number, pos: number, data: Uint8Array, time_ns: bigint): number {
    const n = this.fileNode(ino);
    if (pos + data.length > FILE_BYTES_MAX) throw new FsError('EFBIG');
    if (this.used + this.growth(n, pos, data.length) > CAPACITY_BYTES) throw new FsError('ENOSPC');
    for (let done = 0; done < data.length;) {
      const at = pos + done;
      const c = Math.floor(at / CHUNK_BYTES), off = at % CHUNK_BYTES;
      const take = Math.min(CHUNK_BYTES - off, data.length - done);
      const chunk = this.chunkFor(n, c, off + take);
      chunk.set(data.subarray(done, done + take), off);
      done += take;
    }
    if (data.length === 0) return 0;
    if (pos + data.length > n.size) n.size = pos + data.length;
    n.mtime_ns = n.ctime_ns = time_ns;
    return data.length;
  }

  truncate(ino: number, length: number, time_ns: bigint): void {
    const n = this.fileNode(ino);
    if (length < 0) throw new FsError('EINVAL');
    if (length > FILE_BYTES_MAX) throw new FsError('EFBIG');
    this.resize(n, length, time_ns);
  }

  /** A description is open on ino somewhere: it outlives its last link. */
  hold(ino: number): void {
    const n = this.inode(ino);
    if (this.holdCount >= HOLDS_MAX) throw new FsError('ENFILE');
    n.holds++;
    this.holdCount++;
  }

  /** One of ino's descriptions was closed (an unlinked file goes with its last). */
  release(ino: number): void {
    const n = this.inodes.get(ino);
    if (n === undefined || n.holds === 0) throw new FsError('EBADF');
    n.holds--;
    this.holdCount--;
    this.freeIfGone(n);
  }

  // ---- snapshots ----

  /** The tree as plain data, inodes in ino order (the same bytes on every replica). */
  image(): TreeImage {
    const inodes = [...this.inodes.values()].sort((a, b) => a.ino - b.ino).map((n): InodeImage => ({
      ino: n.ino, kind: n.kind, perm: n.perm, nlink: n.nlink, size: n.size, target: n.target, holds: n.holds,
      times: [String(n.atime_ns), String(n.mtime_ns), String(n.ctime_ns), String(n.birth_ns)],
      entries: [...n.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      chunks: [...n.chunks].sort(([a], [b]) => a - b).map(([c, b]) => [c, base64Text(b)] as const),
    }));
    return { next_ino: this.nextIno, inodes };
  }

  /** A tree from image() (trusted: it comes from this node's own snapshot). */
  static fromImage(img: TreeImage): GfsTree {
    const t = new GfsTree();
    t.inodes.clear();
    t.nextIno = img.next_ino;
    for (const i of img.inodes) {
      const [a, m, c, b] = i.times.map((x) => BigInt(x)) as [bigint, bigint, bigint, bigint];
      const n: Inode = {
        ino: i.ino, kind: i.kind, perm: i.perm, nlink: i.nlink, size: i.size, atime_ns: a, mtime_ns: m, ctime_ns: c, birth_ns: b,
        entries: new Map(i.entries), chunks: new Map(i.chunks.map(([k, v]) => [k, snapshotChunk(v)])), target: i.target, holds: i.holds,
      };
      for (const ch of n.chunks.values()) t.used += ch.length;
      t.holdCount += n.holds;
      t.inodes.set(n.ino, n);
    }
    return t;
  }

  // ---- the inside ----

  private make(ino: number, kind: Inode['kind'], mode: number, time_ns: bigint, target: string): Inode {
    return {
      ino, kind, perm: mode & 0o7777, nlink: 1, size: 0, atime_ns: time_ns, mtime_ns: time_ns, ctime_ns: time_ns,
      birth_ns: time_ns, entries: new Map(), chunks: new Map(), target, holds: 0,
    };
  }

  private addChild(dir: Inode, name: string, kind: Inode['kind'], mode: number, time_ns: bigint, target: string): Inode {
    if (this.inodes.size >= INODES_MAX) throw new FsError('ENOSPC', `${INODES_MAX} inodes`);
    const n = this.make(this.nextIno++, kind, mode, time_ns, target);
    this.inodes.set(n.ino, n);
    dir.entries.set(name, n.ino);
    this.touchDir(dir, time_ns);
    return n;
  }

  private touchDir(dir: Inode, time_ns: bigint): void {
    dir.mtime_ns = dir.ctime_ns = time_ns;
  }

  private dropLink(n: Inode, time_ns: bigint): void {
    n.nlink--;
    n.ctime_ns = time_ns;
    this.freeIfGone(n);
  }

  private freeIfGone(n: Inode): void {
    if (n.nlink > 0 || n.holds > 0 || n.ino === ROOT_INO) return;
    for (const c of n.chunks.values()) this.used -= c.length;
    this.inodes.delete(n.ino);
  }

  private inode(ino: number): Inode {
    const n = this.inodes.get(ino);
    if (n === undefined) throw new FsError('EBADF', `no inode ${ino}`);
    return n;
  }

  private fileNode(ino: number): Inode {
    const n = this.inode(ino);
    if (n.kind === 'dir') throw new FsError('EISDIR');
    if (n.kind !== 'file') throw new FsError('EINVAL');
    return n;
  }

  /** The inode a resolved path names: ENOENT, or ENOTDIR when a component on the way is not a directory. */
  private walk(path: readonly string[]): Inode {
    let n = this.inodes.get(ROOT_INO)!;
    for (const c of path) {
      if (n.kind !== 'dir') throw new FsError('ENOTDIR');
      const next = n.entries.get(c);
      if (next === undefined) throw new FsError('ENOENT');
      n = this.inodes.get(next)!;
    }
    return n;
  }

  /** The directory holding path's last component, and that name (null for the root itself). */
  private parentOf(path: readonly string[]): { dir: Inode; name: string | null } {
    if (path.length === 0) return { dir: this.inodes.get(ROOT_INO)!, name: null };
    const dir = this.walk(path.slice(0, -1));
    if (dir.kind !== 'dir') throw new FsError('ENOTDIR');
    const name = path[path.length - 1]!;
    if (utf8.encode(name).length > NAME_BYTES_MAX) throw new FsError('ENAMETOOLONG');
    return { dir, name };
  }

  /** A name to create: EEXIST when taken. */
  private freeName(path: readonly string[]): { dir: Inode; name: string } {
    const { dir, name } = this.parentOf(path);
    if (name === null || dir.entries.has(name)) throw new FsError('EEXIST');
    return { dir, name };
  }

  /** An existing entry: its directory, name and inode. */
  private entryOf(path: readonly string[]): { dir: Inode; name: string; node: Inode } {
    const { dir, name } = this.parentOf(path);
    const ino = name === null ? undefined : dir.entries.get(name);
    if (ino === undefined) throw new FsError(name === null ? 'EBUSY' : 'ENOENT');
    return { dir, name: name!, node: this.inodes.get(ino)! };
  }

  /** Bytes the chunks would grow by for a write of len at pos. */
  private growth(n: Inode, pos: number, len: number): number {
    if (len === 0) return 0;
    let grow = 0;
    const first = Math.floor(pos / CHUNK_BYTES), last = Math.floor((pos + len - 1) / CHUNK_BYTES);
    for (let c = first; c <= last; c++) {
      const want = c === last ? (pos + len - 1) % CHUNK_BYTES + 1 : CHUNK_BYTES;
      grow += Math.max(0, want - (n.chunks.get(c)?.length ?? 0));
    }
    return grow;
  }

  /** Chunk c of n, at least len bytes long (grown with zeros). */
  private chunkFor(n: Inode, c: number, len: number): Uint8Array {
    const have = n.chunks.get(c);
    if (have !== undefined && have.length >= len) return have;
    const grown = new Uint8Array(len);
    if (have) grown.set(have);
    this.used += len - (have?.length ?? 0);
    n.chunks.set(c, grown);
    return grown;
  }

  private resize(n: Inode, length: number, time_ns: bigint): void {
    for (const [c, chunk] of [...n.chunks]) {
      const start = c * CHUNK_BYTES;
      if (start >= length) { this.used -= chunk.length; n.chunks.delete(c); continue; }
      if (start + chunk.length > length) {
        const kept = chunk.slice(0, length - start);
        this.used -= chunk.length - kept.length;
        n.chunks.set(c, kept);
      }
    }
    n.size = length;
    n.mtime_ns = n.ctime_ns = time_ns;
  }

  private statOf(n: Inode): FileStat {
    return {
      kind: n.kind, mode: TYPE_BITS[n.kind] | n.perm, ino: BigInt(n.ino), dev: GFS_DEV, rdev: 0n, nlink: n.nlink, uid: 0, gid: 0,
      size: BigInt(n.kind === 'dir' ? DIR_SIZE : n.size), blocks: BigInt(Math.ceil([...n.chunks.values()].reduce((a, c) => a + c.length, 0) / 512)),
      blksize: CHUNK_BYTES, atime_ns: n.atime_ns, mtime_ns: n.mtime_ns, ctime_ns: n.ctime_ns, birthtime_ns: n.birth_ns,
    };
  }
}

/** A chunk's bytes from a snapshot's base64 (image() wrote it; a snapshot from outside was checked first). */
function snapshotChunk(text: string): Uint8Array {
  const bytes = base64Bytes(text);
  if (bytes === null) throw new Error('a snapshot chunk is not base64: the snapshot was not made by GfsTree.image()');
  return bytes;
}
