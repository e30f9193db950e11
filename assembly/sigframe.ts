// Signal delivery on a thread's way back to user mode (dispatch.ts calls sigDeliver before it runs a
// thread: after a system call, a switch-in, a served trap), synchronous faults handed to a handler, and
// rt_sigreturn. A handler runs on the user stack with the RISC-V rt_sigframe of Linux and qemu-riscv32:
//   sp -> siginfo_t (SIGINFO_BYTES), then the ucontext: uc_flags, uc_link, uc_stack, uc_sigmask (the mask
//         to restore), 120 unused bytes, uc_mcontext at UC_MCONTEXT (pc, x1..x31, then a zeroed FP area),
// sp = (old sp - SIGFRAME_BYTES) rounded down to 16, a0 = signal, a1 = &siginfo, a2 = &ucontext, and
// ra = SIGTRAMP_VA: a page never mapped, so the handler's return faults on fetch there, which is served as
// rt_sigreturn (the kernel's trampoline: RISC-V has no SA_RESTORER, and no frame or page table is needed
// in any process). A frame page the stack has not reached yet comes back as SIGD_FAULT for dispatch's
// demand paging; a frame that cannot be written at all kills with SIGSEGV, as Linux.
import {
  hartBase, sigThreadBase, H_REGS, H_PC, H_TVAL, H_SCRATCH, LOCK_SCHED, T_PROC, P_SATP, P_ROOT, P_STATE,
  ST_BLOCKED, ST_SAVED, ST_FLAGS, ST_ORIG_A0, ST_RESTART, ACT_HANDLER, ACT_FLAGS, ACT_MASK, SIGREC_CODE,
  SIGREC_PID, SIGREC_ADDR, SIGREC_CAUSE,
} from './blocks';
import { PAGE_BYTES } from './limits';
import {
  SIG_DFL, SIG_IGN, SA_RESTART, SA_NODEFER, SA_RESETHAND, SIGCHLD, SIGSEGV, SIGBUS, SIGILL, SEGV_MAPERR,
  SEGV_ACCERR, BUS_ADRALN, ILL_ILLOPC, TRAP_BRKPT, SS_DISABLE, SIGINFO_BYTES, UC_SIGMASK, UC_MCONTEXT,
  SIGFRAME_BYTES, SIGTRAMP_VA, ERESTARTSYS, ERESTARTNOINTR, EINTR, CAUSE_FETCH_PAGE_FAULT,
  FRAME_NONE, PROC_LIVE,
} from './abi';
import { klock, kunlock } from './klock';
import { procBase } from './proc';
import { threadBase, hartThread } from './thread';
import { killCurrent } from './exit';
import { userWord, writeUser32 } from './usercopy';
import { vmPteAddress } from './vm';
import {
  actBase, sigBit, sigNext, sigTake, sigIgnored, sigQueueThread, STF_SAVED, STF_SUSPEND, SIG_UNBLOCKABLE,
} from './signal';

export const SIGD_NONE: u32 = 0; // nothing delivered; the thread runs on
export const SIGD_FRAME: u32 = 1; // a handler's frame is built: the thread runs the handler
export const SIGD_LEFT: u32 = 2; // the thread's process was killed and the thread left the hart
export const SIGD_ENDED: u32 = 3; // ... and the process ended with it
export const SIGD_FAULT: u32 = 4; // the frame needs a stack page first: a store page fault at H_TVAL

const NO_PAGE: u32 = 0xFFFF_FFFF;

/** The first page of [va, va + n) a user store would fault on, or NO_PAGE. */
function firstUnwritable(satp: u32, va: u32, n: u32): u32 {
  let a = va & ~(PAGE_BYTES - 1);
  if (va + n < va) return a;
  for (let i: u32 = 0; i < 2 && a < va + n; i++) { // a frame spans at most two pages
    if (userWord(satp, a, true) == 0) return a;
    a += PAGE_BYTES;
  }
  return NO_PAGE;
}

/**
 * Re-execute the ecall a thread returned from, with its first argument again: its registers at regs and its pc
 * at pc (a hart's block, or a thread's saved ones), its signal state at sb.
 */
export function restartCall(regs: u32, pc: u32, sb: u32): void {
  store<u32>(pc, load<u32>(pc) - 4);
  store<u32>(regs + 40, load<u32>(sb + ST_ORIG_A0));
}

/** Settle an interrupted call before a handler runs: restart it (SA_RESTART, or ERESTARTNOINTR) or -EINTR. */
function settleForHandler(h: u32, sb: u32, flags: u32): void {
  const code = load<u32>(sb + ST_RESTART);
  if (code == 0) return;
  store<u32>(sb + ST_RESTART, 0);
  if (code == ERESTARTNOINTR || (code == ERESTARTSYS && (flags & SA_RESTART) != 0)) restartCall(h + H_REGS, h + H_PC, sb);
  else store<u32>(h + H_REGS + 40, -EINTR);
}

