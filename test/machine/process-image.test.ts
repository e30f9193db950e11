// Process images: a guest on machine A stops at a host call (SYS_test_hook, served by the test), its image is
// captured, sent as JSON text and built again on machine B, where it goes on: as a fork's child (a0 = 0) that
// sees the parent's memory as it was at the call, or moved with its pid (migration). Writes on either machine
// stay there; handlers installed on A run on B; pending signals follow a migration and not a fork; a page
// shared copy-on-write on A is captured with its bytes. Bad images are refused with one error and leave B as
// it was. Both machines run in deterministic mode, stepped by the test.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../../src/elf/index.js';
import { System, type SteppedSystem } from '../../src/machine/system.js';
import { bytesInput } from '../../src/machine/console.js';
import { LATER, type HostCall } from '../../src/machine/hostcall.js';
import { slotResult } from '../../src/machine/process.js';
import { captureProcess } from '../../src/machine/process-image.js';
import { restoreProcess, imageFrames } from '../../src/machine/process-image-restore.js';
import {
  ImageError, encodeProcessImage, decodeProcessImage, imageDataBytes, type ProcessImage, type ImagePage,
} from '../../src/machine/process-image-check.js';
import {
  SYS, KS, KS_LIVE_PROCS, KS_THREADED, PROC_BASE, PROC_BYTES, PROCS_MAX, THREAD_BASE, THREAD_BYTES, THREADS_MAX, P,
  FRAME_NONE, MAP_SHARED, MAP_PRIVATE, PROT_NONE, SIGUSR1, SIGUSR2,
} from '../../src/machine/layout.js';
import type { ElfImage } from '../../src/machine/index.js';

const GUEST = join(import.meta.dirname, '../../guest/tests');
const elf = (name: string): ElfImage => parseElf(new Uint8Array(readFileSync(join(GUEST, `${name}.elf`))));
const PROC_IMAGE = elf('proc_image');
const SLICE = 5_000;

/** One machine, stepped by the test, its hook calls held until the test answers them; stdout kept per pid. */
class TestMachine {
  readonly calls: HostCall[] = [];
  readonly log: string[] = [];
  private readonly out = new Map<number, string>();
  private stepped: SteppedSystem | undefined;
  onHook: (call: HostCall) => void = () => undefined;

  private constructor(readonly sys: System) {
    sys.serve(SYS.test_hook, (call) => {
      this.calls.push(call);
      this.onHook(call);
      return LATER;
    });
  }

  static async create(seed: number, ram_bytes = 32 << 20): Promise<TestMachine> {
    return new TestMachine(await System.create({ ram_bytes, seed, stdin: bytesInput('') }));
  }

  get machine() { return this.sys.machine; }

  spawn(image: ElfImage, argv: string[]): number {
    return this.sys.spawn(image, { argv, name: argv[0] }).pid;
  }

  start(): this {
    const dec = new TextDecoder();
    this.stepped = this.sys.beginStepped({
      write: (fd, b, pid) => { if (fd === 1) this.out.set(pid ?? 0, (this.out.get(pid ?? 0) ?? '') + dec.decode(b)); },
    }, (l) => this.log.push(l));
    return this;
  }

  /** Run slices until done() holds (checked before each). */
  runUntil(done: () => boolean, what: string, slices = 5_000): void {
    for (let i = 0; i < slices; i++) {
      if (done()) return;
      this.stepped!.slice(0, SLICE);
    }
    throw new Error(`${what} did not happen within ${slices} slices; log: ${this.log.join(' | ')}`);
  }

  runOut(): void {
    this.runUntil(() => this.stepped!.live() === 0, 'the end of every process');
  }

  answer(call: HostCall, result: number): void {
    this.sys.hostcalls.ring.complete(call.id, result);
  }

  lines(pid: number): string[] {
    return (this.out.get(pid) ?? '').split('\n').filter((l) => l !== '');
  }

  /** Frames in use and the process and thread tables as bytes: what "unharmed" compares. */
  snapshot(): { frames: number; live: number; tables: Uint8Array } {
    const from = PROC_BASE, to = THREAD_BASE + THREADS_MAX * THREAD_BYTES;
    return { frames: this.machine.kernel.framesUsed(), live: this.machine.u32(KS + KS_LIVE_PROCS), tables: this.machine.bytes.slice(from, to) };
  }
}

