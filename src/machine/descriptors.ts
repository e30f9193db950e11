// Per-process descriptor tables, keyed by pid, and the open file descriptions they point to. A description is
// what open(2) or pipe2(2) made: the file, the access mode and status flags (O_APPEND, O_NONBLOCK...), and the
// offset; dup, dup3, fcntl(F_DUPFD) and fork share one description between descriptors (so they share the
// offset and the flags), as on Linux. The close-on-exec flag belongs to the descriptor. A table holds at most
// FDS_MAX descriptors (Linux's default RLIMIT_NOFILE): EMFILE beyond. A description's file is released when its
// last descriptor closes (a pipe's end then counts one reader or writer fewer).
import { FDS_MAX, O_ACCMODE, O_RDONLY, O_WRONLY, EBADF, EMFILE } from './abi.js';
import type { FileHandle, DirEntry } from '../vfs/index.js';
import type { PipeEnd } from './pipes.js';
import type { ConsoleIn, ConsoleOut } from './console.js';
import type { RemoteFile } from './remote-files.js';
import type { MqueueFile } from './mqueue-file.js';

/** A file open in the VFS: a regular file, a directory, or anything else a mount serves. */
export interface VfsFile {
  readonly kind: 'vfs';
  readonly handle: FileHandle;
  /** The canonical path it was opened by (for fchdir and *at calls relative to a directory). */
  readonly path: string;
  readonly isDir: boolean;
  /** O_PATH: a descriptor for path operations only (no read, write or getdents). */
  readonly pathOnly: boolean;
  /** A directory's entries as getdents64 reads them ('.', '..', then the rest, sorted), taken at offset 0. */
  listing?: DirEntry[];
}

/** remote: a description at home on another node (remote-files.ts); mqueue: a message queue (mqueue-file.ts). */
export type FileObject = VfsFile | PipeEnd | ConsoleIn | ConsoleOut | RemoteFile | MqueueFile;

export class Description {
  private refs = 0;
  offset = 0;

  /** flags: the access mode (O_RDONLY, O_WRONLY, O_RDWR) and status flags. */
  constructor(readonly file: FileObject, public flags: number) {}

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }

  /** Runs once with the last descriptor's close (a lock manager lets go of the description's locks). */
  onLastRelease: (() => void) | null = null;

  retain(): this {
    this.refs++;
    return this;
  }

  /** One descriptor fewer; the file is released with the last. */
  release(): void {
    if (--this.refs > 0) return;
    const f = this.file;
    const last = this.onLastRelease;
    this.onLastRelease = null;
    last?.();
    if (f.kind === 'vfs') {
      try { f.handle.close(); } catch { /* the host closed it already */ }
    } else f.release();
  }
}

export interface FdEntry {
  readonly desc: Description;
  cloexec: boolean;
}

export class FdTable {
  private readonly slots: (FdEntry | undefined)[] = [];
  /** Processes using this table (clone with CLONE_FILES shares it). */
  private users = 1;
  /**
   * Runs at every close of a descriptor, before its description is released (Linux's flush: a message queue
   * forgets the closing process's notification there). Set by the table's owner; not copied by clone().
   */
  onClose: ((desc: Description) => void) | null = null;

  constructor(readonly limit = FDS_MAX) {}

  get(fd: number): FdEntry | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
  }

  /** The lowest free descriptor >= min for desc (retained), or -EMFILE (-EINVAL for min beyond the limit). */
  alloc(desc: Description, cloexec: boolean, min = 0): number {
    for (let fd = min; fd < this.limit; fd++) {
      if (this.slots[fd] === undefined) {
        this.slots[fd] = { desc: desc.retain(), cloexec };
        return fd;
      }
    }
    return -EMFILE;
  }

  /** Put desc at fd (dup3), closing what was there. fd < limit. */
  install(fd: number, desc: Description, cloexec: boolean): void {
    const old = this.slots[fd];
    this.slots[fd] = { desc: desc.retain(), cloexec };
    if (old !== undefined) this.onClose?.(old.desc);
    old?.desc.release();
  }

  /** True when alloc() would find a free descriptor (mq_open takes one before it looks the name up). */
  get hasRoom(): boolean {
    for (let fd = 0; fd < this.limit; fd++) if (this.slots[fd] === undefined) return true;
    return false;
  }

  /** Close fd: 0, or -EBADF. */
  close(fd: number): number {
    const e = this.get(fd);
    if (e === undefined) return -EBADF;
    this.slots[fd] = undefined;
    this.onClose?.(e.desc);
    e.desc.release();
    return 0;
  }

  /** A copy sharing every description (fork). */
  clone(): FdTable {
    const t = new FdTable(this.limit);
    this.slots.forEach((e, fd) => { if (e !== undefined) t.slots[fd] = { desc: e.desc.retain(), cloexec: e.cloexec }; });
    return t;
  }

  /** One more process uses this table (clone with CLONE_FILES). */
  share(): this {
    this.users++;
    return this;
  }

  /** One process fewer uses it: the last closes every descriptor. */
  unshare(): void {
    if (--this.users === 0) this.closeAll();
  }

  /** Close the close-on-exec descriptors (execve). */
  closeOnExec(): void {
    this.slots.forEach((e, fd) => { if (e?.cloexec) this.close(fd); });
  }

  closeAll(): void {
    this.slots.forEach((e, fd) => { if (e !== undefined) this.close(fd); });
  }

  /** The open descriptors and their entries, lowest first. */
  entries(): [number, FdEntry][] {
    const out: [number, FdEntry][] = [];
    this.slots.forEach((e, fd) => { if (e !== undefined) out.push([fd, e]); });
    return out;
  }

  /** Descriptors open. */
  get count(): number {
    return this.slots.filter((e) => e !== undefined).length;
  }
}

/** What the host keeps per process: its descriptors (shared by its threads), its working directory, its umask. */
export interface ProcFiles {
  /** Shared with another process after clone(CLONE_FILES). */
  fds: FdTable;
  /** Shared with another process after clone(CLONE_FS). cwd: a canonical absolute path in the VFS. */
  fs: { cwd: string; umask: number };
}
