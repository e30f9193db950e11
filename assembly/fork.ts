// fork and vfork: clone without CLONE_VM (a new process with a copy-on-write copy of the caller's address
// space, cow.ts) and clone(CLONE_VM | CLONE_VFORK) (a new process in the caller's own address space; the
// calling thread waits in TS_VFORK until the child execs or ends). The low byte of the flags is the exit
// signal and must be SIGCHLD, as qemu-user requires; the tid options glibc and musl pass (CHILD_SETTID,
// CHILD_CLEARTID, PARENT_SETTID, SETTLS) are served as Linux does, and any other flag is -EINVAL. The
// child gets a new slot, the caller's registers with a0 = 0 (sp from the new stack if one is given), one
// thread whose tid is its pid, the caller's brk, stack bounds, VMAs, group and session, and the caller as
// its parent. The host learns of the child through a PEV_FORK event posted before the child can run; when
// the event ring is full the call goes to the host instead (SYS_HOST), which drains the ring and answers
// -ERESTARTNOINTR: the ecall then runs again. In a cluster the host places forks (kernelSetForkHost): a fork goes
// to the host, which either runs the child on another machine (and answers with its pid) or says "here"
// (threadForkHere) and answers -ERESTARTNOINTR, so the ecall runs again and forks on this machine. vfork stays here.
import {
  H_REGS, H_PC, H_MTIME, KS, KS_FORKS, LOCK_PROC, LOCK_SCHED, P_ROOT, P_SATP, P_ASID, P_PID, P_PARENT, P_PPID,
  P_PGID, P_SID, P_BRK_START, P_BRK, P_BRK_MAX, P_STACK_LOW, P_EXIT_SIGNAL, P_FLAGS, P_VFORK_WAITER, P_VMAS,
  T_REGS, T_PC, T_CLEAR_TID, T_LAST_MTIME, KS_FORK_HOST, T_FORK_HERE, vmaTable, VMA_TABLE_BYTES, P_MONO_OFFSET,
} from './blocks';
import { THREADS_MAX } from './limits';
import { pevReserve, pevRelease, pevPostReserved } from './pev';
import {
  CSIGNAL, SIGCHLD, CLONE_VM, CLONE_VFORK, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID,
  EINVAL, EAGAIN, ENOMEM, PEV_FORK, ACC_WRITE,
} from './abi';
import { klock, kunlock } from './klock';
import { frameAlloc, frameFree, FRAME_NONE } from './frames';
import { tlbFlush } from './tlb';
import { shootdownOthers } from './shootdown';
import { asidAlloc, asidRecycle } from './asid';
import { vmFork } from './cow';
import { procBase, procSlotTake, procSlotUndo, procSetSpace, PROC_NONE, PROC_NO_PID, PF_SHARED_VM } from './proc';
import { threadBase, threadAlloc, THREAD_NONE, TS_VFORK } from './thread';
import { rqPush, switchOut } from './sched';
import { vmTranslate } from './usercopy';
import { klog, KLOG_CLONE_FLAGS } from './klog';
import { sigForkCopy } from './signal';
import { callHart, callH, callT, callTb, callP, callPb, callSatp, arg, ret } from './caller';
import { T_TID } from './blocks';

export const FORK_DONE: u32 = 0; // served (the caller has its result, or waits as a vfork parent)
export const FORK_HOST: u32 = 1; // the event ring is full: hand the call to the host

const FORK_OPTIONAL: u32 = CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;

/** True for clone flags that ask for a fork or a vfork rather than a thread. */
export function cloneIsFork(flags: u32): bool {
  return (flags & CLONE_VM) == 0 || (flags & CLONE_VFORK) != 0;
}

/** Store v at user address va of the address space satp (copy-on-write broken); failures are ignored, as Linux's. */
function putUser(satp: u32, va: u32, v: u32): void {
  if ((va & 3) != 0) return;
  const a = vmTranslate(satp, va, ACC_WRITE);
  if (a != 0) atomic.store<u32>(a, v);
}

/** on = 1: every fork (not vfork) goes to the host, which places it (a cluster's machines). */
export function kernelSetForkHost(on: u32): void {
  store<u32>(KS + KS_FORK_HOST, on != 0 ? 1 : 0);
}

/** The host placed thread t's pending fork here: its next fork runs on this machine. */
export function threadForkHere(t: u32): void {
  if (t >= THREADS_MAX) return;
  store<u32>(threadBase(t) + T_FORK_HERE, 1);
}

