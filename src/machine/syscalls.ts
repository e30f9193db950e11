// The Linux RV32 system calls the host serves, with Linux semantics: number in a7, arguments in a0..a5,
// result in a0 (negative errno on failure). The kernel serves the thread, scheduling and memory calls itself
// (assembly/syscall.ts) and posts the rest to the host-call ring (hostcall.ts): write (fds 1 and 2, for
// Process.run; a System serves every descriptor call with file-syscalls.ts) and clock_gettime64 are served
// here; every user pointer goes through the page tables, so a bad one is -EFAULT. Unknown numbers are -ENOSYS.
import type { Machine } from './machine.js';
import { copyFromUser, copyToUser } from './usermem.js';
import {
  SYS, ENOSYS, EFAULT, EINVAL, EBADF, EPIPE, SIGPIPE, CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
  CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI, PROC_BASE, PROC_BYTES, P,
} from './abi.js';
import type { HostCall, HostService } from './hostcall.js';
import type { FileStat } from '../vfs/index.js';

/**
 * Where the guest's stdout (fd 1) and stderr (fd 2) go. write may return a negative errno (e.g. -EPIPE when
 * the reader has gone), which the guest's write(2) then returns; otherwise all bytes count as written.
 */
export interface GuestIO {
  /** pid: the writing process (a cluster's console prefixes each line with its node and pid). */
  write(fd: 1 | 2, bytes: Uint8Array, pid?: number): number | void;
  /** What statx of the console's fd 1 or 2 reports (default: a character device). */
  stat?(fd: 1 | 2): FileStat | null;
  /** True when fd is a terminal (ioctl TCGETS answers). */
  isTerminal?(fd: 1 | 2): boolean;
}

// The numbers (SYS, errno, signals, clock ids) are generated from abi/defs.mjs.
export { SYS, ENOSYS, EFAULT, EINVAL, EBADF, EPIPE, ENOTSUP } from './abi.js';
// Linux clock ids. Every clock reads the machine's virtual time: the realtime family adds the realtime base,
// TAI adds the 37 leap seconds, the CPU-time clocks count from the start of the process (= virtual time).
// The alarm clocks (CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM) answer -EINVAL, as on a host without a wake-up RTC.
const TAI_OFFSET_NS = 37_000_000_000n;
/** A single write(2) moves at most this many bytes (Linux's MAX_RW_COUNT is similar in spirit). */
export const WRITE_BYTES_MAX = 0x7fff_f000;

function clockNow(machine: Machine, call: HostCall, ctx: SyscallContext, clock: number): bigint | null {
  const ns = (call.mtime * 1_000_000_000n) / BigInt(machine.timebase_hz);
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return ctx.realtime_base_ns + ns;
    case CLOCK_TAI: return ctx.realtime_base_ns + ns + TAI_OFFSET_NS;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
      // A process that moved here keeps the monotonic clock it had (P_MONO_OFFSET: never behind this machine's).
      return ns + machine.u64(PROC_BASE + call.proc * PROC_BYTES + P.MONO_OFFSET);
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
      return ns;
  }
  return null;
}

/** A __kernel_timespec of ns into out (16 bytes, reused: copyToUser copies it). */
function timespec(ns: bigint, out: DataView): Uint8Array {
  out.setBigInt64(0, ns / 1_000_000_000n, true);
  out.setBigInt64(8, ns % 1_000_000_000n, true);
  return new Uint8Array(out.buffer);
}

/** What the host needs to know about the calling process. */
export interface SyscallContext {
  readonly realtime_base_ns: bigint;
}

/**
 * The services of the calls the kernel hands to the host: write and clock_gettime64, by number, for a
 * HostCallServer (hostcall.ts). A write to a reader that has gone raises SIGPIPE on the caller and returns -EPIPE.
 */
export function hostServices(machine: Machine, ctx: SyscallContext, io: GuestIO): [number, HostService][] {
  const write: HostService = (call) => {
    const [fd, buf, n] = call.args as [number, number, number];
    const count = Math.min(n, WRITE_BYTES_MAX);
    if (fd !== 1 && fd !== 2) return -EBADF;
    if (count === 0) return 0;
    const bytes = copyFromUser(machine, call.satp, buf, count);
    if (bytes === null) return -EFAULT;
    const written = io.write(fd, bytes, call.pid);
    if (written === -EPIPE) return { signal: SIGPIPE, result: -EPIPE };
    return typeof written === 'number' && written < 0 ? written : count;
  };
  const ts = new DataView(new ArrayBuffer(16));
  const clock: HostService = (call) => {
    const now = clockNow(machine, call, ctx, call.args[0]!);
    if (now === null) return -EINVAL;
    return copyToUser(machine, call.satp, call.args[1]!, timespec(now, ts)) ? 0 : -EFAULT;
  };
  return [[SYS.write, write], [SYS.clock_gettime64, clock]];
}

/** What the host answers to a number nobody serves. */
export const unknownCall: HostService = () => -ENOSYS;