/** The page whose bytes begin with text. */
function pageWith(image: ProcessImage, text: string): ImagePage {
  const want = new TextEncoder().encode(text);
  const p = image.pages.find((pg) => pg.data !== 'zero' && want.every((c, i) => (pg.data as Uint8Array)[i] === c));
  if (p === undefined) throw new Error(`no page begins with ${text}`);
  return p;
}

const pagesIn = (image: ProcessImage, start: number, end: number): ImagePage[] => image.pages.filter((p) => p.va >= start && p.va < end);

/** A process stopped at its first hook on a fresh machine, captured (as a fork's child unless whole). */
async function capturedAtHook(argv: string[], forChild: boolean): Promise<{ a: TestMachine; image: ProcessImage; call: HostCall }> {
  const a = await TestMachine.create(1);
  a.spawn(PROC_IMAGE, argv);
  a.start().runUntil(() => a.calls.length === 1, 'the hook');
  const call = a.calls[0]!;
  return { a, call, image: captureProcess(a.machine, call.proc, { tid: call.tid, forChild }) };
}

describe('a remote fork: the child built on another machine from the parent\'s image at its call', () => {
  it('sees the parent\'s memory as at the call, runs its handlers, and neither machine sees the other\'s writes', async () => {
    const a = await TestMachine.create(1), b = await TestMachine.create(2);
    const parentPid = a.spawn(PROC_IMAGE, ['proc_image', 'fork']);
    let text = '';
    let image: ProcessImage | undefined;
    // Captured inside the service, while the caller is still parked on its hart.
    a.onHook = (call) => {
      if (call.args[0] !== 1) return;
      image = captureProcess(a.machine, call.proc, { forChild: true, files: a.sys.files! });
      text = encodeProcessImage(image);
    };
    a.start();
    b.start();
    a.runUntil(() => a.calls.length === 1, 'the fork hook');
    const sent = decodeProcessImage(text);
    expect(structuredClone(sent)).toEqual(sent);
    expect(sent).toEqual(image);
    const child = restoreProcess(b.machine, sent, { ppid: parentPid, files: b.sys.files! });
    // The PROT_NONE page keeps its frame on B, with nothing the walk can use.
    const parked = sent.pages.find((p) => p.parked)!;
    const root = b.machine.u32(PROC_BASE + child.proc * PROC_BYTES + P.ROOT);
    expect(b.machine.kernel.vmPteAddress(root, parked.va) >>> 0).toBe(FRAME_NONE);
    expect(b.machine.kernel.mmapFrame(child.proc, parked.va) >>> 0).not.toBe(FRAME_NONE);
    a.answer(a.calls[0]!, child.pid);
    a.runUntil(() => a.calls.length === 2, 'the parent\'s second hook'); // the parent has written its memory
    b.runOut();
    a.answer(a.calls[1]!, 0);
    a.runOut();

    expect(b.lines(child.pid)).toEqual([
      'child: data-before-call bss-before-call stack-before-call heap-before-call heap-page-2 anon-before-call shared-before-call',
      'child: untouched anon page reads 0, SIGUSR2 pending 0',
      'child: parked page parked-initial',
      'child: data-child-wrote bss-child-wrote stack-child-wrote heap-child-wrote heap-page-2 anon-child-wrote shared-child-wrote',
      'handler: SIGUSR1 (hit 1)',
      'child: SIGUSR2 hits after unblocking 0',
      `child: pid ${child.pid} ppid ${parentPid}`,
    ]);
    expect(slotResult(b.machine, child.proc)).toEqual({ kind: 'exit', code: 7 });
    expect(a.lines(parentPid)).toEqual([
      `parent: child ${child.pid}`,
      'parent: data-parent-wrote bss-parent-wrote stack-parent-wrote heap-parent-wrote heap-page-2 anon-parent-wrote shared-parent-wrote',
      'handler: SIGUSR2 (hit 1)',
      'parent: SIGUSR2 hits after unblocking 1',
    ]);
    expect(a.sys.results()[0]).toEqual({ kind: 'exit', code: 0 });
    expect(b.machine.kernel.framesUsed()).toBe(0); // the child's frames all went back at its end
  });

  it('carries pages, VMAs and signal state as fork leaves them', async () => {
    const { image } = await capturedAtHook(['proc_image', 'fork'], true);
    expect(image.pid).toBe(0);
    expect(image.ppid).toBe(1);
    expect(image.thread.regs[10]).toBe(0);
    expect(image.thread.syscall).toBeNull();
    expect(image.pending).toEqual([]);
    expect(image.thread.pending).toEqual([]); // SIGUSR2 was pending in the parent
    expect(image.thread.blocked).toEqual([SIGUSR2]);
    expect(image.actions.map((a) => a.signal)).toEqual([SIGUSR1, SIGUSR2]);
    // The mmap areas, highest first: anon (2 pages, one touched), shared, parked.
    const [parked, shared, anon] = image.vmas;
    expect(anon!.end - anon!.start).toBe(8192);
    expect(anon!.flags).toBe(MAP_PRIVATE);
    expect(pagesIn(image, anon!.start, anon!.end).map((p) => p.va)).toEqual([anon!.start]);
    expect(shared!.flags).toBe(MAP_SHARED);
    expect(pagesIn(image, shared!.start, shared!.end).map((p) => p.kind)).toEqual(['shared']);
    expect(parked!.prot).toBe(PROT_NONE);
    expect(pagesIn(image, parked!.start, parked!.end).map((p) => [p.parked, p.r, p.w])).toEqual([[true, true, false]]);
    expect(pageWith(image, 'heap-before-call').va).toBeGreaterThanOrEqual(image.brk.start);
    expect(image.brk.current - image.brk.start).toBe(8192);
    // Text is readable and executable, not writable.
    const text = image.pages.find((p) => p.va <= image.thread.pc && image.thread.pc < p.va + 4096)!;
    expect([text.r, text.w, text.x]).toEqual([true, false, true]);
  });
});

