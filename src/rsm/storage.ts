// Where an rsm service keeps Raft's state: a RaftFileStorage in <data_dir>/<node id>/<name> on real nodes
// that ask for one, else Raft storage over the node's DurableStorage (the simulator's crash-prone disk, or
// a real node's ServiceFileStorage).
import * as path from 'node:path';
import { DurableRaftStorage, RaftFileStorage, type RaftStorage } from '../raft/index.js';
import type { NodeContext } from '../cluster/index.js';

export function openRaftStorage(ctx: Pick<NodeContext, 'id' | 'storage'>, data_dir: string | undefined, name = 'raft'): RaftStorage {
  return data_dir ? new RaftFileStorage(path.join(data_dir, ctx.id, name)) : new DurableRaftStorage(ctx.storage);
}
