// System-call cost, in nanoseconds per call. The native null call σ (syscall(SYS_getppid), lmbench
// lat_syscall) is the baseline; beside it clock_gettime through the vDSO and the cost of one call from
// JavaScript into the kernel's Wasm (what a host call pays to enter the emulator). The emulated ecall
// round trip: getpid served inside the kernel, and clock_gettime64 handed to the host, each per call beyond
// the guest's own loop (bench/guest/kbench.elf), against the native σ.
import { loadNative } from '../src/native/index.js';
import { runInThread } from './lib/benny-cases.js';
import { exportedFunction, instantiateKernel, loadKernelModule } from './lib/kernel-wasm.js';
import { collect, figure, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { perOp } from './lib/emulated.js';
import { runWhenInvoked } from './lib/direct.js';

const SUITE = 'syscall';
const CALLS_PER_JS_SAMPLE = 1000;

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const samples = ctx.quick ? 3 : 9;
  const iterations = ctx.quick ? 20_000 : 300_000;
  const native = loadNative();
  const results: BenchResult[] = [];
  let sigma: BenchResult | undefined;
  if (native.ok) {
    ctx.progress(`  ${SUITE}: native null call (getppid)`);
    let overhead = 0;
    const v = await collect(samples, 1, () => { const r = native.addon.nullSyscall(iterations); overhead = r.overhead_ns; return r.ns; });
    sigma = figure({ suite: SUITE, case: 'native null syscall (getppid)', unit: 'ns', extra: { loop_overhead_ns: overhead } }, v);
    ctx.progress(`  ${SUITE}: native clock_gettime`);
    const c = await collect(samples, 1, () => native.addon.clockGettime(iterations).ns);
    results.push(sigma, withBaseline(figure({ suite: SUITE, case: 'native clock_gettime (vDSO)', unit: 'ns' }, c), sigma));
  } else {
    results.push(unavailable({ suite: SUITE, case: 'native null syscall (getppid)', unit: 'ns', note: `native baseline missing: ${native.reason}` }));
  }
  const kernel = loadKernelModule();
  if (kernel.ok) {
    const k = instantiateKernel(kernel.module, kernel.memory);
    // A trivial export of the spinlock module (which this suite owns): the call's cost alone.
    const call = exportedFunction(k.exports, 'spinlockScratchBase');
    const [r] = await runInThread(ctx, SUITE, [{
      case: 'js to wasm call (trivial kernel export)',
      fn: () => { for (let i = 0; i < CALLS_PER_JS_SAMPLE; i++) call(); },
      opsPerCall: CALLS_PER_JS_SAMPLE,
    }]);
    results.push(withBaseline(r!, sigma, native.ok ? undefined : 'native baseline missing'));
  } else {
    results.push(unavailable({ suite: SUITE, case: 'js to wasm call (trivial kernel export)', unit: 'ns', note: kernel.reason }));
  }
  results.push(...await emulatedFigures(ctx, samples, sigma));
  return results;
}

/** The emulated ecall round trip: served in the kernel (getpid) and through the host (clock_gettime64). */
export async function emulatedFigures(ctx: SuiteContext, samples: number, sigma: BenchResult | undefined): Promise<BenchResult[]> {
  const count = ctx.quick ? 100_000 : 1_000_000;
  const out: BenchResult[] = [];
  for (const [mode, name] of [['getpid', 'emulated ecall round trip (kernel-served getpid)'], ['clock', 'emulated ecall round trip via the host (clock_gettime64)']] as const) {
    ctx.progress(`  ${SUITE}: ${name}`);
    let instr = 0;
    const v = await collect(samples, 0, async () => { const r = await perOp(mode, count, 3); instr = r.guest_instructions; return r.ns; });
    out.push(withBaseline(figure({ suite: SUITE, case: name, unit: 'ns', extra: { guest_instructions_per_call: instr } }, v), sigma));
  }
  return out;
}

runWhenInvoked(import.meta.url, 'The syscall suite: the native null call (getppid), clock_gettime, a JS-to-Wasm call and the emulated ecall round trips.');
