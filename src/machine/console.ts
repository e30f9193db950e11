// The console: what a process's fds 0, 1 and 2 are when it starts. fd 0 reads a GuestInput (the host's
// standard input for `atoll run`, host-stdin.ts), fds 1 and 2 write through the GuestIO as before. Reading the host's stdin:
// the deterministic runner reads synchronously (a file answers at once; a pipe or a terminal makes the whole
// simulation wait, which keeps a run the same for the same input), the threaded runner reads asynchronously and
// the caller waits (its host call is answered later) while every hart runs on. Other guest programs' input can
// be given as bytes (tests) or pushed as it comes (PushInput: a web page's console).
import type { FileStat } from '../vfs/index.js';
import type { GuestIO } from './syscalls.js';
import { WaitQueue } from './pipes.js';

/** Where fd 0's bytes come from. */
export interface GuestInput {
  /** Up to buf.length bytes into buf: how many (0 at end of input), or null when none are there yet. */
  read(buf: Uint8Array): number | null;
  /** Call ready once when read may have something (after it returned null). */
  wait(ready: () => void): void;
  /** What statx reports for it (null: a character device of no particular kind). */
  stat?(): FileStat | null;
  /** True when it is a terminal (ioctl TCGETS answers). */
  isTerminal?(): boolean;
  /**
   * Present when the input is a regular file, as a host file on stdin is: move the read position (whence
   * SEEK_SET 0, SEEK_CUR 1, SEEK_END 2) and return the new one, or null for a position before the start.
   */
  seek?(offset: number, whence: number): number | null;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Fixed bytes as the input (then end of input). */
export function bytesInput(data: Uint8Array | string): GuestInput {
  let rest = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return {
    read(buf) {
      const n = Math.min(buf.length, rest.length);
      buf.set(rest.subarray(0, n));
      rest = rest.subarray(n);
      return n;
    },
    wait(ready) { ready(); },
  };
}

/** An input that has nothing yet: bytes arrive with push, the end with end() (tests of waiting readers). */
export class PushInput implements GuestInput {
  private buffered: Uint8Array = new Uint8Array(0);
  private ended = false;
  private readonly ready: (() => void)[] = [];

  push(data: Uint8Array | string): void {
    this.buffered = concat(this.buffered, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    for (const r of this.ready.splice(0)) r();
  }
  end(): void {
    this.ended = true;
    for (const r of this.ready.splice(0)) r();
  }
  read(buf: Uint8Array): number | null {
    if (this.buffered.length > 0) {
      const n = Math.min(buf.length, this.buffered.length);
      buf.set(this.buffered.subarray(0, n));
      this.buffered = this.buffered.subarray(n);
      return n;
    }
    return this.ended ? 0 : null;
  }
  wait(ready: () => void): void {
    if (this.buffered.length > 0 || this.ended) ready(); else this.ready.push(ready);
  }
}

/** fd 0's file: one for the machine, shared by every process that inherited it. */
export class ConsoleIn {
  readonly kind = 'console-in';
  readonly readable = new WaitQueue();
  private waiting = false;

  constructor(readonly input: GuestInput) {}

  private pushback: Uint8Array = new Uint8Array(0);

  /** Up to n bytes (an empty array at the end of input), or null: wait on readable. */
  read(n: number): Uint8Array | null {
    if (this.pushback.length > 0) {
      const out = this.pushback.subarray(0, n);
      this.pushback = this.pushback.subarray(out.length);
      return out;
    }
    const buf = new Uint8Array(n);
    const got = this.input.read(buf);
    if (got !== null) return buf.subarray(0, got);
    if (!this.waiting) {
      this.waiting = true;
      this.input.wait(() => { this.waiting = false; this.readable.wake(); });
    }
    return null;
  }

  /** lseek on fd 0: the new position, or null when the input cannot seek (a pipe, a terminal: ESPIPE). */
  seekable(): boolean {
    return this.input.seek !== undefined;
  }
  seek(offset: number, whence: number): number | null {
    const at = this.input.seek!(offset - (whence === 1 ? this.pushback.length : 0), whence);
    if (at !== null) this.pushback = new Uint8Array(0);
    return at;
  }

  /** Give back bytes read but not delivered (the user's buffer faulted): the next read gets them first. */
  unread(bytes: Uint8Array): void {
    this.pushback = concat(bytes, this.pushback);
  }

  release(): void {}
}

/** fd 1's or fd 2's file: the GuestIO's stream. */
export class ConsoleOut {
  readonly kind = 'console-out';

  constructor(readonly io: GuestIO, readonly fd: 1 | 2) {}

  release(): void {}
}
