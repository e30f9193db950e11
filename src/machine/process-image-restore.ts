// Building a process from an image (process-image-check.ts) on a machine that is not running (deterministic
// mode, between slices, or before it runs): the image is checked whole and the frames it needs counted before
// anything is touched; then a slot with a fresh address space (assembly/procimage.ts), every page in a frame of
// this machine, the slot fields (brk, stack, VMAs, family, signal state) and one runnable thread. Any failure
// gives everything back (procImageUndo) and throws one ImageError: the machine is as it was.
import type { Machine } from './machine.js';
import type { FileServer } from './file-syscalls.js';
import { copyToUser } from './usermem.js';
import {
  P, PTE, FRAME_NONE, PROCS_MAX, PAGE_BYTES, THREADS_MAX, T_REGS, T_PC, T_CLEAR_TID, vmaTable, VMA_BYTES, V_START,
  V_END, V_PROT, V_FLAGS, sigProcBase, sigThreadBase, SP_PENDING, SP_ACTIONS, SP_INFO, ST_BLOCKED, ST_PENDING,
  ST_INFO, SIGACT_BYTES, ACT_HANDLER, ACT_FLAGS, ACT_MASK, SIGREC_BYTES, SIGREC_CODE, SIGREC_PID, SIGREC_ADDR,
  SIGREC_CAUSE, PIMG_TABLE_FULL, PIMG_PID_IN_USE, PIMG_NO_MEMORY, PIMG_THREAD_FREE, T_TID, PROC_LIVE, PROC_DYING, PROC_ZOMBIE,
} from './layout.js';
import { ImageError, checkImage, type ProcessImage, type ImagePage, type ImageSiginfo, type ImageThread } from './process-image-check.js';
import { assertStopped, procSlot, threadSlot, signalsSet, machineTicks, DEADLINE_NONE } from './process-image.js';
import { leafSlot } from './page-walk.js';

export interface RestoreOptions {
  /** The pid it keeps (a migration): refused when a process or thread of this machine has it. Default: the machine's next. */
  readonly pid?: number;
  /** Its parent's pid, on whatever node the parent lives (getppid); the process has no parent on this machine. */
  readonly ppid: number;
  /**
   * For an image whose thread is in a system call: the result that call returns here (a0, pc past the ecall).
   * Without it the call runs again on this machine.
   */
  readonly syscall_result?: number;
  /** The host's tables: the process gets a descriptor table on the console and the image's cwd and umask. */
  readonly files?: FileServer;
  /** false: built but not queued; RestoredProcess.start() lets it run (a migration, once the move commits). */
  readonly start?: boolean;
  /**
   * Pages (by address) whose bytes are not here yet (post-copy migration): each gets its frame, left absent as a
   * host-kept page, so the first access faults to the host, which fills it (fillAbsentPage). Their data is ignored.
   */
  readonly absent?: ReadonlySet<number>;
}

export interface RestoredProcess {
  /** Its slot in the process table. */
  readonly proc: number;
  readonly pid: number;
  /** Queue its threads (or put the sleepers to sleep), when restored with start: false; then a no-op. */
  readonly start: () => void;
}

/** Largest pid a caller may ask for (a positive C int). */
const PID_MAX = 0x7fff_ffff;

function checkOptions(image: ProcessImage, opts: RestoreOptions): void {
  const { pid, ppid, syscall_result } = opts;
  if (pid !== undefined && (!Number.isInteger(pid) || pid < 1 || pid > PID_MAX)) throw new ImageError(`pid ${pid} is not 1..${PID_MAX}`);
  if (!Number.isInteger(ppid) || ppid < 0 || ppid > PID_MAX) throw new ImageError(`ppid ${ppid} is not 0..${PID_MAX}`);
  if (syscall_result === undefined) return;
  if (!Number.isInteger(syscall_result) || syscall_result < -0x8000_0000 || syscall_result > 0xffff_ffff) throw new ImageError(`syscall_result ${syscall_result} is not a 32-bit value`);
  if (image.thread.syscall === null) throw new ImageError('syscall_result is given, but the image\'s thread is in no system call');
}

/** Frames the image takes: a root table, a level-0 table per 4 MiB region it maps, a frame per page. */
export function imageFrames(image: ProcessImage): number {
  return 1 + new Set(image.pages.map((p) => p.va >>> 22)).size + image.pages.length;
}

