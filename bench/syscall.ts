// System-call cost, in nanoseconds per call. The native null call σ (syscall(SYS_getppid), lmbench
// lat_syscall) is the baseline; beside it clock_gettime through the vDSO and the cost of one call from
// JavaScript into the kernel's Wasm (what a host call pays to enter the emulator). The emulated ecall
// round trip waits for the kernel's processes.
import { loadNative } from '../src/native/index.js';
import { runInThread } from './lib/benny-cases.js';
import { exportedFunction, instantiateKernel, loadKernelModule } from './lib/kernel-wasm.js';
import { collect, figure, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

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
  // TODO(emulated syscall): measure an ecall round trip (guest ecall -> kernel -> sret) once the kernel runs
  // user processes; until then this figure is reported as not yet available, never estimated.
  results.push(unavailable({
    suite: SUITE, case: 'emulated ecall round trip', unit: 'ns',
    note: 'not yet available: the kernel does not run user processes yet',
  }));
  return results;
}
