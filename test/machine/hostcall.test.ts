// The host-call ring: a thread's host call blocks the thread, not the hart; the host answers whenever it
// likes (out of order, many slices later, from a timer in threaded mode), and every caller resumes with its
// own answer. More callers than ring records wait for a record, in order, and none is lost. Deterministic
// runs stay deterministic.
import { describe, it, expect } from 'vitest';
import { A } from './helpers/asm.js';
import type { ElfImage } from '../../src/machine/index.js';
import { System } from '../../src/machine/system.js';
import { LATER, type HostCall } from '../../src/machine/hostcall.js';
import { RING_ENTRIES, TS_HOSTCALL } from '../../src/machine/layout.js';

const x0 = 0, t0 = 5, t1 = 6, t2 = 7, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a7 = 17, s2 = 18, s3 = 19;
const CODE = 0x1_0000, DATA = 0x2_0000;
/** A system call number nobody serves but the test's service. */
const NR_TEST = 500;
const CLONE_THREAD = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;

type Item = number | { label: string } | { to: string; op: (off: number) => number };

/** Assemble items with labels: branches and jumps are resolved against them. */
function assemble(items: Item[]): number[] {
  const at = new Map<string, number>();
  let pc = 0;
  for (const it of items) if (typeof it === 'object' && 'label' in it) at.set(it.label, pc); else pc += 4;
  const out: number[] = [];
  for (const it of items) {
    if (typeof it === 'number') out.push(it);
    else if ('to' in it) out.push(it.op(at.get(it.to)! - out.length * 4));
  }
  return out;
}

/**
 * The main thread starts `n` threads; thread i calls NR_TEST(i, 0x1234) and checks that the answer is
 * 3i + 1, counting mismatches, then exits. The main thread yields until all are done and exits with the
 * number of mismatches. Children share the main stack pointer (they never touch the stack).
 */
function program(n: number): ElfImage {
  const code = assemble([
    ...A.li(s3, DATA), ...A.li(s2, n), ...A.li(s1, 0),
    { label: 'spawn' }, { to: 'wait', op: (o) => A.bge(s1, s2, o) },
    ...A.li(a0, CLONE_THREAD), ...A.li(a1, 0), ...A.li(a2, 0), ...A.li(a3, 0), ...A.li(a4, 0), ...A.li(a7, 220), A.ecall(),
    { to: 'child', op: (o) => A.beq(a0, x0, o) },
    A.addi(s1, s1, 1), { to: 'spawn', op: (o) => A.jal(x0, o) },
    { label: 'wait' }, A.lw(t0, s3, 0), { to: 'finish', op: (o) => A.bge(t0, s2, o) },
    ...A.li(a7, 124), A.ecall(), { to: 'wait', op: (o) => A.jal(x0, o) },
    { label: 'finish' }, A.lw(a0, s3, 4), ...A.li(a7, 94), A.ecall(),
    { label: 'child' }, A.addi(a0, s1, 0), ...A.li(a1, 0x1234), ...A.li(a7, NR_TEST), A.ecall(),
    A.slli(t1, s1, 1), A.add(t1, t1, s1), A.addi(t1, t1, 1), { to: 'ok', op: (o) => A.beq(a0, t1, o) },
    A.addi(t0, s3, 4), ...A.li(t2, 1), A.amo(0x00, x0, t0, t2),
    { label: 'ok' }, ...A.li(t2, 1), A.amo(0x00, x0, s3, t2),
    ...A.li(a0, 0), ...A.li(a7, 93), A.ecall(),
  ]);
  const bytes = new Uint8Array(code.length * 4);
  code.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w >>> 0, true));
  return {
    entry: CODE,
    segments: [
      { vaddr: CODE, memsz: bytes.length, filesz: bytes.length, data: bytes, readable: true, writable: false, executable: true },
      { vaddr: DATA, memsz: 0x1000, filesz: 0, data: new Uint8Array(0), readable: true, writable: true, executable: false },
    ],
  };
}

const answer = (call: HostCall): number => call.args[0]! * 3 + 1;

interface Trace { served: HostCall[]; completed: number[]; ran_while_blocked: bigint[]; blocked_at_answer: boolean[] }

/**
 * Deterministic run of program(n): the service keeps every call; every `every` slices the test answers
 * up to `batch` of the calls pending for at least `every` slices, newest first (out of order); nothing
 * before `hold` calls have come in.
 */
async function runDelayed(n: number, harts: number, seed: number, every = 5, batch = 3, hold = 0): Promise<{ trace: Trace; sys: System; code: number }> {
  const sys = await System.create({ ram_bytes: 8 << 20, harts, seed, quantum_instructions: 2_000 });
  sys.spawn(program(n), { argv: ['ring'] });
  const trace: Trace = { served: [], completed: [], ran_while_blocked: [], blocked_at_answer: [] };
  const pending: { call: HostCall; instructions: bigint; slice: number }[] = [];
  let slices = 0;
  const retired = (): bigint => Array.from({ length: harts }, (_, h) => sys.machine.instructions(h)).reduce((x, y) => x + y, 0n);
  sys.serve(NR_TEST, (call) => {
    trace.served.push(call);
    pending.push({ call, instructions: retired(), slice: slices });
    return LATER;
  });
  sys.hostcalls.onSlice(() => {
    if (++slices % every !== 0 || trace.served.length < hold) return;
    for (let k = 0; k < batch; k++) {
      let i = pending.length - 1;
      while (i >= 0 && slices - pending[i]!.slice < every) i--;
      if (i < 0) break;
      const { call, instructions } = pending.splice(i, 1)[0]!;
      trace.blocked_at_answer.push(sys.machine.kernel.threadState(call.thread) === TS_HOSTCALL);
      trace.ran_while_blocked.push(retired() - instructions);
      trace.completed.push(call.id);
      sys.hostcalls.ring.complete(call.id, answer(call));
    }
  });
  const r = sys.run({ write: () => undefined }, () => undefined, 50_000_000);
  expect(r.limited).toBe(false);
  const res = r.results[0]!;
  if (res.kind !== 'exit') throw new Error(`the guest did not exit: ${JSON.stringify(res)}`);
  return { trace, sys, code: res.code };
}