/** A process slot of its own for the image, or one ImageError. */
function createSlot(machine: Machine, pid: number | undefined): number {
  const p = machine.kernel.procImageCreate(pid ?? 0) >>> 0;
  // With no pid asked for, the same code is procSlotTake's PROC_NO_PID: the machine's ranges are used up.
  if (p === PIMG_PID_IN_USE && pid === undefined) throw new ImageError('no pid is left in this machine\'s ranges');
  if (p === PIMG_PID_IN_USE) throw new ImageError(`pid ${pid} is in use on this machine (a process or a thread has it)`);
  if (p === PIMG_TABLE_FULL) throw new ImageError(`the process table is full (at most ${PROCS_MAX} processes per machine)`);
  if (p === PIMG_NO_MEMORY) throw new ImageError('out of guest memory for the page table');
  return p;
}

export function leafFlags(page: Omit<ImagePage, 'data'>): number {
  let f = PTE.U | PTE.A;
  if (page.r) f |= PTE.R;
  if (page.w) f |= PTE.W | PTE.D;
  if (page.x) f |= PTE.X;
  if (page.kind === 'shared') f |= PTE.SHARED;
  return f;
}

/** Map every page of the image into root, each in a fresh frame (a cow page becomes the process's own, writable). */
function mapPages(machine: Machine, root: number, pages: readonly ImagePage[], absent: ReadonlySet<number>): void {
  const k = machine.kernel;
  for (const page of pages) {
    const pa = k.frameAlloc() >>> 0;
    if (pa === FRAME_NONE) throw new ImageError(`out of guest memory at page 0x${page.va.toString(16)}`);
    const away = absent.has(page.va);
    if (page.data !== 'zero' && !away) machine.bytes.set(page.data, machine.host(pa)); // frames come zeroed
    if (k.vmMap(root, page.va, pa, leafFlags(page)) !== 0) {
      k.frameFree(pa);
      throw new ImageError(`cannot map page 0x${page.va.toString(16)} (out of guest memory for its page table)`);
    }
    const slot = machine.host(k.vmPteAddress(root, page.va) >>> 0);
    // Away: a host-kept absent page (its frame kept, the walk faults to the host); parked: the walk sees nothing.
    if (away) machine.view.setUint32(slot, (machine.u32(slot) & ~0x3ff) | PTE.HOST | PTE.U, true);
    else if (page.parked) machine.view.setUint32(slot, machine.u32(slot) & ~PTE.V, true);
  }
}

/**
 * Give page `page.va` of process proc, left absent by a restore with `absent`, its bytes and the mapping the
 * image gave it, as if it had been restored with them. A fork since the restore shares the absent frame with
 * the child: every process whose PTE at va is that same absent frame gets it too, copy-on-write when the page
 * is writable, as the fork would have made it. How many PTEs it set; 0 when the page is no longer absent in
 * proc (unmapped, replaced, or filled already), and nothing is written. Deterministic mode.
 */
export function fillAbsentPage(machine: Machine, proc: number, page: Omit<ImagePage, 'data'>, bytes: Uint8Array | 'zero'): number {
  assertStopped(machine, 'filling a page');
  if (bytes !== 'zero' && bytes.length !== PAGE_BYTES) throw new ImageError(`a page is ${PAGE_BYTES} bytes, not ${bytes.length}`);
  const absentAt = (p: number): { slot: number; pte: number } | null => {
    if (machine.u32(procSlot(p) + P.STATE) !== PROC_LIVE) return null;
    const slot = leafSlot(machine, machine.u32(procSlot(p) + P.ROOT), page.va >>> 0);
    const pte = slot === null ? 0 : machine.u32(slot);
    return slot !== null && (pte & PTE.HOST) === PTE.HOST && (pte & PTE.V) === 0 ? { slot, pte } : null;
  };
  if (!Number.isInteger(proc) || proc < 0 || proc >= PROCS_MAX) return 0;
  const own = absentAt(proc);
  if (own === null) return 0;
  const frame = own.pte >>> 10;
  const holders: number[] = [];
  for (let q = 0; q < PROCS_MAX; q++) {
    const at = absentAt(q);
    if (at !== null && at.pte >>> 10 === frame) holders.push(at.slot);
  }
  const host = machine.host(frame * PAGE_BYTES);
  if (bytes === 'zero') machine.bytes.fill(0, host, host + PAGE_BYTES);
  else machine.bytes.set(bytes, host);
  let flags = leafFlags(page) | (page.parked ? 0 : PTE.V);
  if (holders.length > 1 && page.w && page.kind !== 'shared') flags = (flags & ~(PTE.W | PTE.D)) | PTE.COW;
  // Absent to mapped raises the permission: no TLB holds an entry a walk refused, so none needs a flush.
  for (const slot of holders) machine.view.setUint32(slot, (frame << 10) | flags, true);
  return holders.length;
}

