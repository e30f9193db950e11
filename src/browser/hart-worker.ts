// The browser's hart worker (bundled as dist/browser/hart-worker.js): a module Web Worker that takes its hart's
// data in its first message (the kernel's compiled module and the machine's shared memory among it), drives the
// hart with the machine's own loop (runHartWorker: Atomics.wait is allowed here, off the page's thread), and
// says 'exit' when the machine's processes have ended, or 'error' with what went wrong.
import { hostMonotonicNs, runHartWorker, stdio, useKernelModule, type HartWorkerData } from '../machine/index.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<HartWorkerData>) => void) | null;
  postMessage(m: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (e) => {
  scope.onmessage = null;
  const d = e.data;
  useKernelModule(d.module);
  runHartWorker(d, { post: (m) => scope.postMessage(m), io: stdio, monotonic_ns: hostMonotonicNs }).then(
    () => scope.postMessage({ kind: 'exit' }),
    (err: unknown) => scope.postMessage({ kind: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }),
  );
};
