// A process image as data (process-image.ts captures one, process-image-restore.ts builds a process from
// one): its types, the check every image passes before a machine is touched (checkImage: one ImageError naming
// the first thing wrong), and its JSON text for the network (page bytes in base64, all-zero pages as "zero").
// An image is also structured-clone-able as it is (plain objects, arrays, numbers, strings, Uint8Array).
import { base64Bytes, base64Text, InputError } from '../base/index.js';
import {
  PAGE_BYTES, USER_BASE, USER_END, LOAD_END, VMAS_MAX, FRAMES_MAX, NSIG, SIGKILL, SIGSTOP, PROT_READ, PROT_WRITE,
  PROT_EXEC, MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, THREADS_MAX,
} from './abi.js';

/** The format this code writes and reads. */
export const PROCESS_IMAGE_FORMAT = 1;

/** A refused image or capture: one line saying what is wrong. */
export class ImageError extends InputError {
  override name = 'ImageError';
}

/** The process is in a state a capture cannot carry now, but may after it has run a little (a migration waits). */
export class ImageBusyError extends ImageError {
  override name = 'ImageBusyError';
}

/**
 * private: the process's own page; cow: a private page shared copy-on-write with another process of the
 * machine it was captured on (PTE_COW: writable once a store copies it); shared: a page of a MAP_SHARED mapping.
 */
export type PageKind = 'private' | 'cow' | 'shared';

/** One mapped user page (4 KiB). Pages never touched (demand-zero heap, stack, mmap) are not in an image. */
export interface ImagePage {
  readonly va: number;
  readonly r: boolean;
  /** Writable (a cow page too: its first store on the new machine needs no copy). */
  readonly w: boolean;
  readonly x: boolean;
  readonly kind: PageKind;
  /** A PROT_NONE page whose frame (and bytes) the process keeps: r/w/x are what mprotect left in its PTE. */
  readonly parked: boolean;
  /** The page's bytes, or 'zero' for a page of zeros. */
  readonly data: Uint8Array | 'zero';
}

/** An mmap area (assembly/vma.ts): [start, end), PROT_* and MAP_SHARED or MAP_PRIVATE. */
export interface ImageVma {
  readonly start: number;
  readonly end: number;
  readonly prot: number;
  readonly flags: number;
}

/** A disposition other than the default: the RISC-V kernel's struct sigaction. */
export interface ImageSigaction {
  readonly signal: number;
  readonly handler: number;
  readonly flags: number;
  readonly mask: readonly number[];
}

/** A pending signal and the siginfo it will be delivered with (si_code signed). */
export interface ImageSiginfo {
  readonly signal: number;
  readonly code: number;
  readonly pid: number;
  readonly addr: number;
  /** The P_CAUSE its default action kills with. */
  readonly cause: number;
}

export interface ImageThread {
  /** Its tid where it was captured (a restored process's one thread gets tid = pid). */
  readonly tid: number;
  /** x0..x31. */
  readonly regs: readonly number[];
  readonly pc: number;
  /**
   * The system call it was in (pc on its ecall, a0..a7 the call's): restoreProcess either answers it
   * (syscall_result) or lets the call run again on the new machine. null: it was in user mode.
   */
  readonly syscall: number | null;
  /** The clear-child-tid word (set_tid_address, CLONE_CHILD_CLEARTID; 0: none). */
  readonly clear_tid: number;
  /** CLONE_CHILD_SETTID of a fork's child: restoreProcess writes the new pid there (0: none). */
  readonly set_child_tid: number;
  readonly blocked: readonly number[];
  /** Thread-directed pending signals. */
  readonly pending: readonly ImageSiginfo[];
  /**
   * A thread asleep in clock_nanosleep (pc past its ecall, a0 = 0): the time it has left, in ns; it sleeps that
   * long where it is restored. Absent or null: it runs.
   */
  readonly sleep_ns?: number | null;
  /**
   * A thread waiting on a futex (pc past its ecall, a0 = 0): the word's user address, whether the wait is shared
   * (not FUTEX_PRIVATE), the time it has left (ns; null: none) and its place among the process's waits (order:
   * the oldest waiter is woken first). It waits again where it is restored. Absent or null: it runs.
   */
  readonly futex?: ImageFutexWait | null;
}

