// One emulated machine: a shared WebAssembly.Memory laid out as in layout.ts, a kernel instance over it, and
// typed access to the hart blocks (registers, pc, counters). Sizes are parameters, checked here.
import { InputError } from '../base/index.js';
import { instantiateKernel, instantiateKernelSync, type KernelExports } from './kernel.js';
import { Jit } from './jit/index.js';
import {
  RAM_BASE, WASM_PAGE_BYTES, WASM_PAGES_MAX, RAM_BYTES_MAX, RAM_BYTES_MIN, PAGE_BYTES, HARTS_MAX,
  TLB_ENTRIES_DEFAULT, TLB_WAYS_DEFAULT, TLB_ENTRIES_MAX, TLB_WAYS_MAX, hartBase, H_PC, H_SATP, H_CAUSE, H_TVAL,
  H_INSTRET, H_MTIME, H_TLB_HITS, H_TLB_MISSES, H_TLB_WALKS, H_TLB_FLUSHES, H_PAGE_FAULTS, H_TIMER_IRQS,
  H_TLB_SETS, H_TLB_WAYS, H_JIT, MACHINE_BASE, M_HARTS, TIMEBASE_HZ_DEFAULT, INIT_OK, INIT_BAD_RAM, INIT_MEMORY_TOO_SMALL,
  INIT_STATIC_DATA_TOO_BIG, INIT_BAD_HARTS, INIT_LAYOUT_OVERLAP, INIT_FIELD_OUTSIDE_BLOCK, INIT_BAD_BIT_WIDTH,
} from './layout.js';

export interface MachineOptions {
  /** Guest physical RAM; a multiple of 4 KiB. Default 128 MiB. */
  readonly ram_bytes?: number;
  readonly harts?: number;
  readonly tlb_entries?: number;
  readonly tlb_ways?: number;
  /** Instructions per second of virtual time (one instruction per cycle). Default 100 MHz. */
  readonly clock_hz?: number;
  /** mtime ticks per second. Default 10 MHz; clock_hz must be a multiple of it. */
  readonly timebase_hz?: number;
  /** Translate hot loops to WebAssembly (src/machine/jit). Default off. */
  readonly jit?: boolean;
}

export const RAM_BYTES_DEFAULT = 128 * 1024 * 1024;
export const CLOCK_HZ_DEFAULT = 100_000_000;
export { TIMEBASE_HZ_DEFAULT };

/** What machineInit's codes mean (abi/defs.mjs). */
const INIT_ERRORS: Readonly<Record<number, string>> = {
  [INIT_BAD_RAM]: 'the RAM size is outside the kernel\'s limits or not a multiple of the page size',
  [INIT_MEMORY_TOO_SMALL]: 'the shared memory ends before the guest RAM does',
  [INIT_STATIC_DATA_TOO_BIG]: 'the kernel\'s static data reaches past KERNEL_BASE (kernel.wasm was built wrong)',
  [INIT_BAD_HARTS]: 'the hart count is outside the kernel\'s limit',
  [INIT_LAYOUT_OVERLAP]: 'kernel.wasm was compiled with a memory layout whose regions overlap (fix abi/defs.mjs and rebuild)',
  [INIT_FIELD_OUTSIDE_BLOCK]: 'kernel.wasm was compiled with a block field past the end of its block (fix abi/defs.mjs and rebuild)',
  [INIT_BAD_BIT_WIDTH]: 'kernel.wasm was compiled with a bit width that does not match its limit (fix abi/defs.mjs and rebuild)',
};

export interface HartStats {
  readonly instructions: bigint;
  readonly mtime: bigint;
  readonly tlb: { readonly hits: bigint; readonly misses: bigint; readonly walks: bigint; readonly flushes: bigint; readonly entries: number; readonly ways: number };
  readonly page_faults: bigint;
  readonly timer_interrupts: bigint;
}

function powerOfTwo(x: number): boolean {
  return Number.isInteger(x) && x > 0 && (x & (x - 1)) === 0;
}

