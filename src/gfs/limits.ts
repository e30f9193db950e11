// Every bound of the global namespace in one place: the chunk a file's contents are kept in, the largest file,
// the whole tree's capacity, and how many inodes and open holds it keeps.

/** A file's contents are kept in chunks of this many bytes (a write touches only the chunks it covers). */
export const CHUNK_BYTES = 64 * 1024;
/** The largest file (EFBIG beyond): 1024 chunks. */
export const FILE_BYTES_MAX = 64 * 1024 * 1024;
/** The bytes of file contents the whole tree holds (ENOSPC beyond). */
export const CAPACITY_BYTES = 256 * 1024 * 1024;
/** Inodes at once, the root included (ENOSPC beyond). */
export const INODES_MAX = 65_536;
/** Open holds (descriptions open somewhere in the cluster) at once (ENFILE beyond). */
export const HOLDS_MAX = 65_536;
/** A name in a directory, in bytes (ENAMETOOLONG beyond), as Linux's NAME_MAX. */
export const NAME_BYTES_MAX = 255;
/** A symbolic link's target, in bytes, as Linux's PATH_MAX less its NUL. */
export const SYMLINK_BYTES_MAX = 4095;
/** The root directory's inode number. */
export const ROOT_INO = 1;
