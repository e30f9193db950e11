// Runs a lock loop on 1..MAX_WORKERS worker threads at once over one shared memory, either the kernel's
// Wasm lockLoop (build/kernel.wasm, locks in the layout's scratch region) or the same three locks written
// with JavaScript Atomics. Workers start together behind a barrier; each times its own loop, and the run's
// elapsed time is from the first start to the last end. The result carries the shared counter so callers
// can check mutual exclusion (counter == workers * iterations). With `pin`, each worker pins itself to
// its own CPU through the native addon, as the native contended locks do.
import { Worker } from 'node:worker_threads';
import { loadNative } from '../../src/native/index.js';
import {
  loadKernelModule, instantiateKernel, exportedFunction, exportedConstant,
} from './kernel-wasm.js';

export type LockKindName = 'tas' | 'ttas' | 'ticket' | 'none';
export type LockEngine = 'wasm' | 'js';

export const LOCK_KIND_NAMES: readonly LockKindName[] = ['tas', 'ttas', 'ticket', 'none'];
export const MAX_WORKERS = 8;
export const MAX_ITERATIONS = 50_000_000;
const READY_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 120_000;

export interface LockRunOptions {
  readonly engine: LockEngine;
  readonly kind: LockKindName;
  readonly workers: number;
  readonly iterations: number;
  /** Pin worker i to the i-th allowed CPU through the native addon (when it loads; else unpinned). */
  readonly pin?: boolean;
}

export interface LockRun extends LockRunOptions {
  readonly counter: number;
  readonly expected: number;
  /** Acquisitions that followed another worker's (the lock was handed over rather than retaken). */
  readonly handoffs: number;
  readonly acquisitions: number;
  readonly spins: number;
  readonly elapsed_ns: number;
  /** elapsed_ns / (workers * iterations) */
  readonly ns_per_acquire_release: number;
  /** Share of the run during which all workers were inside their loops (1 = contended throughout). */
  readonly overlap: number;
  /** Every worker was pinned to its own CPU. */
  readonly pinned: boolean;
}

// Control words (Int32 indexes): 0 = workers ready, 1 = go.
const CTL_READY = 0;
const CTL_GO = 1;

