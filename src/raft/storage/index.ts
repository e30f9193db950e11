// Raft storage: the interface, a memory storage with crash semantics (simulation) and one over a node's
// DurableStorage. The file storage of real nodes (RaftFileStorage) lives with the record log in src/wal.
export type { RaftStorage, StoredState, PersistBatch } from './storage.js';
export { StorageCorruptError, applyBatch, applyCompact, entriesAfterSnapshot } from './storage.js';
export { MemoryStorage } from './memory.js';
export { DurableRaftStorage } from './durable.js';
