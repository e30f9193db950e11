// Starting a hart's worker in a browser: a module Web Worker running the page's hart-worker.js bundle, which
// takes its data in its first message and says 'exit' (or 'error') when its loop ends. The browser bundle
// takes this file in place of hart-thread.ts.
import type { HartWorkerData, HartWorkerMessage } from './hart-loop.js';
import type { HartThread } from './hart-thread.js';

export type { HartThread };

/** The hart worker's bundle, relative to the page's origin (`atoll serve` serves dist/browser at /). */
export const HART_WORKER_URL = '/hart-worker.js';

/** What the browser's hart worker sends beyond HartWorkerMessage. */
type BrowserWorkerMessage = HartWorkerMessage | { readonly kind: 'exit' } | { readonly kind: 'error'; readonly message: string };

export function workerPath(): string {
  return HART_WORKER_URL;
}

export function startHartThread(data: HartWorkerData): HartThread {
  const w = new Worker(HART_WORKER_URL, { type: 'module', name: `hart ${data.hart}` });
  const messages: ((m: HartWorkerMessage) => void)[] = [];
  let errorFn: ((err: Error) => void) | null = null;
  let exitFn: ((code: number) => void) | null = null;
  let ended = false;
  const end = (code: number, err?: Error): void => {
    if (ended) return;
    ended = true;
    if (err !== undefined) errorFn?.(err);
    exitFn?.(code);
  };
  w.onmessage = (e: MessageEvent<BrowserWorkerMessage>) => {
    const m = e.data;
    if (m.kind === 'log' || m.kind === 'jit') for (const fn of messages) fn(m);
    else if (m.kind === 'exit') { w.terminate(); end(0); }
    else end(1, new Error(`hart ${data.hart}'s worker failed: ${m.message}`));
  };
  w.onerror = (e: ErrorEvent) => { e.preventDefault(); end(1, new Error(`hart ${data.hart}'s worker failed: ${e.message}`)); };
  w.postMessage(data);
  return {
    onMessage: (fn) => { messages.push(fn); },
    onceError: (fn) => { errorFn = fn; },
    onceExit: (fn) => { exitFn = fn; },
    terminate: async () => { w.terminate(); end(1); },
  };
}
