// The seam a file system plugs into: a Mount serves paths relative to its own root, given as a list of
// components that are already resolved (no '.', '..', empty names or symbolic links on the way: resolve.ts walks
// those itself, component by component, through lstat and readlink). The cluster-wide namespace (src/gfs) is one
// more Mount in the table. A mount whose state lives on other computers answers mutations with a Later (a
// commit), and asks for a read barrier (ready) before a call reads it: after the barrier its reads are answered
// at once, from state that reflects every mutation completed before the call began.
import type { Later, Maybe } from './later.js';
import type { LockInfo, LockRequest } from './locks.js';

/** What a file is (the S_IFMT part of st_mode). */
export type FileKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

/** The attributes statx reports, in Linux's units (times in nanoseconds since the epoch). */
export interface FileStat {
  readonly kind: FileKind;
  /** st_mode: type bits and permission bits. */
  readonly mode: number;
  readonly ino: bigint;
  readonly dev: bigint;
  readonly rdev: bigint;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: bigint;
  readonly blocks: bigint;
  readonly blksize: number;
  readonly atime_ns: bigint;
  readonly mtime_ns: bigint;
  readonly ctime_ns: bigint;
  readonly birthtime_ns: bigint;
}

/** A directory entry as getdents64 reports it. */
export interface DirEntry {
  readonly name: string;
  readonly ino: bigint;
  readonly kind: FileKind | 'unknown';
}

/** How to open: the access mode and the creation flags (the status flags stay with the descriptor). */
export interface OpenMode {
  readonly read: boolean;
  readonly write: boolean;
  readonly create: boolean;
  readonly exclusive: boolean;
  readonly truncate: boolean;
  readonly directory: boolean;
  /** Permission bits for a created file (already masked by the umask). */
  readonly mode: number;
}

/** An open file of a mount: positional reads and writes (the offset is the descriptor's). */
export interface FileHandle {
  /** Bytes read into buf at byte position pos (0 at the end of the file). */
  read(buf: Uint8Array, pos: number): number;
  /** Bytes written from buf at position pos. */
  write(buf: Uint8Array, pos: number): Maybe<number>;
  /**
   * O_APPEND's write, at the end of the file as it is when the write happens (atomically, where the file is
   * shared with other computers): the bytes written and the position after them. Without it, a write at the size.
   */
  append?(buf: Uint8Array): Maybe<{ readonly wrote: number; readonly end: number }>;
  stat(): FileStat;
  truncate(length: number): Maybe<void>;
  sync(): Maybe<void>;
  /** The read barrier before read, stat or readdir (null or absent: none needed). */
  ready?(): Later<void> | null;
  /** Where its locks are kept, when its mount keeps them (absent: the machine keeps them itself). */
  readonly lockIdentity?: LockIdentity;
  /** The entries of a directory, '.' and '..' excluded, in a stable order (sorted by name). */
  readdir(): DirEntry[];
  close(): void;
}

/** A file system mounted somewhere in the VFS. Paths are relative to its root (see above). */
export interface Mount {
  /** For messages: what it serves (a host directory, say). */
  readonly describe: string;
  /**
   * The read barrier before a call resolves a path (null or absent: none needed); purpose 'open' for a call that
   * opens what it resolves (openat, execve), 'path' for the others (a mount may cache attributes for those).
   */
  ready?(purpose: BarrierPurpose): Later<void> | null;
  /** Its files' locks, when the mount keeps them (a namespace shared with other computers). */
  readonly locks?: LockManager;
  /** The attributes of path itself (a symbolic link is not followed); throws FsError (ENOENT...). */
  lstat(path: readonly string[]): FileStat;
  /** The target of a symbolic link (EINVAL when path is not one). */
  readlink(path: readonly string[]): string;
  open(path: readonly string[], how: OpenMode): Maybe<FileHandle>;
  mkdir(path: readonly string[], mode: number): Maybe<void>;
  /** Remove a non-directory. */
  unlink(path: readonly string[]): Maybe<void>;
  /** Remove an empty directory. */
  rmdir(path: readonly string[]): Maybe<void>;
  /** Rename within this mount; noReplace: EEXIST when to exists. */
  rename(from: readonly string[], to: readonly string[], noReplace: boolean): Maybe<void>;
  symlink(target: string, path: readonly string[]): Maybe<void>;
  link(from: readonly string[], to: readonly string[]): Maybe<void>;
  /** Check access (R_OK 4, W_OK 2, X_OK 1; 0 for existence) to a non-link path; throws EACCES. */
  access(path: readonly string[], mode: number): void;
}

/** Why a call asks for a read barrier: it opens a file, or only looks at paths. */
export type BarrierPurpose = 'open' | 'path';

/** A file's place in a lock manager: which manager (its domain), the file's key there, its description's key. */
export interface LockIdentity {
  readonly domain: string;
  readonly file: string;
  readonly desc: string;
}

/** A lock request under way: its result (a wait settles later), and how a signal ends the wait. */
export interface LockCall {
  readonly result: Maybe<void>;
  /** End a wait: the result then fails with EINTR, unless the lock was granted meanwhile (then it succeeds). */
  cancel(): void;
}

/** Advisory locks of files (locks.ts's semantics), by file key; a refusal is an FsError (EAGAIN, EDEADLK, ENOLCK). */
export interface LockManager {
  readonly domain: string;
  set(file: string, req: LockRequest): LockCall;
  /** The lock req would conflict with (F_GETLK), after the manager's read barrier. */
  test(file: string, req: LockRequest): Maybe<LockInfo | null>;
  /** A POSIX owner's locks go: on file (it closed one of the file's descriptors), or everywhere (file null: it ended). */
  releaseOwner(file: string | null, owner: string): void;
  /** A description's OFD and flock locks go (its last close), where the manager does not see that itself. */
  releaseDescription(file: string, desc: string): void;
}
