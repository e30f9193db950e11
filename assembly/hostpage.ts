// Host-kept pages: pages whose bytes and permissions the host keeps coherent with other machines, the one
// kernel mechanism under distributed shared memory (a page another node owns) and post-copy migration (a
// page still on the source). Such a page's PTE carries both software bits (PTE_HOST) and always holds a
// frame: with V clear the page is absent here, with V and R a read-only copy. Any fault on it, and with
// PF_HOST_PAGES any fault on a page with no PTE at all (a thread whose address space lives elsewhere), is
// not served here: dispatch posts it to the host-call ring as call NR_HOST_PAGE (a0 the page, a1 the access,
// a2 the frame, a3 the PTE's V/R/W/X) and the thread waits in TS_HOSTCALL while the hart runs others. The
// host writes the bytes into the frame (hostPageFrame), sets the permissions (hostPageSet) and answers 0:
// the thread runs the faulting instruction again. An answer of -errno fails the fault: SIGBUS (BUS_ADRERR)
// or, when the host says so, SIGSEGV, delivered to a handler installed and not blocked, else the process
// dies (KILL_PAGE_LOST). hostPageSet also revokes (unmap, or make read-only): lowering a permission shoots
// down every hart's TLB before it returns, so no hart reads or writes the old copy afterwards; raising one
// needs no flush (a TLB keeps no entry a walk refused). Page tables change under the PROC lock; the answer
// is taken under SCHED (hostcall.ts), which needs no page-table change.
import { RAM_BASE, USER_BASE, USER_END } from './layout';
import {
  LOCK_PROC, P_ROOT, P_FLAGS, P_STATE, P_SATP, P_HOST_PAGE_FAULTS, T_HOST_PAGE, T_PROC, ACT_HANDLER, ST_BLOCKED, sigThreadBase,
} from './blocks';
import { PAGE_BYTES, PROCS_MAX, HARTS_MAX } from './limits';
import { klock, kunlock } from './klock';
import { frameAlloc, FRAME_NONE } from './frames';
import { vmLeafSlot, vmLeafSlotMake } from './vm';
import { shootdownOthers } from './shootdown';
import { cowBreak, COW_NO_MEMORY, PTE_COW } from './cow';
import { PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D } from './mmu';
import { procBase, PROC_LIVE, PF_HOST_PAGES } from './proc';
import { threadBase } from './thread';
import { actBase, sigQueueThread, sigBit } from './signal';
import {
  PTE_HOST, EFAULT, EINVAL, ENOMEM, SIGBUS, SIGSEGV, BUS_ADRERR, SEGV_ACCERR, KILL_PAGE_LOST, ACC_WRITE, ACC_FETCH, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT, CAUSE_FETCH_PAGE_FAULT, SIG_DFL, SIG_IGN, NR_HOST_PAGE,
} from './abi';
export { PTE_HOST, NR_HOST_PAGE };

/** hostPageTake's results. */
export const HP_NONE: u32 = 0; // not a host-kept page: the kernel serves the fault as before
export const HP_HOST: u32 = 1; // the host serves it: the caller posts the host call (T_HOST_PAGE is set)
export const HP_RETRY: u32 = 2; // the page allows the access now (another thread's fault was served): retry
export const HP_NO_MEMORY: u32 = 3; // no frame for a page the host will fill

const PERM: u32 = PTE_R | PTE_W | PTE_X;

// @ts-ignore: decorator
@inline function isHostKept(pte: u32): bool { return pte != 0 && (pte & PTE_HOST) == PTE_HOST; }

function accessBit(access: u32): u32 {
  return access == ACC_WRITE ? PTE_W : access == ACC_FETCH ? PTE_X : PTE_R;
}

/**
 * Make the empty PTE slot of page in root a host-kept absent page with a fresh zeroed frame (the level-0
 * table allocated if needed). The frame, or FRAME_NONE when no frame is left. Under the PROC lock.
 */
function adopt(root: u32, page: u32): u32 {
  const slot = vmLeafSlotMake(root, page);
  if (slot == FRAME_NONE) return FRAME_NONE;
  const frame = frameAlloc();
  if (frame == FRAME_NONE) return FRAME_NONE;
  atomic.store<u32>(RAM_BASE + slot, ((frame >>> 12) << 10) | PTE_HOST | PTE_U);
  return frame;
}

/**
 * A page fault of thread t of process p at va (ACC_*) from dispatch: HP_HOST when the host serves it (the
 * thread's T_HOST_PAGE then names the page and access; the caller posts the call), else HP_NONE, HP_RETRY
 * or HP_NO_MEMORY. Takes the PROC lock.
 */
