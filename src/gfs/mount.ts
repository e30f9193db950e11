// The namespace as a VFS mount (the seam in src/vfs/mount.ts), over a tree and a way to change it:
// - GfsMount: the global namespace, over this node's gfs service. Every call reads this node's replica after a
//   read barrier (the VFS asks for it, ready()), so a read that starts after a write completed anywhere sees it;
//   every mutation is a command through the log, and the call is answered when it is applied (a Later).
// - LocalTreeMount: a tree of this node alone (a node-local /tmp), changed at once.
// An open description holds its inode (the hold is taken by the open's own command), so an unlinked file stays
// readable through it on every node; its last close lets go. A write larger than one command carries
// (GFS_WRITE_BYTES_MAX) is sent as several, in order: a failure after the first returns the bytes written.
// O_APPEND writes at the size the file has when the command is applied, so appends from many nodes never
// overwrite each other (atomic up to GFS_WRITE_BYTES_MAX bytes).
import { base64Text } from '../base/index.js';
import {
  FsError, Later, andThen, type BarrierPurpose, type DirEntry, type FileHandle, type FileStat, type LockIdentity, type LockManager, type Maybe, type Mount,
  type OpenMode,
} from '../vfs/index.js';
import { GfsStateMachine, GFS_WRITE_BYTES_MAX, gfsValue, type GfsOp, type GfsValue } from './state-machine.js';
import type { GfsTree } from './tree.js';

/** How fresh a node's reads are: linearizable, or close-to-open (NFS's: what was written before an open is seen). */
export type GfsConsistency = 'linearizable' | 'close-to-open';

type Path = readonly string[];

/** What a tree mount needs: the tree to read, how it changes, and the barrier before reading it. */
export interface TreeBackend {
  readonly describe: string;
  /** The node holds are taken for. */
  readonly node: string;
  tree(): GfsTree;
  mutate(op: GfsOp): Maybe<GfsValue>;
  release(hold: number): void;
  /** The read barrier for purpose (null: none needed: the tree is always current, or the mount caches). */
  barrier(purpose: BarrierPurpose | 'read'): Later<void> | null;
  /** Where its files' locks are kept (absent: the machine keeps them). */
  readonly locks?: LockManager;
}

const none = (): undefined => undefined;

export class TreeMount implements Mount {
  readonly describe: string;
  readonly locks?: LockManager;

  constructor(private readonly b: TreeBackend) {
    this.describe = b.describe;
    if (b.locks !== undefined) this.locks = b.locks;
  }

  ready(purpose: BarrierPurpose = 'path'): Later<void> | null {
    return this.b.barrier(purpose);
  }

  lstat(path: Path): FileStat {
    return this.b.tree().lstat(path);
  }

  readlink(path: Path): string {
    return this.b.tree().readlink(path);
  }

  access(path: Path, mode: number): void {
    this.b.tree().access(path, mode);
  }

  open(path: Path, how: OpenMode): Maybe<FileHandle> {
    const { read: _read, ...rest } = how;
    return andThen(this.b.mutate({ op: 'open', path, how: rest, node: this.b.node }), (v) => new TreeFileHandle(this.b, v.value, v.hold ?? 0));
  }

  mkdir(path: Path, mode: number): Maybe<void> {
    return andThen(this.b.mutate({ op: 'mkdir', path, mode }), none);
  }

  unlink(path: Path): Maybe<void> {
    return andThen(this.b.mutate({ op: 'unlink', path }), none);
  }

  rmdir(path: Path): Maybe<void> {
    return andThen(this.b.mutate({ op: 'rmdir', path }), none);
  }

  rename(from: Path, to: Path, noReplace: boolean): Maybe<void> {
    return andThen(this.b.mutate({ op: 'rename', from, to, no_replace: noReplace }), none);
  }

  symlink(target: string, path: Path): Maybe<void> {
    return andThen(this.b.mutate({ op: 'symlink', target, path }), none);
  }

  link(from: Path, to: Path): Maybe<void> {
    return andThen(this.b.mutate({ op: 'link', from, to }), none);
  }
}

class TreeFileHandle implements FileHandle {
  private closed = false;
  readonly lockIdentity?: LockIdentity;

