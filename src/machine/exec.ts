// The host's half of execve (221): resolve the program in the caller's file system, read it, parse it, build the
// new image in a fresh root (process.ts's buildImage: segments, initial stack with argv, envp and auxv), write its
// parameters into the caller's process slot (P_EXEC_ROOT, P_EXEC_PC, P_EXEC_SP, P_EXEC_BRK, P_EXEC_BRK_MAX,
// P_EXEC_STACK_LOW) and answer 0 with R_ACTION = RA_EXEC: the kernel then commits it (ends the other
// threads, frees the old address space, installs the new one). The close-on-exec descriptors close here. Any
// failure frees the new root and answers -errno, leaving the caller as it was: ENOENT, ENOTDIR, ELOOP,
// ENAMETOOLONG from the path; EACCES for a directory, a file that is not regular or has no execute bit; ENOEXEC
// for a file that is not a static RV32 ELF this machine runs; E2BIG for arguments beyond MAX_ARG_STRLEN or the
// stack's room; EFAULT for a bad pointer in path, argv or envp; ENOMEM when guest RAM runs out.
import { InputError, latin1Bytes } from '../base/index.js';
import { ElfError, parseElf, type ElfImage } from '../elf/index.js';
import { FsError, andThen, type FileHandle, type Maybe } from '../vfs/index.js';
import type { Machine } from './machine.js';
import { copyFromUser, stringFromUser } from './usermem.js';
import { buildImage, STACK_ARGS_BYTES_MAX, type ImageLayout } from './process.js';
import type { HostCall, HostService } from './hostcall.js';
import { errnoNumber, type FileServer } from './file-syscalls.js';
import {
  EACCES, EFAULT, ENAMETOOLONG, ENOENT, ENOEXEC, ENOMEM, E2BIG, PATH_MAX, RA_EXEC, LOAD_END, PROC_BASE,
  PROC_BYTES, P,
} from './layout.js';

/** The longest argument or environment string (Linux's MAX_ARG_STRLEN, 32 pages). */
export const ARG_STRLEN_MAX = 32 * 4096;
/** The largest program execve reads. */
export const EXEC_FILE_BYTES_MAX = 256 << 20;

export interface ExecOptions {
  /** Seed of the new image's AT_RANDOM bytes (mixed with the pid). */
  readonly seed?: number;
  readonly realtime_base_ns?: bigint;
}

/** The NULL-terminated vector of strings at va (NULL: empty), or -errno. */
function vector(machine: Machine, call: HostCall, va: number, budget: { left: number }): Uint8Array[] | number {
  const out: Uint8Array[] = [];
  if (va === 0) return out;
  for (let i = 0; ; i++) {
    const w = copyFromUser(machine, call.satp, (va + 4 * i) >>> 0, 4);
    if (w === null) return -EFAULT;
    const p = new DataView(w.buffer).getUint32(0, true);
    if (p === 0) return out;
    const s = stringFromUser(machine, call.satp, p, ARG_STRLEN_MAX);
    if (s === 'fault') return -EFAULT;
    if (s === 'long') return -E2BIG;
    budget.left -= s.length + 1 + 4;
    if (budget.left < 0) return -E2BIG;
    out.push(latin1Bytes(s));
  }
}

/** Write the new image's parameters into process slot proc. */
export function writeExecImage(machine: Machine, proc: number, img: ImageLayout): void {
  const b = PROC_BASE + proc * PROC_BYTES;
  const v = machine.view;
  v.setUint32(b + P.EXEC_ROOT, img.root, true);
  v.setUint32(b + P.EXEC_PC, img.entry, true);
  v.setUint32(b + P.EXEC_SP, img.sp, true);
  v.setUint32(b + P.EXEC_BRK, img.brk_start, true);
  v.setUint32(b + P.EXEC_BRK_MAX, img.brk_max, true);
  v.setUint32(b + P.EXEC_STACK_LOW, img.stack_low, true);
}

/** What execve and spawn are given: the path and the argument and environment vectors, or -errno. */
export function readExecArgs(machine: Machine, call: HostCall, pathVa: number, argvVa: number, envpVa: number): { path: string; argv: Uint8Array[]; envp: Uint8Array[] } | number {
  const path = stringFromUser(machine, call.satp, pathVa, PATH_MAX);
  if (path === 'fault') return -EFAULT;
  if (path === 'long') return -ENAMETOOLONG;
  const budget = { left: STACK_ARGS_BYTES_MAX - 512 };
  const argv = vector(machine, call, argvVa, budget);
  if (typeof argv === 'number') return argv;
  const envp = vector(machine, call, envpVa, budget);
  if (typeof envp === 'number') return envp;
  return { path, argv, envp };
}

/**
 * The bytes of the program at path (from cwd), as execve reads it, or -errno (ENOENT, EACCES, ENOMEM...); later
 * (or an FsError then) when its mount opens files later.
 */
export function readProgramFile(files: FileServer, cwd: string, path: string): Maybe<Uint8Array | number> {
  try {
    const r = files.vfs.resolve(cwd, path, { follow: true });
    if (r.stat === null) return -ENOENT;
    if (r.stat.kind !== 'file' || (r.stat.mode & 0o111) === 0) return -EACCES;
    r.mount.access(r.rel, 1);
    if (r.stat.size > BigInt(EXEC_FILE_BYTES_MAX)) return -ENOMEM;
    const size = Number(r.stat.size);
    const opened = r.mount.open(r.rel, { read: true, write: false, create: false, exclusive: false, truncate: false, directory: false, mode: 0 });
    return andThen(opened, (h): Uint8Array | number => readWhole(h, size));
  } catch (err) {
    if (err instanceof FsError) return -errnoNumber(err.code);
    throw err;
  }
}

/** Up to size bytes of h from its start; h is closed. */
function readWhole(h: FileHandle, size: number): Uint8Array {
  try {
    const bytes = new Uint8Array(size);
    let off = 0;
    while (off < bytes.length) {
      const n = h.read(bytes.subarray(off), off);
      if (n === 0) break;
      off += n;
    }
    return bytes.subarray(0, off);
  } finally {
    h.close();
  }
}

/** A program's bytes as an image, or -ENOEXEC. */
export function parseProgram(bytes: Uint8Array): ElfImage | number {
  try {
    return parseElf(bytes, { userEnd: LOAD_END });
  } catch (err) {
    if (err instanceof ElfError || err instanceof RangeError) return -ENOEXEC;
    throw err;
  }
}

export function execService(machine: Machine, files: FileServer, opts: ExecOptions = {}): HostService {
  return (call) => {
    const [pathVa, argvVa, envpVa] = call.args as [number, number, number];
    const args = readExecArgs(machine, call, pathVa, argvVa, envpVa);
    if (typeof args === 'number') return args;
    const { path, argv, envp } = args;
    const proc = files.filesOf(call);
    return files.answerWhen(call, readProgramFile(files, proc.fs.cwd, path), (bytes) => {
    if (typeof bytes === 'number') return bytes;
    const image = parseProgram(bytes);
    if (typeof image === 'number') return image;
    let layout: ImageLayout;
    try {
      layout = buildImage(machine, image, { argv, envp, execfn: latin1Bytes(path), seed: ((opts.seed ?? 1) ^ call.pid) >>> 0 });
    } catch (err) {
      if (err instanceof InputError) return /arguments/.test(err.message) ? -E2BIG : /segment/.test(err.message) ? -ENOEXEC : -ENOMEM;
      throw err;
    }
    writeExecImage(machine, call.proc, layout);
    proc.fds.closeOnExec();
    return { result: 0, action: RA_EXEC };
    });
  };
}
