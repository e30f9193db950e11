// The write-ahead record log shared by the file storages of real nodes (src/raft's RaftFileStorage and
// src/cluster's ServiceFileStorage): crc32-framed records, torn-tail recovery, fsync, atomic replacement.
export { crc32 } from './crc32.js';
export {
  RecordLog, StorageCorruptError, MAX_RECORD_BYTES, encodeRecord, decodeRecords, writeFileAtomic, writeRecordFile,
  readRecordFile, type RecoveryReport, type RecoveredRecord,
} from './record-log.js';
