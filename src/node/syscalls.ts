// The Linux RV32 system calls a process can make, with Linux semantics: number in a7, arguments in a0..a5,
// result in a0 (negative errno on failure). Served by the host for now (ecall traps out of run()); every
// user pointer goes through the page tables, so a bad one is -EFAULT. Unknown numbers are -ENOSYS.
import type { Process } from './process.js';
import { copyFromUser, copyToUser } from './usermem.js';
import { hartBase, H_MTIME } from './layout.js';

/**
 * Where the guest's stdout (fd 1) and stderr (fd 2) go. write may return a negative errno (e.g. -EPIPE when
 * the reader has gone), which the guest's write(2) then returns; otherwise all bytes count as written.
 */
export interface GuestIO {
  write(fd: 1 | 2, bytes: Uint8Array): number | void;
}

export const SYS = {
  write: 64, exit: 93, exit_group: 94, getpid: 172, brk: 214, clock_gettime64: 403, clock_nanosleep_time64: 407,
} as const;
export const ENOSYS = 38, EFAULT = 14, EINVAL = 22, EBADF = 9, EPIPE = 32, ENOTSUP = 95;
// Linux clock ids. Every clock reads the node's virtual time: the realtime family adds the realtime base,
// TAI adds the 37 leap seconds, the CPU-time clocks count from the start of the process (= virtual time).
// The alarm clocks answer -EINVAL, as on a host without a wake-up RTC.
const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
const CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;
const TAI_OFFSET_NS = 37_000_000_000n;
/** Clocks clock_nanosleep accepts; Linux answers -ENOTSUP for the thread CPU, raw, coarse and alarm clocks. */
const SLEEP_CLOCKS: ReadonlySet<number> = new Set([CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_BOOTTIME, CLOCK_TAI]);
const SLEEP_UNSUPPORTED: ReadonlySet<number> = new Set([CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM]);
const TIMER_ABSTIME = 1;
/** A single write(2) moves at most this many bytes (Linux's MAX_RW_COUNT is similar in spirit). */
export const WRITE_BYTES_MAX = 0x7fff_f000;

/** After a system call: go on, the process exited, or its write hit a closed pipe (SIGPIPE's default: die). */
export type SyscallOutcome = { readonly kind: 'continue' } | { readonly kind: 'exit'; readonly code: number } | { readonly kind: 'sigpipe' };
const CONTINUE: SyscallOutcome = { kind: 'continue' };

function clockNow(p: Process, clock: number): bigint | null {
  const ns = p.node.time_ns(p.hart);
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return p.realtime_base_ns + ns;
    case CLOCK_TAI: return p.realtime_base_ns + ns + TAI_OFFSET_NS;
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

export function handleSyscall(p: Process, io: GuestIO): SyscallOutcome {
  const node = p.node;
  const h = p.hart;
  const a = (i: number): number => node.reg(h, 10 + i);
  const nr = node.reg(h, 17);
  let result: number;
  switch (nr) {
    case SYS.exit:
    case SYS.exit_group:
      return { kind: 'exit', code: a(0) & 0xff };
    case SYS.write: {
      const fd = a(0), buf = a(1), count = Math.min(a(2), WRITE_BYTES_MAX);
      if (fd !== 1 && fd !== 2) { result = -EBADF; break; }
      if (count === 0) { result = 0; break; }
      const bytes = copyFromUser(node, p.satp, buf, count);
      if (bytes === null) { result = -EFAULT; break; }
      const written = io.write(fd, bytes);
      if (written === -EPIPE) return { kind: 'sigpipe' };
      result = typeof written === 'number' && written < 0 ? written : count;
      break;
    }
    case SYS.getpid:
      result = p.pid;
      break;
    case SYS.brk:
      result = p.setBrk(a(0));
      break;
    case SYS.clock_gettime64: {
      const now = clockNow(p, a(0));
      if (now === null) { result = -EINVAL; break; }
      result = copyToUser(node, p.satp, a(1), timespec(now)) ? 0 : -EFAULT;
      break;
    }
    case SYS.clock_nanosleep_time64:
      result = nanosleep(p, a(0), a(1), a(2));
      break;
    default:
      result = -ENOSYS;
  }
  node.kernel.hartSyscallReturn(h, result >>> 0);
  return CONTINUE;
}

/** Sleeping advances the hart's virtual clock to the wake-up time (there is no other thread to run). */
function nanosleep(p: Process, clock: number, flags: number, reqPtr: number): number {
  const node = p.node;
  if (SLEEP_UNSUPPORTED.has(clock)) return -ENOTSUP;
  const now = clockNow(p, clock);
  if (now === null || !SLEEP_CLOCKS.has(clock)) return -EINVAL;
  const req = copyFromUser(node, p.satp, reqPtr, 16);
  if (req === null) return -EFAULT;
  const dv = new DataView(req.buffer);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigInt64(8, true) & 0xffff_ffffn; // tv_nsec is a long: the upper word is padding on RV32
  if (sec < 0n || nsec >= 1_000_000_000n) return -EINVAL;
  const req_ns = sec * 1_000_000_000n + nsec;
  const wait_ns = (flags & TIMER_ABSTIME) !== 0 ? req_ns - now : req_ns;
  if (wait_ns > 0n) {
    const ticks = (wait_ns * BigInt(node.timebase_hz) + 999_999_999n) / 1_000_000_000n;
    const b = hartBase(p.hart) + H_MTIME;
    const MTIME_MAX = 1n << 62n; // far beyond any run; keeps mtime from wrapping on absurd sleeps
    const next = node.view.getBigUint64(b, true) + ticks;
    node.view.setBigUint64(b, next > MTIME_MAX ? MTIME_MAX : next, true);
  }
  return 0;
}
