// A browser has no host files: this stand-in for program-file.ts, which the browser bundle takes in its place,
// refuses every path (a page fetches a program's bytes or takes a dropped file, and loads them with System.spawn).
import { InputError } from '../base/index.js';

export const PROGRAM_BYTES_MAX = 1 << 30;

export function readProgram(path: string): Uint8Array {
  throw new InputError(`cannot read '${path}': a browser has no host files (load the program's bytes instead)`);
}
