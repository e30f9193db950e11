// The system calls the kernel serves itself, because their state is shared by harts on different worker
// threads: clone (threads here, fork and vfork in fork.ts), exit, exit_group, waitid (wait.ts), the process
// group calls (pgid.ts), gettid, getpid, set_tid_address, sched_yield, futex_time64, brk,
// clock_nanosleep_time64 and Atoll's IPC calls (ipc.ts). Everything else (write, clock_gettime64, unknown
// numbers) goes to the host through the host-call ring (hostcall.ts).
// User pointers go through the caller's page tables (usercopy.ts): a bad one is -EFAULT, as on Linux.
// Every handler serves the caller that syscallKernel records at entry (caller.ts).
import {
  H_REGS, H_PC, H_MTIME, H_SCRATCH, KS, KS_REALTIME_NS, KS_TIMEBASE_HZ, KS_SLEEPERS, LOCK_SCHED,
  LOCK_PROC, T_TID, T_CLEAR_TID, T_REGS, T_PC, T_LEVEL, T_LAST_MTIME, T_DEADLINE, P_ROOT, P_PID, P_BRK,
  P_BRK_START, P_BRK_MAX, P_ASID, P_PGID, P_SID, P_MONO_OFFSET,
} from './blocks';
import { RAM_BASE } from './layout';
import { PAGE_BYTES } from './limits';
import { klock, kunlock } from './klock';
import { vmShrink, vmZeroMapped } from './vm';
import { framesFree } from './frames';
import { klog, KLOG_CLONE_FLAGS, KLOG_FUTEX_OP } from './klog';
import { threadBase, threadAlloc, threadSetResult, THREAD_NONE, TS_RUNNABLE, TS_SLEEP } from './thread';
import { rqPush, switchOut, wakeExpired } from './sched';
import { futexBlock, futexWake, futexRequeue } from './futex';
import { userWord, readUser64, writeUser32 } from './usercopy';
import { threadExit, exitGroup } from './exit';
import { ipcSyscall } from './ipc';
import { cloneIsFork, forkSyscall, FORK_HOST } from './fork';
import { waitid } from './wait';
import { getppid, setpgid, getIdOf, setsid, PGID_HOST } from './pgid';
import { mmap2, munmap, mprotect, MMAP_HOST } from './mmap';
import { vmaOverlaps } from './vma';
import { sigThreadInherit } from './signal';
import { sigSyscall, SIGSYS_NONE, SIGSYS_ENDED, SIGSYS_HOST } from './sigsys';
import { pidAlloc, PID_NONE } from './pidlease';
import { callerEnter, callHart, callH, callT, callTb, callP, callPb, callSatp, arg, ret } from './caller';

export const SYS_DONE: u32 = 0; // served; the hart may now have another thread (or none)
export const SYS_HOST: u32 = 1; // the host serves it
export const SYS_ENDED: u32 = 2; // served, and a process ended

// System call numbers, errno values and the clone and futex flags are shared with the host and the guest
// header (abi/defs.mjs).
import {
  NR_FUTEX_TIME64 as NR_FUTEX, NR_EXIT, NR_EXIT_GROUP, NR_SET_TID_ADDRESS, NR_SCHED_YIELD, NR_GETPID, NR_GETTID, NR_BRK,
  NR_CLONE, NR_CLOCK_GETTIME64 as NR_CLOCK_GETTIME, NR_CLOCK_NANOSLEEP_TIME64 as NR_CLOCK_NANOSLEEP, EAGAIN, EFAULT,
  EINVAL, ENOSYS, ENOTSUP, CLONE_THREAD_FLAGS, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID,
  CLONE_CHILD_SETTID, FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE,
  FUTEX_WAKE_OP, FUTEX_PRIVATE_FLAG as FUTEX_PRIVATE, FUTEX_CLOCK_REALTIME, KILL_HOST, NR_WAITID, NR_GETPPID,
  NR_SETPGID, NR_GETPGID, NR_GETSID, NR_SETSID, NR_MMAP2, NR_MUNMAP, NR_MPROTECT, NR_HOST_PAGE,
} from './abi';

