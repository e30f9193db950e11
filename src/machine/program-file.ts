// Reading a program file from the host's file system in Node (`atoll run prog.elf`). The browser bundle takes
// program-file.browser.ts, which has no host files: a page hands the machine the program's bytes.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../base/index.js';

/** The largest program file `atoll run` reads: more than any image that fits the largest machine's RAM. */
export const PROGRAM_BYTES_MAX = 1 << 30;

/** Read a program file: a regular file of at most PROGRAM_BYTES_MAX bytes (not a device, FIFO or directory). */
export function readProgram(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`cannot read '${path}': is a directory`);
    if (!st.isFile()) throw new InputError(`cannot read '${path}': not a regular file (a program must be an ELF file)`);
    if (st.size > PROGRAM_BYTES_MAX) throw new InputError(`cannot read '${path}': ${st.size} bytes is larger than any program (at most ${PROGRAM_BYTES_MAX})`);
    const bytes = new Uint8Array(st.size);
    for (let off = 0; off < bytes.length;) {
      const n = readSync(fd, bytes, off, bytes.length - off, off);
      if (n === 0) throw new InputError(`cannot read '${path}': it shrank while being read`);
      off += n;
    }
    return bytes;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : code ?? String(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
