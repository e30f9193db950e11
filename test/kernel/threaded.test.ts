// Threaded mode (needs `npm run build`: the hart workers run dist/src/machine/hart-worker.js): harts on their
// own worker threads share the kernel's tables under its spinlocks. Run after run the guests compute the
// right results and the tables come back intact: every frame free, no thread left, empty run queues,
// every lock released.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runGuests, fixture } from './helpers.js';
import {
  KS, KS_LIVE_PROCS, KS_LIVE_THREADS, LOCK_SCHED, LOCK_PROC, LOCK_FRAME, THREADS_MAX, PROCS_MAX, PROC_BASE, PROC_BYTES, P, PROC_STATE,
} from '../../src/machine/layout.js';

const KS_RUNNABLE = 44, KS_SLEEPERS = 32;
const ATOLL = join(import.meta.dirname, '../../bin/atoll.js');

describe('harts on worker threads', () => {
  it('many threaded runs on 2 harts leave the kernel structures intact', async () => {
    for (let run = 0; run < 6; run++) {
      const r = await runGuests([['counter', '3', '4000'], ['shootdown'], ['hog', '2', 'shrink'], ['faults', 'load']], { harts: 2, threaded: true });
      expect(r.results[0]).toEqual({ kind: 'exit', code: 0 });
      expect(r.results[1]).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', fault: 'store page fault' });
      expect(r.results[2]).toEqual({ kind: 'exit', code: 0 });
      expect(r.results[3]).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', address: 0x10 });
      const machine = r.sys.machine;
      expect(machine.kernel.framesUsed()).toBe(0);
      expect([KS_LIVE_PROCS, KS_LIVE_THREADS, KS_RUNNABLE, KS_SLEEPERS].map((f) => machine.u32(KS + f))).toEqual([0, 0, 0, 0]);
      for (let t = 0; t < THREADS_MAX; t++) expect(machine.kernel.threadState(t)).toBe(0);
      for (let p = 0; p < PROCS_MAX; p++) expect([PROC_STATE.FREE, PROC_STATE.DEAD]).toContain(machine.u32(PROC_BASE + p * PROC_BYTES + P.STATE));
      for (const l of [LOCK_SCHED, LOCK_PROC, LOCK_FRAME]) expect(machine.u32(l)).toBe(0); // TTAS word: released
      expect(r.stats.locks.sched.acquisitions).toBeGreaterThan(0);
      expect(r.stats.harts.every((h) => h.instructions > 0)).toBe(true);
    }
  }, 60_000);

  it.each(['tas', 'ticket'] as const)('with %s kernel locks the threaded tables stay intact too', async (kernel_lock) => {
    const r = await runGuests([['counter', '3', '4000'], ['hog', '2', 'shrink']], { harts: 2, threaded: true, kernel_lock });
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
    expect(r.sys.machine.kernel.framesUsed()).toBe(0);
    expect(r.stats.locks.frame.acquisitions).toBeGreaterThan(1000);
    const word = r.sys.machine.u32(LOCK_SCHED), owner = r.sys.machine.u32(LOCK_SCHED + 4);
    expect(kernel_lock === 'ticket' ? word === owner : word === 0).toBe(true); // released
  }, 30_000);

  it('atoll run --harts 2 --threaded gives the counter its exact total run after run', () => {
    for (let i = 0; i < 4; i++) {
      const out = execFileSync('node', [ATOLL, 'run', '--harts', '2', '--threaded', fixture('counter'), '4', '20000'], { encoding: 'utf8' });
      expect(out).toBe('counter 80000 of 80000\n');
    }
  }, 60_000);

  it('futex wait/wake, timeouts and join give the same output threaded as deterministic', () => {
    const det = execFileSync('node', [ATOLL, 'run', '--harts', '2', fixture('futex')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (let i = 0; i < 3; i++) {
      const thr = execFileSync('node', [ATOLL, 'run', '--harts', '2', '--threaded', fixture('futex')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(thr).toBe(det);
    }
  }, 60_000);
});
