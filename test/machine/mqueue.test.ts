// POSIX message queues: the machine's namespace (LocalMqueues) on its own, the descriptor side (mqueue.ts)
// called as a process would call it, for what the guest tests cannot compare with qemu-riscv32 (whose
// translation of mq_open's flags, mq_getsetattr's pointers and mq_timedreceive's priority pointer differs from
// Linux), and real runs of the guest tests over a namespace that answers every operation later, as a
// cluster-wide queue service will, and over a namespace given in SystemOptions.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Machine, Process, FileServer, MqueueServer, LocalMqueues, System, bytesInput, copyToUser, copyFromUser, layout, stateText,
  MQ_CANCELLED, type ElfImage, type GuestIO, type HostAnswer, type MqueueNamespace, type MqQueue, type MqMessage,
  type MqOpenRequest, type MqRegistration, type MqState, type MqWait, type MqCancelled,
} from '../../src/machine/index.js';
import { readProgram } from '../../src/machine/session.js';
import { parseElf } from '../../src/elf/index.js';
import { HostDirMount, Vfs } from '../../src/vfs/index.js';
import type { HostCall } from '../../src/machine/hostcall.js';
import { InputError } from '../../src/base/index.js';

const {
  SYS, O_CREAT, O_EXCL, O_RDWR, O_RDONLY, O_WRONLY, O_ACCMODE, O_NONBLOCK, EEXIST, ENOENT, EINVAL, ENOSPC, EMFILE, EBADF,
  EFAULT, EACCES, EAGAIN, EBUSY, EMSGSIZE, F_GETFD, FD_CLOEXEC, SEEK_END, MQ_BYTES_MAX,
} = layout;
const ROOT = join(import.meta.dirname, '..', '..');
const DATA = 0x2_0000;

// ---- the namespace on its own --------------------------------------------------------------------------------

/** The result an operation reported at once (LocalMqueues completes everything but a wait at once). */
function now<T>(op: (done: (r: T) => void) => MqWait): T {
  let out: { r: T } | null = null;
  op((r) => { out = { r }; });
  if (out === null) throw new Error('the operation did not complete at once');
  return (out as { r: T }).r;
}

const req = (name: string, o: Partial<MqOpenRequest> = {}): MqOpenRequest => ({
  name, create: true, exclusive: false, accmode: O_RDWR, mode: 0o600, limits: { maxmsg: 4, msgsize: 16 }, ...o,
});
const msg = (text: string, prio = 0): MqMessage => ({ data: Buffer.from(text, 'latin1'), prio });
const text = (r: MqMessage | number | MqCancelled): string => (typeof r === 'object' ? Buffer.from(r.data).toString('latin1') : String(r));

function openQ(ns: LocalMqueues, name: string, o: Partial<MqOpenRequest> = {}): MqQueue {
  const q = now<MqQueue | number>((d) => ns.open(req(name, o), d));
  if (typeof q === 'number') throw new Error(`open ${name}: ${q}`);
  return q;
}