describe('a migration-like move: the whole process with its pid', () => {
  it('keeps its pid, its pending and blocked signals and its handlers; its call returns what the host says', async () => {
    const a = await TestMachine.create(1), b = await TestMachine.create(2);
    a.spawn(elf('exitcode'), ['exitcode']); // takes pid 1, so the mover's pid is not B's next
    const pid = a.spawn(PROC_IMAGE, ['proc_image', 'migrate']);
    a.start().runUntil(() => a.calls.length === 1, 'the hook');
    b.start();
    // Captured between slices: the caller has left its hart, its registers are in its slot.
    const image = captureProcess(a.machine, a.calls[0]!.proc);
    expect(image.pid).toBe(pid);
    expect(image.thread.syscall).toBe(SYS.test_hook);
    expect(image.thread.blocked).toEqual([SIGUSR1, SIGUSR2]);
    expect(image.pending.map((s) => s.signal)).toEqual([SIGUSR1]); // kill(getpid()): the process's
    expect(image.thread.pending.map((s) => s.signal)).toEqual([SIGUSR2]); // raise: the thread's
    const moved = restoreProcess(b.machine, decodeProcessImage(encodeProcessImage(image)), { pid: image.pid, ppid: image.ppid, syscall_result: 1 });
    expect(moved.pid).toBe(pid);
    expect(pid).not.toBe(1);
    // The same pid a second time is refused, and B is unharmed.
    const before = b.snapshot();
    expect(() => restoreProcess(b.machine, image, { pid, ppid: 0, syscall_result: 1 })).toThrow(new ImageError(`pid ${pid} is in use on this machine (a process or a thread has it)`));
    expect(b.snapshot()).toEqual(before);
    a.answer(a.calls[0]!, 2); // the original ends
    a.runOut();
    b.runOut();
    expect(b.lines(pid)).toEqual([
      'moved: same pid yes, SIGUSR1 pending 1, SIGUSR2 pending 1',
      'moved: data-before-call bss-before-call stack-before-call heap-before-call heap-page-2 anon-before-call shared-before-call',
      'handler: SIGUSR1 (hit 1)',
      'handler: SIGUSR2 (hit 1)',
      'moved: hits SIGUSR1 1 SIGUSR2 1',
    ]);
    expect(slotResult(b.machine, moved.proc)).toEqual({ kind: 'exit', code: 5 });
    expect(a.lines(pid)).toEqual([]);
  });

  it('without a result the call runs again on the new machine', async () => {
    const { image } = await capturedAtHook(['proc_image', 'migrate'], false);
    const b = await TestMachine.create(2);
    b.start();
    const moved = restoreProcess(b.machine, image, { pid: image.pid, ppid: 0 });
    b.runUntil(() => b.calls.length === 1, 'the hook again on B');
    expect(b.calls[0]!.pid).toBe(moved.pid);
    expect(b.calls[0]!.args[0]).toBe(1);
    b.answer(b.calls[0]!, 1);
    b.runOut();
    expect(b.lines(moved.pid)[0]).toBe('moved: same pid yes, SIGUSR1 pending 1, SIGUSR2 pending 1');
  });

  it('refuses what it cannot carry: several threads, a thread blocked in the kernel, a threaded machine', async () => {
    const a = await TestMachine.create(1);
    a.spawn(elf('thread_sleep'), ['thread_sleep']);
    a.start().runUntil(() => a.machine.u32(PROC_BASE + P.THREADS) >= 2, 'a second thread');
    expect(() => captureProcess(a.machine, 0)).toThrow(/process 1 has 2 threads: only a single-threaded process can be captured whole/);

    const c = await TestMachine.create(1);
    c.spawn(PROC_IMAGE, ['proc_image', 'cow']);
    c.start().runUntil(() => c.calls.length === 1, 'the child\'s hook');
    expect(() => captureProcess(c.machine, 0)).toThrow(/thread 1 of process 1 is blocked in the kernel/); // the parent, in waitid
    expect(() => captureProcess(c.machine, PROCS_MAX)).toThrow(ImageError);
    c.machine.view.setUint32(KS + KS_THREADED, 1, true);
    expect(() => captureProcess(c.machine, c.calls[0]!.proc)).toThrow(/deterministic mode/);
    c.machine.view.setUint32(KS + KS_THREADED, 0, true);
  });
});

