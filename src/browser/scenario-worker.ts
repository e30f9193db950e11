// The page's scenario worker (bundled as dist/browser/scenario-worker.js): runs one cluster scenario
// (cluster-run.ts) off the page's thread and posts what the view draws as the run goes. Its first message
// names the scenario, the seed, the fault script and a small shared control block; the playback speed and
// pause live there, and the worker holds the simulation between trace lines (Atomics.wait) to keep that pace.
// The pace reads the page's clock only to decide when to wait: the simulation itself never sees it.
import { CONTROL, RATE_REAL_TIME, runForView, type RunMessage, type WorkerStart } from './cluster-run.js';

/** Virtual time between two looks at the pace (ns). */
const PACE_STEP_NS = 1e6;
/** A wait shorter than this is not worth a batch (ms). */
const WAIT_MIN_MS = 8;

interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerStart>) => void) | null;
  postMessage(m: RunMessage): void;
}

const scope = globalThis as unknown as WorkerScope;

function pacer(control: SharedArrayBuffer): (t_ns: number, flush: () => void) => void {
  const ctl = new Int32Array(control);
  let anchorWall = performance.now(), anchorT = 0, rate = Atomics.load(ctl, CONTROL.rate), next = 0;
  return (t_ns, flush) => {
    if (t_ns < next) return;
    next = t_ns + PACE_STEP_NS;
    if (Atomics.load(ctl, CONTROL.paused) === 1) {
      flush();
      while (Atomics.load(ctl, CONTROL.paused) === 1) Atomics.wait(ctl, CONTROL.paused, 1);
      anchorWall = performance.now(); anchorT = t_ns;
    }
    const r = Atomics.load(ctl, CONTROL.rate);
    if (r !== rate) { rate = r; anchorWall = performance.now(); anchorT = t_ns; }
    if (rate <= 0) return;
    const ahead = anchorWall + ((t_ns - anchorT) / 1e6) * (RATE_REAL_TIME / rate) - performance.now();
    if (ahead < WAIT_MIN_MS) return;
    flush();
    Atomics.wait(ctl, CONTROL.wake, 0, ahead);
  };
}

scope.onmessage = (e) => {
  scope.onmessage = null;
  const d = e.data;
  runForView(d, (m) => scope.postMessage(m), d.control === null ? undefined : pacer(d.control)).catch((err: unknown) => {
    scope.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  });
};