/** Write the rt_sigframe at frame for sig (its record at rec), the saved context being the hart's. */
function writeFrame(h: u32, satp: u32, frame: u32, sig: u32, rec: u32, oldMask: u64): void {
  for (let off: u32 = 0; off < SIGFRAME_BYTES; off += 4) writeUser32(satp, frame + off, 0);
  const code = load<i32>(rec + SIGREC_CODE);
  writeUser32(satp, frame, sig);
  writeUser32(satp, frame + 8, <u32>code);
  if (sig == SIGCHLD && code > 0) {
    writeUser32(satp, frame + 12, load<u32>(rec + SIGREC_PID)); // si_pid, si_uid 0, si_status
    writeUser32(satp, frame + 20, load<u32>(rec + SIGREC_ADDR));
  } else if (code > 0) {
    writeUser32(satp, frame + 12, load<u32>(rec + SIGREC_ADDR)); // a fault: si_addr
  } else {
    writeUser32(satp, frame + 12, load<u32>(rec + SIGREC_PID)); // kill, tkill, SI_MESGQ: si_pid (si_uid 0)
    writeUser32(satp, frame + 20, load<u32>(rec + SIGREC_ADDR)); // SI_MESGQ: si_value (0 for kill and tkill)
  }
  const uc = frame + SIGINFO_BYTES;
  writeUser32(satp, uc + 12, SS_DISABLE);
  writeUser32(satp, uc + UC_SIGMASK, oldMask as u32);
  writeUser32(satp, uc + UC_SIGMASK + 4, (oldMask >> 32) as u32);
  const mc = uc + UC_MCONTEXT;
  writeUser32(satp, mc, load<u32>(h + H_PC));
  for (let r: u32 = 1; r < 32; r++) writeUser32(satp, mc + r * 4, load<u32>(h + H_REGS + r * 4));
}

/**
 * Deliver what the hart's thread has pending (signal.ts's sigWork said there is work): discard ignored
 * signals, kill for a fatal default action, build the frames of the handled ones. With nothing
 * delivered, an interrupted call restarts and a mask rt_sigsuspend replaced comes back. SIGD_*.
 */
export function sigDeliver(hart: u32): u32 {
  const h = hartBase(hart);
  const t = hartThread(hart);
  const p = load<u32>(threadBase(t) + T_PROC);
  const pb = procBase(p);
  const sb = sigThreadBase(t);
  const satp = load<u32>(pb + P_SATP);
  const rec = h + H_SCRATCH;
  let built = false;
  klock(LOCK_SCHED);
  // Each pass takes one pending signal or returns. As on Linux every deliverable signal gets its frame
  // before the thread runs, each on top of the last: the last one built runs first.
  for (let i: u32 = 0; i < 64; i++) {
    const sig = sigNext(t, p);
    if (sig == 0) break;
    if (sigIgnored(p, sig)) { sigTake(t, p, sig, rec); continue; }
    const a = actBase(p, sig);
    const handler = load<u32>(a + ACT_HANDLER);
    if (handler == SIG_DFL) {
      sigTake(t, p, sig, rec);
      kunlock(LOCK_SCHED);
      return killCurrent(hart, sig, load<u32>(rec + SIGREC_CAUSE), load<u32>(rec + SIGREC_ADDR)) ? SIGD_ENDED : SIGD_LEFT;
    }
    const frame = (load<u32>(h + H_REGS + 8) - SIGFRAME_BYTES) & ~15;
    const bad = firstUnwritable(satp, frame, SIGFRAME_BYTES);
    if (bad != NO_PAGE) {
      store<u32>(h + H_TVAL, bad);
      kunlock(LOCK_SCHED);
      return SIGD_FAULT;
    }
    sigTake(t, p, sig, rec);
    const flags = load<u32>(a + ACT_FLAGS);
    settleForHandler(h, sb, flags);
    const saved = (load<u32>(sb + ST_FLAGS) & STF_SAVED) != 0;
    const blocked = load<u64>(sb + ST_BLOCKED);
    writeFrame(h, satp, frame, sig, rec, saved ? load<u64>(sb + ST_SAVED) : blocked);
    store<u32>(sb + ST_FLAGS, load<u32>(sb + ST_FLAGS) & ~(STF_SAVED | STF_SUSPEND));
    let mask = blocked | load<u64>(a + ACT_MASK);
    if ((flags & SA_NODEFER) == 0) mask |= sigBit(sig);
    store<u64>(sb + ST_BLOCKED, mask & ~SIG_UNBLOCKABLE);
    if ((flags & SA_RESETHAND) != 0) store<u32>(a + ACT_HANDLER, SIG_DFL);
    store<u32>(h + H_REGS + 4, SIGTRAMP_VA); // ra
    store<u32>(h + H_REGS + 8, frame); // sp
    store<u32>(h + H_REGS + 40, sig);
    store<u32>(h + H_REGS + 44, frame);
    store<u32>(h + H_REGS + 48, frame + SIGINFO_BYTES);
    store<u32>(h + H_PC, handler);
    built = true;
  }
  if (load<u32>(sb + ST_RESTART) != 0) {
    store<u32>(sb + ST_RESTART, 0);
    restartCall(h + H_REGS, h + H_PC, sb);
  }
  if ((load<u32>(sb + ST_FLAGS) & STF_SAVED) != 0) {
    store<u64>(sb + ST_BLOCKED, load<u64>(sb + ST_SAVED));
    store<u32>(sb + ST_FLAGS, load<u32>(sb + ST_FLAGS) & ~(STF_SAVED | STF_SUSPEND));
  }
  kunlock(LOCK_SCHED);
  return built ? SIGD_FRAME : SIGD_NONE;
}

