// A browser has no fds 1 and 2: the page hands a machine its own GuestIO (its console). This stand-in for
// stdio.ts, which the browser bundle takes in its place, sends what reaches it to the developer console.
import type { GuestIO } from './syscalls.js';

const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };

export const stdio: GuestIO = {
  write(fd, bytes) {
    const text = decoders[fd].decode(bytes, { stream: true });
    if (fd === 1) console.log(text); else console.error(text);
    return bytes.length;
  },
  isTerminal: () => false,
};
