// The host's own standard input as a guest's fd 0, in Node (console.ts has the console itself): the
// deterministic runner reads it synchronously, the threaded runner asynchronously; a regular file on stdin is
// read at a position of its own so the guest may lseek it. The browser bundle takes host-stdin.browser.ts.
import { fstatSync, read as readAsync, readSync, type BigIntStats } from 'node:fs';
import { isatty } from 'node:tty';
import type { FileStat, FileKind } from '../vfs/index.js';
import { concat, type GuestInput } from './console.js';

const KIND: Readonly<Record<number, FileKind>> = { 0o100000: 'file', 0o040000: 'dir', 0o010000: 'fifo', 0o020000: 'char', 0o060000: 'block', 0o140000: 'socket', 0o120000: 'symlink' };

/** The attributes of a host descriptor, or null when it is closed. */
export function hostFdStat(fd: number): FileStat | null {
  let s: BigIntStats;
  try { s = fstatSync(fd, { bigint: true }); } catch { return null; }
  const mode = Number(s.mode);
  return {
    kind: KIND[mode & 0o170000] ?? 'char', mode, ino: s.ino, dev: s.dev, rdev: s.rdev, nlink: Number(s.nlink),
    uid: Number(s.uid), gid: Number(s.gid), size: s.size, blocks: s.blocks, blksize: Number(s.blksize),
    atime_ns: s.atimeNs, mtime_ns: s.mtimeNs, ctime_ns: s.ctimeNs, birthtime_ns: s.birthtimeNs,
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * A host descriptor on a regular file, read at a position of its own from the start of the file, so the
 * guest may lseek it as qemu-user lets it (a regular file never blocks: read at once, in every mode).
 */
function hostFileInput(fd: number): GuestInput {
  let pos = 0;
  return {
    read(buf) {
      try {
        const n = readSync(fd, buf, 0, buf.length, pos);
        pos += n;
        return n;
      } catch {
        return 0; // unreadable: the guest sees the end of its input
      }
    },
    wait(ready) { ready(); },
    stat: () => hostFdStat(fd),
    isTerminal: () => false,
    seek(offset, whence) {
      const base = whence === 0 ? 0 : whence === 1 ? pos : Number(hostFdStat(fd)?.size ?? 0n);
      if (base + offset < 0) return null;
      pos = base + offset;
      return pos;
    },
  };
}

const isRegularFile = (fd: number): boolean => hostFdStat(fd)?.kind === 'file';

/** The host's fd 0 read synchronously (deterministic runs): read never returns null. */
export function hostStdinSync(fd = 0): GuestInput {
  if (isRegularFile(fd)) return hostFileInput(fd);
  return {
    read(buf) {
      for (;;) {
        try {
          return readSync(fd, buf, 0, buf.length, null);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; } // a non-blocking pipe or terminal
          if (code === 'EOF') return 0;
          return 0; // closed or unreadable: the guest sees the end of its input
        }
      }
    },
    wait(ready) { ready(); },
    stat: () => hostFdStat(fd),
    isTerminal: () => isatty(fd),
  };
}

/** Chunk the threaded runner's reads of the host's stdin take at most. */
export const STDIN_CHUNK_BYTES = 64 * 1024;

/**
 * The host's fd 0 read asynchronously (threaded runs): bytes read ahead are kept until a guest takes them, so
 * a read that was cancelled loses nothing.
 */
export function hostStdinAsync(fd = 0): GuestInput {
  if (isRegularFile(fd)) return hostFileInput(fd);
  let buffered: Uint8Array = new Uint8Array(0);
  let eof = false;
  let reading = false;
  const ready: (() => void)[] = [];
  const fill = (): void => {
    if (reading || eof) return;
    reading = true;
    const chunk = new Uint8Array(STDIN_CHUNK_BYTES);
    readAsync(fd, chunk, 0, chunk.length, null, (err, n) => {
      reading = false;
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'EAGAIN') { setTimeout(fill, 1); return; }
      if (err || n === 0) eof = true;
      else buffered = buffered.length === 0 ? chunk.subarray(0, n) : concat(buffered, chunk.subarray(0, n));
      for (const r of ready.splice(0)) r();
    });
  };
  return {
    read(buf) {
      if (buffered.length > 0) {
        const n = Math.min(buf.length, buffered.length);
        buf.set(buffered.subarray(0, n));
        buffered = buffered.subarray(n);
        return n;
      }
      if (eof) return 0;
      fill();
      return null;
    },
    wait(r) {
      if (buffered.length > 0 || eof) { r(); return; }
      ready.push(r);
      fill();
    },
    stat: () => hostFdStat(fd),
    isTerminal: () => isatty(fd),
  };
}