describe('LocalMqueues', () => {
  it('hands out the highest priority first, FIFO within one', () => {
    const ns = new LocalMqueues();
    const q = openQ(ns, 'p', { limits: { maxmsg: 8, msgsize: 16 } });
    for (const [t, p] of [['a1', 1], ['c', 3], ['a2', 1], ['z', 0], ['c2', 3]] as const) {
      expect(now<number | MqCancelled>((d) => ns.send(q, msg(t, p), { nonblock: true, sender: 1 }, d))).toBe(0);
    }
    const got: string[] = [];
    for (;;) {
      const r = now<MqMessage | number | MqCancelled>((d) => ns.receive(q, { nonblock: true, capacity: 16 }, d));
      if (typeof r !== 'object') { expect(r).toBe(-EAGAIN); break; }
      got.push(`${text(r)}@${r.prio}`);
    }
    expect(got).toEqual(['c@3', 'c2@3', 'a1@1', 'a2@1', 'z@0']);
  });

  it('refuses what Linux refuses at open: EEXIST, ENOENT, O_ACCMODE on an existing queue, attributes beyond the limits', () => {
    const ns = new LocalMqueues();
    openQ(ns, 'x');
    expect(now((d) => ns.open(req('x', { exclusive: true }), d))).toBe(-EEXIST);
    expect(now((d) => ns.open(req('y', { create: false }), d))).toBe(-ENOENT);
    expect(now((d) => ns.open(req('x', { accmode: O_ACCMODE, create: false }), d))).toBe(-EINVAL);
    for (const limits of [{ maxmsg: 0, msgsize: 1 }, { maxmsg: 1, msgsize: -1 }, { maxmsg: 11, msgsize: 1 }, { maxmsg: 1, msgsize: 8193 }]) {
      expect(now((d) => ns.open(req('z', { limits }), d)), JSON.stringify(limits)).toBe(-EINVAL);
    }
    const q = now<MqQueue | number>((d) => ns.open(req('dflt', { limits: null }), d)) as MqQueue;
    expect(q.limits).toEqual({ maxmsg: 10, msgsize: 8192 });
  });

  it('counts queues (unlinked ones still open too: ENOSPC) and the bytes they pin (EMFILE), and frees both with the last close', () => {
    const ns = new LocalMqueues({ queues_max: 2 });
    const a = openQ(ns, 'a'), b = openQ(ns, 'b');
    expect(now((d) => ns.open(req('c'), d))).toBe(-ENOSPC);
    expect(now((d) => ns.unlink('a', d))).toBe(0);
    expect(now((d) => ns.open(req('c'), d)), 'a is unlinked but open').toBe(-ENOSPC);
    expect(now((d) => ns.unlink('a', d))).toBe(-ENOENT);
    ns.close(a);
    openQ(ns, 'c');
    expect(ns.count).toBe(2);
    ns.close(b);
    expect(ns.count, 'a named queue outlives its descriptors').toBe(2);

    const bytes = new LocalMqueues();
    const big = { maxmsg: 10, msgsize: 8192 };
    const pinned = 10 * 8192 + 10 * 24 + 10 * 24; // messages, and an RV32 kernel's message headers and tree nodes
    const opened: MqQueue[] = [];
    for (let i = 0; (i + 1) * pinned <= MQ_BYTES_MAX; i++) opened.push(openQ(bytes, `q${i}`, { limits: big }));
    expect(opened.length).toBe(9);
    expect(now((d) => bytes.open(req('one-more', { limits: big }), d))).toBe(-EMFILE);
    expect(bytes.bytes).toBe(9 * pinned);
    now((d) => bytes.unlink('q0', d));
    expect(bytes.bytes, 'still open').toBe(9 * pinned);
    bytes.close(opened[0]!);
    expect(bytes.bytes).toBe(8 * pinned);
    openQ(bytes, 'one-more', { limits: big });
  });

  it('waiters: receivers in FIFO order get messages handed over; a full queue lets the oldest sender in; cancel ends a wait', () => {
    const ns = new LocalMqueues();
    const q = openQ(ns, 'w', { limits: { maxmsg: 1, msgsize: 16 } });
    const got: string[] = [];
    const r1 = ns.receive(q, { nonblock: false, capacity: 16 }, (r) => got.push(`r1 ${text(r)}`));
    ns.receive(q, { nonblock: false, capacity: 16 }, (r) => got.push(`r2 ${text(r)}`));
    const r3 = ns.receive(q, { nonblock: false, capacity: 16 }, (r) => got.push(`r3 ${text(r)}`));
    r3.cancel();
    r3.cancel();
    ns.send(q, msg('first'), { nonblock: false, sender: 1 }, (r) => got.push(`s ${r}`));
    ns.send(q, msg('second'), { nonblock: false, sender: 1 }, (r) => got.push(`s ${r}`));
    r1.cancel(); // completed already: nothing
    expect(got).toEqual([`r3 ${MQ_CANCELLED}`, 'r1 first', 's 0', 'r2 second', 's 0']);
    got.length = 0;
    ns.send(q, msg('fills'), { nonblock: false, sender: 1 }, (r) => got.push(`fill ${r}`));
    ns.send(q, msg('waits'), { nonblock: false, sender: 1 }, (r) => got.push(`waiter ${r}`));
    const gone = ns.send(q, msg('gives up'), { nonblock: false, sender: 1 }, (r) => got.push(`quitter ${r}`));
    expect(now((d) => ns.send(q, msg('x'), { nonblock: true, sender: 1 }, d))).toBe(-EAGAIN);
    gone.cancel();
    ns.receive(q, { nonblock: true, capacity: 16 }, (r) => got.push(`took ${text(r)}`));
    ns.receive(q, { nonblock: true, capacity: 16 }, (r) => got.push(`took ${text(r)}`));
    expect(got).toEqual(['fill 0', `quitter ${MQ_CANCELLED}`, 'waiter 0', 'took fills', 'took waits']);
    expect(now((d) => ns.receive(q, { nonblock: true, capacity: 15 }, d))).toBe(-EMSGSIZE);
    expect(now((d) => ns.send(q, msg('seventeen bytes!!'), { nonblock: true, sender: 1 }, d))).toBe(-EMSGSIZE);
  });

  it('a registration fires once, on a message to the empty queue that no receiver waits on; one owner; NULL only for it', () => {
    const ns = new LocalMqueues();
    const q = openQ(ns, 'n');
    const fired: number[] = [];
    const reg = (owner: number): MqRegistration => ({ owner, kind: 'signal', signo: 10, value: 7, fire: (s) => fired.push(s) });
    expect(now((d) => ns.notify(q, 5, reg(5), d))).toBe(0);
    expect(now((d) => ns.notify(q, 6, reg(6), d))).toBe(-EBUSY);
    expect(now((d) => ns.notify(q, 6, null, d))).toBe(0);
    expect(now<MqState | number>((d) => ns.state(q, d))).toMatchObject({ notify: { owner: 5, kind: 'signal', signo: 10 } });
    const waiting = ns.receive(q, { nonblock: false, capacity: 16 }, () => {});
    ns.send(q, msg('handed over'), { nonblock: true, sender: 9 }, () => {});
    expect(fired, 'a waiting receiver took it').toEqual([]);
    waiting.cancel();
    ns.send(q, msg('one'), { nonblock: true, sender: 9 }, () => {});
    ns.send(q, msg('two'), { nonblock: true, sender: 8 }, () => {});
    expect(fired).toEqual([9]);
    const st = now<MqState | number>((d) => ns.state(q, d)) as MqState;
    expect(st).toMatchObject({ curmsgs: 2, qsize: 6, notify: null });
    expect(stateText(st)).toBe('QSIZE:6          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n');
    expect(stateText({ ...st, notify: { owner: 42, kind: 'none', signo: 0 } })).toContain('NOTIFY:1     SIGNO:0     NOTIFY_PID:42    ');
  });

  it('takes its limits as options, within Linux\'s hard ceilings', () => {
    expect(new LocalMqueues({ maxmsg_max: 100, msgsize_max: 1 << 20 }).maxmsg_max).toBe(100);
    expect(() => new LocalMqueues({ maxmsg_max: 0 })).toThrow(InputError);
    expect(() => new LocalMqueues({ msgsize_max: (16 << 20) + 1 })).toThrow(/msgsize_max must be 1\.\.16777216/);
    expect(() => new LocalMqueues({ queues_max: 1.5 })).toThrow(InputError);
  });
});

