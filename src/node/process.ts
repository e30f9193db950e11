// A user process on one hart: a fresh Sv32 address space holding the program's PT_LOAD segments (with
// their permissions, zero-filled past filesz), a Linux-style initial stack, a brk heap, and demand paging
// for the stack and heap regions. run() drives the hart in batches and serves traps: system calls
// (syscalls.ts), demand-zero page faults and fatal faults, which end the process with the Linux signal.
// Timer interrupts never reach it: the kernel's dispatcher serves them (assembly/dispatch.ts).
import { InputError } from '../cli/errors.js';
import type { Node } from './node.js';
import type { ElfImage } from './image.js';
import { copyToUser } from './usermem.js';
import { handleSyscall, type GuestIO } from './syscalls.js';
import {
  PTE, SATP_SV32, FRAME_NONE, PAGE_BYTES, USER_BASE, USER_END, CAUSE, EXIT_TRAP,
} from './layout.js';

/** The stack region grows down from USER_END and is paged in on demand up to this size. */
export const STACK_BYTES_MAX = 8 * 1024 * 1024;
/** Strings, vectors and auxv of the initial stack must fit in this many bytes. */
export const STACK_ARGS_BYTES_MAX = 256 * 1024;
/** RAM kept back from the heap limit for page tables and the stack. */
export const HEAP_RESERVE_BYTES = 1024 * 1024;
/** Instructions per call into the kernel's run(). */
export const BATCH_INSTRUCTIONS = 1 << 22;
/** The scheduling quantum: the timer fires every this many mtime ticks (1 ms at 10 MHz). */
export const QUANTUM_TICKS = 10_000;

const AT_NULL = 0, AT_PAGESZ = 6, AT_ENTRY = 9, AT_RANDOM = 25;

export type Signal = 'SIGSEGV' | 'SIGILL' | 'SIGBUS' | 'SIGTRAP' | 'SIGPIPE';
export const SIGNAL_NUMBER: Readonly<Record<Signal, number>> = { SIGSEGV: 11, SIGILL: 4, SIGBUS: 7, SIGTRAP: 5, SIGPIPE: 13 };

export type RunResult =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'fault'; readonly signal: Signal; readonly fault: string; readonly cause: number; readonly address: number; readonly pc: number }
  /** Killed by a signal that is not a CPU fault (SIGPIPE: a write to a pipe whose reader has gone). */
  | { readonly kind: 'killed'; readonly signal: Signal; readonly reason: string }
  | { readonly kind: 'limit'; readonly instructions: bigint };

export interface ProcessOptions {
  readonly argv: readonly string[];
  readonly envp?: readonly string[];
  /** Seed of the AT_RANDOM bytes (deterministic). */
  readonly seed?: number;
  /** Wall-clock-free realtime: CLOCK_REALTIME = this + virtual time. Default 2026-01-01T00:00:00Z. */
  readonly realtime_base_ns?: bigint;
  readonly pid?: number;
}

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

export class Process {
  readonly root: number;
  readonly satp: number;
  readonly brk_start: number;
  brk: number;
  readonly brk_max: number;
  readonly stack_low = USER_END - STACK_BYTES_MAX;
  readonly pid: number;
  readonly realtime_base_ns: bigint;
  readonly hart = 0;

  constructor(readonly node: Node, image: ElfImage, opts: ProcessOptions) {
    const k = node.kernel;
    this.pid = opts.pid ?? 1;
    this.realtime_base_ns = opts.realtime_base_ns ?? 1_767_225_600_000_000_000n;
    const root = k.vmCreate() >>> 0;
    if (root === FRAME_NONE) throw new InputError('out of guest memory for the page table');
    this.root = root;
    this.satp = (SATP_SV32 | (1 << 22) | (root >>> 12)) >>> 0; // ASID 1
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
    for (const [va, flags] of pages) {
      if ((flags & (PTE.R | PTE.X)) === 0) continue;
      this.mapFresh(va, flags);
    }
    for (const s of image.segments) {
      const data = s.data.subarray(0, Math.min(s.filesz, s.data.length));
      for (let off = 0; off < data.length;) {
        const va = s.vaddr + off;
        const n = Math.min(data.length - off, PAGE_BYTES - (va % PAGE_BYTES));
        const pa = this.physical(va);
        node.bytes.set(data.subarray(off, off + n), node.host(pa));
        off += n;
      }
    }
    this.brk_start = pageUp(end);
    this.brk = this.brk_start;
    // Like Linux's overcommit heuristic: the heap may not promise more than the RAM left after loading
    // (less a reserve for page tables and the stack), and never reaches the stack region.
    const free_bytes = node.ram_bytes - k.framesUsed() * PAGE_BYTES - HEAP_RESERVE_BYTES;
    this.brk_max = Math.min(this.stack_low - 16 * PAGE_BYTES, this.brk_start + Math.max(0, free_bytes));
    k.hartSetSatp(this.hart, this.satp);
    node.setPc(this.hart, image.entry);
    node.setReg(this.hart, 2, this.buildStack(image, opts));
    k.hartSetQuantum(this.hart, QUANTUM_TICKS);
    k.timerArm(this.hart, QUANTUM_TICKS, 0);
  }

  /** Map a zeroed frame at va (flags R/W/X/U); throws when guest RAM is exhausted. */
  private mapFresh(va: number, flags: number): number {
    const k = this.node.kernel;
    const pa = k.frameAlloc() >>> 0;
    if (pa === FRAME_NONE) throw new InputError(`guest RAM (${this.node.ram_bytes} bytes) is too small for this program`);
    const rc = k.vmMap(this.root, va >>> 0, pa, flags);
    if (rc !== 0) throw new InputError(`cannot map page 0x${va.toString(16)} (kernel code ${rc})`);
    return pa;
  }

