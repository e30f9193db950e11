// The kernel's trap dispatcher: what the host calls to run a hart. Before kernelStart (bare harts in tests)
// it runs the hart and re-arms the timer one quantum ahead. Once the kernel is started it is the
// scheduler's loop: pick a thread when the hart has none, run it until the timer (preempt when others are
// runnable), a system call (served here unless it needs the host), a page fault (demand-zero for heap and
// stack) or a fatal fault (the process is killed). It returns to the host only after posting a host call to
// the host-call ring (EXIT_HOSTCALL, hostcall.ts), at the budget's end, for an idle hart (EXIT_IDLE) or a
// process's end (EXIT_ENDED). Every pass first resumes the hart's caller parked in a host call (or switches
// it out) and reaps answers of callers that left their harts. Bounded: each pass retires instructions,
// blocks or ends a thread, or returns.
import {
  hartBase, H_QUANTUM, H_INSTRET, H_MTIME, H_MTIMECMP, H_CUR, H_CAUSE, H_TVAL, H_IDLE, H_PREEMPTIONS, H_REGS,
  H_SYSCALLS_KERNEL, H_SYSCALLS_HOST, MACHINE_BASE, M_HARTS, KS, KS_ON, KS_RUNNABLE, KS_SLEEPERS, KS_OOM_KILLS, KS_HOST_TIME, KS_HOST_IDLE_UNTIL,
  KS_POLICY, LOCK_SCHED, LOCK_PROC, T_PROC, T_LEVEL, T_PREEMPTED, P_STATE, P_ROOT, P_SATP, P_BRK, P_BRK_START,
  P_STACK_LOW, P_PAGE_FAULTS, P_SYSCALLS, P_PID, T_TID, P_COW_FAULTS, T_DOOMED, sigThreadBase, ST_ORIG_A0,
} from './blocks';
import { HARTS_MAX, MLFQ_LEVELS, PAGE_BYTES } from './limits';
import { run } from './hart';
import { TIMER_DISARMED } from './timer';
import {
  EXIT_BUDGET, EXIT_TIMER, EXIT_TRAP, CAUSE_ECALL_U, CAUSE_ILLEGAL, CAUSE_BREAKPOINT, CAUSE_FETCH_MISALIGNED,
  CAUSE_LOAD_MISALIGNED, CAUSE_STORE_MISALIGNED, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT, CAUSE_FETCH_PAGE_FAULT, ACC_WRITE, ACC_READ, ACC_FETCH,
} from './trap';
import { klock, kunlock, klockSetHart } from './klock';
import { cowBreak, COW_DONE, COW_NO_MEMORY } from './cow';
import { shootdownServe } from './shootdown';
import { threadBase, hartThread, THREAD_NONE, TS_RUNNABLE } from './thread';
import {
  rqPush, rqPop, switchIn, switchOut, wakeExpired, earliestDeadline, hartsBusy, armQuantum, mlfqTick, SCHED_MLFQ,
} from './sched';
import { procBase, PROC_DYING, KILL_OOM } from './proc';
import { threadRelease, killCurrent, leaveDying } from './exit';
import { syscallKernel, SYS_HOST, SYS_ENDED } from './syscall';
import { walk, WALK_FAILED } from './mmu';
import { vmMapZero, vmParked, VM_OK, VM_NO_MEMORY } from './vm';
import { vmaFault, VMA_SERVED, VMA_DENIED, VMA_NO_MEMORY } from './mmap';
import { klog, KLOG_OOM } from './klog';
import { hostcallPost, hostcallResume, hostcallReap, hostcallThreads, PARK_ENDED } from './hostcall';
import { sigWork } from './signal';
import { sigDeliver, sigFault, SIGD_NONE, SIGD_LEFT, SIGD_ENDED, SIGD_FAULT } from './sigframe';
import { hostPageTake, HP_HOST, HP_RETRY, HP_NO_MEMORY } from './hostpage';
import { callerEnter } from './caller';

// EXIT_IDLE: no thread to run on this hart; EXIT_ENDED: a process ended (the host reports it); EXIT_HOSTCALL:
// a host call was posted (the host may serve it now). Shared, as the signal numbers are, through abi.ts.
import { EXIT_IDLE, EXIT_ENDED, EXIT_HOSTCALL, SIGKILL, SIGILL, SIGTRAP, SIGBUS, SIGSEGV } from './abi';
import { USER_END } from './layout';
export { EXIT_IDLE, EXIT_ENDED, EXIT_HOSTCALL };