function writePending(machine: Machine, set: number, info: number, pending: readonly ImageSiginfo[]): void {
  for (const s of pending) {
    const r = info + (s.signal - 1) * SIGREC_BYTES;
    machine.view.setInt32(r + SIGREC_CODE, s.code, true);
    machine.view.setUint32(r + SIGREC_PID, s.pid, true);
    machine.view.setUint32(r + SIGREC_ADDR, s.addr, true);
    machine.view.setUint32(r + SIGREC_CAUSE, s.cause, true);
  }
  machine.view.setBigUint64(set, signalsSet(pending.map((s) => s.signal)), true);
}

/** The slot fields the image carries: bounds, VMAs, family, dispositions and process-directed signals. */
function writeProcess(machine: Machine, p: number, image: ProcessImage, ppid: number): void {
  const v = machine.view, b = procSlot(p);
  const put = (off: number, x: number): void => v.setUint32(b + off, x >>> 0, true);
  put(P.BRK_START, image.brk.start);
  put(P.BRK, image.brk.current);
  put(P.BRK_MAX, image.brk.max);
  put(P.STACK_LOW, image.stack_low);
  put(P.PPID, ppid);
  put(P.PGID, image.pgid);
  put(P.SID, image.sid);
  put(P.EXIT_SIGNAL, image.exit_signal);
  image.vmas.forEach((m, i) => {
    const a = vmaTable(p) + i * VMA_BYTES;
    v.setUint32(a + V_START, m.start, true);
    v.setUint32(a + V_END, m.end, true);
    v.setUint32(a + V_PROT, m.prot, true);
    v.setUint32(a + V_FLAGS, m.flags, true);
  });
  put(P.VMAS, image.vmas.length);
  for (const a of image.actions) {
    const at = sigProcBase(p) + SP_ACTIONS + (a.signal - 1) * SIGACT_BYTES;
    v.setUint32(at + ACT_HANDLER, a.handler, true);
    v.setUint32(at + ACT_FLAGS, a.flags, true);
    v.setBigUint64(at + ACT_MASK, signalsSet(a.mask), true);
  }
  writePending(machine, sigProcBase(p) + SP_PENDING, sigProcBase(p) + SP_INFO, image.pending);
}

/** Thread t's registers, pc (answering its system call when asked) and signal state. */
function writeThread(machine: Machine, t: number, th: ImageThread, result: number | undefined): void {
  const v = machine.view, tb = threadSlot(t);
  th.regs.forEach((r, i) => v.setUint32(tb + T_REGS + i * 4, i === 0 ? 0 : r, true));
  if (result !== undefined) v.setUint32(tb + T_REGS + 10 * 4, result >>> 0, true);
  v.setUint32(tb + T_PC, result === undefined ? th.pc : (th.pc + 4) >>> 0, true);
  v.setUint32(tb + T_CLEAR_TID, th.clear_tid, true);
  const sb = sigThreadBase(t);
  v.setBigUint64(sb + ST_BLOCKED, signalsSet(th.blocked), true);
  writePending(machine, sb + ST_PENDING, sb + ST_INFO, th.pending);
}

/**
 * Build the process image describes on this machine (not running: deterministic mode), with P_PPID = ppid and
 * no local parent, and queue its thread. Throws one ImageError (a bad image, a pid in use, no room) and leaves
 * the machine as it was.
 */