export interface ImageFutexWait {
  readonly va: number;
  readonly shared: boolean;
  readonly timeout_ns: number | null;
  readonly order: number;
}

/** What the host keeps for the process beside the kernel: its working directory and umask (descriptors are the cluster's). */
export interface ImageHost {
  readonly cwd: string;
  readonly umask: number;
}

export interface ProcessImage {
  readonly format: typeof PROCESS_IMAGE_FORMAT;
  /** Its pid where captured (0 in a fork child's image: restoreProcess gives it one). */
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** The signal its parent gets when it ends (SIGCHLD). */
  readonly exit_signal: number;
  readonly brk: { readonly start: number; readonly current: number; readonly max: number };
  /** Lowest address of the demand-paged stack region (it ends at USER_END). */
  readonly stack_low: number;
  readonly vmas: readonly ImageVma[];
  readonly pages: readonly ImagePage[];
  readonly thread: ImageThread;
  /**
   * The process's other threads, each with its own tid (a whole process, as a migration carries it; a fork's
   * child has none). Absent: none.
   */
  readonly threads?: readonly ImageThread[];
  /**
   * The process's CLOCK_MONOTONIC at the capture, in ns: where it is restored its monotonic clock reads at least
   * this from then on, even on a machine whose clock is behind. Absent: the new machine's clock as it is.
   */
  readonly monotonic_ns?: number;
  /** Dispositions other than SIG_DFL with no flags and no mask. */
  readonly actions: readonly ImageSigaction[];
  /** Process-directed pending signals. */
  readonly pending: readonly ImageSiginfo[];
  readonly host: ImageHost | null;
}

const PAGE_KINDS: readonly PageKind[] = ['private', 'cow', 'shared'];
const PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function fail(what: string): never {
  throw new ImageError(`process image: ${what}`);
}

type Fields = Record<string, unknown>;

function fields(v: unknown, what: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} is not an object`);
  return v as Fields;
}

function list(v: unknown, what: string, max: number): readonly unknown[] {
  if (!Array.isArray(v)) fail(`${what} is not a list`);
  if (v.length > max) fail(`${what} has ${v.length} entries, more than ${max}`);
  return v;
}

function u32(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) fail(`${what} is ${String(v)}, not a u32`);
  return v;
}

function i32(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff) fail(`${what} is ${String(v)}, not an i32`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') fail(`${what} is ${String(v)}, not true or false`);
  return v;
}

function signal(v: unknown, what: string): number {
  const s = u32(v, what);
  if (s < 1 || s > NSIG) fail(`${what} is ${s}, not a signal 1..${NSIG}`);
  return s;
}

function signalSet(v: unknown, what: string): number[] {
  const out = list(v, what, NSIG).map((s, i) => signal(s, `${what}[${i}]`));
  if (new Set(out).size !== out.length) fail(`${what} names a signal twice`);
  return out;
}

function siginfos(v: unknown, what: string): ImageSiginfo[] {
  const out = list(v, what, NSIG).map((e, i) => {
    const f = fields(e, `${what}[${i}]`);
    const w = `${what}[${i}]`;
    return { signal: signal(f.signal, `${w}.signal`), code: i32(f.code, `${w}.code`), pid: u32(f.pid, `${w}.pid`), addr: u32(f.addr, `${w}.addr`), cause: u32(f.cause, `${w}.cause`) };
  });
  if (new Set(out.map((e) => e.signal)).size !== out.length) fail(`${what} holds a signal twice`);
  return out;
}

function page(v: unknown, i: number): ImagePage {
  const f = fields(v, `page ${i}`);
  const va = u32(f.va, `page ${i}'s address`);
  if (va % PAGE_BYTES !== 0) fail(`page ${i}'s address ${hex(va)} is not 4 KiB aligned`);
  if (va < USER_BASE || va >= LOAD_END) fail(`page ${i} at ${hex(va)} lies outside user space [${hex(USER_BASE)}, ${hex(LOAD_END)})`);
  const r = bool(f.r, `page ${hex(va)}'s r`), w = bool(f.w, `page ${hex(va)}'s w`), x = bool(f.x, `page ${hex(va)}'s x`);
  if (!r && !x) fail(`page ${hex(va)} is neither readable nor executable`);
  if (w && !r) fail(`page ${hex(va)} is writable but not readable`);
  const kind = f.kind as PageKind;
  if (!PAGE_KINDS.includes(kind)) fail(`page ${hex(va)}'s kind is ${String(f.kind)}, not private, cow or shared`);
  const parked = bool(f.parked, `page ${hex(va)}'s parked`);
  const data = f.data;
  if (data !== 'zero' && !(data instanceof Uint8Array)) fail(`page ${hex(va)}'s data is neither bytes nor "zero"`);
  if (data instanceof Uint8Array && data.length !== PAGE_BYTES) fail(`page ${hex(va)} holds ${data.length} bytes, not ${PAGE_BYTES} (truncated)`);
  return { va, r, w, x, kind, parked, data };
}