/** Ticks between the timer interrupts the dispatcher arms; 0 leaves the timer to the host. */
export function hartSetQuantum(hart: u32, ticks: u32): void {
  if (hart >= HARTS_MAX) return;
  store<u32>(hartBase(hart) + H_QUANTUM, ticks);
}

/** Run hart for up to budget instructions. See the module comment for what comes back. */
export function dispatch(hart: u32, budget: u32): u32 {
  if (hart >= HARTS_MAX) return EXIT_TRAP;
  if (load<u32>(KS + KS_ON) == 0) return dispatchBare(hart, budget);
  assert(hart < load<u32>(MACHINE_BASE + M_HARTS), 'dispatch: hart index beyond the configured harts');
  const h = hartBase(hart);
  const start = load<u64>(h + H_INSTRET);
  klockSetHart(hart);
  while (true) {
    shootdownServe(hart);
    if (hostcallResume(hart) == PARK_ENDED || hostcallReap(hart)) return EXIT_ENDED;
    if (load<u32>(h + H_CUR) == 0 && !pickOrIdle(hart)) {
      store<u64>(h + H_IDLE, load<u64>(h + H_IDLE) + 1);
      return EXIT_IDLE;
    }
    const t = hartThread(hart);
    const p = load<u32>(threadBase(t) + T_PROC);
    if (atomic.load<u32>(procBase(p) + P_STATE) == PROC_DYING || load<u32>(threadBase(t) + T_DOOMED) != 0) {
      if (leaveDying(hart)) return EXIT_ENDED;
      continue;
    }
    // Back to user mode: signals first (a handler's frame, a default action, an interrupted call settled).
    const sd = sigWork(t, p) ? sigDeliver(hart) : SIGD_NONE;
    if (sd == SIGD_ENDED) return EXIT_ENDED;
    if (sd == SIGD_LEFT) continue;
    let cause = CAUSE_STORE_PAGE_FAULT; // SIGD_FAULT: the handler's frame needs a stack page (H_TVAL)
    if (sd != SIGD_FAULT) {
      const done = (load<u64>(h + H_INSTRET) - start) as u32;
      if (done >= budget) return EXIT_BUDGET;
      const r = run(hart, budget - done);
      if (r == EXIT_BUDGET) return EXIT_BUDGET;
      if (r == EXIT_TIMER) {
        timerInterrupt(hart);
        continue;
      }
      cause = load<u32>(h + H_CAUSE);
    }
    if (cause == CAUSE_ECALL_U && sd != SIGD_FAULT) {
      const pb = procBase(p);
      store<u64>(pb + P_SYSCALLS, load<u64>(pb + P_SYSCALLS) + 1);
      store<u32>(sigThreadBase(t) + ST_ORIG_A0, load<u32>(h + H_REGS + 10 * 4)); // for a restart
      const s = syscallKernel(hart, load<u32>(h + H_REGS + 17 * 4));
      if (s == SYS_HOST) {
        store<u64>(h + H_SYSCALLS_HOST, load<u64>(h + H_SYSCALLS_HOST) + 1);
        hostcallPost();
        return EXIT_HOSTCALL;
      }
      store<u64>(h + H_SYSCALLS_KERNEL, load<u64>(h + H_SYSCALLS_KERNEL) + 1);
      if (s == SYS_ENDED) return EXIT_ENDED;
      continue;
    }
    const f = pageFault(hart, t, p, cause);
    if (f == FAULT_SERVED) continue;
    if (f == FAULT_HOST) { // a host-kept page (hostpage.ts): the thread waits for the host, as in a host call
      callerEnter(hart);
      hostcallPost();
      return EXIT_HOSTCALL;
    }
    // A fault with a handler installed goes to it (a fetch at SIGTRAMP_VA is a handler returning).
    if (f == FAULT_FATAL && sd != SIGD_FAULT && sigFault(hart, signalOf(cause), cause, load<u32>(h + H_TVAL))) continue;
    if (killCurrent(hart, f == FAULT_OOM ? SIGKILL : signalOf(cause), f == FAULT_OOM ? KILL_OOM : cause, load<u32>(h + H_TVAL))) return EXIT_ENDED;
  }
  return EXIT_BUDGET;
}

/**
 * Pick the next runnable thread for the hart and switch to it. Threads of a dying process are released on
 * the way. Returns the thread, or THREAD_NONE when nothing is runnable. Under the SCHED lock.
 */
