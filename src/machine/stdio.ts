// The guest's fds 1 and 2 written straight to the host's: bytes go out unchanged and in order, from the main
// thread or from a hart's worker thread alike (a synchronous write, so causality across harts is kept). A
// full non-blocking pipe is waited on (1 ms steps, at most RETRIES_MAX); a closed reader is -EPIPE.
import { EPIPE } from './abi.js';
import { writeSync } from 'node:fs';
import type { GuestIO } from './syscalls.js';
import { isatty } from 'node:tty';
import { hostFdStat } from './host-stdin.js';

const RETRIES_MAX = 60_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

export const stdio: GuestIO = {
  write(fd, bytes) {
    for (let off = 0, retries = 0; off < bytes.length;) {
      try {
        off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && retries++ < RETRIES_MAX) { Atomics.wait(pause, 0, 0, 1); continue; }
        if (code === 'EPIPE') return -EPIPE;
        throw err;
      }
    }
    return bytes.length;
  },
  stat: (fd) => hostFdStat(fd),
  isTerminal: (fd) => isatty(fd),
};
