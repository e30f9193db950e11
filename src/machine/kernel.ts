// Loads build/kernel.wasm: compiled once per process (module cache), instantiated with
// @assemblyscript/loader over a machine's shared WebAssembly.Memory. The exports are typed here. At load the
// kernel's interface version and every shared number it was compiled with (abiValue) are compared with the
// host's (abi.ts, both generated from abi/defs.mjs), so a stale kernel.wasm fails with one clear error.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instantiate } from '@assemblyscript/loader';
import { InputError } from '../base/index.js';
import { ABI_TABLE, KERNEL_VERSION } from './abi.js';

/** The kernel's entry points (see assembly/index.ts). Addresses and values are u32 unless noted. */
export interface KernelExports {
  kernelVersion(): number;
  /** Set up the machine: INIT_OK (0) or a negative INIT_* code (abi.ts). */
  machineInit(ram_bytes: number, harts: number): number;
  /** How many shared values the kernel reports (ABI_TABLE's length when they agree). */
  abiCount(): number;
  /** Shared value i the kernel was compiled with (u32), in ABI_TABLE's order. */
  abiValue(i: number): number;
  hartInit(hart: number, tick_insns: number, tlb_entries: number, tlb_ways: number): number;
  hartSetSatp(hart: number, satp: number): void;
  hartSyscallReturn(hart: number, result: number): void;
  run(hart: number, budget: number): number;
  dispatch(hart: number, budget: number): number;
  hartSetQuantum(hart: number, ticks: number): void;
  tlbConfigure(hart: number, entries: number, ways: number): number;
  tlbFlush(hart: number, va: number, asid: number, has_va: number, has_asid: number): void;
  timerArm(hart: number, lo: number, hi: number): void;
  timerDisarm(hart: number): void;
  timerAdvance(hart: number, lo: number, hi: number): void;
  frameAlloc(): number;
  frameFree(pa: number): number;
  framesUsed(): number;
  vmCreate(): number;
  vmMap(root: number, va: number, pa: number, flags: number): number;
  vmMapSuper(root: number, va: number, pa: number, flags: number): number;
  vmUnmap(root: number, va: number, free: number): number;
  vmPteAddress(root: number, va: number): number;
  vmTranslate(satp: number, va: number, access: number): number;
  framesFree(): number;
  kernelSetLockKind(kind: number): void;
  kernelSetClock(timebase_hz: number, realtime_lo: number, realtime_hi: number): void;
  kernelStart(policy: number, threaded: number): void;
  kernelSetAsids(count: number): void;
  procCreate(root: number): number;
  procSetMemory(proc: number, brk_start: number, brk_max: number, stack_low: number): void;
  procFrames(proc: number): number;
  procState(proc: number): number;
  procThreads(proc: number): number;
  threadCreateMain(proc: number, pc: number, sp: number): number;
  kernelStuck(): number;
  kernelKillAll(): number;
  hartKill(hart: number, signal: number): number;
  threadState(t: number): number;
  futexWaiters(key: number): number;
  sleepersCount(): number;
  /** Threads blocked in IPC (ipc_call or ipc_recv) on the machine. */
  ipcWaiters(): number;
  /** Requests delivered through endpoint id (0 for a free one), as a bigint (u64). */
  ipcEndpointCalls(id: number): bigint;
  /** Resume the hart's caller parked in a host call if answered, else switch it out: PARK_NONE, PARK_RESUMED, PARK_LEFT or PARK_ENDED (its process ended). */
  hostcallResume(hart: number): number;
  /** Threads waiting for the host (requests in flight, or waiting for a free ring record). */
  hostcallThreads(): number;
  /**
   * A file-backed private mapping's memory: reserve and populate len bytes in process proc (addr as mmap's,
   * MAP_FIXED in flags to insist), all frames present (PROT_NONE ones parked): the address, or -errno.
   */
  mmapPrivate(proc: number, addr: number, len: number, prot: number, flags: number): number;
  /** The physical address of the frame behind va in process proc (for copying file bytes in), or FRAME_NONE. */
  mmapFrame(proc: number, va: number): number;
  /** The reference count of the frame at pa (0: free). */
  frameRefs(pa: number): number;
  /** P_FLAGS of process proc (PF_* in assembly/proc.ts). */
  procFlags(proc: number): number;
  /**
   * Raise sig on the live process pid with si_code code, si_pid sender_pid, si_uid 0 and si_value value (a
   * message queue's notification); now (lo, hi) is the virtual time of the send. 0, -ESRCH or -EINVAL.
   */
  sigHostRaise(pid: number, sig: number, code: number, sender_pid: number, value: number, now_lo: number, now_hi: number): number;
}

export { KERNEL_VERSION };

/**
 * The shared numbers kernel.wasm was compiled with differ from the host's: one error naming the first few,
 * or undefined when they agree.
 */
export function abiMismatch(k: Pick<KernelExports, 'abiCount' | 'abiValue'>): string | undefined {
  const diffs: string[] = [];
  for (let i = 0; i < ABI_TABLE.length; i++) {
    const [name, want] = ABI_TABLE[i]!;
    const got = k.abiValue(i) >>> 0;
    if (got !== want) diffs.push(`${name} is ${got} in the kernel, ${want} in the host`);
  }
  const count = k.abiCount();
  if (diffs.length === 0 && count === ABI_TABLE.length) return undefined;
  const shown = diffs.slice(0, 3).join('; ') + (diffs.length > 3 ? `; and ${diffs.length - 3} more` : '');
  return `build/kernel.wasm was compiled with other shared numbers than the host (${count} values, host has ${ABI_TABLE.length}${shown ? `: ${shown}` : ''}): rebuild both with \`npm run build\``;
}

let modulePromise: Promise<WebAssembly.Module> | undefined;

/** Where build/kernel.wasm is, from src/machine (vitest) or dist/src/machine (built). */
export function kernelWasmPath(): string {
  for (const rel of ['../../build/kernel.wasm', '../../../build/kernel.wasm']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new InputError('build/kernel.wasm is missing: run `npm run build:kernel`');
}

export function compileKernel(): Promise<WebAssembly.Module> {
  modulePromise ??= readFile(kernelWasmPath()).then((bytes) => WebAssembly.compile(bytes));
  return modulePromise;
}

/** Instantiate the kernel over `memory` (shared). Every machine gets its own instance. */
export async function instantiateKernel(memory: WebAssembly.Memory): Promise<KernelExports> {
  const module = await compileKernel();
  const { exports } = await instantiate<Record<string, unknown>>(module, { env: { memory } });
  const k = exports as unknown as KernelExports;
  const version = k.kernelVersion();
  if (version !== KERNEL_VERSION) throw new InputError(`build/kernel.wasm has interface version ${version}, expected ${KERNEL_VERSION}: rebuild it`);
  const mismatch = abiMismatch(k);
  if (mismatch !== undefined) throw new InputError(mismatch);
  return k;
}