/** The flags every thread clone must carry (CLONE_THREAD_FLAGS), and those it may add. */
export { CLONE_THREAD_FLAGS };
const CLONE_OPTIONAL: u32 = CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;
const DEADLINE_MAX: u64 = 1 << 62;
const NONE64: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/** Serve system call nr for the thread on the hart, or hand it to the host. */
export function syscallKernel(hart: u32, nr: u32): u32 {
  callerEnter(hart);
  switch (nr) {
    case NR_GETTID: ret(load<u32>(callTb + T_TID)); return SYS_DONE;
    case NR_GETPID: ret(load<u32>(callPb + P_PID)); return SYS_DONE;
    case NR_SET_TID_ADDRESS:
      store<u32>(callTb + T_CLEAR_TID, arg(0));
      ret(load<u32>(callTb + T_TID));
      return SYS_DONE;
    case NR_SCHED_YIELD:
      ret(0);
      klock(LOCK_SCHED);
      wakeExpired(load<u64>(callH + H_MTIME)); // sleepers due by now queue ahead of the yielder
      rqPush(switchOut(hart, TS_RUNNABLE));
      kunlock(LOCK_SCHED);
      return SYS_DONE;
    case NR_EXIT: return threadExit(hart, arg(0)) ? SYS_ENDED : SYS_DONE;
    case NR_EXIT_GROUP: return exitGroup(hart, arg(0)) ? SYS_ENDED : SYS_DONE;
    case NR_CLONE:
      if (cloneIsFork(arg(0))) return forkSyscall() == FORK_HOST ? SYS_HOST : SYS_DONE;
      ret(clone());
      return SYS_DONE;
    case NR_WAITID: waitid(); return SYS_DONE;
    case NR_GETPPID: getppid(); return SYS_DONE;
    case NR_SETPGID: return setpgid() == PGID_HOST ? SYS_HOST : SYS_DONE;
    case NR_GETPGID: return getIdOf(P_PGID) == PGID_HOST ? SYS_HOST : SYS_DONE;
    case NR_GETSID: return getIdOf(P_SID) == PGID_HOST ? SYS_HOST : SYS_DONE;
    case NR_SETSID: return setsid() == PGID_HOST ? SYS_HOST : SYS_DONE;
    case NR_MMAP2: {
      const r = mmap2(callP, arg(0), arg(1), arg(2), arg(3), arg(4));
      if (r == MMAP_HOST) return SYS_HOST;
      ret(r);
      return SYS_DONE;
    }
    case NR_MUNMAP: ret(munmap(callP, arg(0), arg(1))); return SYS_DONE;
    case NR_MPROTECT: ret(mprotect(callP, arg(0), arg(1), arg(2))); return SYS_DONE;
    case NR_FUTEX: futex(); return SYS_DONE;
    case NR_BRK: ret(brk(arg(0))); return SYS_DONE;
    case NR_CLOCK_NANOSLEEP: nanosleep(); return SYS_DONE;
    case NR_HOST_PAGE: ret(-ENOSYS); return SYS_DONE; // the host call of a page fault, never a guest's
    case NR_CLOCK_GETTIME: {
      // The host reads the clocks; a negative id names a CPU-time clock, which the kernel resolves here
      // (it knows the caller's pid and tid) into CLOCK_PROCESS_CPUTIME_ID or CLOCK_THREAD_CPUTIME_ID.
      const c = arg(0);
      if (<i32>c >= 0) return SYS_HOST;
      const std = cpuClock(c, load<u32>(callPb + P_PID), load<u32>(callTb + T_TID));
      if (<i32>std < 0) { ret(-EINVAL); return SYS_DONE; }
      store<u32>(callH + H_REGS + 40, std);
      return SYS_HOST;
    }
  }
  if (ipcSyscall(nr)) return SYS_DONE;
  const s = sigSyscall(nr);
  if (s == SIGSYS_HOST) return SYS_HOST; // a kill whose target is on another machine (cluster mode)
  if (s != SIGSYS_NONE) return s == SIGSYS_ENDED ? SYS_ENDED : SYS_DONE;
  return SYS_HOST;
}