export function hostPageTake(t: u32, p: u32, va: u32, access: u32): u32 {
  const pb = procBase(p);
  const root = load<u32>(pb + P_ROOT);
  const page = va & ~(PAGE_BYTES - 1);
  klock(LOCK_PROC);
  const slot = vmLeafSlot(root, page);
  const pte = slot == FRAME_NONE ? 0 : atomic.load<u32>(RAM_BASE + slot);
  let r = HP_HOST;
  if (isHostKept(pte)) {
    if ((pte & PTE_V) != 0 && (pte & accessBit(access)) != 0) r = HP_RETRY;
  } else if (pte != 0 || (load<u32>(pb + P_FLAGS) & PF_HOST_PAGES) == 0 || page < USER_BASE || page >= USER_END) {
    r = HP_NONE;
  } else if (adopt(root, page) == FRAME_NONE) {
    r = HP_NO_MEMORY;
  }
  kunlock(LOCK_PROC);
  if (r == HP_HOST) {
    store<u32>(threadBase(t) + T_HOST_PAGE, page | (access + 1));
    store<u64>(pb + P_HOST_PAGE_FAULTS, load<u64>(pb + P_HOST_PAGE_FAULTS) + 1);
  }
  return r;
}

/**
 * Fill the call number and arguments of ring record r for thread t's page fault (hostcall.ts's post).
 * False when t waits for no page (its call is a system call). Under SCHED.
 */
export function hostPageRecord(t: u32, nrAt: u32, argsAt: u32): bool {
  const tb = threadBase(t);
  const hp = load<u32>(tb + T_HOST_PAGE);
  if (hp == 0) return false;
  const page = hp & ~(PAGE_BYTES - 1);
  const root = load<u32>(procBase(load<u32>(tb + T_PROC)) + P_ROOT);
  const slot = vmLeafSlot(root, page);
  const pte = slot == FRAME_NONE ? 0 : atomic.load<u32>(RAM_BASE + slot);
  store<u32>(nrAt, NR_HOST_PAGE);
  store<u32>(argsAt, page);
  store<u32>(argsAt + 4, (hp & (PAGE_BYTES - 1)) - 1);
  store<u32>(argsAt + 8, isHostKept(pte) ? (pte >>> 10) << 12 : FRAME_NONE);
  store<u32>(argsAt + 12, pte & (PTE_V | PERM));
  for (let i: u32 = 4; i < 6; i++) store<u32>(argsAt + i * 4, 0);
  return true;
}

/** True when thread t's host call is a page fault. */
export function hostPageWaiting(t: u32): bool {
  return load<u32>(threadBase(t) + T_HOST_PAGE) != 0;
}

/**
 * The host answered thread t's page fault with result (0, or -errno) and signal: 0 when the thread simply
 * retries the access, or when the failure was queued to a handler; else the P_CAUSE its process dies with
 * (KILL_PAGE_LOST for SIGBUS, the page-fault cause for SIGSEGV), the signal being hostPageSignal(cause).
 * Clears T_HOST_PAGE. Under SCHED.
 */
export function hostPageAnswered(t: u32, result: u32, signal: u32): u32 {
  const tb = threadBase(t);
  const hp = load<u32>(tb + T_HOST_PAGE);
  assert(hp != 0, 'host pages: an answer for a thread waiting for no page');
  store<u32>(tb + T_HOST_PAGE, 0);
  if (result == 0) return 0;
  const page = hp & ~(PAGE_BYTES - 1);
  const access = (hp & (PAGE_BYTES - 1)) - 1;
  const sig = signal == SIGSEGV ? SIGSEGV : SIGBUS;
  const fault = access == ACC_WRITE ? CAUSE_STORE_PAGE_FAULT : access == ACC_FETCH ? CAUSE_FETCH_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT;
  const p = load<u32>(tb + T_PROC);
  const handler = load<u32>(actBase(p, sig) + ACT_HANDLER);
  if (handler != SIG_DFL && handler != SIG_IGN && (load<u64>(sigThreadBase(t) + ST_BLOCKED) & sigBit(sig)) == 0) {
    sigQueueThread(t, sig, <i32>(sig == SIGBUS ? BUS_ADRERR : SEGV_ACCERR), 0, page, fault);
    return 0;
  }
  return sig == SIGBUS ? KILL_PAGE_LOST : fault;
}

/** The signal a process killed with cause (hostPageAnswered) dies of. */
export function hostPageSignal(cause: u32): u32 {
  return cause == KILL_PAGE_LOST ? SIGBUS : SIGSEGV;
}


// ---- the host's side ----

function liveRoot(p: u32): u32 {
  if (p >= PROCS_MAX || atomic.load<u32>(procBase(p) + P_STATE) != PROC_LIVE) return FRAME_NONE;
  return load<u32>(procBase(p) + P_ROOT);
}

