// File-system errors as Linux names them. The VFS speaks errno names (ENOENT, ENOTDIR...) rather than numbers,
// so it needs no ABI table: the machine maps a name to the RV32 Linux number (src/machine/abi.ts, generated from
// abi/defs.mjs). A Node error from the host file system is turned into the same names.

/** The errno names a VFS operation can fail with. */
export type Errno =
  | 'EPERM' | 'ENOENT' | 'EIO' | 'ENXIO' | 'EBADF' | 'EAGAIN' | 'ENOMEM' | 'EACCES' | 'EBUSY' | 'EEXIST' | 'EXDEV'
  | 'ENODEV' | 'ENOTDIR' | 'EISDIR' | 'EINVAL' | 'ENFILE' | 'EMFILE' | 'ETXTBSY' | 'EFBIG' | 'ENOSPC' | 'ESPIPE'
  | 'EROFS' | 'EMLINK' | 'ENAMETOOLONG' | 'ENOTEMPTY' | 'ELOOP' | 'EOVERFLOW' | 'ENOTSUP' | 'EDEADLK' | 'ENOLCK' | 'EINTR';

const KNOWN: ReadonlySet<string> = new Set<Errno>([
  'EPERM', 'ENOENT', 'EIO', 'ENXIO', 'EBADF', 'EAGAIN', 'ENOMEM', 'EACCES', 'EBUSY', 'EEXIST', 'EXDEV', 'ENODEV',
  'ENOTDIR', 'EISDIR', 'EINVAL', 'ENFILE', 'EMFILE', 'ETXTBSY', 'EFBIG', 'ENOSPC', 'ESPIPE', 'EROFS', 'EMLINK',
  'ENAMETOOLONG', 'ENOTEMPTY', 'ELOOP', 'EOVERFLOW', 'ENOTSUP', 'EDEADLK', 'ENOLCK', 'EINTR',
]);

/** A failed file-system operation: what the guest's call returns (as -errno). */
export class FsError extends Error {
  constructor(readonly code: Errno, detail = '') {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'FsError';
  }
}

/**
 * The FsError for an error thrown by node:fs (its code is the host's errno name). A code the guest cannot be
 * given (a host-only condition) becomes EIO; anything that is not a system error is rethrown (a bug).
 */
export function fsErrorOf(err: unknown): FsError {
  if (err instanceof FsError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('E')) throw err;
  if (code === 'EWOULDBLOCK') return new FsError('EAGAIN');
  if (code === 'EOPNOTSUPP') return new FsError('ENOTSUP');
  if (code === 'EDQUOT') return new FsError('ENOSPC');
  return new FsError(KNOWN.has(code) ? (code as Errno) : 'EIO', (err as Error).message);
}

/** Run fn, turning a node:fs error into an FsError. */
export function hostCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fsErrorOf(err);
  }
}
