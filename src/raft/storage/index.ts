// Raft storage: the interface, a memory storage with crash semantics (simulation) and a file storage
// (real nodes, RaftFileStorage) over the record log of src/wal, and one over a node's DurableStorage.
export type { RaftStorage, StoredState, PersistBatch } from './storage.js';
export { StorageCorruptError } from './storage.js';
export { MemoryStorage } from './memory.js';
export { RaftFileStorage } from './file.js';
export { crc32, MAX_RECORD_BYTES, type RecoveryReport } from '../../wal/index.js';
export { DurableRaftStorage } from './durable.js';