// JS lock layout, Int32 indexes in their own SharedArrayBuffer (the same fields as the kernel's struct).
const JS_WORD = 0, JS_OWNER = 1, JS_ACQ = 2, JS_SPINS = 3, JS_COUNTER = 16, JS_CALLERS = 17, JS_HOLDER = 18, JS_HANDOFFS = 19;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const d = workerData;
const ctl = new Int32Array(d.control);
function asString(ptr) {
  const b = new Uint8Array(d.memory.buffer);
  if (ptr < 4 || ptr >= b.length) return '';
  const len = Math.min(new DataView(d.memory.buffer).getUint32(ptr - 4, true), 4096);
  let s = '';
  for (let i = 0; i + 1 < len && ptr + i + 1 < b.length; i += 2) s += String.fromCharCode(b[ptr + i] | (b[ptr + i + 1] << 8));
  return s;
}
function body() {
  if (d.engine === 'wasm') {
    const imports = {};
    for (const imp of WebAssembly.Module.imports(d.module)) {
      imports[imp.module] = imports[imp.module] || {};
      if (imp.kind === 'memory') imports[imp.module][imp.name] = d.memory;
      else if (imp.name === 'abort') imports[imp.module][imp.name] = (m) => { throw new Error('kernel abort: ' + asString(m)); };
      else imports[imp.module][imp.name] = () => { throw new Error('kernel called ' + imp.module + '.' + imp.name); };
    }
    const ex = new WebAssembly.Instance(d.module, imports).exports;
    return () => ex.lockLoop(d.kindCode, d.lockAddr, d.counterAddr, d.iterations);
  }
  const a = new Int32Array(d.jsBuffer);
  const W = ${JS_WORD}, O = ${JS_OWNER}, ACQ = ${JS_ACQ}, SP = ${JS_SPINS}, C = ${JS_COUNTER};
  const CALLERS = ${JS_CALLERS}, HOLDER = ${JS_HOLDER}, HANDOFFS = ${JS_HANDOFFS};
  function acquire(kind) {
    let s = 0;
    if (kind === 'tas') { while (Atomics.exchange(a, W, 1) !== 0) s++; }
    else if (kind === 'ttas') {
      for (;;) { while (Atomics.load(a, W) !== 0) s++; if (Atomics.exchange(a, W, 1) === 0) break; s++; }
    } else if (kind === 'ticket') {
      const t = Atomics.add(a, W, 1);
      while (Atomics.load(a, O) !== t) s++;
    } else return;
    a[ACQ] = a[ACQ] + 1; a[SP] = a[SP] + s;
  }
  function release(kind) {
    if (kind === 'tas' || kind === 'ttas') Atomics.store(a, W, 0);
    else if (kind === 'ticket') Atomics.store(a, O, a[O] + 1);
  }
  const kind = d.kind, n = d.iterations;
  const self = Atomics.add(a, CALLERS, 1) + 1;
  return () => {
    for (let i = 0; i < n; i++) {
      acquire(kind);
      a[C] = a[C] + 1;
      if (a[HOLDER] !== self) { a[HANDOFFS] = a[HANDOFFS] + 1; a[HOLDER] = self; }
      release(kind);
      if (kind === 'none') Atomics.load(a, W);
    }
  };
}
let pinned = false;
if (d.addonPath) pinned = require(d.addonPath).pinThread(d.cpu) === true;
const run = body();
Atomics.add(ctl, ${CTL_READY}, 1);
Atomics.notify(ctl, ${CTL_READY});
while (Atomics.load(ctl, ${CTL_GO}) === 0) Atomics.wait(ctl, ${CTL_GO}, 0, 1000);
const t0 = process.hrtime.bigint();
run();
const t1 = process.hrtime.bigint();
parentPort.postMessage({ t0, t1, pinned });
`;

const KIND_CODES: Readonly<Record<LockKindName, number>> = { tas: 0, ttas: 1, ticket: 2, none: 3 };

interface Shared {
  readonly data: Record<string, unknown>;
  readOutcome(): { counter: number; acquisitions: number; spins: number; handoffs: number };
}

function prepareWasm(kind: LockKindName, iterations: number): Shared {
  const load = loadKernelModule();
  if (!load.ok) throw new Error(load.reason);
  const k = instantiateKernel(load.module, load.memory);
  const base = exportedFunction(k.exports, 'spinlockScratchBase')();
  const lockBytes = exportedConstant(k.exports, 'SPINLOCK_BYTES');
  const lockAddr = base;
  const counterAddr = base + Math.max(64, lockBytes); // its own cache line
  exportedFunction(k.exports, 'spinlockInit')(lockAddr);
  const view = new DataView(k.memory.buffer);
  for (let off = 0; off < 16; off += 4) view.setUint32(counterAddr + off, 0, true);
  const handoffsOff = exportedConstant(k.exports, 'LOOP_HANDOFFS');
  const acqOff = exportedConstant(k.exports, 'SPINLOCK_ACQUISITIONS');
  const spinsOff = exportedConstant(k.exports, 'SPINLOCK_SPINS');
  return {
    data: { engine: 'wasm', module: load.module, memory: k.memory, kindCode: KIND_CODES[kind], lockAddr, counterAddr, iterations },
    readOutcome: () => ({
      counter: view.getUint32(counterAddr, true),
      acquisitions: Number(view.getBigUint64(lockAddr + acqOff, true)),
      spins: Number(view.getBigUint64(lockAddr + spinsOff, true)),
      handoffs: view.getUint32(counterAddr + handoffsOff, true),
    }),
  };
}

function prepareJs(kind: LockKindName, iterations: number): Shared {
  const jsBuffer = new SharedArrayBuffer(32 * 4);
  const a = new Int32Array(jsBuffer);
  return {
    data: { engine: 'js', jsBuffer, kind, iterations },
    readOutcome: () => ({
      counter: a[JS_COUNTER]! >>> 0, acquisitions: a[JS_ACQ]! >>> 0, spins: a[JS_SPINS]! >>> 0, handoffs: a[JS_HANDOFFS]! >>> 0,
    }),
  };
}

function checkOptions(o: LockRunOptions): void {
  if (o.engine !== 'wasm' && o.engine !== 'js') throw new Error(`unknown lock engine '${String(o.engine)}'`);
  if (!LOCK_KIND_NAMES.includes(o.kind)) throw new Error(`unknown lock kind '${String(o.kind)}'`);
  if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS) {
    throw new Error(`workers must be an integer in 1..${MAX_WORKERS}`);
  }
  if (!Number.isInteger(o.iterations) || o.iterations < 1 || o.iterations > MAX_ITERATIONS) {
    throw new Error(`iterations must be an integer in 1..${MAX_ITERATIONS}`);
  }
}

/** One allowed CPU per worker, when the addon loads and there are enough CPUs; else null (unpinned). */
function pinPlan(workers: number): { addonPath: string; cpus: number[] } | null {
  const native = loadNative();
  if (!native.ok) return null;
  const cpus = native.addon.allowedCpus();
  return cpus.length >= workers ? { addonPath: native.path, cpus: cpus.slice(0, workers) } : null;
}

async function waitFor(cond: () => boolean, timeout_ms: number, what: string): Promise<void> {
  const step_ms = 2;
  for (let waited_ms = 0; !cond(); waited_ms += step_ms) {
    if (waited_ms >= timeout_ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, step_ms));
  }
}

export async function runLockWorkers(o: LockRunOptions): Promise<LockRun> {
  checkOptions(o);
  const shared = o.engine === 'wasm' ? prepareWasm(o.kind, o.iterations) : prepareJs(o.kind, o.iterations);
  const control = new SharedArrayBuffer(8);
  const ctl = new Int32Array(control);
  const times: { t0: bigint; t1: bigint; pinned: boolean }[] = [];
  const pinning = o.pin ? pinPlan(o.workers) : null;
  const workers: Worker[] = [];
  let failure: Error | undefined;
  const done = new Promise<void>((resolveAll) => {
    let finished = 0;
    const settle = (): void => { if (++finished === o.workers) resolveAll(); };
    for (let i = 0; i < o.workers; i++) {
      // The worker source is CommonJS: drop a parent's --input-type=module, which eval workers inherit.
      const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
      const pinData = pinning ? { addonPath: pinning.addonPath, cpu: pinning.cpus[i] } : {};
      const w = new Worker(WORKER_SOURCE, { eval: true, execArgv, workerData: { ...shared.data, ...pinData, control } });
      w.on('message', (m: { t0: bigint; t1: bigint; pinned: boolean }) => { times.push(m); });
      w.on('error', (err) => {
        failure ??= err;
        Atomics.store(ctl, CTL_GO, 1); // release the others; their results are discarded
        Atomics.notify(ctl, CTL_GO);
      });
      w.on('exit', settle);
      workers.push(w);
    }
  });
  try {
    await waitFor(() => Atomics.load(ctl, CTL_READY) === o.workers || failure !== undefined, READY_TIMEOUT_MS, 'lock workers to start');
    Atomics.store(ctl, CTL_GO, 1);
    Atomics.notify(ctl, CTL_GO);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`lock workers did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw new Error(`lock worker failed: ${failure.message}`);
  if (times.length !== o.workers) throw new Error(`only ${times.length} of ${o.workers} lock workers reported`);
  const t0 = times.reduce((m, t) => (t.t0 < m ? t.t0 : m), times[0]!.t0);
  const t1 = times.reduce((m, t) => (t.t1 > m ? t.t1 : m), times[0]!.t1);
  const elapsed_ns = Number(t1 - t0);
  const lastStart = times.reduce((m, t) => (t.t0 > m ? t.t0 : m), times[0]!.t0);
  const firstEnd = times.reduce((m, t) => (t.t1 < m ? t.t1 : m), times[0]!.t1);
  const overlap = elapsed_ns > 0 ? Math.max(0, Number(firstEnd - lastStart)) / elapsed_ns : 1;
  const out = shared.readOutcome();
  const total = o.workers * o.iterations;
  const pinned = times.every((t) => t.pinned);
  return { ...o, ...out, expected: total, elapsed_ns, ns_per_acquire_release: elapsed_ns / total, overlap, pinned };
}
