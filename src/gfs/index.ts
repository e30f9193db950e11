// The global namespace (a file system replicated on Raft, the same paths on every node): its public face. Today:
// the tree every replica holds (GfsTree) and its bounds; the replicated state machine, the node service and the
// VFS mount build on it.
export { GfsTree, GFS_DEV, type GfsOpen } from './tree.js';
export { CHUNK_BYTES, FILE_BYTES_MAX, CAPACITY_BYTES, INODES_MAX, HOLDS_MAX, NAME_BYTES_MAX, SYMLINK_BYTES_MAX, ROOT_INO } from './limits.js';