describe('copy-on-write pages', () => {
  it('a page a parent and its child share copy-on-write is captured with its bytes, a page the child copied with the child\'s', async () => {
    const a = await TestMachine.create(1), b = await TestMachine.create(2);
    const parent = a.spawn(PROC_IMAGE, ['proc_image', 'cow']);
    a.start().runUntil(() => a.calls.length === 1, 'the child\'s hook');
    b.start();
    const call = a.calls[0]!;
    const image = captureProcess(a.machine, call.proc);
    const shared = pageWith(image, 'cow-shared-page'), copied = pageWith(image, 'cow-child-wrote');
    expect([shared.kind, shared.w]).toEqual(['cow', true]);
    expect([copied.kind, copied.w]).toEqual(['private', true]);
    expect(copied.va).toBe(shared.va + 4096);
    const copy = restoreProcess(b.machine, image, { ppid: call.pid, syscall_result: 0 });
    a.answer(call, 1);
    a.runOut();
    b.runOut();
    expect(b.lines(copy.pid)).toEqual(['copy: page 0 cow-shared-page, page 1 cow-child-wrote']);
    expect(slotResult(b.machine, copy.proc)).toEqual({ kind: 'exit', code: 9 });
    expect(a.lines(call.pid)).toEqual(['child: page 0 cow-shared-page, page 1 cow-child-wrote']);
    expect(a.lines(parent)).toEqual(['parent: child status 0; page 0 cow-shared-page, page 1 cow-before-fork']);
  });
});