const CPU_CLOCK_DYNAMIC: u32 = 0xFFFF_FFFE;
/**
 * A negative Linux clock id (include/linux/posix-timers.h): ~pid << 3 | perthread << 2 | which, or, with
 * the low bits 3, a clock device's file descriptor. Returns CLOCK_PROCESS_CPUTIME_ID (2) or
 * CLOCK_THREAD_CPUTIME_ID (3) for a CPU clock of the caller (pid 0 means the caller; which 0..2 are
 * PROF, VIRT and SCHED, all the same virtual time here), CPU_CLOCK_DYNAMIC for a clock device, and
 * 0xFFFF_FFFF for anything else. Limit: the CPU clocks of other processes and of the caller's other
 * threads are refused (-EINVAL), where Linux would read them.
 */
function cpuClock(c: u32, pid: u32, tid: u32): u32 {
  if ((c & 7) == 3) return CPU_CLOCK_DYNAMIC;
  if ((c & 3) == 3) return 0xFFFF_FFFF;
  const who = ~(<u32>(<i32>c >> 3));
  const perThread = (c & 4) != 0;
  if (who != 0 && who != (perThread ? tid : pid)) return 0xFFFF_FFFF;
  return perThread ? 3 : 2;
}

function clone(): u32 {
  const flags = arg(0);
  const h = callH, satp = callSatp;
  if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS || (flags & ~(CLONE_THREAD_FLAGS | CLONE_OPTIONAL)) != 0) {
    klog(callHart, KLOG_CLONE_FLAGS, load<u32>(callPb + P_PID), load<u32>(callTb + T_TID), flags);
    return -EINVAL;
  }
  const ptid = arg(2), tls = arg(3), ctid = arg(4);
  // Check the tid pointers before creating anything, so a bad one leaves no half-made thread.
  if ((flags & CLONE_PARENT_SETTID) != 0 && userWord(satp, ptid, true) == 0) return -EFAULT;
  if ((flags & CLONE_CHILD_SETTID) != 0 && userWord(satp, ctid, true) == 0) return -EFAULT;
  const tid = pidAlloc();
  if (tid == PID_NONE) return -EAGAIN; // no id left, as Linux when it cannot allocate a pid
  klock(LOCK_SCHED);
  const c = threadAlloc(callP, tid);
  if (c == THREAD_NONE) {
    kunlock(LOCK_SCHED);
    return -EAGAIN;
  }
  const cb = threadBase(c);
  sigThreadInherit(callT, c);
  memory.copy(cb + T_REGS, h + H_REGS, 128);
  threadSetResult(c, 0); // the child sees 0
  if (arg(1) != 0) store<u32>(cb + T_REGS + 8, arg(1)); // sp
  if ((flags & CLONE_SETTLS) != 0) store<u32>(cb + T_REGS + 16, tls); // tp
  store<u32>(cb + T_PC, load<u32>(h + H_PC) + 4);
  store<u32>(cb + T_LEVEL, load<u32>(callTb + T_LEVEL));
  store<u64>(cb + T_LAST_MTIME, load<u64>(h + H_MTIME));
  if ((flags & CLONE_CHILD_CLEARTID) != 0) store<u32>(cb + T_CLEAR_TID, ctid);
  if ((flags & CLONE_PARENT_SETTID) != 0) writeUser32(satp, ptid, tid);
  if ((flags & CLONE_CHILD_SETTID) != 0) writeUser32(satp, ctid, tid);
  rqPush(c);
  kunlock(LOCK_SCHED);
  return tid;
}

/** Virtual ticks for a duration of sec seconds and nsec nanoseconds, rounded up and capped. */
function ticksOf(sec: u64, nsec: u64): u64 {
  const tb = load<u32>(KS + KS_TIMEBASE_HZ) as u64;
  if (sec > 0xFFFF_FFFF) return DEADLINE_MAX;
  return sec * tb + (nsec * tb + 999_999_999) / 1_000_000_000;
}