// ---- the descriptor side, called by hand -------------------------------------------------------------------

const quiet: GuestIO = { write: () => undefined };

function image(): ElfImage {
  const code = new Uint8Array(4);
  return {
    entry: 0x1_0000,
    segments: [
      { vaddr: 0x1_0000, memsz: 4, filesz: 4, data: code, readable: true, writable: false, executable: true },
      { vaddr: DATA, memsz: 0x4000, filesz: 0, data: new Uint8Array(0), readable: true, writable: true, executable: false },
    ],
  };
}

async function bench() {
  const machine = await Machine.create({ ram_bytes: 16 << 20 });
  const p = new Process(machine, image(), { argv: ['p'] });
  const files = new FileServer(machine, { vfs: new Vfs(new HostDirMount(ROOT)), io: quiet, input: bytesInput('') });
  files.addProcess(p.pid, p.index);
  const mq = new MqueueServer(machine, files, { namespace: new LocalMqueues(), realtime_base_ns: 0n });
  const services = new Map([...files.services(), ...mq.services()]);
  let heap = DATA;
  const put = (bytes: Uint8Array): number => {
    const at = heap;
    copyToUser(machine, p.satp, at, bytes);
    heap += (bytes.length + 7) & ~7;
    return at;
  };
  const str = (s: string): number => put(new Uint8Array([...Buffer.from(s, 'latin1'), 0]));
  const call = (nr: number, ...args: number[]): HostAnswer => {
    const c: HostCall = { id: 1, slot: 0, thread: 0, tid: p.pid, pid: p.pid, proc: p.index, nr, args: [...args, 0, 0, 0, 0, 0, 0].slice(0, 6).map((x) => x >>> 0), satp: p.satp, hart: 0, mtime: 0n };
    return services.get(nr)!(c);
  };
  const attr = (flags: number, maxmsg: number, msgsize: number): number => {
    const a = new Uint8Array(32);
    const v = new DataView(a.buffer);
    v.setInt32(0, flags, true);
    v.setInt32(4, maxmsg, true);
    v.setInt32(8, msgsize, true);
    return put(a);
  };
  const read32 = (va: number, n: number): number[] => {
    const b = copyFromUser(machine, p.satp, va, n * 4)!;
    return Array.from({ length: n }, (_, i) => new DataView(b.buffer).getInt32(i * 4, true));
  };
  return { machine, p, files, mq, call, str, put, attr, read32 };
}