  constructor(private readonly b: TreeBackend, readonly ino: number, private readonly hold: number) {
    // Its locks are its mount's: the file by inode, the description by its hold (the same from every node).
    if (b.locks !== undefined) this.lockIdentity = { domain: b.locks.domain, file: String(ino), desc: `d${hold}` };
  }

  ready(): Later<void> | null {
    return this.b.barrier('read');
  }

  read(buf: Uint8Array, pos: number): number {
    const bytes = this.b.tree().read(this.ino, pos, buf.length);
    buf.set(bytes);
    return bytes.length;
  }

  write(buf: Uint8Array, pos: number): Maybe<number> {
    return this.writeFrom(buf, 0, pos, false);
  }

  append(buf: Uint8Array): Maybe<{ wrote: number; end: number }> {
    let end = 0;
    return andThen(this.writeFrom(buf, 0, 0, true, (e) => { end = e; }), (wrote) => ({ wrote, end }));
  }

  /** buf from done on, at pos (or appended), one command per GFS_WRITE_BYTES_MAX: the bytes written in all. */
  private writeFrom(buf: Uint8Array, done: number, pos: number, append: boolean, atEnd?: (end: number) => void): Maybe<number> {
    const part = buf.subarray(done, done + GFS_WRITE_BYTES_MAX);
    const data = base64Text(part);
    const sent = this.b.mutate({ op: 'write', ino: this.ino, pos: append ? 0 : pos + done, data, ...(append ? { append: true } : {}) });
    const next = (v: GfsValue): Maybe<number> => {
      atEnd?.(v.end ?? 0);
      const total = done + v.value;
      if (total >= buf.length || v.value < part.length) return total;
      return this.writeFrom(buf, total, pos, append, atEnd);
    };
    if (done === 0) return andThen(sent, next);
    // After the first command, a failure is a short write.
    if (!(sent instanceof Later)) return next(sent);
    const out = new Later<number>();
    sent.then((v) => {
      const r = next(v);
      if (r instanceof Later) r.then((n) => out.resolve(n), () => out.resolve(done));
      else out.resolve(r);
    }, () => out.resolve(done));
    return out;
  }

  stat(): FileStat {
    return this.b.tree().stat(this.ino);
  }

  truncate(length: number): Maybe<void> {
    return andThen(this.b.mutate({ op: 'truncate', ino: this.ino, length }), none);
  }

  /** Every write was applied before it was answered: nothing is left to flush. */
  sync(): void {}

  readdir(): DirEntry[] {
    return this.b.tree().readdir(this.ino);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A description's OFD and flock locks go with its last close (a manager that keeps them in the log does that itself).
    if (this.lockIdentity !== undefined) this.b.locks?.releaseDescription(this.lockIdentity.file, this.lockIdentity.desc);
    this.b.release(this.hold);
  }
}

/** The global namespace mounted on this node: over its gfs service. */
export class GfsMount extends TreeMount {
  constructor(svc: {
    readonly node: string; readonly tree: GfsTree; readonly locks: LockManager; mutate(op: GfsOp): Later<GfsValue>; release(hold: number): void;
    barrier(): Later<void>; readonly consistency?: GfsConsistency;
  }, locks: LockManager = svc.locks) {
    // Close-to-open (NFS's model): a barrier when a file is opened; attributes and an open file's reads come from
    // this node's replica as it is.
    const cto = svc.consistency === 'close-to-open';
    super({
      describe: 'the global namespace', node: svc.node, tree: () => svc.tree, mutate: (op) => svc.mutate(op),
      release: (hold) => svc.release(hold), barrier: (purpose) => (cto && purpose !== 'open' ? null : svc.barrier()), locks,
    });
  }
}

/** A tree of this node alone (a node-local /tmp): changes apply at once, stamped by clock (CLOCK_REALTIME ns). */
export class LocalTreeMount extends TreeMount {
  /** tree: the tree it serves (default: a new, empty one). */
  constructor(clock: () => bigint, describe = 'a tree of this node', tree?: GfsTree) {
    const machine = new GfsStateMachine();
    if (tree !== undefined) machine.tree = tree;
    const mutate = (op: GfsOp): GfsValue => {
      const r = machine.perform(op, clock());
      if (!r.ok) throw new FsError(r.errno, r.detail);
      return gfsValue(r);
    };
    super({
      describe, node: 'local', tree: () => machine.tree, mutate,
      release: (hold) => { mutate({ op: 'release', hold }); }, barrier: () => null,
    });
  }
}
