// Trap causes (the RISC-V scause encoding) and the single place a trap is recorded in a hart's block.
// run() stops at the trapping instruction (pc unchanged, not retired) and returns EXIT_TRAP; the kernel's
// dispatcher (the host, for now) reads cause and tval.
import { H_CAUSE, H_TVAL, H_PAGE_FAULTS } from './blocks';

// Trap causes, run()'s exit reasons and the access kinds (which also index the TLB tables) are shared with
// the host: defined in abi/defs.mjs, generated into abi.ts.
import {
  CAUSE_FETCH_MISALIGNED, CAUSE_FETCH_ACCESS, CAUSE_ILLEGAL, CAUSE_BREAKPOINT, CAUSE_LOAD_MISALIGNED, CAUSE_LOAD_ACCESS,
  CAUSE_STORE_MISALIGNED, CAUSE_STORE_ACCESS, CAUSE_ECALL_U, CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_PAGE_FAULT, CAUSE_TIMER_IRQ, EXIT_BUDGET, EXIT_TRAP, EXIT_TIMER, ACC_READ, ACC_WRITE, ACC_FETCH,
} from './abi';
export {
  CAUSE_FETCH_MISALIGNED, CAUSE_FETCH_ACCESS, CAUSE_ILLEGAL, CAUSE_BREAKPOINT, CAUSE_LOAD_MISALIGNED, CAUSE_LOAD_ACCESS,
  CAUSE_STORE_MISALIGNED, CAUSE_STORE_ACCESS, CAUSE_ECALL_U, CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_PAGE_FAULT, CAUSE_TIMER_IRQ, EXIT_BUDGET, EXIT_TRAP, EXIT_TIMER, ACC_READ, ACC_WRITE, ACC_FETCH,
};

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
