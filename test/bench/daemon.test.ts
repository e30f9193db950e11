// The daemon suite: the emulated node's daemon-process path (two processes over the kernel's IPC) against
// the direct call, with the 3σ+2c model computed from σ and c of the same run, the syscall and
// context-switch suites' figures reused when they ran first; the host's comparison when the addon is built.
import { describe, expect, it } from 'vitest';
import { runBench } from '../../bench/index.js';
import { loadNative } from '../../src/native/index.js';

describe('daemon suite', () => {
  it('reports the emulated process daemon beside 3σ+2c from the emulator\'s own σ and c of this run', async () => {
    const run = await runBench({ only: ['syscall', 'context-switch', 'daemon'], quick: true, progress: () => {} });
    expect(run.suites.map((s) => s.status)).toEqual(['ran', 'ran', 'ran']);
    const by = (suite: string, name: string) => run.results.find((r) => r.suite === suite && r.case === name);
    const sigma = by('syscall', 'emulated ecall round trip (kernel-served getpid)')!;
    const ring = by('context-switch', 'emulated kernel switch (yield ring of 2 processes, one hart)')!;
    const model = by('daemon', 'emulated process daemon model 3σ+2c')!;
    const measured = by('daemon', 'emulated process daemon minus direct (measured)')!;
    // The model is built from the earlier suites' figures, not from new measurements.
    expect(model.extra?.['sigma_ns']).toBe(sigma.median);
    expect(model.extra?.['c_ns']).toBeCloseTo(ring.median! - sigma.median!, 9);
    expect(model.median).toBeCloseTo(3 * sigma.median! + 2 * (ring.median! - sigma.median!), 6);
    expect(measured.baseline_case).toBe('daemon/emulated process daemon model 3σ+2c');
    expect(measured.ratio).toBeCloseTo(measured.median! / model.median!, 9);
    // Two switches happen per request through the daemon process, none for the direct call.
    expect(by('daemon', 'emulated through a daemon process (kernel IPC)')!.extra?.['context_switches_per_request']).toBeCloseTo(2, 1);
    expect(measured.median).toBeGreaterThan(0);
    if (loadNative().ok) {
      const nativeModel = by('daemon', 'native process daemon model 3σ+2c')!;
      expect(nativeModel.extra?.['sigma_ns']).toBe(by('syscall', 'native null syscall (getppid)')!.median);
      expect(nativeModel.extra?.['c_ns']).toBe(by('context-switch', 'native pipe ring of 2 processes, one CPU')!.median);
      expect(by('daemon', 'native process daemon minus direct (measured)')!.baseline_case).toBe('daemon/native process daemon model 3σ+2c');
    }
  }, 120_000);
});
