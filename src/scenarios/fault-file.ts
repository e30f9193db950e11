// Reading a scenario's `--faults <file>` (a fault script, src/net/faults.ts) from the host's file system. The
// browser bundle takes fault-file.browser.ts, which has no host files: a page passes the faults as data.
import { readFileSync } from 'node:fs';
import { InputError } from '../base/index.js';
import { parseFaultScript, type ScheduledFault } from '../net/index.js';

/** Fault script files larger than this are refused (a script is a few lines). */
export const FAULT_FILE_BYTES_MAX = 1 << 20;

/** Read and parse a fault script file; `nodes` are the names its faults may name. */
export function readFaultFile(path: string, nodes: readonly string[]): ScheduledFault[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (text.length > FAULT_FILE_BYTES_MAX) throw new InputError(`${path}: ${text.length} bytes is more than a fault script may hold (${FAULT_FILE_BYTES_MAX})`);
  try {
    return parseFaultScript(text, nodes);
  } catch (err) {
    throw new InputError(`${path}: ${(err as Error).message}`);
  }
}