function schedPick(hart: u32): u32 {
  while (true) {
    const t = rqPop();
    if (t == THREAD_NONE) return t;
    if (atomic.load<u32>(procBase(load<u32>(threadBase(t) + T_PROC)) + P_STATE) == PROC_DYING || load<u32>(threadBase(t) + T_DOOMED) != 0) {
      threadRelease(t);
      continue;
    }
    switchIn(hart, t);
    return t;
  }
  return THREAD_NONE;
}

/**
 * Switch in the next runnable thread; when every hart is idle and threads sleep, jump to the earliest deadline.
 * While the host holds calls the jump goes only as far as it allows (KS_HOST_IDLE_UNTIL).
 */
function pickOrIdle(hart: u32): bool {
  const hostUntil = atomic.load<u64>(KS + KS_HOST_IDLE_UNTIL);
  const hostTimed = hostUntil != 0 && hostUntil != TIMER_DISARMED;
  if (atomic.load<u32>(KS + KS_RUNNABLE) == 0 && atomic.load<u32>(KS + KS_SLEEPERS) == 0 && !hostTimed) return false;
  klock(LOCK_SCHED);
  wakeExpired(load<u64>(hartBase(hart) + H_MTIME));
  let t = schedPick(hart);
  // Not when the host keeps the time (a cluster node): a sleeper must not run ahead of the other machines;
  // the host moves mtime (hartSetTime) and the sleeper wakes then.
  if (t == THREAD_NONE && hartsBusy() == 0 && load<u32>(KS + KS_HOST_TIME) == 0) {
    const d = idleDeadline(hostUntil);
    const h = hartBase(hart);
    if (d != TIMER_DISARMED && load<u64>(h + H_MTIME) < d) store<u64>(h + H_MTIME, d);
    wakeExpired(load<u64>(h + H_MTIME));
    t = schedPick(hart);
  }
  kunlock(LOCK_SCHED);
  return t != THREAD_NONE;
}

/**
 * Where virtual time may jump when nothing runs anywhere (a tickless idle): the earliest sleeper's deadline.
 * While the host holds calls, only as far as it allows: not at all (0: an answer may come from outside at the
 * present time), up to the deadline of a timed wait it holds (which it answers there), or to any sleeper's
 * (all ones: its calls wait for guests only, a pipe read or a queue receive).
 */
function idleDeadline(hostUntil: u64): u64 {
  const sleeper = load<u32>(KS + KS_SLEEPERS) != 0 ? earliestDeadline() : TIMER_DISARMED;
  if (hostcallThreads() == 0) return sleeper;
  if (hostUntil == 0) return TIMER_DISARMED;
  return sleeper < hostUntil ? sleeper : hostUntil;
}

/** The timer interrupt: wake expired sleepers, and preempt the thread if another is runnable. */
function timerInterrupt(hart: u32): void {
  const h = hartBase(hart);
  klock(LOCK_SCHED);
  wakeExpired(load<u64>(h + H_MTIME));
  mlfqTick();
  const tb = threadBase(hartThread(hart));
  if (load<u32>(KS + KS_RUNNABLE) != 0) {
    if (load<u32>(KS + KS_POLICY) == SCHED_MLFQ && load<u32>(tb + T_LEVEL) + 1 < MLFQ_LEVELS) {
      store<u32>(tb + T_LEVEL, load<u32>(tb + T_LEVEL) + 1); // used its whole quantum: demote
    }
    store<u64>(tb + T_PREEMPTED, load<u64>(tb + T_PREEMPTED) + 1);
    store<u64>(h + H_PREEMPTIONS, load<u64>(h + H_PREEMPTIONS) + 1);
    rqPush(switchOut(hart, TS_RUNNABLE));
  } else {
    armQuantum(hart, load<u32>(tb + T_LEVEL));
  }
  kunlock(LOCK_SCHED);
}

const FAULT_SERVED: u32 = 0, FAULT_FATAL: u32 = 1, FAULT_OOM: u32 = 2, FAULT_HOST: u32 = 3;

/**
 * A fault on a host-kept page (hostpage.ts: the host serves it), a store to a copy-on-write page (cow.ts),
 * or a load or store page fault in the heap or the stack on an unmapped page: map a zeroed frame.
 */
