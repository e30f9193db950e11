// Pipes: a PIPE_BYTES (64 KiB) buffer of pages between a read end and a write end, each counted by the
// descriptions open on it. Linux semantics: a read returns what is there (at most what was asked), 0 once the
// buffer is empty and no writer is left, else waits (-EAGAIN with O_NONBLOCK); a write of at most PIPE_BUF bytes
// goes in whole or waits for room (atomic), a longer one goes in page by page (O_NONBLOCK: what fits, or -EAGAIN
// when nothing does); with no reader left a write fails with -EPIPE and raises SIGPIPE. Waiting is the caller's business
// (file-syscalls.ts keeps the host call and answers it later): a pipe only wakes its wait queues when its state
// changes.

/** Callers waiting for something to change: woken (each retries) when it may have. */
export class WaitQueue {
  private readonly waiters = new Set<() => void>();

  add(retry: () => void): void {
    this.waiters.add(retry);
  }
  remove(retry: () => void): void {
    this.waiters.delete(retry);
  }
  wake(): void {
    for (const w of [...this.waiters]) if (this.waiters.has(w)) w();
  }
  get size(): number {
    return this.waiters.size;
  }
}

let nextPipeIno = 1;

/** One page of a pipe's buffer. */
interface PipePage {
  readonly data: Uint8Array;
  offset: number;
  len: number;
}

/**
 * A pipe's buffer as Linux keeps it: a ring of at most `slots` pages (PIPE_BYTES / PIPE_BUF = 16). A write
 * first merges the part of its length that is not a whole number of pages into the last page when that fits,
 * then fills fresh pages, one per slot; so a write of at most a page is atomic, and small writes pack into pages
 * as they do on Linux (the capacity seen by a run of odd-sized non-blocking writes is Linux's too).
 */
export class Pipe {
  private readonly pages: PipePage[] = [];
  private bytes = 0;
  readers = 0;
  writers = 0;
  /** Woken when there is data, or the last writer left. */
  readonly readable = new WaitQueue();
  /** Woken when a slot frees, or the last reader left. */
  readonly writable = new WaitQueue();
  /** A number for statx (st_ino), unique among this host's pipes. */
  readonly ino = nextPipeIno++;
  readonly slots: number;

  constructor(readonly capacity: number, readonly pageBytes = 4096) {
    this.slots = Math.max(1, Math.floor(capacity / pageBytes));
  }

  /** Bytes buffered (FIONREAD). */
  get available(): number {
    return this.bytes;
  }
  get empty(): boolean {
    return this.pages.length === 0;
  }
  get full(): boolean {
    return this.pages.length >= this.slots;
  }

  /** Copy of up to n buffered bytes, oldest first, without taking them. */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.bytes));
    let off = 0;
    for (const p of this.pages) {
      if (off >= out.length) break;
      const k = Math.min(p.len, out.length - off);
      out.set(p.data.subarray(p.offset, p.offset + k), off);
      off += k;
    }
    return out;
  }

  /** Drop n buffered bytes (after peek copied them out); pages emptied free their slots. */
  consume(n: number): void {
    const freedBefore = this.pages.length;
    this.bytes -= n;
    while (n > 0) {
      const p = this.pages[0]!;
      const k = Math.min(p.len, n);
      p.offset += k;
      p.len -= k;
      n -= k;
      if (p.len === 0) this.pages.shift();
    }
    if (this.pages.length < freedBefore) this.writable.wake();
  }

  /** Merge bytes into the last page if the pipe is not empty and they fit there whole; true if merged. */
  merge(bytes: Uint8Array): boolean {
    const last = this.pages[this.pages.length - 1];
    if (last === undefined || last.offset + last.len + bytes.length > this.pageBytes) return false;
    last.data.set(bytes, last.offset + last.len);
    last.len += bytes.length;
    this.bytes += bytes.length;
    if (bytes.length > 0) this.readable.wake();
    return true;
  }

  /** Put at most a page of bytes in a fresh slot (the pipe is not full). */
  pushPage(bytes: Uint8Array): void {
    if (this.full || bytes.length > this.pageBytes) throw new Error('pipe overflow');
    const data = new Uint8Array(this.pageBytes);
    data.set(bytes);
    this.pages.push({ data, offset: 0, len: bytes.length });
    this.bytes += bytes.length;
    if (bytes.length > 0) this.readable.wake();
  }
}

/** One end of a pipe as a description's file. */
export class PipeEnd {
  readonly kind = 'pipe';
  private released = false;

  constructor(readonly pipe: Pipe, readonly side: 'read' | 'write') {
    if (side === 'read') pipe.readers++; else pipe.writers++;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.side === 'read') {
      if (--this.pipe.readers === 0) this.pipe.writable.wake();
    } else if (--this.pipe.writers === 0) this.pipe.readable.wake();
  }
}