function pages(v: unknown): ImagePage[] {
  const out = list(v, 'pages', FRAMES_MAX).map(page);
  const seen = new Set<number>();
  for (const p of out) {
    if (seen.has(p.va)) fail(`page ${hex(p.va)} appears twice`);
    seen.add(p.va);
  }
  return out;
}

function vmas(v: unknown): ImageVma[] {
  let prevEnd = 0;
  return list(v, 'vmas', VMAS_MAX).map((e, i) => {
    const f = fields(e, `vma ${i}`);
    const start = u32(f.start, `vma ${i}'s start`), end = u32(f.end, `vma ${i}'s end`);
    const prot = u32(f.prot, `vma ${i}'s prot`), flags = u32(f.flags, `vma ${i}'s flags`);
    if (start % PAGE_BYTES !== 0 || end % PAGE_BYTES !== 0) fail(`vma ${i} [${hex(start)}, ${hex(end)}) is not page-aligned`);
    if (start >= end || start < USER_BASE || end > LOAD_END) fail(`vma ${i} [${hex(start)}, ${hex(end)}) is empty or outside user space`);
    if (start < prevEnd) fail(`vma ${i} [${hex(start)}, ${hex(end)}) overlaps or precedes the one before`);
    if ((prot & ~PROT_ALL) !== 0) fail(`vma ${i}'s prot ${hex(prot)} has bits beyond PROT_READ | PROT_WRITE | PROT_EXEC`);
    if (flags !== MAP_SHARED && flags !== MAP_PRIVATE && flags !== MAP_SHARED_VALIDATE) fail(`vma ${i}'s flags ${hex(flags)} are not a mapping type`);
    prevEnd = end;
    return { start, end, prot, flags };
  });
}

function thread(v: unknown, name = 'thread'): ImageThread {
  const f = fields(v, name);
  const regs = list(f.regs, `${name}.regs`, 32).map((r, i) => u32(r, `${name}.regs[${i}]`));
  if (regs.length !== 32) fail(`${name}.regs has ${regs.length} registers, not 32`);
  if (regs[0] !== 0) fail(`${name}.regs[0] (x0) is not 0`);
  const pc = u32(f.pc, `${name}.pc`);
  if (pc % 4 !== 0) fail(`${name}.pc ${hex(pc)} is not 4-byte aligned`);
  const syscall = f.syscall === null ? null : u32(f.syscall, `${name}.syscall`);
  const blocked = signalSet(f.blocked, `${name}.blocked`);
  if (blocked.includes(SIGKILL) || blocked.includes(SIGSTOP)) fail(`${name}.blocked holds SIGKILL or SIGSTOP, which are never blocked`);
  const sleep_ns = f.sleep_ns === undefined || f.sleep_ns === null ? null : nsCount(f.sleep_ns, `${name}.sleep_ns`);
  if (sleep_ns !== null && syscall !== null) fail(`${name} both sleeps and waits in system call ${syscall}`);
  const futex = f.futex === undefined || f.futex === null ? null : futexWait(f.futex, `${name}.futex`);
  if (futex !== null && (sleep_ns !== null || syscall !== null)) fail(`${name} waits on a futex and also sleeps or waits in a system call`);
  return {
    tid: u32(f.tid, `${name}.tid`), regs, pc, syscall, clear_tid: u32(f.clear_tid, `${name}.clear_tid`),
    set_child_tid: u32(f.set_child_tid, `${name}.set_child_tid`), blocked, pending: siginfos(f.pending, `${name}.pending`),
    ...(sleep_ns !== null ? { sleep_ns } : {}), ...(futex !== null ? { futex } : {}),
  };
}

