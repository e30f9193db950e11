// Driving one hart from the host: call the kernel's dispatch(); when it posted a host call, serve the ring
// (hostcall.ts: write, clock_gettime64, a SIGPIPE kill on a write to a closed pipe) and let the caller go on
// in place if it was answered; and turn the hart's kernel log entries into one-line messages. The same code
// runs on the main thread (deterministic mode) and on a hart's worker thread (threaded mode); it reads no
// clock.
import type { Machine } from './machine.js';
import type { GuestIO } from './syscalls.js';
import type { HostCallServer } from './hostcall.js';
import {
  hartBase, EXIT_BUDGET, EXIT_HOSTCALL, EXIT_IDLE, EXIT_ENDED, PARK_ENDED, H_KLOG, H_KLOG_HEAD, H_KLOG_TAIL, KLOG,
  KLOG_ENTRIES, KLOG_ENTRY_BYTES,
} from './layout.js';

export interface HartHost {
  readonly machine: Machine;
  readonly io: GuestIO;
  /** Where kernel log lines go (without a trailing newline). */
  readonly log: (line: string) => void;
  readonly realtime_base_ns: bigint;
  /** Program names by pid, for log lines. */
  readonly names: ReadonlyMap<number, string>;
  /** Serves the host-call ring right after this hart posted a call. */
  readonly calls: HostCallServer;
}

export type HartOutcome = 'budget' | 'syscall' | 'idle' | 'ended';

/** One dispatch() call on the hart and whatever it hands back. */
export function driveHart(host: HartHost, hart: number, budget: number): HartOutcome {
  const machine = host.machine;
  const r = machine.kernel.dispatch(hart, budget);
  let out: HartOutcome;
  if (r === EXIT_HOSTCALL) {
    out = 'syscall';
    host.calls.drain();
    if (machine.kernel.hostcallResume(hart) === PARK_ENDED) out = 'ended';
  } else if (r === EXIT_IDLE) out = 'idle';
  else if (r === EXIT_ENDED) out = 'ended';
  else {
    if (r !== EXIT_BUDGET) throw new Error(`kernel dispatch returned ${r}`);
    out = 'budget';
  }
  drainLog(host, hart);
  return out;
}

/** Print and consume the hart's kernel log. */
export function drainLog(host: HartHost, hart: number): void {
  const machine = host.machine;
  const h = hartBase(hart);
  const head = machine.u32(h + H_KLOG_HEAD);
  let tail = machine.u32(h + H_KLOG_TAIL);
  while (tail !== head) {
    const e = h + H_KLOG + (tail % KLOG_ENTRIES) * KLOG_ENTRY_BYTES;
    host.log(formatLog(host, machine.u32(e), machine.u32(e + 4), machine.u32(e + 8), machine.u32(e + 12)));
    tail = (tail + 1) >>> 0;
  }
  machine.view.setUint32(h + H_KLOG_TAIL, tail, true);
}

function formatLog(host: HartHost, code: number, pid: number, tid: number, arg: number): string {
  const who = `pid ${pid}${host.names.has(pid) ? ` (${host.names.get(pid)!})` : ''} tid ${tid}`;
  const hex = '0x' + (arg >>> 0).toString(16);
  switch (code) {
    case KLOG.CLONE_FLAGS: return `kernel: clone from ${who}: unsupported flags ${hex} (threads need CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, optionally SETTLS/PARENT_SETTID/CHILD_SETTID/CHILD_CLEARTID): EINVAL`;
    case KLOG.OOM: return `kernel: out of memory: ${who} page fault at 0x${(arg >>> 0).toString(16).padStart(8, '0')} cannot be served; killing the process (SIGKILL)`;
    case KLOG.FUTEX_OP: return `kernel: futex from ${who}: unsupported operation ${hex} (WAIT, WAKE, WAIT_BITSET, WAKE_BITSET): ENOSYS`;
    case KLOG.DEADLOCK: return `kernel: deadlock: ${arg} threads blocked with no deadline`;
  }
  return `kernel: log code ${code} from ${who}, argument ${hex}`;
}
