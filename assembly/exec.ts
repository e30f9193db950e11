// The kernel's half of execve: the host has built the new image in a fresh address space and written its
// parameters into the caller's slot (P_EXEC_ROOT, _PC, _SP, _BRK, _BRK_MAX, _STACK_LOW), and answered the
// call with RA_EXEC (hostcall.ts). execCommit then replaces the image: the process's other threads end (a
// blocked one at once, one running or queued elsewhere at its next pass through the kernel: T_DOOMED),
// the new root is installed with a fresh ASID (the old one is flushed everywhere before reuse, asid.ts),
// the old address space is freed once no thread of the old image can run on it, the VMAs are cleared,
// the caller's registers zeroed with pc and sp those of the new image, and a vfork parent is released.
// Under the SCHED lock, with the caller switched out (on no hart).
import {
  P_STATE, P_ROOT, P_ASID, P_FLAGS, P_THREADS, P_EXEC_ROOT, P_EXEC_PC, P_EXEC_SP, P_EXEC_BRK, P_EXEC_BRK_MAX,
  P_EXEC_STACK_LOW, P_BRK_START, P_BRK, P_BRK_MAX, P_STACK_LOW, P_VMAS, P_DOOMED,
  T_STATE, T_PROC, T_REGS, T_PC, T_CLEAR_TID, T_DOOMED,
} from './blocks';
import { THREADS_MAX } from './limits';
import { vmDestroy } from './vm';
import { asidAlloc, asidRelease } from './asid';
import { procBase, procSetSpace, PROC_LIVE, PF_SHARED_VM, PF_EXECED } from './proc';
import { threadBase, threadBlocked, threadForgetHostcall, TS_FREE } from './thread';
import { threadRelease, oldImagePush } from './exit';
import { ipcUnlink } from './ipc';
import { vforkRelease } from './wait';
import { sigExecReset } from './signal';

/**
 * Commit the image waiting in thread t's process slot. False (and the new image freed) when the process
 * is dying: the caller then releases t. Under the SCHED lock; t is on no hart.
 */
export function execCommit(t: u32, now: u64): bool {
  const tb = threadBase(t);
  const p = load<u32>(tb + T_PROC);
  const b = procBase(p);
  const fresh = load<u32>(b + P_EXEC_ROOT);
  if (load<u32>(b + P_STATE) != PROC_LIVE) {
    vmDestroy(fresh);
    return false;
  }
  // The other threads of the old image end.
  let doomed: u32 = 0;
  for (let u: u32 = 0; u < THREADS_MAX; u++) {
    const ub = threadBase(u);
    if (u == t || load<u32>(ub + T_STATE) == TS_FREE || load<u32>(ub + T_PROC) != p || load<u32>(ub + T_DOOMED) != 0) continue;
    if (threadBlocked(load<u32>(ub + T_STATE)) || threadForgetHostcall(u)) {
      ipcUnlink(u);
      threadRelease(u); // never the last: t remains
    } else {
      store<u32>(ub + T_DOOMED, 1);
      doomed++;
    }
  }
  const oldRoot = load<u32>(b + P_ROOT), oldAsid = load<u32>(b + P_ASID);
  const shared = (load<u32>(b + P_FLAGS) & PF_SHARED_VM) != 0;
  procSetSpace(p, fresh, asidAlloc());
  store<u32>(b + P_FLAGS, (load<u32>(b + P_FLAGS) & ~PF_SHARED_VM) | PF_EXECED);
  store<u32>(b + P_BRK_START, load<u32>(b + P_EXEC_BRK));
  store<u32>(b + P_BRK, load<u32>(b + P_EXEC_BRK));
  store<u32>(b + P_BRK_MAX, load<u32>(b + P_EXEC_BRK_MAX));
  store<u32>(b + P_STACK_LOW, load<u32>(b + P_EXEC_STACK_LOW));
  store<u32>(b + P_VMAS, 0);
  if (!shared) {
    // A vfork child's old space is its parent's: nothing of it is freed. Otherwise it goes now, or, while
    // threads of an old image may still run, onto the process's list of old images (exit.ts frees them).
    if (doomed == 0 && load<u32>(b + P_DOOMED) == 0) {
      vmDestroy(oldRoot);
      asidRelease(oldAsid);
    } else {
      oldImagePush(b, oldRoot, oldAsid);
    }
  }
  store<u32>(b + P_DOOMED, load<u32>(b + P_DOOMED) + doomed);
  memory.fill(tb + T_REGS, 0, 128);
  store<u32>(tb + T_REGS + 2 * 4, load<u32>(b + P_EXEC_SP));
  store<u32>(tb + T_PC, load<u32>(b + P_EXEC_PC));
  store<u32>(tb + T_CLEAR_TID, 0);
  execResetSignals(p);
  vforkRelease(p, now);
  assert(load<u32>(b + P_THREADS) >= 1, 'execve: the caller is not counted');
  return true;
}

/**
 * Seam for signals: at an exec the handled signals go back to their default action (ignored ones stay
 * ignored); the mask and pending signals are kept. Under the SCHED lock.
 */
export function execResetSignals(p: u32): void {
  sigExecReset(p);
}