/** clone for a fork or vfork (cloneIsFork): FORK_DONE or FORK_HOST. */
export function forkSyscall(): u32 {
  const flags = arg(0), newsp = arg(1), ptid = arg(2), tls = arg(3), ctid = arg(4);
  const vfork = (flags & CLONE_VM) != 0;
  const allowed = CSIGNAL | FORK_OPTIONAL | (vfork ? CLONE_VM | CLONE_VFORK : 0);
  if ((flags & ~allowed) != 0 || (flags & CSIGNAL) != SIGCHLD) {
    klog(callHart, KLOG_CLONE_FLAGS, load<u32>(callPb + P_PID), load<u32>(callTb + T_TID), flags);
    ret(-EINVAL);
    return FORK_DONE;
  }
  if (!vfork && load<u32>(KS + KS_FORK_HOST) != 0) {
    if (load<u32>(callTb + T_FORK_HERE) == 0) return FORK_HOST; // the host places it
    store<u32>(callTb + T_FORK_HERE, 0);
  }
  const hart = callHart, h = callH, pb = callPb;
  if (!vfork) asidRecycle(hart);
  klock(LOCK_PROC);
  if (!pevReserve()) { kunlock(LOCK_PROC); return FORK_HOST; }
  const proot = load<u32>(pb + P_ROOT);
  let root = proot;
  if (!vfork) {
    root = frameAlloc();
    if (root == FRAME_NONE) { pevRelease(); kunlock(LOCK_PROC); ret(-ENOMEM); return FORK_DONE; }
  }
  const c = procSlotTake(root, vfork ? 0 : asidAlloc());
  if (c == PROC_NONE || c == PROC_NO_PID) { // a full table or no pid left: Linux's EAGAIN either way
    if (!vfork) frameFree(root);
    pevRelease();
    kunlock(LOCK_PROC);
    ret(-EAGAIN);
    return FORK_DONE;
  }
  const cb = procBase(c);
  let lostW = false;
  if (vfork) {
    procSetSpace(c, proot, load<u32>(pb + P_ASID));
    store<u32>(cb + P_FLAGS, PF_SHARED_VM);
  } else {
    const r = vmFork(proot, root);
    lostW = (r & 1) != 0;
    if ((r & 2) != 0) {
      procSlotUndo(c);
      pevRelease();
      kunlock(LOCK_PROC);
      if (lostW) flushParent(hart, load<u32>(pb + P_ASID));
      ret(-ENOMEM);
      return FORK_DONE;
    }
  }
  store<u32>(cb + P_BRK_START, load<u32>(pb + P_BRK_START));
  store<u32>(cb + P_BRK, load<u32>(pb + P_BRK));
  store<u32>(cb + P_BRK_MAX, load<u32>(pb + P_BRK_MAX));
  store<u32>(cb + P_STACK_LOW, load<u32>(pb + P_STACK_LOW));
  store<u32>(cb + P_PGID, load<u32>(pb + P_PGID));
  store<u32>(cb + P_SID, load<u32>(pb + P_SID));
  store<u32>(cb + P_PARENT, callP + 1);
  store<u32>(cb + P_PPID, load<u32>(pb + P_PID));
  store<u32>(cb + P_EXIT_SIGNAL, flags & CSIGNAL);
  store<u64>(cb + P_MONO_OFFSET, load<u64>(pb + P_MONO_OFFSET)); // one CLOCK_MONOTONIC for parent and child
  memory.copy(vmaTable(c), vmaTable(callP), VMA_TABLE_BYTES);
  store<u32>(cb + P_VMAS, load<u32>(pb + P_VMAS));
  const pid = load<u32>(cb + P_PID);
  pevPostReserved(PEV_FORK, pid, load<u32>(pb + P_PID), flags);
  kunlock(LOCK_PROC);
  if (lostW) flushParent(hart, load<u32>(pb + P_ASID));
  const csatp = load<u32>(cb + P_SATP);
  if ((flags & CLONE_CHILD_SETTID) != 0) putUser(csatp, ctid, pid); // in the child's memory
  if ((flags & CLONE_PARENT_SETTID) != 0) putUser(callSatp, ptid, pid); // in the caller's
  klock(LOCK_SCHED);
  const t = threadAlloc(c, pid);
  if (t == THREAD_NONE) {
    kunlock(LOCK_SCHED);
    klock(LOCK_PROC);
    procSlotUndo(c);
    kunlock(LOCK_PROC);
    ret(-EAGAIN);
    return FORK_DONE;
  }
  const tb = threadBase(t);
  sigForkCopy(callP, c, callT, t); // the parent's dispositions, the forking thread's mask, nothing pending
  memory.copy(tb + T_REGS, h + H_REGS, 128);
  store<u32>(tb + T_REGS + 10 * 4, 0); // a0: the child sees 0
  if (newsp != 0) store<u32>(tb + T_REGS + 2 * 4, newsp);
  if ((flags & CLONE_SETTLS) != 0) store<u32>(tb + T_REGS + 4 * 4, tls);
  if ((flags & CLONE_CHILD_CLEARTID) != 0) store<u32>(tb + T_CLEAR_TID, ctid);
  store<u32>(tb + T_PC, load<u32>(h + H_PC) + 4);
  store<u64>(tb + T_LAST_MTIME, load<u64>(h + H_MTIME));
  store<u32>(KS + KS_FORKS, load<u32>(KS + KS_FORKS) + 1);
  ret(pid);
  if (vfork) {
    store<u32>(cb + P_VFORK_WAITER, callT + 1);
    switchOut(hart, TS_VFORK);
  }
  rqPush(t);
  kunlock(LOCK_SCHED);
  return FORK_DONE;
}

/** The caller's pages lost W: flush its ASID here and shoot down the other harts before it goes on. */
function flushParent(hart: u32, asid: u32): void {
  tlbFlush(hart, 0, asid, false, true);
  shootdownOthers(hart);
}
