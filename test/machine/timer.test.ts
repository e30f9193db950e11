// The timer: mtime advances with retired instructions at the configured clock rate, and the hart stops at
// an instruction boundary with a timer interrupt exactly when mtime reaches mtimecmp.
import { describe, it, expect } from 'vitest';
import { A } from './helpers/asm.js';
import { paged, CODE_VA } from './helpers/machine.js';
import { CAUSE, EXIT_TIMER, EXIT_BUDGET, hartBase, H_MTIMECMP } from '../../src/machine/layout.js';

// addi a0, a0, 1; jal x0, -4  (counts forever)
const LOOP = [A.addi(10, 10, 1), A.jal(0, -4)];

describe('timer', () => {
  it('fires after exactly (mtimecmp - mtime) x clock/timebase instructions', async () => {
    const m = await paged(LOOP, { clock_hz: 50_000_000, timebase_hz: 1_000_000 }); // 50 instructions per tick
    m.machine.kernel.timerArm(0, 20, 0);
    expect(m.machine.kernel.run(0, 1_000_000)).toBe(EXIT_TIMER);
    expect(m.machine.cause(0)).toBe(CAUSE.TIMER_IRQ);
    expect(m.machine.stats(0).instructions).toBe(1000n);
    expect(m.machine.mtime(0)).toBe(20n);
    expect(m.machine.reg(0, 10)).toBe(500); // stopped on an instruction boundary: 500 addi and 500 jal
    expect(m.machine.pc(0)).toBe(CODE_VA);
    expect(m.machine.stats(0).timer_interrupts).toBe(1n);
  });

  it('counts the deadline across batches and stays pending until re-armed', async () => {
    const m = await paged(LOOP); // default 100 MHz / 10 MHz: 10 instructions per tick
    m.machine.kernel.timerArm(0, 100, 0);
    expect(m.machine.kernel.run(0, 333)).toBe(EXIT_BUDGET);
    expect(m.machine.kernel.run(0, 333)).toBe(EXIT_BUDGET);
    expect(m.machine.kernel.run(0, 1_000_000)).toBe(EXIT_TIMER);
    expect(m.machine.stats(0).instructions).toBe(1000n);
    expect(m.machine.kernel.run(0, 1_000_000)).toBe(EXIT_TIMER); // still pending: nothing retired
    expect(m.machine.stats(0).instructions).toBe(1000n);
    m.machine.kernel.timerArm(0, 105, 0);
    expect(m.machine.kernel.run(0, 1_000_000)).toBe(EXIT_TIMER);
    expect(m.machine.stats(0).instructions).toBe(1050n);
  });

  it('a disarmed timer never fires and the time CSR follows retired instructions', async () => {
    const m = await paged([...Array(95).fill(A.addi(0, 0, 0)), A.csrrs(10, 0xc01, 0), A.ecall()]);
    m.machine.kernel.timerDisarm(0);
    expect(m.machine.kernel.run(0, 1000)).toBe(1);
    expect(m.machine.reg(0, 10)).toBe(9); // 95 instructions retired before the read, 10 per tick
  });
});

describe('the kernel dispatcher', () => {
  it('serves timer interrupts itself, re-arming one quantum ahead, and returns only at the budget or a trap', async () => {
    const m = await paged(LOOP); // 10 instructions per tick
    const k = m.machine.kernel;
    k.hartSetQuantum(0, 100); // an interrupt every 1000 instructions
    k.timerArm(0, 100, 0);
    expect(k.dispatch(0, 10_500)).toBe(EXIT_BUDGET);
    expect(m.machine.stats(0).instructions).toBe(10_500n);
    expect(m.machine.stats(0).timer_interrupts).toBe(10n);
    expect(m.machine.view.getBigUint64(hartBase(0) + H_MTIMECMP, true)).toBe(1100n);
  });

  it('with no quantum set, hands the timer interrupt to the host', async () => {
    const m = await paged(LOOP);
    m.machine.kernel.timerArm(0, 100, 0);
    expect(m.machine.kernel.dispatch(0, 10_000)).toBe(EXIT_TIMER);
    expect(m.machine.stats(0).instructions).toBe(1000n);
  });
});