export class Machine {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  /**
   * Threaded node mode: this thread holds every hart worker paused between dispatches (NodeHartGate), so it
   * may change the machine as deterministic mode does between slices.
   */
  hartsPaused = false;
  /**
   * The last user page a system call's copy found host-kept (absent here, or a read-only copy written to: a post-copy
   * arrival's or a shared region's page, host-pages.ts), or null: the host-call ring fetches it and runs the call
   * again instead of answering -EFAULT (HostCallRing.onHostKeptMiss).
   */
  hostKeptMiss: { readonly satp: number; readonly page: number; readonly write: boolean } | null = null;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly kernel: KernelExports,
    readonly ram_bytes: number,
    readonly clock_hz: number,
    readonly timebase_hz: number,
    /** This instance's translator (used when the harts' H_JIT is set). */
    readonly jit: Jit,
  ) {
    this.view = new DataView(memory.buffer);
    this.bytes = new Uint8Array(memory.buffer);
  }

  /** A second view of an existing machine from another worker thread: its own kernel instance, same memory. */
  static async attach(memory: WebAssembly.Memory, ram_bytes: number, clock_hz: number, timebase_hz: number): Promise<Machine> {
    const jit = new Jit(memory);
    const kernel = await instantiateKernel(memory, jit.enter);
    jit.attach(kernel);
    return new Machine(memory, kernel, ram_bytes, clock_hz, timebase_hz, jit);
  }

  /** Harts the machine was created with. */
  get harts(): number {
    return this.view.getUint32(MACHINE_BASE + M_HARTS, true);
  }

  u32(addr: number): number {
    return this.view.getUint32(addr, true);
  }
  u64(addr: number): bigint {
    return this.view.getBigUint64(addr, true);
  }

  static async create(opts: MachineOptions = {}): Promise<Machine> {
    const plan = planMachine(opts);
    const jit = new Jit(plan.memory);
    return Machine.boot(plan, await instantiateKernel(plan.memory, jit.enter), jit);
  }

  /**
   * Create a machine at once from the compiled kernel (compileKernel()): what a simulated cluster node does when it
   * boots inside an event, where nothing may wait.
   */
  static createSync(module: WebAssembly.Module, opts: MachineOptions = {}): Machine {
    const plan = planMachine(opts);
    const jit = new Jit(plan.memory);
    return Machine.boot(plan, instantiateKernelSync(module, plan.memory, jit.enter), jit);
  }

  private static boot(plan: MachinePlan, kernel: KernelExports, jit: Jit): Machine {
    jit.attach(kernel);
    const { memory, ram_bytes, harts, entries, ways, clock_hz, timebase_hz } = plan;
    const rc = kernel.machineInit(ram_bytes, harts);
    if (rc !== INIT_OK) throw new InputError(`the kernel refused the machine configuration (code ${rc}: ${INIT_ERRORS[rc] ?? 'unknown'})`);
    for (let h = 0; h < harts; h++) {
      if (kernel.hartInit(h, clock_hz / timebase_hz, entries, ways) !== 0) throw new InputError(`the kernel refused hart ${h}'s configuration`);
    }
    const m = new Machine(memory, kernel, ram_bytes, clock_hz, timebase_hz, jit);
    for (let h = 0; h < harts; h++) m.setJit(h, plan.jit);
    return m;
  }

  /** Whether run() offers this hart's hot loops to the translator (H_JIT; a worker's own instance serves them). */
  setJit(hart: number, on: boolean): void {
    this.view.setUint32(hartBase(hart) + H_JIT, on ? 1 : 0, true);
  }
  jitOn(hart = 0): boolean {
    return this.view.getUint32(hartBase(hart) + H_JIT, true) !== 0;
  }

  reg(hart: number, r: number): number {
    return this.view.getUint32(hartBase(hart) + r * 4, true);
  }
  setReg(hart: number, r: number, value: number): void {
    if (r !== 0) this.view.setUint32(hartBase(hart) + r * 4, value >>> 0, true);
  }
  pc(hart: number): number {
    return this.view.getUint32(hartBase(hart) + H_PC, true);
  }
  setPc(hart: number, pc: number): void {
    this.view.setUint32(hartBase(hart) + H_PC, pc >>> 0, true);
  }
  satp(hart: number): number {
    return this.view.getUint32(hartBase(hart) + H_SATP, true);
  }
  cause(hart: number): number {
    return this.view.getUint32(hartBase(hart) + H_CAUSE, true);
  }
  tval(hart: number): number {
    return this.view.getUint32(hartBase(hart) + H_TVAL, true);
  }
  mtime(hart: number): bigint {
    return this.view.getBigUint64(hartBase(hart) + H_MTIME, true);
  }
  /** Virtual time of a hart in nanoseconds (mtime scaled by the timebase). */
  time_ns(hart: number): bigint {
    return (this.mtime(hart) * 1_000_000_000n) / BigInt(this.timebase_hz);
  }
  /** Host byte offset of a guest physical address. */
  host(pa: number): number {
    return RAM_BASE + pa;
  }

  /** Instructions the hart has retired: one read, for loops that only need this of stats(). */
  instructions(hart: number): bigint {
    return this.view.getBigUint64(hartBase(hart) + H_INSTRET, true);
  }

  stats(hart = 0): HartStats {
    const b = hartBase(hart);
    const u64 = (off: number): bigint => this.view.getBigUint64(b + off, true);
    return {
      instructions: this.instructions(hart),
      mtime: u64(H_MTIME),
      tlb: {
        hits: u64(H_TLB_HITS), misses: u64(H_TLB_MISSES), walks: u64(H_TLB_WALKS), flushes: u64(H_TLB_FLUSHES),
        entries: this.view.getUint32(b + H_TLB_SETS, true) * this.view.getUint32(b + H_TLB_WAYS, true),
        ways: this.view.getUint32(b + H_TLB_WAYS, true),
      },
      page_faults: u64(H_PAGE_FAULTS),
      timer_interrupts: u64(H_TIMER_IRQS),
    };
  }
}