describe('the message-queue calls, by hand', () => {
  it('O_ACCMODE: refused for an existing queue (EINVAL), a new one opens for neither direction, as Linux (qemu-user opens it read-only)', async () => {
    const { call, str, attr } = await bench();
    const name = str('acc');
    const fd = call(SYS.mq_open, name, O_CREAT | O_ACCMODE, 0o600, attr(0, 2, 8)) as number;
    expect(fd).toBeGreaterThanOrEqual(3);
    const buf = str('x'.repeat(16));
    expect(call(SYS.mq_timedsend_time64, fd, buf, 1, 0, 0)).toBe(-EBADF);
    expect(call(SYS.mq_timedreceive_time64, fd, buf, 16, 0, 0)).toBe(-EBADF);
    expect(call(SYS.read, fd, buf, 16)).toBe(-EBADF);
    expect(call(SYS.mq_open, name, O_ACCMODE, 0, 0)).toBe(-EINVAL);
    expect(call(SYS.mq_open, name, O_CREAT | O_EXCL | O_RDWR, 0, 0)).toBe(-EEXIST);
  });

  it('mq_getsetattr: a bad new pointer is EFAULT, a bad old pointer EFAULT after the flag is set (qemu-user ignores both); 32 bytes out', async () => {
    const { call, str, attr, put, read32 } = await bench();
    const fd = call(SYS.mq_open, str('ga'), O_CREAT | O_RDWR, 0o600, attr(0, 3, 8)) as number;
    expect(call(SYS.mq_getsetattr, fd, 8, 0)).toBe(-EFAULT);
    expect(call(SYS.mq_getsetattr, fd, attr(O_NONBLOCK, 0, 0), 8)).toBe(-EFAULT);
    const out = put(new Uint8Array(32).fill(0x55));
    expect(call(SYS.mq_getsetattr, fd, 0, out)).toBe(0);
    expect(read32(out, 8)).toEqual([O_NONBLOCK, 3, 8, 0, 0, 0, 0, 0]);
    expect(call(SYS.mq_getsetattr, 1, 0, out)).toBe(-EBADF);
  });

  it('mq_timedreceive: a bad priority pointer is EFAULT and the message is gone (qemu-user ignores it); the length otherwise', async () => {
    const { call, str, attr, put, read32 } = await bench();
    const fd = call(SYS.mq_open, str('rp'), O_CREAT | O_RDWR | O_NONBLOCK, 0o600, attr(0, 3, 8)) as number;
    const buf = put(new Uint8Array(8));
    expect(call(SYS.mq_timedsend_time64, fd, str('abc'), 3, 4, 0)).toBe(0);
    expect(call(SYS.mq_timedsend_time64, fd, str('de'), 2, 1, 0)).toBe(0);
    expect(call(SYS.mq_timedreceive_time64, fd, buf, 8, 8, 0)).toBe(-EFAULT);
    const prio = put(new Uint8Array(4));
    expect(call(SYS.mq_timedreceive_time64, fd, buf, 8, prio, 0)).toBe(2);
    expect(read32(prio, 1)).toEqual([1]);
    expect(call(SYS.mq_timedreceive_time64, fd, buf, 8, prio, 0)).toBe(-EAGAIN);
  });

  it('mq_open takes the descriptor before it looks the name up (EMFILE before EACCES), and always sets close-on-exec', async () => {
    const { call, str, files, p } = await bench();
    const fd = call(SYS.mq_open, str('fl'), O_CREAT | O_WRONLY, 0o600, 0) as number;
    expect(call(SYS.fcntl64, fd, F_GETFD, 0)).toBe(FD_CLOEXEC);
    expect(call(SYS.fcntl64, fd, 3 /* F_GETFL */, 0)).toBe(O_WRONLY);
    const fds = files.files(p.pid)!.fds;
    let n = 0;
    while (fds.hasRoom) { fds.alloc(fds.get(0)!.desc, false); n++; }
    expect(n).toBeGreaterThan(1000);
    expect(call(SYS.mq_open, str('a/b'), O_RDONLY, 0, 0)).toBe(-EMFILE);
    expect(call(SYS.mq_unlink, str('a/b'))).toBe(-EACCES);
    expect(call(SYS.mq_unlink, str('fl'))).toBe(0);
    expect(call(SYS.mq_unlink, str('fl'))).toBe(-ENOENT);
  });

  it('a descriptor reads Linux\'s attribute line, seeks in an 80-byte file, and refuses writes; statx calls it a regular file', async () => {
    const { call, str, put, attr, machine, p } = await bench();
    const fd = call(SYS.mq_open, str('rd'), O_CREAT | O_RDWR, 0o640, attr(0, 3, 8)) as number;
    call(SYS.mq_timedsend_time64, fd, str('12345'), 5, 0, 0);
    const buf = put(new Uint8Array(100));
    expect(call(SYS.read, fd, buf, 100)).toBe(60);
    expect(Buffer.from(copyFromUser(machine, p.satp, buf, 60)!).toString('latin1')).toBe('QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n');
    expect(call(SYS.read, fd, buf, 100)).toBe(0);
    expect(call(SYS.write, fd, buf, 1)).toBe(-EINVAL);
    const pos = put(new Uint8Array(8));
    expect(call(SYS.llseek, fd, 0, 0, pos, SEEK_END)).toBe(0);
    expect(Number(new DataView(copyFromUser(machine, p.satp, pos, 8)!.buffer).getBigInt64(0, true))).toBe(80);
    expect(call(SYS.pread64, fd, buf, 10, 0, 0)).toBe(10);
    const st = put(new Uint8Array(256));
    expect(call(SYS.statx, fd, str(''), 0x1000 /* AT_EMPTY_PATH */, 0x7ff, st)).toBe(0);
    const v = new DataView(copyFromUser(machine, p.satp, st, 256)!.buffer);
    expect(v.getUint16(28, true)).toBe(0o100640);
    expect(Number(v.getBigUint64(40, true))).toBe(80);
  });
});