function nsCount(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${what} is ${String(v)}, not a count of ns`);
  return v;
}

function futexWait(v: unknown, name: string): ImageFutexWait {
  const f = fields(v, name);
  const va = u32(f.va, `${name}.va`);
  if (va % 4 !== 0 || va < USER_BASE || va >= LOAD_END) fail(`${name}.va ${hex(va)} is not an aligned word of user space`);
  if (typeof f.shared !== 'boolean') fail(`${name}.shared is not true or false`);
  const timeout_ns = f.timeout_ns === null ? null : nsCount(f.timeout_ns, `${name}.timeout_ns`);
  return { va, shared: f.shared, timeout_ns, order: nsCount(f.order, `${name}.order`) };
}

function actions(v: unknown): ImageSigaction[] {
  const out = list(v, 'actions', NSIG).map((e, i) => {
    const f = fields(e, `actions[${i}]`);
    const sig = signal(f.signal, `actions[${i}].signal`);
    if (sig === SIGKILL || sig === SIGSTOP) fail(`actions[${i}] changes SIGKILL or SIGSTOP, which keep their default`);
    return { signal: sig, handler: u32(f.handler, `actions[${i}].handler`), flags: u32(f.flags, `actions[${i}].flags`), mask: signalSet(f.mask, `actions[${i}].mask`) };
  });
  if (new Set(out.map((a) => a.signal)).size !== out.length) fail('actions holds a signal twice');
  return out;
}

function host(v: unknown): ImageHost | null {
  if (v === null) return null;
  const f = fields(v, 'host');
  if (typeof f.cwd !== 'string' || !f.cwd.startsWith('/')) fail(`host.cwd is ${String(f.cwd)}, not an absolute path`);
  const umask = u32(f.umask, 'host.umask');
  if (umask > 0o777) fail(`host.umask ${umask.toString(8)} has bits beyond 0777`);
  return { cwd: f.cwd, umask };
}

function memoryBounds(f: Fields): Pick<ProcessImage, 'brk' | 'stack_low'> {
  const b = fields(f.brk, 'brk');
  const brk = { start: u32(b.start, 'brk.start'), current: u32(b.current, 'brk.current'), max: u32(b.max, 'brk.max') };
  if (brk.start % PAGE_BYTES !== 0 || brk.start < USER_BASE) fail(`brk.start ${hex(brk.start)} is not a page of user space`);
  if (!(brk.start <= brk.current && brk.current <= brk.max && brk.max <= LOAD_END)) fail(`brk ${hex(brk.start)} <= ${hex(brk.current)} <= ${hex(brk.max)} <= ${hex(LOAD_END)} does not hold`);
  const stack_low = u32(f.stack_low, 'stack_low');
  if (stack_low % PAGE_BYTES !== 0 || stack_low < USER_BASE || stack_low > USER_END) fail(`stack_low ${hex(stack_low)} is not a page below ${hex(USER_END)}`);
  return { brk, stack_low };
}

/** The other threads of a whole process's image: tids apart from each other and from the first thread's. */
function otherThreads(f: Fields): Pick<ProcessImage, 'threads'> {
  if (f.threads === undefined) return {};
  const out = list(f.threads, 'threads', THREADS_MAX - 1).map((t, i) => thread(t, `threads[${i}]`));
  const tids = new Set([u32(fields(f.thread, 'thread').tid, 'thread.tid'), ...out.map((t) => t.tid)]);
  if (tids.size !== out.length + 1) fail('two threads have the same tid');
  if (tids.has(0)) fail('a thread has tid 0');
  return { threads: out };
}

function monotonic(f: Fields): Pick<ProcessImage, 'monotonic_ns'> {
  if (f.monotonic_ns === undefined) return {};
  return { monotonic_ns: nsCount(f.monotonic_ns, 'monotonic_ns') };
}

/**
 * The image raw describes, checked whole (types, bounds, alignment, sizes, duplicates) and rebuilt as plain
 * data (page bytes are not copied); throws one ImageError naming the first problem.
 */
export function checkImage(raw: unknown): ProcessImage {
  const f = fields(raw, 'the image');
  if (f.format !== PROCESS_IMAGE_FORMAT) fail(`format ${String(f.format)} is not ${PROCESS_IMAGE_FORMAT}`);
  return {
    format: PROCESS_IMAGE_FORMAT,
    pid: u32(f.pid, 'pid'), ppid: u32(f.ppid, 'ppid'), pgid: u32(f.pgid, 'pgid'), sid: u32(f.sid, 'sid'),
    exit_signal: signal(f.exit_signal, 'exit_signal'), ...memoryBounds(f),
    vmas: vmas(f.vmas), pages: pages(f.pages), thread: thread(f.thread), ...otherThreads(f), actions: actions(f.actions),
    pending: siginfos(f.pending, 'pending'), host: host(f.host), ...monotonic(f),
  };
}

/** The image as JSON text: each page's bytes in base64, or "zero". */
export function encodeProcessImage(image: ProcessImage): string {
  return JSON.stringify({ ...image, pages: encodeImagePages(image.pages) });
}

/** An image from encodeProcessImage's text, checked as checkImage does (one ImageError otherwise). */
export function decodeProcessImage(text: string): ProcessImage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(`not JSON (${(err as Error).message})`);
  }
  const f = fields(raw, 'the image');
  return checkImage(Array.isArray(f.pages) ? { ...f, pages: f.pages.map(pageBytesFromText) } : f);
}

/** A page as encodeProcessImage writes it, its data back in bytes (not yet checked). */
function pageBytesFromText(p: unknown, i: number): unknown {
  const pf = fields(p, `page ${i}`);
  if (pf.data === 'zero') return pf;
  const data = typeof pf.data === 'string' ? base64Bytes(pf.data) : null;
  if (data === null) fail(`page ${i}'s data is neither base64 nor "zero"`);
  return { ...pf, data };
}

