// A browser has no standard input of its own: the page gives a machine its input (a PushInput) and these
// stand-ins for host-stdin.ts, which the browser bundle takes in its place, answer end of input.
import type { FileStat } from '../vfs/index.js';
import { bytesInput, type GuestInput } from './console.js';

export function hostFdStat(_fd: number): FileStat | null {
  return null;
}

export function hostStdinSync(_fd = 0): GuestInput {
  return bytesInput(new Uint8Array(0));
}

export function hostStdinAsync(_fd = 0): GuestInput {
  return bytesInput(new Uint8Array(0));
}

/** As host-stdin.ts (no host reads are made here). */
export const STDIN_CHUNK_BYTES = 64 * 1024;