/**
 * rt_sigreturn for the hart's thread: registers, pc and mask back from the ucontext at sp (a handler may
 * have edited them). False, with nothing changed, when the frame cannot be read.
 */
export function sigReturn(hart: u32): bool {
  const h = hartBase(hart);
  const t = hartThread(hart);
  const satp = load<u32>(procBase(load<u32>(threadBase(t) + T_PROC)) + P_SATP);
  const uc = load<u32>(h + H_REGS + 8) + SIGINFO_BYTES;
  const mc = uc + UC_MCONTEXT;
  // The words read lie in [uc + UC_SIGMASK, mc + 128), less than a page: its two ends cover every page.
  const first = uc + UC_SIGMASK, last = mc + 124;
  if ((uc & 3) != 0 || last < first || userWord(satp, first, false) == 0 || userWord(satp, last, false) == 0) return false;
  const lo = load<u32>(userWord(satp, uc + UC_SIGMASK, false)), hi = load<u32>(userWord(satp, uc + UC_SIGMASK + 4, false));
  store<u32>(h + H_PC, load<u32>(userWord(satp, mc, false)));
  for (let r: u32 = 1; r < 32; r++) store<u32>(h + H_REGS + r * 4, load<u32>(userWord(satp, mc + r * 4, false)));
  const sb = sigThreadBase(t);
  klock(LOCK_SCHED);
  store<u64>(sb + ST_BLOCKED, ((((hi as u64) << 32) | (lo as u64))) & ~SIG_UNBLOCKABLE);
  store<u32>(sb + ST_RESTART, 0);
  kunlock(LOCK_SCHED);
  return true;
}

/**
 * A fatal trap of the hart's thread (dispatch.ts): a fetch at SIGTRAMP_VA is a handler returning
 * (rt_sigreturn); a SIGSEGV, SIGBUS, SIGILL or SIGTRAP with a handler installed and not blocked is queued
 * with si_code and si_addr as Linux gives them, to be delivered before the thread runs again. False: the
 * process dies as before (no handler, ignored or blocked: Linux's force_sig_fault kills then too).
 */
export function sigFault(hart: u32, sig: u32, cause: u32, tval: u32): bool {
  const h = hartBase(hart);
  if (cause == CAUSE_FETCH_PAGE_FAULT && tval == SIGTRAMP_VA && load<u32>(h + H_PC) == SIGTRAMP_VA) return sigReturn(hart);
  const t = hartThread(hart);
  const p = load<u32>(threadBase(t) + T_PROC);
  const handler = load<u32>(actBase(p, sig) + ACT_HANDLER);
  if (handler == SIG_DFL || handler == SIG_IGN || (load<u64>(sigThreadBase(t) + ST_BLOCKED) & sigBit(sig)) != 0) return false;
  let code: u32 = 1;
  let addr = tval;
  if (sig == SIGSEGV) {
    code = vmPteAddress(load<u32>(procBase(p) + P_ROOT), tval & ~(PAGE_BYTES - 1)) == FRAME_NONE ? SEGV_MAPERR : SEGV_ACCERR;
  } else if (sig == SIGBUS) {
    code = BUS_ADRALN;
  } else {
    code = sig == SIGILL ? ILL_ILLOPC : TRAP_BRKPT;
    addr = load<u32>(h + H_PC);
  }
  klock(LOCK_SCHED);
  const live = atomic.load<u32>(procBase(p) + P_STATE) == PROC_LIVE;
  if (live) sigQueueThread(t, sig, <i32>code, 0, addr, cause);
  kunlock(LOCK_SCHED);
  return live;
}