describe('bad images', () => {
  it('are refused with one clear error, and the machine is left as it was', async () => {
    const { image } = await capturedAtHook(['proc_image', 'heap', '16'], true);
    const b = await TestMachine.create(2);
    b.start();
    const page = image.pages[0]!;
    const withPage = (p: object): ProcessImage => ({ ...image, pages: [...image.pages.slice(1), { ...page, ...p } as ImagePage] });
    const encoded = JSON.parse(encodeProcessImage(image)) as { pages: { data: string }[] };
    const half = encoded.pages.findIndex((p) => p.data !== 'zero');
    encoded.pages[half]!.data = encoded.pages[half]!.data.slice(0, 1000);
    const cases: [string, () => unknown, RegExp][] = [
      ['a page outside user space', () => restoreProcess(b.machine, withPage({ va: 0xc000_0000 }), { ppid: 1 }), /page \d+ at 0xc0000000 lies outside user space \[0x1000, 0xc0000000\)/],
      ['an unaligned page', () => restoreProcess(b.machine, withPage({ va: 0x1_0001 }), { ppid: 1 }), /address 0x10001 is not 4 KiB aligned/],
      ['a truncated page', () => restoreProcess(b.machine, withPage({ data: new Uint8Array(100) }), { ppid: 1 }), /holds 100 bytes, not 4096 \(truncated\)/],
      ['a page twice', () => restoreProcess(b.machine, { ...image, pages: [...image.pages, page] }, { ppid: 1 }), /appears twice/],
      ['a truncated page in JSON', () => decodeProcessImage(JSON.stringify(encoded)), /holds 750 bytes, not 4096 \(truncated\)/],
      ['not JSON', () => decodeProcessImage('{"format": 1,'), /process image: not JSON/],
      ['overlapping VMAs', () => restoreProcess(b.machine, { ...image, vmas: [{ start: 0x10_0000, end: 0x10_3000, prot: 3, flags: 2 }, { start: 0x10_2000, end: 0x10_4000, prot: 3, flags: 2 }] }, { ppid: 1 }), /vma 1 .* overlaps/],
      ['31 registers', () => restoreProcess(b.machine, { ...image, thread: { ...image.thread, regs: image.thread.regs.slice(1) } }, { ppid: 1 }), /thread.regs has 31 registers, not 32/],
      ['another format', () => restoreProcess(b.machine, { ...image, format: 2 } as unknown as ProcessImage, { ppid: 1 }), /format 2 is not 1/],
      ['a result for a thread in no call', () => restoreProcess(b.machine, image, { ppid: 1, syscall_result: 3 }), /in no system call/],
      ['a bad pid', () => restoreProcess(b.machine, image, { pid: -4, ppid: 1 }), /pid -4 is not/],
    ];
    const before = b.snapshot();
    for (const [what, attempt, message] of cases) {
      let err: unknown;
      try { attempt(); } catch (e) { err = e; }
      expect(err, what).toBeInstanceOf(ImageError);
      expect((err as Error).message, what).toMatch(message);
      expect((err as Error).message.split('\n'), what).toHaveLength(1);
      expect(b.snapshot(), what).toEqual(before);
    }
    // And the good image still builds there and runs.
    const copy = restoreProcess(b.machine, image, { ppid: 1 });
    b.runOut();
    expect(b.lines(copy.pid)).toEqual(['copy: 16 KiB of heap, 0 bytes differ']);
  });

  it('a machine too small for the image says so before it builds anything', async () => {
    const { image } = await capturedAtHook(['proc_image', 'heap', '256'], true);
    const small = await TestMachine.create(2, 128 << 10);
    small.start();
    const before = small.snapshot();
    expect(() => restoreProcess(small.machine, image, { ppid: 1 })).toThrow(new RegExp(`out of guest memory: the image needs ${imageFrames(image)} frames \\(pages and page tables\\), the machine has \\d+ free`));
    expect(small.snapshot()).toEqual(before);
  });

  it('running out of frames half-way gives every frame back', async () => {
    const { image } = await capturedAtHook(['proc_image', 'heap', '64'], true);
    const b = await TestMachine.create(2);
    b.start();
    const before = b.snapshot();
    const k = b.machine.kernel as { frameAlloc: () => number };
    const alloc = k.frameAlloc;
    let left = 10;
    k.frameAlloc = () => (left-- > 0 ? alloc() : FRAME_NONE);
    try {
      expect(() => restoreProcess(b.machine, image, { ppid: 1 })).toThrow(/out of guest memory at page 0x/);
    } finally {
      k.frameAlloc = alloc;
    }
    expect(b.snapshot().frames).toBe(before.frames);
    expect(b.snapshot().live).toBe(before.live);
    const copy = restoreProcess(b.machine, image, { ppid: 1 });
    b.runOut();
    expect(b.lines(copy.pid)).toEqual(['copy: 64 KiB of heap, 0 bytes differ']);
  });
});

describe('cost', () => {
  it('measures capture and restore of a process with 1 MiB of touched heap (reported, not asserted)', async () => {
    const a = await TestMachine.create(1, 64 << 20), b = await TestMachine.create(2, 64 << 20);
    a.spawn(PROC_IMAGE, ['proc_image', 'heap', '1024']);
    a.start().runUntil(() => a.calls.length === 1, 'the hook');
    b.start();
    const call = a.calls[0]!;
    const t0 = performance.now();
    const image = captureProcess(a.machine, call.proc, { forChild: true });
    const t1 = performance.now();
    const text = encodeProcessImage(image);
    const t2 = performance.now();
    const sent = decodeProcessImage(text);
    const t3 = performance.now();
    const copy = restoreProcess(b.machine, sent, { ppid: call.pid });
    const t4 = performance.now();
    const ms = (x: number): string => x.toFixed(2);
    console.log(`process image, 1 MiB heap: ${image.pages.length} pages (${imageDataBytes(image)} data bytes), JSON ${text.length} bytes; ` +
      `capture ${ms(t1 - t0)} ms, encode ${ms(t2 - t1)} ms, decode ${ms(t3 - t2)} ms, restore ${ms(t4 - t3)} ms`);
    b.runOut();
    expect(b.lines(copy.pid)).toEqual(['copy: 1024 KiB of heap, 0 bytes differ']);
  });
});