/** Nanoseconds of virtual time at mtime `ticks`. */
function nsOf(ticks: u64): u64 {
  const tb = load<u32>(KS + KS_TIMEBASE_HZ) as u64;
  return (ticks / tb) * 1_000_000_000 + ((ticks % tb) * 1_000_000_000) / tb;
}

function deadlineAfter(now: u64, ticks: u64): u64 {
  const d = now + ticks;
  return d > DEADLINE_MAX || d < now ? DEADLINE_MAX : d;
}

/** Read a __kernel_timespec at va into (sec, nsec) in the hart's scratch; an errno or 0. */
function readTimespec(h: u32, satp: u32, va: u32): u32 {
  if (!readUser64(satp, va, h + H_SCRATCH) || !readUser64(satp, va + 8, h + H_SCRATCH + 8)) return EFAULT;
  const sec = load<i64>(h + H_SCRATCH);
  const nsec = load<u32>(h + H_SCRATCH + 8) as u64; // tv_nsec is a long: the upper word is padding on RV32
  store<u64>(h + H_SCRATCH + 8, nsec);
  if (sec < 0 || nsec >= 1_000_000_000) return EINVAL;
  return 0;
}


/**
 * The two-word futex operations, with Linux's argument checks and results: FUTEX_REQUEUE and
 * FUTEX_CMP_REQUEUE (wake up to val waiters on uaddr, move up to val2 more to uaddr2; CMP_ first
 * requires *uaddr == val3, else -EAGAIN) return how many were woken or moved; FUTEX_WAKE_OP atomically
 * applies val3's operation to *uaddr2, wakes up to val on uaddr and, if the old *uaddr2 passes val3's
 * comparison, up to val2 on uaddr2, and returns how many it woke. val2 comes in the timeout argument.
 */
function futexTwo(cmd: u32, space: u32): u32 {
  const uaddr = arg(0), val = arg(2), val2 = arg(3), uaddr2 = arg(4), val3 = arg(5);
  if (cmd != FUTEX_WAKE_OP && (<i32>val < 0 || <i32>val2 < 0)) return -EINVAL;
  if ((uaddr & 3) != 0 || (uaddr2 & 3) != 0) return -EINVAL;
  const satp = callSatp;
  const a = userWord(satp, uaddr, false);
  if (a == 0) return -EFAULT;
  const a2 = userWord(satp, uaddr2, cmd == FUTEX_WAKE_OP);
  if (a2 == 0) return -EFAULT;
  const now = load<u64>(callH + H_MTIME);
  const key = a - RAM_BASE, key2 = a2 - RAM_BASE;
  if (cmd == FUTEX_WAKE_OP) {
    const wop = (val3 >>> 28) & 7, cmp = (val3 >>> 24) & 15;
    let oparg = <i32>(val3 << 8) >> 20;
    const cmparg = <i32>(val3 << 20) >> 20;
    if ((val3 & 0x8000_0000) != 0) oparg = 1 << (oparg & 31);
    if (wop > 4 || cmp > 5) return -ENOSYS;
    klock(LOCK_SCHED);
    let old: i32;
    if (wop == 0) old = <i32>atomic.xchg<u32>(a2, <u32>oparg);
    else if (wop == 1) old = <i32>atomic.add<u32>(a2, <u32>oparg);
    else if (wop == 2) old = <i32>atomic.or<u32>(a2, <u32>oparg);
    else if (wop == 3) old = <i32>atomic.and<u32>(a2, ~<u32>oparg);
    else old = <i32>atomic.xor<u32>(a2, <u32>oparg);
    let n = futexWake(key, space, <i32>val < 0 ? 0 : val, now);
    const pass = cmp == 0 ? old == cmparg : cmp == 1 ? old != cmparg : cmp == 2 ? old < cmparg
      : cmp == 3 ? old <= cmparg : cmp == 4 ? old > cmparg : old >= cmparg;
    if (pass) n += futexWake(key2, space, <i32>val2 < 0 ? 0 : val2, now);
    kunlock(LOCK_SCHED);
    return n;
  }
  klock(LOCK_SCHED);
  if (cmd == FUTEX_CMP_REQUEUE && atomic.load<u32>(a) != val3) { kunlock(LOCK_SCHED); return -EAGAIN; }
  const woken = futexWake(key, space, val, now);
  const moved = futexRequeue(key, space, key2, val2);
  kunlock(LOCK_SCHED);
  return woken + moved;
}

