// Linearizability checking for key-value histories (Wing & Gong / Porcupine style, split per key).
export { checkHistory, checkKey, DEFAULT_MAX_STEPS, type CheckResult, type CheckVerdict, type KeyResult } from './linearizability.js';
export { HistoryRecorder, type KvOperation, type KvOpKind } from './history.js';
