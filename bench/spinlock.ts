// Spinlock cost, in nanoseconds per acquire + one increment + release, for the kernel's Wasm locks
// (build/kernel.wasm), the same locks written with JavaScript Atomics, and the native C++ locks (the
// baseline of each ratio). Uncontended: one thread. Contended: two worker threads (two native threads,
// pinned to two CPUs where allowed) hammering one lock; the figure is elapsed time / all acquisitions,
// and extra.handoff_share the share of acquisitions that took the lock from the other thread (fairness).
import { loadNative } from '../src/native/index.js';
import type { NativeAddon } from '../src/native/index.js';
import { runInThread } from './lib/benny-cases.js';
import { loadKernelModule, instantiateKernel, exportedFunction, exportedConstant } from './lib/kernel-wasm.js';
import { runLockWorkers, type LockEngine } from './lib/lock-workers.js';
import { collect, figure, median, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { runWhenInvoked } from './lib/direct.js';

const SUITE = 'spinlock';
const KINDS = ['tas', 'ttas', 'ticket'] as const;
type Kind = (typeof KINDS)[number];
const OPS_PER_CALL = 1000;

interface Sizes { readonly samples: number; readonly contendedIterations: number; readonly nativeIterations: number }
const FULL: Sizes = { samples: 7, contendedIterations: 500_000, nativeIterations: 2_000_000 };
const QUICK: Sizes = { samples: 3, contendedIterations: 20_000, nativeIterations: 50_000 };
/** Below this median overlap the threads mostly ran one after the other (a busy machine): say so. */
const OVERLAP_NOTE_BELOW = 0.8;

function overlapNote(overlaps: readonly number[]): { note?: string; overlap: number } {
  const overlap = median(overlaps);
  return overlap < OVERLAP_NOTE_BELOW
    ? { overlap, note: `threads overlapped for only ${(overlap * 100).toFixed(0)}% of the run: contention understated` }
    : { overlap };
}

async function nativeFigures(addon: NativeAddon, sz: Sizes, ctx: SuiteContext): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const kind of KINDS) {
    for (const threads of [1, 2] as const) {
      const name = `native ${kind} ${threads === 1 ? 'uncontended' : 'contended, 2 threads'}`;
      ctx.progress(`  ${SUITE}: ${name}`);
      let spins = 0, acq = 0, handoffs = 0, pinned = true, exact = true;
      const overlaps: number[] = [];
      const values = await collect(sz.samples, 1, () => {
        const r = addon.spinlock(kind, threads, sz.nativeIterations);
        spins += r.spins; acq += r.acquisitions; handoffs += r.handoffs;
        pinned &&= r.pinned || threads === 1; exact &&= r.count_ok;
        overlaps.push(r.overlap);
        return r.ns;
      });
      const o = threads === 2 ? overlapNote(overlaps) : undefined;
      out.push(figure({
        suite: SUITE, case: name, unit: 'ns',
        ...(o?.note !== undefined ? { note: o.note } : {}),
        extra: {
          spins_per_acquisition: spins / acq, counter_exact: exact,
          ...(o ? { pinned, overlap: o.overlap, handoff_share: handoffs / acq } : {}),
        },
      }, values));
    }
  }
  return out;
}

async function contended(engine: LockEngine, kind: Kind, sz: Sizes, ctx: SuiteContext): Promise<BenchResult> {
  const label = engine === 'wasm' ? 'kernel wasm' : 'js atomics';
  const name = `${label} ${kind} contended, 2 workers`;
  ctx.progress(`  ${SUITE}: ${name}`);
  let spins = 0, acq = 0, handoffs = 0, exact = true, pinned = true;
  const overlaps: number[] = [];
  const values = await collect(sz.samples, 1, async () => {
    const r = await runLockWorkers({ engine, kind, workers: 2, iterations: sz.contendedIterations, pin: true });
    spins += r.spins; acq += r.acquisitions; handoffs += r.handoffs; exact &&= r.counter === r.expected;
    pinned &&= r.pinned;
    overlaps.push(r.overlap);
    return r.ns_per_acquire_release;
  });
  const o = overlapNote(overlaps);
  return figure({
    suite: SUITE, case: name, unit: 'ns',
    ...(o.note !== undefined ? { note: o.note } : {}),
    extra: {
      spins_per_acquisition: acq ? spins / acq : 0, counter_exact: exact, overlap: o.overlap,
      handoff_share: acq ? handoffs / acq : 0, pinned,
    },
  }, values);
}

