// Loads the native measurement addon (native/build/Release/atoll_native.node) through createRequire and
// checks its shape. Never throws: a missing or broken addon comes back as a reason, and everything else
// in Atoll works without it.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PerCall {
  /** Per call, the empty loop's cost subtracted. */
  readonly ns: number;
  readonly raw_ns: number;
  readonly overhead_ns: number;
}

export interface ContextSwitchResult {
  /** Per hop round the ring, the channel's own cost subtracted: the switch cost c. */
  readonly switch_ns: number;
  readonly hop_raw_ns: number;
  readonly overhead_ns: number;
  readonly hops: number;
  readonly pinned: boolean;
}

export interface SpinlockResult {
  /** Elapsed time per acquisition (acquire + one increment + release), all threads together. */
  readonly ns: number;
  readonly acquisitions: number;
  readonly spins: number;
  readonly yields: number;
  readonly count: number;
  /** Acquisitions that followed the other thread's (the lock changed hands). */
  readonly handoffs: number;
  readonly count_ok: boolean;
  readonly pinned: boolean;
  /** Share of the run during which all threads were inside their loops (1 = contended throughout). */
  readonly overlap: number;
}

export interface DaemonResult {
  readonly direct_ns: number;
  readonly daemon_ns: number;
  readonly difference_ns: number;
  readonly pinned: boolean;
}

/** A process measurement: ns per operation (per byte for pipeBandwidth) and how many were measured. */
export interface ProcResult {
  readonly ns: number;
  readonly count: number;
}

export type Channel = 'pipe' | 'futex';
/** Ring members and the daemon: threads of this process, or forked processes (an address-space switch). */
export type Members = 'threads' | 'processes';
export type NativeLockKind = 'tas' | 'ttas' | 'ticket';

/** The addon's functions; each runs synchronously and throws TypeError/RangeError on bad arguments. */
export interface NativeAddon {
  nullSyscall(iterations: number): PerCall;
  clockGettime(iterations: number): PerCall;
  contextSwitch(ring: number, rounds: number, channel: Channel, pin: boolean, members?: Members): ContextSwitchResult;
  spinlock(kind: NativeLockKind, threads: 1 | 2, iterations: number): SpinlockResult;
  daemonRoundTrip(iterations: number, pin: boolean, daemon?: Members): DaemonResult;
  /** lmbench lat_proc: fork + _exit + waitpid, or fork + execve(execPath) + waitpid; ns per process. */
  forkWait(iterations: number, execPath?: string): ProcResult;
  /** lmbench lat_pipe: a byte bounced between two processes over two pipes; ns per hop (half a round trip). */
  pipePingPong(roundTrips: number): ProcResult;
  /** lmbench bw_pipe: bytes from a child through one pipe in writes of chunk bytes; ns per byte. */
  pipeBandwidth(bytes: number, chunk: number): ProcResult;
  /** Pin the calling thread (any worker thread too) to one CPU; false when the system refuses. */
  pinThread(cpu: number): boolean;
  /** The CPUs this process may run on (at most 64), in order. */
  allowedCpus(): number[];
  readonly version: number;
}

export type NativeLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: string };

const FUNCTIONS = [
  'nullSyscall', 'clockGettime', 'contextSwitch', 'spinlock', 'daemonRoundTrip', 'pinThread', 'allowedCpus',
  'forkWait', 'pipePingPong', 'pipeBandwidth',
] as const;

/** The package root: the nearest folder above this module holding package.json (works from src/ and dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

export function addonPath(): string {
  return join(packageRoot(), 'native', 'build', 'Release', 'atoll_native.node');
}

/** The static do-nothing program the addon's exec measurement runs (built beside the addon). */
export function nativeTruePath(): string {
  return join(packageRoot(), 'native', 'build', 'Release', 'atoll_true');
}

let cached: NativeLoad | undefined;

/** Load the addon once; later calls return the same answer. */
export function loadNative(): NativeLoad {
  if (cached) return cached;
  cached = loadNativeFrom(addonPath());
  return cached;
}

/** Load an addon file (not cached): for a build elsewhere, and to test the reasons given. */
export function loadNativeFrom(path: string): NativeLoad {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `the native addon measures Linux only (this is ${process.platform})` };
  }
  if (!existsSync(path)) {
    return { ok: false, reason: `native addon not built (${path} missing; run 'npm run build:native')` };
  }
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(path);
  } catch (err) {
    return { ok: false, reason: `native addon failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof mod !== 'object' || mod === null) return { ok: false, reason: 'native addon exported nothing' };
  const missing = FUNCTIONS.filter((f) => typeof (mod as Record<string, unknown>)[f] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `native addon is out of date (missing ${missing.join(', ')}; run 'npm run build:native')` };
  }
  return { ok: true, addon: mod as NativeAddon, path };
}