// ---- real runs ----------------------------------------------------------------------------------------------

/**
 * A namespace whose every answer and notification comes later, at the next slice of the run, as a remote
 * queue service's would: the descriptor side must hold each call and answer it through the ring.
 */
class LaterMqueues implements MqueueNamespace {
  readonly inner = new LocalMqueues();
  deferred = 0;
  private pending: (() => void)[] = [];

  flush(): void {
    const due = this.pending;
    this.pending = [];
    for (const fn of due) fn();
  }
  private later<T>(done: (r: T) => void): (r: T) => void {
    return (r) => { this.deferred++; this.pending.push(() => done(r)); };
  }
  open(r: MqOpenRequest, done: (r: MqQueue | number) => void): MqWait { return this.inner.open(r, this.later(done)); }
  unlink(name: string, done: (r: number) => void): MqWait { return this.inner.unlink(name, this.later(done)); }
  send(q: MqQueue, m: MqMessage, o: { nonblock: boolean; sender: number }, done: (r: number | MqCancelled) => void): MqWait {
    return this.inner.send(q, m, o, this.later(done));
  }
  receive(q: MqQueue, o: { nonblock: boolean; capacity: number }, done: (r: MqMessage | number | MqCancelled) => void): MqWait {
    return this.inner.receive(q, o, this.later(done));
  }
  notify(q: MqQueue, pid: number, r: MqRegistration | null, done: (r: number) => void): MqWait {
    const reg = r === null ? null : { ...r, fire: (sender: number) => { this.pending.push(() => r.fire(sender)); } };
    return this.inner.notify(q, pid, reg, this.later(done));
  }
  state(q: MqQueue, done: (r: MqState | number) => void): MqWait { return this.inner.state(q, this.later(done)); }
  close(q: MqQueue): void { this.inner.close(q); }
}

