// The seam a file system plugs into: a Mount serves paths relative to its own root, given as a list of
// components that are already resolved (no '.', '..', empty names or symbolic links on the way: resolve.ts walks
// those itself, component by component, through lstat and readlink). A later cluster-wide namespace is one more
// Mount in the table.

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
  write(buf: Uint8Array, pos: number): number;
  stat(): FileStat;
  truncate(length: number): void;
  sync(): void;
  /** The entries of a directory, '.' and '..' excluded, in a stable order (sorted by name). */
  readdir(): DirEntry[];
  close(): void;
}

/** A file system mounted somewhere in the VFS. Paths are relative to its root (see above). */
export interface Mount {
  /** For messages: what it serves (a host directory, say). */
  readonly describe: string;
  /** The attributes of path itself (a symbolic link is not followed); throws FsError (ENOENT...). */
  lstat(path: readonly string[]): FileStat;
  /** The target of a symbolic link (EINVAL when path is not one). */
  readlink(path: readonly string[]): string;
  open(path: readonly string[], how: OpenMode): FileHandle;
  mkdir(path: readonly string[], mode: number): void;
  /** Remove a non-directory. */
  unlink(path: readonly string[]): void;
  /** Remove an empty directory. */
  rmdir(path: readonly string[]): void;
  /** Rename within this mount; noReplace: EEXIST when to exists. */
  rename(from: readonly string[], to: readonly string[], noReplace: boolean): void;
  symlink(target: string, path: readonly string[]): void;
  link(from: readonly string[], to: readonly string[]): void;
  /** Check access (R_OK 4, W_OK 2, X_OK 1; 0 for existence) to a non-link path; throws EACCES. */
  access(path: readonly string[], mode: number): void;
}
