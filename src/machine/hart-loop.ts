// What a hart's worker runs in threaded mode (hart-worker.ts on a Node worker thread, a Web Worker in the
// browser): its own kernel instance over the machine's shared memory, driving one hart until every process of
// the machine has ended. It serves the host calls it can itself (write and
// clock_gettime64: guest output goes straight to fds 1 and 2) and leaves the rest in the ring for the main
// thread's server; kernel log lines go to the main thread. When the hart is idle it waits on the run-queue generation word with
// Atomics.wait (at most IDLE_WAIT_MS), and when every thread of the machine is blocked forever it kills them.
//
// A cluster node's machine (`node` set) runs differently: its workers go on while the machine has no process
// (a remote fork may bring one) until the node says stop; each sets its hart's clock from the host's monotonic
// clock before every dispatch (the node's time, so a sleep lasts what it says); the deadlock killer is off
// (an answer from the network may come); and whenever the node's thread asks (PAUSE), every worker stops
// between two dispatches and says so (PAUSED), so the node can change the machine with no hart running.
import { Machine } from './machine.js';
import type { JitStats } from './jit/index.js';
import { driveHart, type HartHost } from './driver.js';
import type { GuestIO } from './syscalls.js';
import { hostServices } from './syscalls.js';
import { HostCallRing, HostCallServer } from './hostcall.js';
import { KS, KS_LIVE_PROCS, KS_RQ_GEN } from './layout.js';
import { NODE_CONTROL_STOP, NODE_CONTROL_PAUSE, NODE_CONTROL_PAUSED, NODE_CONTROL_GONE, NODE_BATCH } from './node-control.js';

/** What a hart's worker is started with (structured-cloned: the module and the shared memory are shared). */
export interface HartWorkerData {
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
  /** A cluster node's machine: its control words (NODE_CONTROL_*) and its clock's offset from the monotonic clock. */
  readonly node?: { readonly control: SharedArrayBuffer; readonly clock_offset_ns: number };
}

/** What a hart's worker tells the thread that started it: kernel log lines, and its translator's counters at its end. */
export type HartWorkerMessage = { readonly kind: 'log'; readonly line: string } | { readonly kind: 'jit'; readonly stats: JitStats };

/** Where the worker runs: its thread's messages to the starter, its guest output, and its monotonic clock (ns). */
export interface HartWorkerSite {
  readonly post: (m: HartWorkerMessage) => void;
  readonly io: GuestIO;
  readonly monotonic_ns: () => number;
}

const BATCH = 1 << 20;
const IDLE_WAIT_MS = 1;
/** How often a paused hart looks for a shootdown the node's thread posted. */
const PAUSED_LOOK_MS = 0.1;

/** Drive hart d.hart until the machine's processes have ended (or, for a node, until the node says stop). */
export async function runHartWorker(d: HartWorkerData, site: HartWorkerSite): Promise<void> {
  const machine = await Machine.attach(d.memory, d.ram_bytes, d.clock_hz, d.timebase_hz);
  const log = (line: string): void => site.post({ kind: 'log', line });
  const realtime_base_ns = BigInt(d.realtime_base_ns);
  const ring = new HostCallRing(machine);
  const services = hostServices(machine, { realtime_base_ns }, site.io).filter(([nr]) => d.local.includes(nr));
  const calls = new HostCallServer(ring, services, null);
  const host: HartHost = { machine, io: site.io, log, realtime_base_ns, names: new Map(d.names), calls };
  const words = new Int32Array(d.memory.buffer);
  const genIndex = (KS + KS_RQ_GEN) >>> 2;

  /** One dispatch and what follows it; true when the hart found nothing to run. */
  const step = (budget: number): boolean => {
    const gen = Atomics.load(words, genIndex);
    const posted = ring.posted;
    const out = driveHart(host, d.hart, budget);
    // A request left for the main thread's server (or one the kernel posted for a waiter): tell it.
    if (ring.posted !== posted && ring.untaken()) Atomics.notify(words, ring.postedIndex);
    if (out === 'idle') {
      if (d.node === undefined && machine.kernel.kernelStuck() !== 0) {
        const n = machine.kernel.kernelKillAll();
        if (n > 0) log(`kernel: deadlock: every live thread is blocked with no deadline; killing ${n} processes`);
        return false;
      }
      Atomics.wait(words, genIndex, gen, IDLE_WAIT_MS);
      return true;
    }
    // Something was queued or ended: let idle harts look now rather than after their timeout.
    if (out !== 'budget') Atomics.notify(words, genIndex);
    return false;
  };

  if (d.node === undefined) {
    while (machine.u32(KS + KS_LIVE_PROCS) !== 0) step(BATCH);
  } else {
    const control = new Int32Array(d.node.control);
    try {
      nodeLoop(machine, d, control, site, step);
    } finally {
      // Said before the exit event, which the node's thread cannot see while it waits for a pause.
      Atomics.add(control, NODE_CONTROL_GONE, 1);
      Atomics.notify(control, NODE_CONTROL_PAUSED);
    }
  }
  Atomics.notify(words, genIndex);
  if (machine.jitOn(d.hart)) site.post({ kind: 'jit', stats: machine.jit.stats() });
}

function nodeLoop(machine: Machine, d: HartWorkerData, control: Int32Array, site: HartWorkerSite, step: (budget: number) => boolean): void {
  const offset = d.node!.clock_offset_ns;
  const ticksPerNs = machine.timebase_hz / 1e9;
  while (Atomics.load(control, NODE_CONTROL_STOP) === 0) {
    if (Atomics.load(control, NODE_CONTROL_PAUSE) !== 0) {
      Atomics.add(control, NODE_CONTROL_PAUSED, 1);
      Atomics.notify(control, NODE_CONTROL_PAUSED);
      // The node's thread may unmap or copy on write meanwhile: a TLB shootdown it posts waits for this hart.
      while (Atomics.load(control, NODE_CONTROL_PAUSE) !== 0 && Atomics.load(control, NODE_CONTROL_STOP) === 0) {
        machine.kernel.shootdownServe(d.hart);
        Atomics.wait(control, NODE_CONTROL_PAUSE, 1, PAUSED_LOOK_MS);
      }
      Atomics.sub(control, NODE_CONTROL_PAUSED, 1);
      continue;
    }
    const ticks = BigInt(Math.floor((site.monotonic_ns() + offset) * ticksPerNs));
    machine.kernel.hartSetTime(d.hart, Number(ticks & 0xffff_ffffn), Number(ticks >> 32n));
    step(NODE_BATCH);
  }
}
