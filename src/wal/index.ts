// The write-ahead record log shared by the file storages of real nodes (Raft's RaftFileStorage, here, and
// src/cluster's ServiceFileStorage): crc32-framed records, torn-tail recovery, fsync, atomic replacement.
// Node-only (it writes files): the browser-safe Raft core never imports this folder.
export { crc32 } from './crc32.js';
export {
  RecordLog, StorageCorruptError, MAX_RECORD_BYTES, encodeRecord, decodeRecords, writeFileAtomic, writeRecordFile,
  readRecordFile, type RecoveryReport, type RecoveredRecord,
} from './record-log.js';
export { RaftFileStorage } from './raft-file-storage.js';
