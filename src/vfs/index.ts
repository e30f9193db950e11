// The virtual file system's public face: the Mount interface a file system implements (the seam a cluster-wide
// namespace plugs into later), the sandboxed host-directory mount, the mount table with Linux path resolution
// (.., absolute paths and symbolic links resolved here, never escaping the root), and errors as Linux errno
// names (FsError). Used by the machine's file system calls (src/machine/file-syscalls.ts).
export { FsError, fsErrorOf, hostCall, type Errno } from './errors.js';
export type { Mount, FileHandle, FileStat, FileKind, DirEntry, OpenMode, LockIdentity, LockCall, LockManager, BarrierPurpose } from './mount.js';
export { LockTable, LOCK_END, LOCK_WAITERS_MAX, type LockFamily, type LockOwner, type LockRequest, type LockInfo, type LockOutcome, type WaitEnd, type WaitInfo, type LockTableImage } from './locks.js';
export { LocalLocks } from './local-locks.js';
export { Later, andThen, type Maybe } from './later.js';
export { HostDirMount, defaultHostRoot } from './hostdir.js';
export { Vfs, PATH_MAX, NAME_MAX, SYMLINKS_MAX, splitPath, joinPath, type Resolved, type ResolveOptions } from './resolve.js';
