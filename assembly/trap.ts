// Trap causes (the RISC-V scause encoding) and the single place a trap is recorded in a hart's block.
// run() stops at the trapping instruction (pc unchanged, not retired) and returns EXIT_TRAP; the kernel's
// dispatcher (the host, for now) reads cause and tval.
import { H_CAUSE, H_TVAL, H_PAGE_FAULTS } from './blocks';

export const CAUSE_FETCH_MISALIGNED: u32 = 0;
export const CAUSE_FETCH_ACCESS: u32 = 1;
export const CAUSE_ILLEGAL: u32 = 2;
export const CAUSE_BREAKPOINT: u32 = 3;
export const CAUSE_LOAD_MISALIGNED: u32 = 4;
export const CAUSE_LOAD_ACCESS: u32 = 5;
export const CAUSE_STORE_MISALIGNED: u32 = 6;
export const CAUSE_STORE_ACCESS: u32 = 7;
export const CAUSE_ECALL_U: u32 = 8;
export const CAUSE_FETCH_PAGE_FAULT: u32 = 12;
export const CAUSE_LOAD_PAGE_FAULT: u32 = 13;
export const CAUSE_STORE_PAGE_FAULT: u32 = 15;
/** Interrupt bit + machine timer interrupt. */
export const CAUSE_TIMER_IRQ: u32 = 0x8000_0007;

/** Why run() returned. */
export const EXIT_BUDGET: u32 = 0;
export const EXIT_TRAP: u32 = 1;
export const EXIT_TIMER: u32 = 2;

/** Access kinds, which also index the TLB tables. */
export const ACC_READ: u32 = 0;
export const ACC_WRITE: u32 = 1;
export const ACC_FETCH: u32 = 2;

export function raise(h: u32, cause: u32, tval: u32): void {
  store<u32>(h + H_CAUSE, cause);
  store<u32>(h + H_TVAL, tval);
  if (cause == CAUSE_FETCH_PAGE_FAULT || cause == CAUSE_LOAD_PAGE_FAULT || cause == CAUSE_STORE_PAGE_FAULT) {
    store<u64>(h + H_PAGE_FAULTS, load<u64>(h + H_PAGE_FAULTS) + 1);
  }
}

export function pageFaultCause(access: u32): u32 {
  return access == ACC_FETCH ? CAUSE_FETCH_PAGE_FAULT : access == ACC_WRITE ? CAUSE_STORE_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT;
}

export function accessFaultCause(access: u32): u32 {
  return access == ACC_FETCH ? CAUSE_FETCH_ACCESS : access == ACC_WRITE ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS;
}
