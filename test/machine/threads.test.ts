// Two harts of one node on two worker threads, each with its own kernel instance over the same shared
// memory and the same address space: AMOs and LR/SC loops on shared counters lose no update.
import { describe, it, expect } from 'vitest';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { A } from './helpers/asm.js';
import { paged, CODE_VA, DATA_VA } from './helpers/machine.js';
import { compileKernel } from '../../src/machine/index.js';
import { CAUSE, EXIT_TRAP, SCRATCH_BASE } from '../../src/machine/layout.js';

const t0 = 5, t1 = 6, t2 = 7, t3 = 28, t4 = 29, t5 = 30;
const ROUNDS = 1_000_000;

// for (t1 = ROUNDS; t1; t1--) { amoadd [t0] += 1; do { t4 = lr [t3]; t4++ } while (sc [t3] = t4 fails) }
const PROGRAM = [
  ...A.li(t0, DATA_VA), A.addi(t3, t0, 4), ...A.li(t1, ROUNDS), A.addi(t2, 0, 1),
  A.amo(0x00, 0, t0, t2), // loop: amoadd.w x0, t2, (t0)
  A.amo(0x02, t4, t3, 0), // retry: lr.w t4, (t3)
  A.addi(t4, t4, 1),
  A.amo(0x03, t5, t3, t4), // sc.w t5, t4, (t3)
  A.bne(t5, 0, -12), // bnez t5, retry
  A.addi(t1, t1, -1),
  A.bne(t1, 0, -24), // bnez t1, loop
  A.ecall(),
];

function runOnWorker(module: WebAssembly.Module, memory: WebAssembly.Memory, hart: number): Promise<{ hart: number; reason: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(import.meta.dirname, 'helpers/hart-worker.mjs'), { workerData: { module, memory, hart, budget: 1_000_000, barrier: SCRATCH_BASE } });
    w.once('message', (m) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  });
}

describe('harts on worker threads', () => {
  it('two harts incrementing shared counters with amoadd and lr/sc lose no update', async () => {
    const m = await paged(PROGRAM, { harts: 2 });
    const k = m.machine.kernel;
    k.hartSetSatp(1, m.satp);
    m.machine.setPc(1, CODE_VA);
    const module = await compileKernel();
    const flags = new Int32Array(m.machine.memory.buffer, SCRATCH_BASE, 2);
    const running = Promise.all([runOnWorker(module, m.machine.memory, 0), runOnWorker(module, m.machine.memory, 1)]);
    // A worker that fails before it counts in (a kernel it cannot instantiate) fails the test, not hangs it.
    let failed: unknown = null;
    running.catch((e: unknown) => { failed = e; });
    while (Atomics.load(flags, 0) < 2 && failed === null) await new Promise((r) => setTimeout(r, 1));
    if (failed !== null) throw failed;
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    const done = await running;
    for (const d of done) expect(d.reason).toBe(EXIT_TRAP);
    expect([m.machine.cause(0), m.machine.cause(1)]).toEqual([CAUSE.ECALL_U, CAUSE.ECALL_U]);
    expect(m.peek(DATA_VA)).toBe(2 * ROUNDS);
    expect(m.peek(DATA_VA + 4)).toBe(2 * ROUNDS);
  });
});
