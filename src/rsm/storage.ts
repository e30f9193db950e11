// Where an rsm service keeps Raft's state: Raft storage over the node's DurableStorage (the simulator's
// crash-prone disk, or a real node's ServiceFileStorage), or, on real nodes that ask for a data directory,
// a file storage in <data_dir>/<node id>/<name>. The file storage is given by whoever composes the service
// (src/services passes src/wal's RaftFileStorage), so this folder stays free of Node's file system.
import { DurableRaftStorage, type RaftStorage } from '../raft/index.js';
import type { NodeContext } from '../node/index.js';

/** Opens Raft's file storage in a directory (real nodes only). */
export type RaftFileOpener = (dir: string) => RaftStorage;

export function openRaftStorage(
  ctx: Pick<NodeContext, 'id' | 'storage'>, data_dir: string | undefined, openFile?: RaftFileOpener, name = 'raft',
): RaftStorage {
  if (!data_dir) return new DurableRaftStorage(ctx.storage);
  if (!openFile) throw new Error(`data_dir '${data_dir}' needs Raft's file storage, which only a real node provides`);
  return openFile([data_dir.replace(/\/+$/, ''), ctx.id, name].join('/'));
}