/** A page's address and mapping, without its bytes (a migration names pages it does not send). */
export type ImagePageMeta = Omit<ImagePage, 'data'>;

/** Pages as JSON values, each page's bytes in base64 or "zero", as in encodeProcessImage. */
export function encodeImagePages(list: readonly ImagePage[]): unknown[] {
  return list.map((p) => ({ ...p, data: p.data === 'zero' ? 'zero' : base64Text(p.data) }));
}

/** Pages from encodeImagePages's values, each checked as an image's page is (one ImageError otherwise). */
export function decodeImagePages(raw: unknown): ImagePage[] {
  return pages(Array.isArray(raw) ? raw.map(pageBytesFromText) : raw);
}

/** Pages' mappings (no bytes), each checked as an image's page is (one ImageError otherwise). */
export function checkImagePageMetas(raw: unknown): ImagePageMeta[] {
  const metas = pages(Array.isArray(raw) ? raw.map((p, i) => ({ ...fields(p, `page ${i}`), data: 'zero' })) : raw);
  return metas.map(({ data: _data, ...meta }) => meta);
}

/** Page data bytes an image carries (zero pages count nothing). */
export function imageDataBytes(image: ProcessImage): number {
  return image.pages.reduce((n, p) => n + (p.data === 'zero' ? 0 : p.data.length), 0);
}