function futex(): void {
  const uaddr = arg(0), op = arg(1), val = arg(2), timeout = arg(3);
  const cmd = op & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
  const h = callH, p = callP, satp = callSatp;
  if (cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_WAKE_OP) {
    if ((op & FUTEX_CLOCK_REALTIME) != 0) { ret(-ENOSYS); return; }
    ret(futexTwo(cmd, (op & FUTEX_PRIVATE) != 0 ? p + 1 : 0));
    return;
  }
  if (cmd != FUTEX_WAIT && cmd != FUTEX_WAKE && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAKE_BITSET) {
    klog(callHart, KLOG_FUTEX_OP, load<u32>(callPb + P_PID), load<u32>(callTb + T_TID), op);
    ret(-ENOSYS);
    return;
  }
  // Linux takes FUTEX_CLOCK_REALTIME only with the absolute-time waits.
  if ((op & FUTEX_CLOCK_REALTIME) != 0 && cmd != FUTEX_WAIT_BITSET) { ret(-ENOSYS); return; }
  if ((uaddr & 3) != 0) { ret(-EINVAL); return; }
  if ((cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET) && arg(5) == 0) { ret(-EINVAL); return; }
  const a = userWord(satp, uaddr, false);
  if (a == 0) { ret(-EFAULT); return; }
  const key = a - RAM_BASE;
  const space: u32 = (op & FUTEX_PRIVATE) != 0 ? p + 1 : 0;
  const now = load<u64>(h + H_MTIME);
  if (cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET) {
    klock(LOCK_SCHED);
    const n = futexWake(key, space, val, now);
    kunlock(LOCK_SCHED);
    ret(n);
    return;
  }
  let deadline: u64 = NONE64;
  let expired = false; // an absolute time already past: -ETIMEDOUT, but only once the value matched
  if (timeout != 0) {
    const e = readTimespec(h, satp, timeout);
    if (e != 0) { ret(-e); return; }
    const sec = load<u64>(h + H_SCRATCH), nsec = load<u64>(h + H_SCRATCH + 8);
    if (cmd == FUTEX_WAIT) deadline = deadlineAfter(now, ticksOf(sec, nsec));
    else {
      // WAIT_BITSET takes an absolute time on CLOCK_MONOTONIC (or CLOCK_REALTIME with the flag).
      let base: u64 = (op & FUTEX_CLOCK_REALTIME) != 0 ? load<u64>(KS + KS_REALTIME_NS) : load<u64>(callPb + P_MONO_OFFSET);
      const target = sec * 1_000_000_000 + nsec;
      const nowNs = base + nsOf(now);
      if (target <= nowNs) expired = true;
      else {
        const wait = target - nowNs;
        deadline = deadlineAfter(now, ticksOf(wait / 1_000_000_000, wait % 1_000_000_000));
      }
    }
  }
  klock(LOCK_SCHED);
  if (atomic.load<u32>(a) != val) {
    kunlock(LOCK_SCHED);
    ret(-EAGAIN);
    return;
  }
  if (expired) {
    kunlock(LOCK_SCHED);
    ret(-110);
    return;
  }
  ret(0);
  const me = switchOut(callHart, TS_RUNNABLE);
  futexBlock(me, key, space, deadline);
  kunlock(LOCK_SCHED);
}

// Linux clock ids clock_nanosleep accepts, and those it refuses with ENOTSUP.
function sleepClockOk(c: u32): bool { return c == 0 || c == 1 || c == 2 || c == 7 || c == 11; }
function sleepClockUnsupported(c: u32): bool { return c == 3 || c == 4 || c == 5 || c == 6 || c == 8 || c == 9; }

