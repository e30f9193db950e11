// The global namespace (a file system replicated on Raft, the same paths on every node): its public face. The
// tree every replica holds (GfsTree), the state machine that applies its mutations in log order
// (GfsStateMachine), the node service that replicates it (GfsService: mutations through the log, read barriers),
// the VFS mounts over it (GfsMount) and over a tree of one node (LocalTreeMount), and the bounds.
export { GfsTree, GFS_DEV, type GfsOpen, type TreeImage, type InodeImage } from './tree.js';
export {
  GfsStateMachine, encodeCommand, parseCommand, validateCommand, GFS_SESSIONS_MAX, GFS_WRITE_BYTES_MAX,
  validateResult, type GfsOp, type GfsCommand, type GfsResult,
} from './state-machine.js';
export { CHUNK_BYTES, FILE_BYTES_MAX, CAPACITY_BYTES, INODES_MAX, HOLDS_MAX, NAME_BYTES_MAX, SYMLINK_BYTES_MAX, ROOT_INO } from './limits.js';
export { GfsService, GFS_SERVICE, GFS_CALL_TIMEOUT_MS, gfsOf, parseGfsOptions, type GfsServiceOptions, type GfsHost, type GfsValue, type GfsConsistency } from './service.js';
export { GfsMount, LocalTreeMount, TreeMount, type TreeBackend } from './mount.js';
export { validateGfsWire, type GfsWire } from './wire.js';
export { runGfsSoak, type GfsSoakOptions, type GfsSoakResult } from './soak.js';
export { treeWithFiles, encodeFsImage, decodeFsImage, validateTreeImage, FS_IMAGE_FORMAT, FS_IMAGE_VERSION } from './image.js';
export { FsOps, type FsEntry } from './fs-ops.js';
export { parseFsRequest, parseFsReply, serveFsRequest, FS_RANGE_BYTES_MAX, type FsRequest, type FsReply, type FsValue } from './operator.js';