/** The JS Atomics locks in this thread, the same algorithms as the workers run. */
function jsLockLoop(kind: Kind): () => void {
  const a = new Int32Array(new SharedArrayBuffer(64));
  const W = 0, O = 1, C = 8;
  const acquire = kind === 'tas'
    ? (): void => { while (Atomics.exchange(a, W, 1) !== 0); }
    : kind === 'ttas'
      ? (): void => { for (;;) { while (Atomics.load(a, W) !== 0); if (Atomics.exchange(a, W, 1) === 0) return; } }
      : (): void => { const t = Atomics.add(a, W, 1); while (Atomics.load(a, O) !== t); };
  const release = kind === 'ticket' ? (): void => { Atomics.store(a, O, a[O]! + 1); } : (): void => { Atomics.store(a, W, 0); };
  return () => {
    for (let i = 0; i < OPS_PER_CALL; i++) { acquire(); a[C] = a[C]! + 1; release(); }
  };
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const sz = ctx.quick ? QUICK : FULL;
  const native = loadNative();
  const results: BenchResult[] = [];
  // Short on every figure; the reason itself is on the 'native locks' line and in the run's header.
  const nativeMissing = native.ok ? undefined : 'native baseline missing';
  const nativeResults = native.ok ? await nativeFigures(native.addon, sz, ctx) : [];
  const nativeOf = (kind: Kind, contended: boolean): BenchResult | undefined =>
    nativeResults.find((r) => r.case === `native ${kind} ${contended ? 'contended, 2 threads' : 'uncontended'}`);

  const kernel = loadKernelModule();
  const inThread = [];
  if (kernel.ok) {
    const k = instantiateKernel(kernel.module, kernel.memory);
    const lockLoop = exportedFunction(k.exports, 'lockLoop');
    const base = exportedFunction(k.exports, 'spinlockScratchBase')();
    for (const kind of KINDS) {
      const code = exportedConstant(k.exports, `LOCK_${kind.toUpperCase()}`);
      const lock = base + 256 * (code + 1);
      exportedFunction(k.exports, 'spinlockInit')(lock);
      inThread.push({ case: `kernel wasm ${kind} uncontended`, fn: () => lockLoop(code, lock, lock + 64, OPS_PER_CALL), opsPerCall: OPS_PER_CALL });
    }
  }
  for (const kind of KINDS) {
    inThread.push({ case: `js atomics ${kind} uncontended`, fn: jsLockLoop(kind), opsPerCall: OPS_PER_CALL });
  }
  ctx.progress(`  ${SUITE}: uncontended locks in this thread (benny)`);
  for (const r of await runInThread(ctx, SUITE, inThread)) {
    const kind = KINDS.find((k) => r.case.includes(` ${k} `))!;
    results.push(withBaseline(r, nativeOf(kind, false), nativeMissing));
  }
  if (!kernel.ok) {
    for (const kind of KINDS) {
      results.push(unavailable({ suite: SUITE, case: `kernel wasm ${kind}`, unit: 'ns', note: kernel.reason }));
    }
  }
  for (const engine of (kernel.ok ? ['wasm', 'js'] : ['js']) as LockEngine[]) {
    for (const kind of KINDS) {
      results.push(withBaseline(await contended(engine, kind, sz, ctx), nativeOf(kind, true), nativeMissing));
    }
  }
  if (!native.ok) {
    results.push(unavailable({ suite: SUITE, case: 'native locks', unit: 'ns', note: `native baseline missing: ${native.reason}` }));
  }
  return [...results, ...nativeResults];
}

runWhenInvoked(import.meta.url, "The spinlock suite: the kernel's Wasm locks and JS Atomics locks, uncontended and contended by 2 workers, against the native C++ locks.");
