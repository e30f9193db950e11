// A user process in the machine kernel's process table: a fresh Sv32 address space (its own ASID) holding the
// program's PT_LOAD segments (with their permissions, zero-filled past filesz), a Linux-style initial stack,
// heap and stack bounds for the kernel's brk and demand paging, and a first thread (tid = pid) in the run
// queue. Loading happens before any hart runs. run() is the one-program, one-hart shortcut; several
// programs and harts go through System (system.ts). The result is read back from the process table.
import { InputError } from '../base/index.js';
import type { Machine } from './machine.js';
import type { ElfImage } from '../elf/index.js';
import { hostServices, unknownCall, type GuestIO } from './syscalls.js';
import { HostCallRing, HostCallServer } from './hostcall.js';
import { driveHart, type HartHost } from './driver.js';
import {
  PTE, FRAME_NONE, PROC_NO_PID, PAGE_BYTES, USER_BASE, USER_END, LOAD_END, CAUSE, PROC_BASE, PROC_BYTES, P, PROC_STATE, KILL_OOM,
  KILL_DEADLOCK, KILL_PAGE_LOST, KILL_HOST, KILL_SIGNAL, KS, KS_ON, KS_LIVE_PROCS, PROCS_MAX, THREADS_MAX, SIGHUP, SIGINT, SIGQUIT, SIGILL,
  SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD,
  SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR,
  SIGSYS, SIGRTMIN, NSIG,
} from './layout.js';

/** The stack region grows down from USER_END and is paged in on demand up to this size. */
export const STACK_BYTES_MAX = 8 * 1024 * 1024;
/** Strings, vectors and auxv of the initial stack must fit in this many bytes. */
export const STACK_ARGS_BYTES_MAX = 256 * 1024;
/** RAM kept back from the heap limit for page tables and the stack. */
export const HEAP_RESERVE_BYTES = 1024 * 1024;
/** Instructions per call into the kernel's dispatch(). */
export const BATCH_INSTRUCTIONS = 1 << 22;
/** The default scheduling quantum: the timer fires every this many mtime ticks (1 ms at 10 MHz). */
export const QUANTUM_TICKS = 10_000;

// The auxiliary vector's keys (linux/auxvec.h), in the order qemu-user and Linux's binfmt_elf emit them.
const AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9;
const AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23;
const AT_RANDOM = 25, AT_EXECFN = 31;
/** AT_HWCAP: one bit per single-letter extension ('a' is bit 0); the hart implements I, M and A. */
const HWCAP_RV32IMA = (1 << 8) | (1 << 12) | (1 << 0);
/** AT_CLKTCK: the USER_HZ of times(2) and /proc, 100 on every Linux port. */
const USER_HZ = 100;

const NAMED_SIGNALS = {
  SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM,
  SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
  SIGWINCH, SIGIO, SIGPWR, SIGSYS,
} as const;
/** A Linux signal by name; the real-time ones (SIGRTMIN..NSIG) as SIGRT<n>, n counted from SIGRTMIN. */
export type Signal = keyof typeof NAMED_SIGNALS | `SIGRT${number}`;
const RT_SIGNALS: Record<string, number> = {};
for (let n = SIGRTMIN; n <= NSIG; n++) RT_SIGNALS[`SIGRT${n - SIGRTMIN}`] = n;
export const SIGNAL_NUMBER: Readonly<Record<Signal, number>> = { ...NAMED_SIGNALS, ...RT_SIGNALS } as Record<Signal, number>;

export type RunResult =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'fault'; readonly signal: Signal; readonly fault: string; readonly cause: number; readonly address: number; readonly pc: number }
  /** Killed by a signal that is not a CPU fault (SIGPIPE, SIGKILL when out of memory or deadlocked). */
  | { readonly kind: 'killed'; readonly signal: Signal; readonly reason: string }
  | { readonly kind: 'limit'; readonly instructions: bigint };

export interface ProcessOptions {
  readonly argv: readonly string[];
  readonly envp?: readonly string[];
  /** Seed of the AT_RANDOM bytes (deterministic). */
  readonly seed?: number;
  /** Wall-clock-free realtime: CLOCK_REALTIME = this + virtual time. Default 2026-01-01T00:00:00Z. */
  readonly realtime_base_ns?: bigint;
}

export const REALTIME_BASE_NS_DEFAULT = 1_767_225_600_000_000_000n;