const guest = (name: string): ElfImage => parseElf(readProgram(join(ROOT, 'guest', 'tests', name)), { userEnd: layout.LOAD_END });

async function runGuest(name: string, opts: { harts?: number; seed?: number; later?: boolean } = {}) {
  const later = opts.later === true ? new LaterMqueues() : undefined;
  const sys = await System.create({ ram_bytes: 32 << 20, harts: opts.harts ?? 1, seed: opts.seed, root: ROOT, mqueues: later });
  sys.spawn(guest(name), { argv: [`guest/tests/${name}`] });
  if (later !== undefined) sys.hostcalls.onSlice(() => later.flush());
  let out = '';
  const r = sys.run({ write: (_fd, b) => { out += Buffer.from(b).toString('latin1'); } }, () => {}, 2_000_000_000);
  expect(r.limited).toBe(false);
  return { out, result: r.results[0], sys, later };
}

describe('message queues in real runs', () => {
  it('a namespace given in SystemOptions that answers everything later serves the guests as the local one does', async () => {
    for (const name of ['mq_basic.elf', 'mq_fork.elf']) {
      const local = await runGuest(name, { harts: 2 });
      const later = await runGuest(name, { harts: 2, later: true });
      expect(later.result).toEqual({ kind: 'exit', code: 0 });
      expect(later.later!.deferred, 'answers were given later').toBeGreaterThan(50);
      expect(later.out, name).toBe(local.out);
      expect(later.sys.mqueues!.waiting).toBe(0);
    }
    const notify = await runGuest('mq_notify.elf', { later: true });
    expect(notify.out).toBe(readFileSync(join(ROOT, 'guest', 'tests', 'expected', 'mq_notify.stdout'), 'latin1'));
  }, 120_000);

  it('the same seed gives the same run, statistics included, with waits, timeouts and notifications', async () => {
    const a = await runGuest('mq_fork.elf', { harts: 2, seed: 7 });
    const b = await runGuest('mq_fork.elf', { harts: 2, seed: 7 });
    expect(a.result).toEqual({ kind: 'exit', code: 0 });
    expect(b.out).toBe(a.out);
    expect(JSON.stringify(b.sys.stats())).toBe(JSON.stringify(a.sys.stats()));
  }, 60_000);
});
