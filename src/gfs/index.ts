// The global namespace (a file system replicated on Raft, the same paths on every node): its public face. Today:
// the tree every replica holds (GfsTree), the state machine that applies its mutations in log order
// (GfsStateMachine), and the bounds; the node service and the VFS mount build on them.
export { GfsTree, GFS_DEV, type GfsOpen, type TreeImage, type InodeImage } from './tree.js';
export {
  GfsStateMachine, encodeCommand, parseCommand, validateCommand, GFS_SESSIONS_MAX, GFS_WRITE_BYTES_MAX,
  type GfsOp, type GfsCommand, type GfsResult,
} from './state-machine.js';
export { CHUNK_BYTES, FILE_BYTES_MAX, CAPACITY_BYTES, INODES_MAX, HOLDS_MAX, NAME_BYTES_MAX, SYMLINK_BYTES_MAX, ROOT_INO } from './limits.js';
