// A worker thread that runs one hart: its own kernel instance over the node's shared memory, stepping the
// given hart in batches until it traps. Used to show harts on different threads share memory atomically.
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate } from '@assemblyscript/loader';

const { module, memory, hart, budget, barrier } = workerData;
// The kernel imports the translator's entry (jitEnter); these harts run with it off, so it is never called.
const jitEnter = () => { throw new Error('the translator was entered with H_JIT off'); };
const { exports } = await instantiate(module, { env: { memory, jitEnter } });
// Start together: count in at barrier[0], wait until the main thread sets barrier[1].
const flags = new Int32Array(memory.buffer, barrier, 2);
Atomics.add(flags, 0, 1);
Atomics.notify(flags, 0);
while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 1000);
let reason;
let batches = 0;
do {
  reason = exports.run(hart, budget);
  batches++;
} while (reason === 0 && batches < 100_000);
parentPort.postMessage({ hart, reason, batches });