/**
 * The frame (physical address) of page va of process p, for the host to read or write its bytes. With
 * make, an empty PTE becomes a host-kept absent page with a fresh zeroed frame. -EFAULT: no live process p,
 * va outside user space, nothing at va (without make), a superpage; -ENOMEM: no frame left.
 */
export function hostPageFrame(p: u32, va: u32, make: u32): i32 {
  const root = liveRoot(p);
  const page = va & ~(PAGE_BYTES - 1);
  if (root == FRAME_NONE || page < USER_BASE || page >= USER_END) return -EFAULT;
  const l1 = load<u32>(RAM_BASE + root + ((page >>> 22) << 2));
  if ((l1 & PTE_V) != 0 && (l1 & (PTE_R | PTE_X)) != 0) return -EFAULT; // a superpage
  klock(LOCK_PROC);
  const slot = make != 0 ? vmLeafSlotMake(root, page) : vmLeafSlot(root, page);
  let r: i32 = -EFAULT;
  if (slot == FRAME_NONE) r = make != 0 ? -ENOMEM : -EFAULT;
  else {
    const pte = atomic.load<u32>(RAM_BASE + slot);
    if (pte != 0) r = <i32>((pte >>> 10) << 12);
    else if (make != 0) {
      const frame = adopt(root, page);
      r = frame == FRAME_NONE ? -ENOMEM : <i32>frame;
    }
  }
  kunlock(LOCK_PROC);
  return r;
}

/**
 * Set the permissions of page va of process p to prot (PTE_R, PTE_W, PTE_X; 0: absent here). Without W the
 * page is host-kept (a store faults to the host); with W it is an ordinary page of the process (a
 * copy-on-write page is broken first). Lowering a permission the page had shoots down every hart's TLB
 * before this returns. 0; -EFAULT (no live process, nothing at va: hostPageFrame first), -EINVAL (bits
 * outside R/W/X, W or X without R), -ENOMEM (a copy-on-write copy found no frame).
 */
export function hostPageSet(p: u32, va: u32, prot: u32): i32 {
  const root = liveRoot(p);
  const page = va & ~(PAGE_BYTES - 1);
  if (root == FRAME_NONE || page < USER_BASE || page >= USER_END) return -EFAULT;
  if ((prot & ~PERM) != 0 || (prot != 0 && (prot & PTE_R) == 0)) return -EINVAL;
  klock(LOCK_PROC);
  const slot = vmLeafSlot(root, page);
  let pte = slot == FRAME_NONE ? 0 : atomic.load<u32>(RAM_BASE + slot);
  if (pte == 0) { kunlock(LOCK_PROC); return -EFAULT; }
  if ((prot & PTE_W) != 0 && (pte & PTE_HOST) == PTE_COW && (pte & PTE_V) != 0) {
    if (cowBreak(load<u32>(procBase(p) + P_SATP), page, HARTS_MAX, true) == COW_NO_MEMORY) { kunlock(LOCK_PROC); return -ENOMEM; }
    pte = atomic.load<u32>(RAM_BASE + slot);
  }
  const had = (pte & PTE_V) != 0 ? pte & PERM : 0;
  // A page that was no host-kept page keeps its own software bit (PTE_SHARED) once writable again.
  const soft = isHostKept(pte) ? 0 : pte & PTE_HOST;
  let f = PTE_U | ((prot & PTE_W) != 0 ? soft | PTE_D : PTE_HOST);
  if (prot != 0) f |= prot | PTE_V | PTE_A;
  atomic.store<u32>(RAM_BASE + slot, (pte & ~0x3FF) | f);
  kunlock(LOCK_PROC);
  if ((had & ~prot) != 0) shootdownOthers(HARTS_MAX); // a revocation: no hart keeps the old permission
  return 0;
}

/**
 * With on, every fault of process p on a page with no PTE goes to the host (a thread whose address space
 * lives on another machine, a process arriving post-copy); off, the kernel serves those as before. 0, or
 * -EFAULT (no live process p).
 */
export function hostPagesAll(p: u32, on: u32): i32 {
  if (liveRoot(p) == FRAME_NONE) return -EFAULT;
  const pb = procBase(p);
  const f = load<u32>(pb + P_FLAGS);
  store<u32>(pb + P_FLAGS, on != 0 ? f | PF_HOST_PAGES : f & ~PF_HOST_PAGES);
  return 0;
}

/** Host-kept page faults posted for process p. */
export function hostPageFaults(p: u32): u64 {
  return p < PROCS_MAX ? load<u64>(procBase(p) + P_HOST_PAGE_FAULTS) : 0;
}

