// The system call being served: who made it (hart, thread, process, their blocks and the address space),
// read once at kernel entry by callerEnter, and the one argument reader and return helper every handler
// uses. These are module globals, so each kernel instance (one per worker thread in threaded mode) has its
// own set; a call is served to its end before its instance takes another, so one set suffices.
import { hartBase, H_REGS, H_PC, T_PROC, T_PC, T_INSTRET, P_SATP, P_INSTRET } from './blocks';
import { procBase } from './proc';
import { threadBase, hartThread, threadSetResult } from './thread';
import { timerRetire } from './timer';

export let callHart: u32 = 0; // the hart index
export let callH: u32 = 0; // its hart block
export let callT: u32 = 0; // the calling thread
export let callTb: u32 = 0; // its thread slot
export let callP: u32 = 0; // its process
export let callPb: u32 = 0; // its process slot
export let callSatp: u32 = 0; // the process's satp (its page tables)

/** Take the hart's current thread as the caller of the system call now served. */
export function callerEnter(hart: u32): void {
  callHart = hart;
  callH = hartBase(hart);
  callT = hartThread(hart);
  callTb = threadBase(callT);
  callP = load<u32>(callTb + T_PROC);
  callPb = procBase(callP);
  callSatp = load<u32>(callPb + P_SATP);
}

/** Argument i (a0 + i) of the current call. */
// @ts-ignore: decorator
@inline export function arg(i: u32): u32 {
  return load<u32>(callH + H_REGS + (10 + i) * 4);
}

/** Finish a system call on hart block h: a0 = v, pc past the ecall, which retires. */
export function sysReturn(h: u32, v: u32): void {
  store<u32>(h + H_REGS + 40, v);
  store<u32>(h + H_PC, load<u32>(h + H_PC) + 4);
  timerRetire(h, 1);
}

/** Finish the current call with result v. */
// @ts-ignore: decorator
@inline export function ret(v: u32): void {
  sysReturn(callH, v);
}

/**
 * Finish the system call a switched-out thread t is blocked in (an answer reaped after it left its hart):
 * a0 = v, pc past the ecall, which retires on the thread and its process (no hart runs it).
 */
export function threadSyscallReturn(t: u32, v: u32): void {
  const tb = threadBase(t);
  threadSetResult(t, v);
  store<u32>(tb + T_PC, load<u32>(tb + T_PC) + 4);
  store<u64>(tb + T_INSTRET, load<u64>(tb + T_INSTRET) + 1);
  const pb = procBase(load<u32>(tb + T_PROC));
  store<u64>(pb + P_INSTRET, load<u64>(pb + P_INSTRET) + 1);
}

/** The host finished a system call it served: a0 = result, pc past the ecall, which now retires. */
export function hartSyscallReturn(hart: u32, result: u32): void {
  sysReturn(hartBase(hart), result);
}