function nanosleep(): void {
  const h = callH;
  let clock = arg(0);
  const flags = arg(1), req = arg(2);
  // Linux's order: an unknown clock, a clock that cannot sleep, then the timespec, then the CPU clocks'
  // own rules (a thread cannot sleep on its own CPU clock).
  const cpu = <i32>clock < 0;
  if (cpu && (clock & 7) == 3) { ret(-ENOTSUP); return; }
  if (!cpu && sleepClockUnsupported(clock)) { ret(-ENOTSUP); return; }
  if (!cpu && !sleepClockOk(clock)) { ret(-EINVAL); return; }
  const e = readTimespec(h, callSatp, req);
  if (e != 0) { ret(-e); return; }
  if (cpu) {
    if ((clock & 4) != 0) { ret(-EINVAL); return; }
    clock = cpuClock(clock, load<u32>(callPb + P_PID), load<u32>(callTb + T_TID));
    if (clock != 2) { ret(-EINVAL); return; }
  }
  const sec = load<u64>(h + H_SCRATCH), nsec = load<u64>(h + H_SCRATCH + 8);
  const now = load<u64>(h + H_MTIME);
  let ticks: u64;
  if ((flags & 1) != 0) {
    let base: u64 = clock == 1 || clock == 7 ? load<u64>(callPb + P_MONO_OFFSET) : 0; // the process's MONOTONIC, BOOTTIME
    if (clock == 0) base = load<u64>(KS + KS_REALTIME_NS);
    else if (clock == 11) base = load<u64>(KS + KS_REALTIME_NS) + 37_000_000_000;
    const target = sec > 0xFFFF_FFFF ? NONE64 : sec * 1_000_000_000 + nsec;
    const nowNs = base + nsOf(now);
    if (target <= nowNs) { ret(0); return; }
    const wait = target - nowNs;
    ticks = ticksOf(wait / 1_000_000_000, wait % 1_000_000_000);
  } else {
    ticks = ticksOf(sec, nsec);
  }
  ret(0);
  if (ticks == 0) return;
  klock(LOCK_SCHED);
  const me = switchOut(callHart, TS_SLEEP);
  store<u64>(threadBase(me) + T_DEADLINE, deadlineAfter(now, ticks));
  store<u32>(KS + KS_SLEEPERS, load<u32>(KS + KS_SLEEPERS) + 1);
  kunlock(LOCK_SCHED);
}

function pageUp(a: u32): u32 { return (a + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1); }

/**
 * brk(2) with Linux semantics: the new break, or the old one when refused (beyond the limit, or more new
 * pages than frames left). Growing zeroes what is already mapped of the new part; shrinking unmaps the
 * whole pages above the new break (vmShrink: unmapped, shot down, then freed).
 */
function brk(addr: u32): u32 {
  const pb = callPb;
  klock(LOCK_PROC);
  const old = load<u32>(pb + P_BRK);
  if (addr == 0 || addr < load<u32>(pb + P_BRK_START) || addr > load<u32>(pb + P_BRK_MAX)) {
    kunlock(LOCK_PROC);
    return old;
  }
  const oldTop = pageUp(old), newTop = pageUp(addr);
  // Never into a mapping (mmap.ts), as Linux; nor beyond the frames left.
  if (newTop > oldTop && (vmaOverlaps(callP, oldTop, newTop) || (newTop - oldTop) / PAGE_BYTES > framesFree())) {
    kunlock(LOCK_PROC);
    return old;
  }
  if (addr > old) vmZeroMapped(load<u32>(pb + P_ROOT), old, addr < oldTop ? addr : oldTop);
  store<u32>(pb + P_BRK, addr);
  kunlock(LOCK_PROC);
  if (newTop < oldTop) vmShrink(callHart, load<u32>(pb + P_ROOT), load<u32>(pb + P_ASID), newTop, oldTop);
  return addr;
}
