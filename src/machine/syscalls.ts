// The Linux RV32 system calls the host serves, with Linux semantics: number in a7, arguments in a0..a5,
// result in a0 (negative errno on failure). The kernel serves the thread, scheduling and memory calls itself
// (assembly/syscall.ts) and hands the rest over: write and clock_gettime64 here; every user pointer goes
// through the page tables, so a bad one is -EFAULT. Unknown numbers are -ENOSYS.
import type { Machine } from './machine.js';
import { copyFromUser, copyToUser } from './usermem.js';
import {
  SYS, ENOSYS, EFAULT, EINVAL, EBADF, EPIPE, CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
  CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI,
} from './abi.js';

/**
 * Where the guest's stdout (fd 1) and stderr (fd 2) go. write may return a negative errno (e.g. -EPIPE when
 * the reader has gone), which the guest's write(2) then returns; otherwise all bytes count as written.
 */
export interface GuestIO {
  write(fd: 1 | 2, bytes: Uint8Array): number | void;
}

// The numbers (SYS, errno, clock ids) are generated from abi/defs.mjs.
export { SYS, ENOSYS, EFAULT, EINVAL, EBADF, EPIPE, ENOTSUP } from './abi.js';
// Linux clock ids. Every clock reads the machine's virtual time: the realtime family adds the realtime base,
// TAI adds the 37 leap seconds, the CPU-time clocks count from the start of the process (= virtual time).
// The alarm clocks (CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM) answer -EINVAL, as on a host without a wake-up RTC.
const TAI_OFFSET_NS = 37_000_000_000n;
/** A single write(2) moves at most this many bytes (Linux's MAX_RW_COUNT is similar in spirit). */
export const WRITE_BYTES_MAX = 0x7fff_f000;

/** After a system call: go on, the process exited, or its write hit a closed pipe (SIGPIPE's default: die). */
export type SyscallOutcome = { readonly kind: 'continue' } | { readonly kind: 'exit'; readonly code: number } | { readonly kind: 'sigpipe' };
const CONTINUE: SyscallOutcome = { kind: 'continue' };

function clockNow(machine: Machine, hart: number, ctx: SyscallContext, clock: number): bigint | null {
  const ns = machine.time_ns(hart);
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return ctx.realtime_base_ns + ns;
    case CLOCK_TAI: return ctx.realtime_base_ns + ns + TAI_OFFSET_NS;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
      return ns;
  }
  return null;
}

function timespec(ns: bigint): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, ns / 1_000_000_000n, true);
  dv.setBigInt64(8, ns % 1_000_000_000n, true);
  return b;
}

/** What the host needs to know about the calling process. */
export interface SyscallContext {
  readonly realtime_base_ns: bigint;
}

/**
 * Serve the system call of the thread on `hart` that the kernel handed over (dispatch returned EXIT_TRAP):
 * write and clock_gettime64; every other number the kernel did not serve is -ENOSYS.
 */
export function handleSyscall(machine: Machine, hart: number, ctx: SyscallContext, io: GuestIO): SyscallOutcome {
  const a = (i: number): number => machine.reg(hart, 10 + i);
  const satp = machine.satp(hart);
  const nr = machine.reg(hart, 17);
  let result: number;
  switch (nr) {
    case SYS.write: {
      const fd = a(0), buf = a(1), count = Math.min(a(2), WRITE_BYTES_MAX);
      if (fd !== 1 && fd !== 2) { result = -EBADF; break; }
      if (count === 0) { result = 0; break; }
      const bytes = copyFromUser(machine, satp, buf, count);
      if (bytes === null) { result = -EFAULT; break; }
      const written = io.write(fd, bytes);
      if (written === -EPIPE) return { kind: 'sigpipe' };
      result = typeof written === 'number' && written < 0 ? written : count;
      break;
    }
    case SYS.clock_gettime64: {
      const now = clockNow(machine, hart, ctx, a(0));
      if (now === null) { result = -EINVAL; break; }
      result = copyToUser(machine, satp, a(1), timespec(now)) ? 0 : -EFAULT;
      break;
    }
    default:
      result = -ENOSYS;
  }
  machine.kernel.hartSyscallReturn(hart, result >>> 0);
  return CONTINUE;
}
