// File-backed private mappings (mmap2, 222, with a file descriptor): the kernel serves anonymous mappings and
// hands a file-backed one to the host, which asks the kernel (through a PrivateMapper) for a populated private
// anonymous range in the caller's process and copies the file's bytes into its frames by physical address (so a
// read-only mapping is filled too). The rest of the range past the end of the file stays zero, as on Linux.
// Shared file mappings are refused (-ENODEV), stated. Without a mapper (a kernel without the export) every
// file-backed mmap2 is -ENODEV.
import type { Machine } from './machine.js';
import type { HostCall, HostService } from './hostcall.js';
import { FsError } from '../vfs/index.js';
import { errnoNumber, type FileServer } from './file-syscalls.js';
import { EBADF, EACCES, EINVAL, ENODEV, PAGE_BYTES, PROC_BASE, PROC_BYTES, P, PTE } from './layout.js';

/** The kernel's half: map and populate a private anonymous range in process proc; its address, or -errno. */
export interface PrivateMapper {
  map(proc: number, addr: number, length: number, prot: number, flags: number): number;
}

const MAP_SHARED = 0x01, MAP_ANONYMOUS = 0x20, MAP_SHARED_VALIDATE = 0x03;

/** The kernel export named mmapPopulate(proc, addr, length, prot, flags), when this kernel has it. */
export function kernelMapper(machine: Machine): PrivateMapper | null {
  const k = machine.kernel as unknown as Record<string, unknown>;
  const fn = k['mmapPopulate'];
  if (typeof fn !== 'function') return null;
  return { map: (proc, addr, length, prot, flags) => (fn as (...a: number[]) => number)(proc, addr, length, prot, flags) | 0 };
}

/** Copy bytes to user address va of the process whose root table is root, through its frames. False if unmapped. */
function putPhysical(machine: Machine, root: number, va: number, bytes: Uint8Array): boolean {
  for (let off = 0; off < bytes.length;) {
    const a = (va + off) >>> 0;
    const pteAddr = machine.kernel.vmPteAddress(root, a & ~(PAGE_BYTES - 1)) >>> 0;
    if (pteAddr === 0) return false;
    const pte = machine.u32(machine.host(pteAddr));
    if ((pte & PTE.V) === 0) return false;
    const n = Math.min(bytes.length - off, PAGE_BYTES - (a % PAGE_BYTES));
    machine.bytes.set(bytes.subarray(off, off + n), machine.host((pte >>> 10) * PAGE_BYTES + (a % PAGE_BYTES)));
    off += n;
  }
  return true;
}

export function mmapFileService(machine: Machine, files: FileServer, mapper: PrivateMapper | null): HostService {
  return (call: HostCall) => {
    const [addr, length, prot, flags, fd, pgoff] = call.args as [number, number, number, number, number, number];
    if ((flags & MAP_ANONYMOUS) !== 0) return -ENODEV; // the kernel's to serve
    if (length === 0) return -EINVAL;
    const e = files.filesOf(call).fds.get(fd | 0);
    if (e === undefined) return -EBADF;
    const f = e.desc.file;
    if (f.kind !== 'vfs' || f.isDir || f.pathOnly) return -ENODEV;
    if (!e.desc.readable) return -EACCES;
    if ((flags & MAP_SHARED_VALIDATE) === MAP_SHARED || (flags & MAP_SHARED_VALIDATE) === MAP_SHARED_VALIDATE) return -ENODEV;
    if (mapper === null) return -ENODEV;
    const va = mapper.map(call.proc, addr, length, prot, flags & ~MAP_ANONYMOUS);
    if (va < 0 && va > -4096) return va;
    const root = machine.u32(PROC_BASE + call.proc * PROC_BYTES + P.ROOT);
    const buf = new Uint8Array(length);
    let got = 0;
    try {
      for (;;) {
        const n = f.handle.read(buf.subarray(got), pgoff * PAGE_BYTES + got);
        if (n === 0) break;
        got += n;
        if (got === buf.length) break;
      }
    } catch (err) {
      if (err instanceof FsError) return -errnoNumber(err.code);
      throw err;
    }
    putPhysical(machine, root, va >>> 0, buf.subarray(0, got));
    return va;
  };
}