const FAULT_NAMES: Readonly<Record<number, [string, Signal]>> = {
  [CAUSE.FETCH_MISALIGNED]: ['misaligned instruction fetch', 'SIGBUS'],
  [CAUSE.FETCH_ACCESS]: ['instruction access fault', 'SIGSEGV'],
  [CAUSE.ILLEGAL]: ['illegal instruction', 'SIGILL'],
  [CAUSE.BREAKPOINT]: ['breakpoint', 'SIGTRAP'],
  [CAUSE.LOAD_MISALIGNED]: ['misaligned atomic load', 'SIGBUS'],
  [CAUSE.LOAD_ACCESS]: ['load access fault', 'SIGSEGV'],
  [CAUSE.STORE_MISALIGNED]: ['misaligned atomic store', 'SIGBUS'],
  [CAUSE.STORE_ACCESS]: ['store access fault', 'SIGSEGV'],
  [CAUSE.FETCH_PAGE_FAULT]: ['instruction page fault', 'SIGSEGV'],
  [CAUSE.LOAD_PAGE_FAULT]: ['load page fault', 'SIGSEGV'],
  [CAUSE.STORE_PAGE_FAULT]: ['store page fault', 'SIGSEGV'],
};

function signalName(n: number): Signal {
  const e = Object.entries(SIGNAL_NUMBER).find(([, v]) => v === n);
  return (e?.[0] ?? 'SIGKILL') as Signal;
}

/** How a process in the table ended, or null while it lives. */
export function procResult(machine: Machine, index: number): RunResult | null {
  const b = PROC_BASE + index * PROC_BYTES;
  if (machine.u32(b + P.STATE) !== PROC_STATE.DEAD) return null;
  return slotResult(machine, index);
}

/**
 * How the process in slot index ended, read from its slot whatever its state: valid once the process has ended
 * (DEAD, ZOMBIE, or FREE after a reap, until the slot is taken again).
 */
export function slotResult(machine: Machine, index: number): RunResult {
  const b = PROC_BASE + index * PROC_BYTES;
  const signal = machine.u32(b + P.SIGNAL);
  if (signal === 0) return { kind: 'exit', code: machine.u32(b + P.EXIT) & 0xff };
  const cause = machine.u32(b + P.CAUSE);
  if (cause === KILL_OOM) return { kind: 'killed', signal: 'SIGKILL', reason: `out of memory: no free frame for a page fault at 0x${machine.u32(b + P.TVAL).toString(16).padStart(8, '0')}` };
  if (cause === KILL_PAGE_LOST) return { kind: 'killed', signal: 'SIGBUS', reason: `page lost: the host could not give the page at 0x${machine.u32(b + P.TVAL).toString(16).padStart(8, '0')}` };
  if (cause === KILL_DEADLOCK) return { kind: 'killed', signal: 'SIGKILL', reason: 'deadlock: every thread of the machine was blocked with no deadline' };
  if (cause === KILL_HOST + SIGNAL_NUMBER.SIGPIPE) return { kind: 'killed', signal: 'SIGPIPE', reason: 'write to a pipe with no reader' };
  if (cause >= KILL_SIGNAL && cause <= KILL_SIGNAL + NSIG) return { kind: 'killed', signal: signalName(signal), reason: 'the default action of a signal sent by kill, tkill or tgkill' };
  if (cause >= KILL_HOST) return { kind: 'killed', signal: signalName(signal), reason: 'the default action of a signal the host raised (a message queue\'s notification)' };
  const [fault, sig] = FAULT_NAMES[cause] ?? [`trap cause ${cause}`, signalName(signal)];
  return { kind: 'fault', signal: sig, fault, cause, address: machine.u32(b + P.TVAL), pc: machine.u32(b + P.PC) };
}

function pageDown(a: number): number {
  return Math.floor(a / PAGE_BYTES) * PAGE_BYTES;
}
function pageUp(a: number): number {
  return Math.ceil(a / PAGE_BYTES) * PAGE_BYTES;
}