interface MachinePlan {
  readonly memory: WebAssembly.Memory;
  readonly ram_bytes: number;
  readonly harts: number;
  readonly entries: number;
  readonly ways: number;
  readonly clock_hz: number;
  readonly timebase_hz: number;
  readonly jit: boolean;
}

/** Check a machine's options and allocate its shared memory. */
function planMachine(opts: MachineOptions): MachinePlan {
  const ram_bytes = opts.ram_bytes ?? RAM_BYTES_DEFAULT;
  const harts = opts.harts ?? 1;
  const entries = opts.tlb_entries ?? TLB_ENTRIES_DEFAULT;
  const ways = opts.tlb_ways ?? TLB_WAYS_DEFAULT;
  const clock_hz = opts.clock_hz ?? CLOCK_HZ_DEFAULT;
  const timebase_hz = opts.timebase_hz ?? TIMEBASE_HZ_DEFAULT;
  if (!Number.isInteger(ram_bytes) || ram_bytes < RAM_BYTES_MIN || ram_bytes > RAM_BYTES_MAX) {
    throw new InputError(`RAM size ${ram_bytes} bytes is outside ${RAM_BYTES_MIN / 1024} KiB .. ${RAM_BYTES_MAX / 2 ** 20} MiB`);
  }
  if (ram_bytes % PAGE_BYTES !== 0) throw new InputError(`RAM size ${ram_bytes} bytes is not a multiple of 4 KiB`);
  if (!Number.isInteger(harts) || harts < 1 || harts > HARTS_MAX) throw new InputError(`harts must be 1..${HARTS_MAX}, not ${harts}`);
  if (!powerOfTwo(entries) || entries > TLB_ENTRIES_MAX) throw new InputError(`TLB entries must be a power of two up to ${TLB_ENTRIES_MAX}, not ${entries}`);
  if (!powerOfTwo(ways) || ways > TLB_WAYS_MAX || ways > entries) throw new InputError(`TLB ways must be a power of two up to ${Math.min(TLB_WAYS_MAX, entries)}, not ${ways}`);
  if (!Number.isInteger(timebase_hz) || timebase_hz <= 0 || !Number.isInteger(clock_hz) || clock_hz % timebase_hz !== 0 || clock_hz / timebase_hz > 0xffff_ffff) {
    throw new InputError(`clock rate ${clock_hz} Hz must be a positive multiple of the timebase ${timebase_hz} Hz`);
  }
  const pages = Math.ceil((RAM_BASE + ram_bytes) / WASM_PAGE_BYTES);
  if (pages > WASM_PAGES_MAX) throw new InputError(`RAM size ${ram_bytes} does not fit the 1 GiB machine memory`);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch (err) {
    throw new InputError(`cannot allocate ${pages * WASM_PAGE_BYTES} bytes of shared memory for the machine: ${(err as Error).message}`);
  }
  return { memory, ram_bytes, harts, entries, ways, clock_hz, timebase_hz, jit: opts.jit ?? false };
}
