// A hart's worker thread in threaded mode: its own kernel instance over the machine's shared memory, driving
// one hart until every process of the machine has ended. It serves the host calls it can itself (write and
// clock_gettime64: guest output goes straight to fds 1 and 2) and leaves the rest in the ring for the main
// thread's server; kernel log lines go to the main thread. When the hart is idle it waits on the run-queue generation word with
// Atomics.wait (at most IDLE_WAIT_MS), and when every thread of the machine is blocked forever it kills them.
import { parentPort, workerData } from 'node:worker_threads';
import { Machine } from './machine.js';
import { driveHart, type HartHost } from './driver.js';
import { stdio } from './stdio.js';
import { hostServices } from './syscalls.js';
import { HostCallRing, HostCallServer } from './hostcall.js';
import { KS, KS_LIVE_PROCS, KS_RQ_GEN } from './layout.js';

interface WorkerData {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly hart: number;
  readonly ram_bytes: number;
  readonly clock_hz: number;
  readonly timebase_hz: number;
  readonly realtime_base_ns: string;
  readonly names: [number, string][];
  /** System call numbers this worker serves itself; the main thread's server takes the rest. */
  readonly local: number[];
}

const BATCH = 1 << 20;
const IDLE_WAIT_MS = 1;

const d = workerData as WorkerData;
const machine = await Machine.attach(d.memory, d.ram_bytes, d.clock_hz, d.timebase_hz);
const log = (line: string): void => parentPort!.postMessage({ kind: 'log', line });
const realtime_base_ns = BigInt(d.realtime_base_ns);
const ring = new HostCallRing(machine);
const services = hostServices(machine, { realtime_base_ns }, stdio).filter(([nr]) => d.local.includes(nr));
const calls = new HostCallServer(ring, services, null);
const host: HartHost = { machine, io: stdio, log, realtime_base_ns, names: new Map(d.names), calls };
const words = new Int32Array(d.memory.buffer);
const genIndex = (KS + KS_RQ_GEN) >>> 2;
while (machine.u32(KS + KS_LIVE_PROCS) !== 0) {
  const gen = Atomics.load(words, genIndex);
  const posted = ring.posted;
  const out = driveHart(host, d.hart, BATCH);
  // A request left for the main thread's server (or one the kernel posted for a waiter): tell it.
  if (ring.posted !== posted && ring.untaken()) Atomics.notify(words, ring.postedIndex);
  if (out === 'idle') {
    if (machine.kernel.kernelStuck() !== 0) {
      const n = machine.kernel.kernelKillAll();
      if (n > 0) log(`kernel: deadlock: every live thread is blocked with no deadline; killing ${n} processes`);
      continue;
    }
    Atomics.wait(words, genIndex, gen, IDLE_WAIT_MS);
  } else if (out !== 'budget') {
    // Something was queued or ended: let idle harts look now rather than after their timeout.
    Atomics.notify(words, genIndex);
  }
}
Atomics.notify(words, genIndex);