/** A 32-bit xorshift: deterministic bytes for AT_RANDOM from a seed. */
function seededBytes(seed: number, n: number): Uint8Array {
  let x = (seed >>> 0) || 0x9e3779b9;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A program's address space built in a fresh root: what a process (or an execve) starts from. */
export interface ImageLayout {
  /** Physical address of the root table. */
  readonly root: number;
  readonly entry: number;
  readonly sp: number;
  readonly brk_start: number;
  readonly brk_max: number;
  readonly stack_low: number;
}

/** What the initial stack holds. */
export interface StackOptions {
  /** Strings (UTF-8 encoded) or raw bytes (an execve's, unchanged); the NUL is added. */
  readonly argv: readonly (string | Uint8Array)[];
  readonly envp?: readonly (string | Uint8Array)[];
  /** Seed of the AT_RANDOM bytes (deterministic). */
  readonly seed?: number;
  /** AT_EXECFN's string (default argv[0]). */
  readonly execfn?: string | Uint8Array;
}

/** The segments of image fit the user address space outside the stack region (else an InputError). */
export function checkSegments(image: ElfImage): void {
  const stack_low = USER_END - STACK_BYTES_MAX;
  for (const s of image.segments) {
    if (s.memsz === 0) continue;
    const last = s.vaddr + s.memsz;
    if (last > LOAD_END || (s.vaddr < USER_END && last > stack_low)) {
      throw new InputError(`segment [0x${s.vaddr.toString(16)}, 0x${last.toString(16)}) overlaps the stack region [0x${stack_low.toString(16)}, 0x${USER_END.toString(16)}) or lies above 0x${LOAD_END.toString(16)}`);
    }
  }
}

/**
 * Free every frame of a page-table tree that belongs to no process (an image that was not used): its pages,
 * its tables and the root.
 */
export function freeRoot(machine: Machine, root: number): void {
  const k = machine.kernel;
  for (let i = 0; i < 1024; i++) {
    const l1 = machine.u32(machine.host(root) + i * 4);
    if ((l1 & PTE.V) === 0) continue;
    machine.view.setUint32(machine.host(root) + i * 4, 0, true);
    if ((l1 & (PTE.R | PTE.X)) !== 0) continue;
    const table = (l1 >>> 10) * PAGE_BYTES;
    for (let j = 0; j < 1024; j++) {
      const pte = machine.u32(machine.host(table) + j * 4);
      if ((pte & PTE.V) !== 0) k.frameFree((pte >>> 10) * PAGE_BYTES);
    }
    k.frameFree(table);
  }
  k.frameFree(root);
}

/**
 * Build image in a fresh root: its PT_LOAD segments (with their permissions, zero-filled past filesz) and a
 * Linux-style initial stack, plus the heap and stack bounds. Writes only frames it allocates (through their
 * physical addresses), so it is safe while other harts run. Throws InputError (out of memory, arguments too
 * big), having freed what it allocated.
 */
export function buildImage(machine: Machine, image: ElfImage, opts: StackOptions): ImageLayout {
  checkSegments(image);
  const k = machine.kernel;
  const root = k.vmCreate() >>> 0;
  if (root === FRAME_NONE) throw new InputError('out of guest memory for the page table');
  try {
    return new ImageBuilder(machine, root).build(image, opts);
  } catch (err) {
    freeRoot(machine, root);
    throw err;
  }
}

class ImageBuilder {
  constructor(readonly machine: Machine, readonly root: number) {}

  build(image: ElfImage, opts: StackOptions): ImageLayout {
    const machine = this.machine;
    const k = machine.kernel;
    const stack_low = USER_END - STACK_BYTES_MAX;
    let end = USER_BASE;
    // Pages shared by two segments get the union of their permissions.
    const pages = new Map<number, number>();
    for (const s of image.segments) {
      if (s.memsz === 0) continue;
      let flags = PTE.U;
      if (s.readable || s.writable) flags |= PTE.R;
      if (s.writable) flags |= PTE.W;
      if (s.executable) flags |= PTE.X;
      for (let p = pageDown(s.vaddr); p < s.vaddr + s.memsz; p += PAGE_BYTES) pages.set(p, (pages.get(p) ?? 0) | flags);
      end = Math.max(end, s.vaddr + s.memsz);
    }
    // A page of a segment with no R, W or X bit is left unmapped: Linux maps it PROT_NONE, so any access
    // faults, and Sv32 has no leaf PTE without R, W or X to express it otherwise. Its file bytes are not loaded.
    const accessible = (va: number): boolean => ((pages.get(pageDown(va)) ?? 0) & (PTE.R | PTE.X)) !== 0;
    for (const [va, flags] of pages) if (accessible(va)) this.mapFresh(va, flags);
    for (const s of image.segments) {
      const data = s.data.subarray(0, Math.min(s.filesz, s.data.length));
      for (let off = 0; off < data.length;) {
        const va = s.vaddr + off;
        const n = Math.min(data.length - off, PAGE_BYTES - (va % PAGE_BYTES));
        if (!accessible(va)) { off += n; continue; }
        machine.bytes.set(data.subarray(off, off + n), machine.host(this.physical(va)));
        off += n;
      }
    }
    const brk_start = pageUp(end);
    // Like Linux's overcommit heuristic: the heap may not promise more than the RAM left after loading
    // (less a reserve for page tables and the stack), and never reaches the stack region. The kernel also
    // refuses growth beyond the frames free at the time of the call.
    const free_bytes = machine.ram_bytes - k.framesUsed() * PAGE_BYTES - HEAP_RESERVE_BYTES;
    // A program loaded above the stack (at 0x8000_0000, say) has its heap there too, up to LOAD_END.
    const heap_limit = brk_start >= USER_END ? LOAD_END : stack_low - 16 * PAGE_BYTES;
    const brk_max = Math.min(heap_limit, brk_start + Math.max(0, free_bytes));
    const sp = this.buildStack(image, opts);
    return { root: this.root, entry: image.entry, sp, brk_start, brk_max, stack_low };
  }

  /** Map a zeroed frame at va (flags R/W/X/U); throws when guest RAM is exhausted. */
  private mapFresh(va: number, flags: number): number {
    const k = this.machine.kernel;
    const pa = k.frameAlloc() >>> 0;
    if (pa === FRAME_NONE) throw new InputError(`guest RAM (${this.machine.ram_bytes} bytes) is too small for this program`);
    const rc = k.vmMap(this.root, va >>> 0, pa, flags);
    if (rc !== 0) {
      k.frameFree(pa);
      throw new InputError(`cannot map page 0x${va.toString(16)} (kernel code ${rc})`);
    }
    return pa;
  }

  /** Physical address behind a mapped user va (no permission check: the loader's own use). */
  private physical(va: number): number {
    const pteAddr = this.machine.kernel.vmPteAddress(this.root, va >>> 0) >>> 0;
    const pte = this.machine.view.getUint32(this.machine.host(pteAddr), true);
    return ((pte >>> 10) * PAGE_BYTES) + (va % PAGE_BYTES);
  }

  /** Copy bytes to mapped user addresses through their frames. */
  private put(va: number, bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length;) {
      const a = va + off;
      const n = Math.min(bytes.length - off, PAGE_BYTES - (a % PAGE_BYTES));
      this.machine.bytes.set(bytes.subarray(off, off + n), this.machine.host(this.physical(a)));
      off += n;
    }
  }

  private buildStack(image: ElfImage, opts: StackOptions): number {
    const enc = new TextEncoder();
    const z = (a: string | Uint8Array): Uint8Array => {
      if (typeof a === 'string') return enc.encode(a + '\0');
      const out = new Uint8Array(a.length + 1);
      out.set(a);
      return out;
    };
    const argv = opts.argv.map(z);
    const envp = (opts.envp ?? []).map(z);
    const execfn = z(opts.execfn ?? opts.argv[0] ?? '');
    const strBytes = [execfn, ...argv, ...envp].reduce((n, b) => n + b.length, 0);
    // A process runs as root (uid and gid 0) and is not setuid (AT_SECURE 0), as under qemu-user in a
    // container. AT_RANDOM and AT_EXECFN are filled in once their bytes are placed.
    const auxv: [number, number][] = [
      ...(image.phdr ? [[AT_PHDR, image.phdr.vaddr], [AT_PHENT, 32], [AT_PHNUM, image.phdr.count]] as [number, number][] : []),
      [AT_PAGESZ, PAGE_BYTES], [AT_BASE, 0], [AT_FLAGS, 0], [AT_ENTRY, image.entry],
      [AT_UID, 0], [AT_EUID, 0], [AT_GID, 0], [AT_EGID, 0], [AT_HWCAP, HWCAP_RV32IMA], [AT_CLKTCK, USER_HZ],
      [AT_RANDOM, 0], [AT_SECURE, 0], [AT_EXECFN, 0], [AT_NULL, 0],
    ];
    const vecBytes = 4 * (1 + argv.length + 1 + envp.length + 1 + 2 * auxv.length);
    const total = strBytes + 16 + vecBytes + 32;
    if (total > STACK_ARGS_BYTES_MAX) throw new InputError(`arguments and environment take ${total} bytes; at most ${STACK_ARGS_BYTES_MAX} fit`);
    for (let p = pageDown(USER_END - total - PAGE_BYTES); p < USER_END; p += PAGE_BYTES) this.mapFresh(p, PTE.U | PTE.R | PTE.W);
    let top = USER_END;
    const place = (b: Uint8Array): number => {
      top -= b.length;
      this.put(top, b);
      return top;
    };
    const execfnAt = place(execfn); // Linux puts the file name at the very top
    const argvPtrs = argv.map(place);
    const envPtrs = envp.map(place);
    top &= ~15;
    const random = place(seededBytes(opts.seed ?? 1, 16));
    for (const entry of auxv) {
      if (entry[0] === AT_RANDOM) entry[1] = random;
      if (entry[0] === AT_EXECFN) entry[1] = execfnAt;
    }
    const sp = (top - vecBytes) & ~15;
    const words = [argv.length, ...argvPtrs, 0, ...envPtrs, 0, ...auxv.flat()];
    const vec = new Uint8Array(words.length * 4);
    const dv = new DataView(vec.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    this.put(sp, vec);
    return sp;
  }
}

export class Process {
  /** The process's slot in the kernel's process table. */
  readonly index: number;
  readonly root: number;
  readonly satp: number;
  readonly brk_start: number;
  readonly brk_max: number;
  readonly stack_low = USER_END - STACK_BYTES_MAX;
  readonly pid: number;
  readonly realtime_base_ns: bigint;
  /** The hart run() drives. */
  readonly hart = 0;

  constructor(readonly machine: Machine, image: ElfImage, opts: ProcessOptions) {
    const k = machine.kernel;
    this.realtime_base_ns = opts.realtime_base_ns ?? REALTIME_BASE_NS_DEFAULT;
    const layout = buildImage(machine, image, opts);
    this.root = layout.root;
    const index = k.procCreate(layout.root) >>> 0;
    if (index === FRAME_NONE || index === PROC_NO_PID) {
      freeRoot(machine, layout.root);
      if (index === PROC_NO_PID) throw new InputError('no process id is left on this machine: its pid ranges are used up (a cluster node leases a range with kernelPidLease before it loads a process)');
      throw new InputError(`the process table is full (at most ${PROCS_MAX} processes per machine)`);
    }
    this.index = index;
    const b = PROC_BASE + index * PROC_BYTES;
    this.satp = machine.u32(b + P.SATP);
    this.pid = machine.u32(b + P.PID);
    this.brk_start = layout.brk_start;
    this.brk_max = layout.brk_max;
    const sp = layout.sp;
    k.procSetMemory(index, this.brk_start, this.brk_max, this.stack_low);
    if ((k.threadCreateMain(index, image.entry, sp) >>> 0) === FRAME_NONE) throw new InputError(`the thread table is full (at most ${THREADS_MAX} threads per machine)`);
    // Mirror the first thread on hart 0 too, so the initial registers can be inspected before run(); not once
    // the kernel runs (a process loaded between slices): hart 0 may hold another thread's registers then.
    if (machine.u32(KS + KS_ON) === 0) {
      machine.setPc(this.hart, image.entry);
      machine.setReg(this.hart, 2, sp);
    }
  }

  /** The current break (the kernel's). */
  get brk(): number {
    return this.machine.u32(PROC_BASE + this.index * PROC_BYTES + P.BRK);
  }

  /** How it ended, or null while it lives. */
  result(): RunResult | null {
    return procResult(this.machine, this.index);
  }

  /**
   * Run this machine's processes on hart 0 (round-robin, the kernel's default quantum) until this process
   * ends or max_instructions have retired on the hart.
   */
  run(io: GuestIO, max_instructions = Infinity, log: (line: string) => void = () => {}): RunResult {
    const machine = this.machine;
    const k = machine.kernel;
    const h = this.hart;
    if (machine.u32(KS) === 0) {
      k.kernelSetClock(machine.timebase_hz, Number(this.realtime_base_ns & 0xffff_ffffn), Number(this.realtime_base_ns >> 32n));
      k.hartSetQuantum(h, QUANTUM_TICKS);
      k.kernelStart(0, 0);
    }
    const ctx = { realtime_base_ns: this.realtime_base_ns };
    const calls = new HostCallServer(new HostCallRing(machine), hostServices(machine, ctx, io), unknownCall);
    const host: HartHost = { machine, io, log, realtime_base_ns: this.realtime_base_ns, names: new Map([[this.pid, 'guest']]), calls };
    const start = machine.instructions(h);
    for (;;) {
      const r = this.result();
      if (r !== null) return r;
      const done = Number(machine.instructions(h) - start);
      if (done >= max_instructions) return { kind: 'limit', instructions: BigInt(done) };
      const reason = driveHart(host, h, Math.min(BATCH_INSTRUCTIONS, max_instructions - done));
      if (reason === 'idle' && machine.u32(KS + KS_LIVE_PROCS) !== 0 && k.kernelStuck() !== 0) k.kernelKillAll();
    }
  }
}
