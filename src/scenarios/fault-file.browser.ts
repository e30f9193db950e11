// A browser has no host files: this stand-in for fault-file.ts, which the browser bundle takes in its place,
// refuses every path (a page passes a scenario its faults as data).
import { InputError } from '../base/index.js';
import type { ScheduledFault } from '../net/index.js';

export const FAULT_FILE_BYTES_MAX = 1 << 20;

export function readFaultFile(path: string, _nodes: readonly string[]): ScheduledFault[] {
  throw new InputError(`cannot read ${path}: a browser has no host files (pass the faults as data)`);
}