function pageFault(hart: u32, t: u32, p: u32, cause: u32): u32 {
  if (cause != CAUSE_LOAD_PAGE_FAULT && cause != CAUSE_STORE_PAGE_FAULT && cause != CAUSE_FETCH_PAGE_FAULT) return FAULT_FATAL;
  const h = hartBase(hart);
  const pb = procBase(p);
  const va = load<u32>(h + H_TVAL);
  const page = va & ~(PAGE_BYTES - 1);
  const access = cause == CAUSE_STORE_PAGE_FAULT ? ACC_WRITE : cause == CAUSE_FETCH_PAGE_FAULT ? ACC_FETCH : ACC_READ;
  const hp = hostPageTake(t, p, va, access);
  if (hp == HP_HOST) return FAULT_HOST;
  if (hp == HP_RETRY) return FAULT_SERVED;
  if (hp == HP_NO_MEMORY) return faultOom(hart, pb, va);
  const v = vmaFault(p, va, access);
  if (cause == CAUSE_STORE_PAGE_FAULT) {
    const c = cowBreak(load<u32>(pb + P_SATP), va, hart, false);
    if (c == COW_DONE) {
      store<u64>(pb + P_COW_FAULTS, load<u64>(pb + P_COW_FAULTS) + 1);
      return FAULT_SERVED;
    }
    if (c == COW_NO_MEMORY) return faultOom(hart, pb, va);
  }
  if (v == VMA_SERVED) {
    store<u64>(pb + P_PAGE_FAULTS, load<u64>(pb + P_PAGE_FAULTS) + 1);
    return FAULT_SERVED;
  }
  if (v == VMA_NO_MEMORY) return faultOom(hart, pb, va);
  if (v == VMA_DENIED || cause == CAUSE_FETCH_PAGE_FAULT) return FAULT_FATAL;
  klock(LOCK_PROC);
  const brkStart = load<u32>(pb + P_BRK_START);
  const heapEnd = (load<u32>(pb + P_BRK) + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
  const inHeap = va >= brkStart && va < heapEnd;
  const inStack = va >= load<u32>(pb + P_STACK_LOW) && va < USER_END;
  const root = load<u32>(pb + P_ROOT);
  let r = FAULT_FATAL;
  if ((inHeap || inStack) && !vmParked(root, page)) {
    // Another thread of the process may have mapped it meanwhile: then simply retry.
    const w = walk(load<u32>(pb + P_SATP), va, cause == CAUSE_STORE_PAGE_FAULT ? ACC_WRITE : ACC_READ);
    if ((w & WALK_FAILED) == 0) r = FAULT_SERVED;
    else {
      const m = vmMapZero(root, page, 0x10 | 0x2 | 0x4); // U, R, W
      if (m == VM_NO_MEMORY) r = FAULT_OOM;
      else if (m == VM_OK) {
        r = FAULT_SERVED;
        store<u64>(pb + P_PAGE_FAULTS, load<u64>(pb + P_PAGE_FAULTS) + 1);
      }
    }
  }
  kunlock(LOCK_PROC);
  return r == FAULT_OOM ? faultOom(hart, pb, va) : r;
}

function faultOom(hart: u32, pb: u32, va: u32): u32 {
  klog(hart, KLOG_OOM, load<u32>(pb + P_PID), load<u32>(threadBase(hartThread(hart)) + T_TID), va);
  atomic.add<u32>(KS + KS_OOM_KILLS, 1);
  return FAULT_OOM;
}

function signalOf(cause: u32): u32 {
  if (cause == CAUSE_ILLEGAL) return SIGILL;
  if (cause == CAUSE_BREAKPOINT) return SIGTRAP;
  if (cause == CAUSE_FETCH_MISALIGNED || cause == CAUSE_LOAD_MISALIGNED || cause == CAUSE_STORE_MISALIGNED) return SIGBUS;
  return SIGSEGV;
}

/** Bare harts (no kernel started): run, re-arming the timer one quantum ahead. */
function dispatchBare(hart: u32, budget: u32): u32 {
  const h = hartBase(hart);
  const quantum = load<u32>(h + H_QUANTUM);
  const start = load<u64>(h + H_INSTRET);
  while (true) {
    const done = (load<u64>(h + H_INSTRET) - start) as u32;
    if (done >= budget) return EXIT_BUDGET;
    const r = run(hart, budget - done);
    if (r != EXIT_TIMER || quantum == 0) return r;
    store<u64>(h + H_MTIMECMP, load<u64>(h + H_MTIME) + (quantum as u64));
  }
  return EXIT_BUDGET;
}