  /** Physical address behind a mapped user va (no permission check: the loader's own use). */
  private physical(va: number): number {
    const pteAddr = this.node.kernel.vmPteAddress(this.root, va >>> 0) >>> 0;
    const pte = this.node.view.getUint32(this.node.host(pteAddr), true);
    return ((pte >>> 10) * PAGE_BYTES) + (va % PAGE_BYTES);
  }

  private buildStack(image: ElfImage, opts: ProcessOptions): number {
    const enc = new TextEncoder();
    const argv = opts.argv.map((a) => enc.encode(a + '\0'));
    const envp = (opts.envp ?? []).map((a) => enc.encode(a + '\0'));
    const strBytes = [...argv, ...envp].reduce((n, b) => n + b.length, 0);
    const auxv: [number, number][] = [[AT_PAGESZ, PAGE_BYTES], [AT_ENTRY, image.entry], [AT_RANDOM, 0], [AT_NULL, 0]];
    const vecBytes = 4 * (1 + argv.length + 1 + envp.length + 1 + 2 * auxv.length);
    const total = strBytes + 16 + vecBytes + 32;
    if (total > STACK_ARGS_BYTES_MAX) throw new InputError(`arguments and environment take ${total} bytes; at most ${STACK_ARGS_BYTES_MAX} fit`);
    for (let p = pageDown(USER_END - total - PAGE_BYTES); p < USER_END; p += PAGE_BYTES) this.mapFresh(p, PTE.U | PTE.R | PTE.W);
    let top = USER_END;
    const place = (b: Uint8Array): number => {
      top -= b.length;
      copyToUser(this.node, this.satp, top, b);
      return top;
    };
    const argvPtrs = argv.map(place);
    const envPtrs = envp.map(place);
    top &= ~15;
    const random = place(seededBytes(opts.seed ?? 1, 16));
    auxv[2]![1] = random;
    const sp = (top - vecBytes) & ~15;
    const words = [argv.length, ...argvPtrs, 0, ...envPtrs, 0, ...auxv.flat()];
    const vec = new Uint8Array(words.length * 4);
    const dv = new DataView(vec.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    copyToUser(this.node, this.satp, sp, vec);
    return sp;
  }

  /** brk(2) with Linux semantics: the new break, or the old one when the request is refused. */
  setBrk(addr: number): number {
    if (addr === 0 || addr < this.brk_start || addr > this.brk_max) return this.brk;
    const k = this.node.kernel;
    const oldTop = pageUp(this.brk);
    const newTop = pageUp(addr);
    if (newTop < oldTop) {
      for (let p = newTop; p < oldTop; p += PAGE_BYTES) {
        if ((k.vmUnmap(this.root, p, 1) >>> 0) !== FRAME_NONE) k.tlbFlush(this.hart, p, 0, 1, 0);
      }
    } else if (addr > this.brk) {
      // Growing inside a page that is already mapped: the new bytes read as zero (as qemu-user does).
      this.zeroMapped(this.brk, Math.min(addr, oldTop));
    }
    this.brk = addr;
    return this.brk;
  }

  private zeroMapped(from: number, to: number): void {
    for (let a = from; a < to;) {
      const n = Math.min(to - a, PAGE_BYTES - (a % PAGE_BYTES));
      if ((this.node.kernel.vmPteAddress(this.root, pageDown(a)) >>> 0) !== FRAME_NONE) {
        const host = this.node.host(this.physical(a));
        this.node.bytes.fill(0, host, host + n);
      }
      a += n;
    }
  }

  /** A page fault in the heap or stack region on an unmapped page: map a zero page and retry. */
  private demandPage(va: number): boolean {
    const inHeap = va >= this.brk_start && va < pageUp(this.brk);
    const inStack = va >= this.stack_low && va < USER_END;
    if (!inHeap && !inStack) return false;
    const page = pageDown(va);
    if ((this.node.kernel.vmPteAddress(this.root, page) >>> 0) !== FRAME_NONE) return false; // a permission fault
    const pa = this.node.kernel.frameAlloc() >>> 0;
    if (pa === FRAME_NONE) return false;
    return this.node.kernel.vmMap(this.root, page, pa, PTE.U | PTE.R | PTE.W) === 0;
  }

  /** Run until the process exits, faults, or max_instructions have retired. */
  run(io: GuestIO, max_instructions = Infinity): RunResult {
    const node = this.node;
    const k = node.kernel;
    const h = this.hart;
    const start = node.stats(h).instructions;
    for (;;) {
      const done = Number(node.stats(h).instructions - start);
      if (done >= max_instructions) return { kind: 'limit', instructions: BigInt(done) };
      const budget = Math.min(BATCH_INSTRUCTIONS, max_instructions - done);
      const reason = k.dispatch(h, budget); // timer interrupts are served inside the kernel
      if (reason !== EXIT_TRAP) continue;
      const cause = node.cause(h);
      if (cause === CAUSE.ECALL_U) {
        const r = handleSyscall(this, io);
        if (r.kind === 'exit') return r;
        if (r.kind === 'sigpipe') return { kind: 'killed', signal: 'SIGPIPE', reason: 'write to a pipe with no reader' };
        continue;
      }
      const tval = node.tval(h);
      if ((cause === CAUSE.LOAD_PAGE_FAULT || cause === CAUSE.STORE_PAGE_FAULT) && this.demandPage(tval)) continue;
      const [fault, signal] = FAULT_NAMES[cause] ?? [`trap cause ${cause}`, 'SIGSEGV'];
      return { kind: 'fault', signal, fault, cause, address: tval, pc: node.pc(h) };
    }
  }
}
