// Raft storage: the interface, a memory storage with crash semantics (simulation) and a file storage
// (real nodes) with a checksum per record and torn-tail recovery.
export type { RaftStorage, StoredState, PersistBatch } from './storage.js';
export { StorageCorruptError } from './storage.js';
export { MemoryStorage } from './memory.js';
export { FileStorage, MAX_RECORD_BYTES, type RecoveryReport } from './file.js';
export { crc32 } from './crc32.js';
export { DurableRaftStorage } from './durable.js';
