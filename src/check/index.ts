// Linearizability checking (Wing & Gong with Lowe's memo, Porcupine style, split per key) for any
// sequential model: registers with cas, key-value stores with append, Atoll's per-key registers.
export {
  checkHistory, checkKey, checkOperations, DEFAULT_MAX_STEPS, DEFAULT_MAX_STEPS_TOTAL,
  type CheckLimit, type CheckOptions, type CheckResult, type CheckVerdict, type KeyResult, type ModelCheckResult, type StopReason,
} from './linearizability.js';
export { hashString, partitionByKey, type Model, type Operation, type Partition, type StepResult } from './model.js';
export {
  kvModel, kvRegisterModel, registerModel,
  type KvInput, type KvOutput, type KvRegisterInput, type KvRegisterOutput, type KvState,
  type RegisterInput, type RegisterOutput, type RegisterState, type RegisterValue,
} from './models.js';
export { fileModel, type FileInput, type FileOutput, type FileState } from './file-model.js';
export { PartitionSearch, type SearchStatus } from './search.js';
export {
  checkPorcupineHistory, parseJepsenLog, parseKvLog,
  type ParsedHistory, type PorcupineFormat, type PorcupineHistory,
} from './porcupine-formats.js';
export { HistoryRecorder, type KvOperation, type KvOpKind } from './history.js';