export function restoreProcess(machine: Machine, raw: ProcessImage, opts: RestoreOptions): RestoredProcess {
  assertStopped(machine, 'restoring a process');
  const image = checkImage(raw);
  checkOptions(image, opts);
  const k = machine.kernel;
  const need = imageFrames(image), free = k.framesFree();
  if (need > free) throw new ImageError(`out of guest memory: the image needs ${need} frames (pages and page tables), the machine has ${free} free`);
  const others = image.threads ?? [];
  if (others.length > 0) checkThreadRoom(machine, image, opts.pid);
  const p = createSlot(machine, opts.pid);
  let t: number;
  try {
    mapPages(machine, machine.u32(procSlot(p) + P.ROOT), image.pages, opts.absent ?? new Set());
    // A whole process keeps its threads' tids; a single thread gets tid = pid.
    t = (others.length > 0 ? k.procImageThreadTid(p, image.thread.tid) : k.procImageThread(p)) >>> 0;
    if (t === FRAME_NONE) throw new ImageError(`the thread table is full (at most ${THREADS_MAX} threads per machine)`);
    if (t === PIMG_PID_IN_USE) throw new ImageError(`tid ${image.thread.tid} is in use on this machine`);
  } catch (err) {
    k.procImageUndo(p);
    throw err;
  }
  const pid = machine.u32(procSlot(p) + P.PID);
  writeProcess(machine, p, image, opts.ppid);
  if (image.monotonic_ns !== undefined) {
    // Its clock never goes back: ahead of this machine's by what the old one was ahead (never behind it).
    const here = (machineTicks(machine) * 1_000_000_000n) / BigInt(machine.timebase_hz);
    const ahead = BigInt(image.monotonic_ns) - here;
    machine.view.setBigUint64(procSlot(p) + P.MONO_OFFSET, ahead > 0n ? ahead : 0n, true);
  }
  writeThread(machine, t, image.thread, opts.syscall_result);
  // The room was checked first: none of these can fail.
  const more = others.map((th) => {
    const u = k.procImageThreadTid(p, th.tid) >>> 0;
    if (u === FRAME_NONE || u === PIMG_PID_IN_USE) throw new Error(`restore: thread ${th.tid} could not be made after its room was checked`);
    writeThread(machine, u, th, undefined);
    return { t: u, th };
  });
  if (image.thread.set_child_tid !== 0) {
    // As the kernel's fork: the child's pid in its own memory; an address that does not take it is ignored.
    const word = new Uint8Array(4);
    new DataView(word.buffer).setUint32(0, pid, true);
    copyToUser(machine, machine.u32(procSlot(p) + P.SATP), image.thread.set_child_tid, word);
  }
  if (opts.files !== undefined) {
    const files = opts.files.addProcess(pid, p);
    if (image.host !== null) files.fs = { cwd: image.host.cwd, umask: image.host.umask };
  }
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    // Futex waiters wait again oldest first, so a wake picks the one it would have picked.
    const all = [{ t, th: image.thread }, ...more];
    const order = (th: ImageThread): number => th.futex?.order ?? -1;
    for (const x of all.sort((a, b) => order(a.th) - order(b.th))) startThread(machine, x.t, x.th);
  };
  if (opts.start !== false) start();
  return { proc: p, pid, start };
}

/** Queue a restored thread, or put it back in its sleep or futex wait for the time it had left. */
function startThread(machine: Machine, t: number, th: ImageThread): void {
  const k = machine.kernel;
  const left = th.sleep_ns ?? th.futex?.timeout_ns;
  const at = left === undefined || left === null ? DEADLINE_NONE
    : machineTicks(machine) + ((BigInt(left) * BigInt(machine.timebase_hz) + 999_999_999n) / 1_000_000_000n || 1n);
  const lo = Number(at & 0xffff_ffffn), hi = Number(at >> 32n);
  if (th.sleep_ns !== undefined && th.sleep_ns !== null) k.procImageSleep(t, lo, hi);
  // A word that does not translate here (it cannot, for an image that checked): the thread runs, as woken.
  else if (th.futex !== undefined && th.futex !== null && k.procImageFutex(t, th.futex.va, th.futex.shared ? 1 : 0, lo, hi) === 0) return;
  else k.procImageRun(t);
}

/** A whole process's threads fit: free thread slots for all, and no tid (but the process's own pid) in use here. */
function checkThreadRoom(machine: Machine, image: ProcessImage, pid: number | undefined): void {
  const all = [image.thread, ...(image.threads ?? [])];
  let free = 0;
  const used = new Set<number>();
  for (let t = 0; t < THREADS_MAX; t++) {
    if (machine.kernel.procImageThreadState(t) === PIMG_THREAD_FREE) free++;
    else used.add(machine.u32(threadSlot(t) + T_TID));
  }
  for (let q = 0; q < PROCS_MAX; q++) {
    const st = machine.u32(procSlot(q) + P.STATE);
    if (st === PROC_LIVE || st === PROC_DYING || st === PROC_ZOMBIE) used.add(machine.u32(procSlot(q) + P.PID));
  }
  if (free < all.length) throw new ImageError(`the thread table has ${free} free slots, the process has ${all.length} threads`);
  for (const th of all) {
    if (th.tid !== pid && used.has(th.tid)) throw new ImageError(`tid ${th.tid} is in use on this machine`);
  }
  if (pid === undefined) throw new ImageError('a process with several threads keeps its pid (a migration): give the pid');
}

