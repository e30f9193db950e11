// A hart's worker thread in threaded mode, in Node (worker_threads): runs hart-loop.ts over the data it was
// started with; guest output it serves itself goes straight to fds 1 and 2, kernel log lines to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { stdio } from './stdio.js';
import { hostMonotonicNs } from './host-clock.js';
import { runHartWorker, type HartWorkerData } from './hart-loop.js';

await runHartWorker(workerData as HartWorkerData, {
  post: (m) => parentPort!.postMessage(m),
  io: stdio,
  monotonic_ns: hostMonotonicNs,
});