describe('host-call ring', () => {
  it('answers given later and out of order reach their own callers; the hart runs others meanwhile', async () => {
    const { trace, sys, code } = await runDelayed(8, 1, 1);
    expect(code).toBe(0); // every thread got 3i + 1 for its own i
    expect(trace.served.map((c) => c.args[0]).sort((x, y) => x! - y!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(trace.served.every((c) => c.args[1] === 0x1234 && c.nr === NR_TEST)).toBe(true);
    expect(trace.completed).not.toEqual([...trace.completed].sort((x, y) => x - y)); // not in id order
    expect(trace.blocked_at_answer.every(Boolean)).toBe(true);
    // One hart: while each caller waited, the hart retired other threads' instructions (the yielding main).
    expect(trace.ran_while_blocked.every((d) => d > 0n)).toBe(true);
    const s = sys.stats();
    expect(s.hostcalls.posted).toBe(8);
    expect(s.hostcalls.late).toBe(8); // none was answered while its hart waited
    expect(s.hostcalls.full_waits).toBe(0);
    expect(sys.machine.kernel.hostcallThreads()).toBe(0);
  });

  it('more callers than ring records on several harts: they wait for a record, and none is lost', async () => {
    const n = RING_ENTRIES + 12;
    const { trace, sys, code } = await runDelayed(n, 3, 7, 3, 2, RING_ENTRIES);
    expect(code).toBe(0);
    expect(new Set(trace.served.map((c) => c.tid)).size).toBe(n);
    expect(new Set(trace.served.map((c) => c.hart)).size).toBeGreaterThan(1);
    const s = sys.stats();
    expect(s.hostcalls.peak_in_flight).toBe(RING_ENTRIES);
    expect(s.hostcalls.full_waits).toBeGreaterThan(0);
    expect(s.hostcalls.posted).toBe(n);
    expect(s.processes[0]!.threads).toBe(n + 1);
  });

  it('the same seed gives the same requests, answers and statistics', async () => {
    const a = await runDelayed(RING_ENTRIES + 4, 2, 3, 4, 3, RING_ENTRIES);
    const b = await runDelayed(RING_ENTRIES + 4, 2, 3, 4, 3, RING_ENTRIES);
    const ids = (t: Trace): unknown[] => t.served.map((c) => [c.id, c.tid, c.hart, c.mtime]);
    expect(ids(b.trace)).toEqual(ids(a.trace));
    expect(b.trace.completed).toEqual(a.trace.completed);
    expect(b.sys.stats()).toEqual(a.sys.stats());
    expect(a.sys.stats().hostcalls.full_waits).toBeGreaterThan(0);
  });

  it('a later answer may kill the caller with a signal (SIGPIPE)', async () => {
    const sys = await System.create({ ram_bytes: 8 << 20, harts: 2 });
    sys.spawn(program(4), { argv: ['ring'] });
    const pending: HostCall[] = [];
    sys.serve(NR_TEST, (call) => { pending.push(call); return LATER; });
    let slices = 0;
    sys.hostcalls.onSlice(() => {
      // A kill does not cancel the process's other calls in flight: the host still answers them (their
      // threads then go with the process instead of resuming).
      if (++slices === 20) sys.hostcalls.ring.kill(pending.shift()!.id, 13);
      if (slices === 40) for (const c of pending.splice(0)) sys.hostcalls.ring.complete(c.id, answer(c));
    });
    const r = sys.run({ write: () => undefined }, () => undefined, 50_000_000);
    expect(r.results[0]).toEqual({ kind: 'killed', signal: 'SIGPIPE', reason: 'write to a pipe with no reader' });
    expect(sys.machine.kernel.hostcallThreads()).toBe(0);
  });

  it('threaded: callers on two worker harts, answered from a timer on the main thread, out of order', async () => {
    const n = RING_ENTRIES + 8;
    const sys = await System.create({ ram_bytes: 8 << 20, harts: 2, threaded: true });
    sys.spawn(program(n), { argv: ['ring'] });
    const served: HostCall[] = [];
    sys.serve(NR_TEST, (call) => {
      served.push(call);
      // Later, and the later the lower the index: the answers come back out of order.
      setTimeout(() => sys.hostcalls.ring.complete(call.id, answer(call)), 2 + ((n - call.args[0]!) % 7) * 3);
      return LATER;
    });
    const r = await sys.runThreaded(() => undefined);
    expect(r.results[0]).toEqual({ kind: 'exit', code: 0 });
    expect(new Set(served.map((c) => c.tid)).size).toBe(n);
    expect(sys.stats().hostcalls.full_waits).toBeGreaterThan(0);
    expect(sys.machine.kernel.hostcallThreads()).toBe(0);
  }, 30_000);
});
