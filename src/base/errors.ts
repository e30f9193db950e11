// Errors a user can cause at the command line. The CLI prints their message as one line and exits non-zero.

/** A wrong flag, a missing argument, a bad value: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** Something the user named cannot be used (an unreadable file, an invalid program): exit code 1. */
export class InputError extends Error {
  override name = 'InputError';
  readonly exitCode = 1;
}

/** Stored state cannot be trusted (a checksum or structure that does not hold): the node must not start from it. */
export class StorageCorruptError extends Error {
  override name = 'StorageCorruptError';
}
