// The per-hart timer: mtime advances with retired instructions (H_TICK_INSNS instructions per tick, i.e. the
// clock rate divided by the timebase), so virtual time is reproducible. When mtime reaches mtimecmp, run()
// stops at an instruction boundary and returns EXIT_TIMER with cause CAUSE_TIMER_IRQ.
import { hartBase, H_TICK_INSNS, H_MTIME, H_MTIMECMP, H_SUBTICK, H_INSTRET, MACHINE_BASE, M_HARTS } from './blocks';

export const TIMER_DISARMED: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/** Instructions the hart may retire before its timer fires (u64 max when disarmed or far away). */
export function timerInsnsLeft(h: u32): u64 {
  const cmp = load<u64>(h + H_MTIMECMP);
  const now = load<u64>(h + H_MTIME);
  if (cmp == TIMER_DISARMED) return TIMER_DISARMED;
  if (now >= cmp) return 0;
  const ticks = cmp - now;
  if (ticks >= 0x1_0000_0000) return TIMER_DISARMED;
  return ticks * (load<u32>(h + H_TICK_INSNS) as u64) - (load<u32>(h + H_SUBTICK) as u64);
}

/** Account for `executed` retired instructions: instret and mtime. */
export function timerRetire(h: u32, executed: u32): void {
  store<u64>(h + H_INSTRET, load<u64>(h + H_INSTRET) + executed);
  const per = load<u32>(h + H_TICK_INSNS) as u64;
  const sub = (load<u32>(h + H_SUBTICK) as u64) + (executed as u64);
  store<u64>(h + H_MTIME, load<u64>(h + H_MTIME) + sub / per);
  store<u32>(h + H_SUBTICK, (sub % per) as u32);
}

/** mtime as the hart sees it after `executed` more instructions in the current batch. */
export function timerNow(h: u32, executed: u32): u64 {
  const per = load<u32>(h + H_TICK_INSNS) as u64;
  return load<u64>(h + H_MTIME) + ((load<u32>(h + H_SUBTICK) as u64) + (executed as u64)) / per;
}

/** Arm the timer: fire when mtime >= (hi:lo). */
export function timerArm(hart: u32, lo: u32, hi: u32): void {
  store<u64>(hartBase(hart) + H_MTIMECMP, ((hi as u64) << 32) | (lo as u64));
}

export function timerDisarm(hart: u32): void {
  store<u64>(hartBase(hart) + H_MTIMECMP, TIMER_DISARMED);
}

/** Advance mtime by ticks (a sleeping hart's time passes without instructions). */
export function timerAdvance(hart: u32, lo: u32, hi: u32): void {
  const h = hartBase(hart);
  store<u64>(h + H_MTIME, load<u64>(h + H_MTIME) + (((hi as u64) << 32) | (lo as u64)));
}

/**
 * The host's clock for the hart: mtime becomes max(mtime, hi:lo), never earlier. A sleeper whose deadline
 * is now past wakes at the hart's next pick or timer interrupt; a timer already due fires at the next run.
 * Called between the hart's dispatch() calls, on the thread that drives it (run() keeps mtime in locals).
 */
export function hartSetTime(hart: u32, lo: u32, hi: u32): void {
  const h = hartBase(hart);
  const t = ((hi as u64) << 32) | (lo as u64);
  if (load<u64>(h + H_MTIME) < t) store<u64>(h + H_MTIME, t);
}

/** The machine's present virtual time: the latest mtime of its harts (a woken sleeper's time left counts from it). */
export function machineNow(): u64 {
  const harts = load<u32>(MACHINE_BASE + M_HARTS);
  let now: u64 = 0;
  for (let i: u32 = 0; i < harts; i++) {
    const t = atomic.load<u64>(hartBase(i) + H_MTIME);
    if (t > now) now = t;
  }
  return now;
}
