// Host-kept time (kernelSetHostTime, hartSetTime, kernelNextDeadline): with it on, an idle machine never
// moves its clock to a sleeper's deadline; the host moves every hart's mtime, and the sleeper wakes only
// once the host's clock has passed its deadline. Off, the tickless idle jumps there as it always has.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import { procResult } from '../../src/machine/process.js';
import { fixture } from '../kernel/helpers.js';

const SLEEP_TICKS = 100_000n; // 10 ms at the default 10 MHz timebase
const NONE = 0xffff_ffff_ffff_ffffn;

async function sleeper(): Promise<System> {
  const sys = await System.create({ ram_bytes: 16 << 20 });
  sys.spawn(parseElf(new Uint8Array(readFileSync(fixture('cluster')))), { argv: ['cluster', 'sleep'], name: 'cluster' });
  return sys;
}

function runOut(sys: System): string {
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 50_000_000);
  expect(r.limited).toBe(false);
  return out;
}

describe('host-kept time', () => {
  it('a sleep ends only when the host moves mtime past its deadline; kernelNextDeadline reports it', async () => {
    const sys = await sleeper();
    const k = sys.machine.kernel;
    k.kernelSetHostTime(1);
    expect(BigInt.asUintN(64, k.kernelNextDeadline())).toBe(NONE);
    const STEP = 1_000n;
    let clock = 0n;
    let deadline = NONE;
    let liveAfterDeadline = 0;
    const deadlines = new Set<bigint>();
    sys.hostcalls.onSlice(() => {
      const d = BigInt.asUintN(64, k.kernelNextDeadline());
      if (d !== NONE) { deadlines.add(d); deadline = d; }
      // The process never ends before the host's clock reaches the deadline.
      if (deadline !== NONE && clock < deadline) expect(procResult(sys.machine, 0)).toBeNull();
      if (deadline !== NONE && clock >= deadline + 4n * STEP && procResult(sys.machine, 0) === null) liveAfterDeadline++;
      clock += STEP;
      k.hartSetTime(0, Number(clock & 0xffff_ffffn), Number(clock >> 32n));
    });
    const out = runOut(sys);
    expect(out).toMatch(/^slept 0, at \d+ ns\n$/);
    expect(deadlines.size).toBe(1);
    expect(deadline).toBeGreaterThan(SLEEP_TICKS);
    expect(deadline).toBeLessThan(SLEEP_TICKS + 3n * STEP); // the call came in the first slices
    expect(clock).toBeGreaterThanOrEqual(deadline); // the host had to move time this far
    expect(liveAfterDeadline).toBe(0); // and once it had, the sleeper woke at once
    const ns = BigInt(/at (\d+) ns/.exec(out)![1]!);
    expect(ns).toBeGreaterThanOrEqual(deadline * 100n); // 100 ns per tick
    expect(BigInt.asUintN(64, k.kernelNextDeadline())).toBe(NONE);
  });

  it('hartSetTime never moves a hart\'s clock backwards', async () => {
    const sys = await sleeper();
    const k = sys.machine.kernel;
    k.hartSetTime(0, 5000, 0);
    expect(sys.machine.mtime(0)).toBe(5000n);
    k.hartSetTime(0, 10, 0);
    expect(sys.machine.mtime(0)).toBe(5000n);
    k.hartSetTime(0, 0, 1);
    expect(sys.machine.mtime(0)).toBe(1n << 32n);
  });

  it('off (the default), the idle machine jumps straight to the deadline', async () => {
    const sys = await sleeper();
    let slices = 0;
    sys.hostcalls.onSlice(() => { slices++; });
    const out = runOut(sys);
    expect(out).toMatch(/^slept 0, at \d+ ns\n$/);
    expect(sys.machine.mtime(0)).toBeGreaterThan(SLEEP_TICKS);
    expect(slices).toBeLessThan(20); // no slice per thousand ticks: the time jumped
  });
});
