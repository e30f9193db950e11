// The kernel's trap dispatcher: runs a hart for a budget and serves locally what the kernel owns, returning
// to the host only for what it does not (system calls, faults) or when the budget is spent. Today it owns
// the timer interrupt: it re-arms mtimecmp one quantum ahead, which is where the scheduler will pick the
// next thread. Bounded: each timer interrupt is followed by at least one quantum of retired instructions.
import { hartBase, H_QUANTUM, H_INSTRET, H_MTIME, H_MTIMECMP } from './blocks';
import { HARTS_MAX } from './limits';
import { run } from './hart';
import { EXIT_BUDGET, EXIT_TIMER, EXIT_TRAP } from './trap';

/** Ticks between the timer interrupts the dispatcher arms; 0 leaves the timer to the host. */
export function hartSetQuantum(hart: u32, ticks: u32): void {
  if (hart >= HARTS_MAX) return;
  store<u32>(hartBase(hart) + H_QUANTUM, ticks);
}

/** Run hart for up to budget instructions; EXIT_TRAP for the host to serve, or EXIT_BUDGET. */
export function dispatch(hart: u32, budget: u32): u32 {
  if (hart >= HARTS_MAX) return EXIT_TRAP;
  const h = hartBase(hart);
  const quantum = load<u32>(h + H_QUANTUM);
  const start = load<u64>(h + H_INSTRET);
  while (true) {
    const done = (load<u64>(h + H_INSTRET) - start) as u32;
    if (done >= budget) return EXIT_BUDGET;
    const r = run(hart, budget - done);
    if (r != EXIT_TIMER || quantum == 0) return r;
    timerInterrupt(h, quantum);
  }
  return EXIT_BUDGET;
}

/** The timer interrupt: one thread per hart for now, so only the next quantum is armed. */
function timerInterrupt(h: u32, quantum: u32): void {
  store<u64>(h + H_MTIMECMP, load<u64>(h + H_MTIME) + (quantum as u64));
}
