// Starting a hart's worker in Node: a worker_threads Worker running hart-worker.js (compiled beside this module,
// or under dist/ when the tests run the sources). The browser bundle takes hart-thread.browser.ts (a Web Worker).
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../base/index.js';
import type { HartWorkerData, HartWorkerMessage } from './hart-loop.js';

/** A running hart worker, as the machine's thread sees it. */
export interface HartThread {
  /** Every message the worker sends (kernel log lines). */
  onMessage(fn: (m: HartWorkerMessage) => void): void;
  /** Once, if the worker fails (an uncaught error). */
  onceError(fn: (err: Error) => void): void;
  /** Once, when the worker has ended: 0 when it ran to its end. */
  onceExit(fn: (code: number) => void): void;
  terminate(): Promise<unknown>;
}

/** The compiled worker: next to this module when built, else under dist/ (tests run the sources). */
export function workerPath(): string {
  for (const rel of ['./hart-worker.js', '../../dist/src/machine/hart-worker.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new InputError('dist/src/machine/hart-worker.js is missing: run `npm run build`');
}

export function startHartThread(data: HartWorkerData): HartThread {
  const w = new Worker(workerPath(), { workerData: data });
  return {
    onMessage: (fn) => { w.on('message', fn); },
    onceError: (fn) => { w.once('error', fn); },
    onceExit: (fn) => { w.once('exit', fn); },
    terminate: () => w.terminate(),
  };
}
