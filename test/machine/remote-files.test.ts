// Descriptions that live on another machine (remote-files.ts and FileServer's export, import and serveRemote):
// two machines, each with its FileServer, joined by an in-memory transport that delivers every message
// asynchronously (a queue the test pumps, every message through JSON). Calls are made as a process would make
// them, each in a ring record of its machine, so an answer given later (a reply from the other machine) is seen
// in the record as the kernel would reap it; R_CANCEL is set in the record as the kernel sets it. The last tests
// run real guest programs on two systems: a pipeline across them, and SIGPIPE across them.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A } from './helpers/asm.js';
import {
  Machine, Process, FileServer, System, Description, bytesInput, copyToUser, copyFromUser, layout, REMOTE_UNREACHABLE,
  REMOTE_IO_BYTES_MAX, type ElfImage, type GuestIO, type HostAnswer, type FileTransport, type RemoteReply,
} from '../../src/machine/index.js';
import { HostCallRing, HostCallServer, LATER, type HostCall } from '../../src/machine/hostcall.js';
import { Pipe, PipeEnd } from '../../src/machine/pipes.js';
import { readProgram } from '../../src/machine/session.js';
import { RemoteHome } from '../../src/machine/remote-files.js';
import { parseElf } from '../../src/elf/index.js';
import { HostDirMount, Vfs } from '../../src/vfs/index.js';

const {
  SYS, AT_FDCWD, AT_EMPTY_PATH, O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, O_CLOEXEC, O_DIRECTORY, F_GETFL, F_SETFL,
  SEEK_SET, SEEK_CUR, FIONREAD, TCGETS, EAGAIN, EPIPE, ESPIPE, EBADF, EIO, EISDIR, ENOTTY, ERESTARTSYS, SIGPIPE, S_IFIFO,
  EINVAL, EFAULT, ESRCH,
  S_IFMT, PIPE_BYTES, PEV_FORK, RING_ENTRIES, RING_STATE, R, ringRecord,
} = layout;
const CODE = 0x1_0000, DATA = 0x2_0000, DATA_BYTES = 0x8_0000;
const BUF = DATA + 0x1000, BIG = DATA + 0x10000;

function image(): ElfImage {
  const bytes = new Uint8Array(new Uint32Array([A.ecall()]).buffer);
  return {
    entry: CODE,
    segments: [
      { vaddr: CODE, memsz: bytes.length, filesz: bytes.length, data: bytes, readable: true, writable: false, executable: true },
      { vaddr: DATA, memsz: DATA_BYTES, filesz: 0, data: new Uint8Array(0), readable: true, writable: true, executable: false },
    ],
  };
}

/** Messages between the machines' FileServers: each delivery (request, then reply) waits for pump(). */
class Net {
  readonly queue: (() => void)[] = [];
  readonly servers = new Map<string, FileServer>();
  readonly down = new Set<string>();
  delivered = 0;

  transport(self: string): FileTransport {
    return {
      call: (home, request, done) => {
        let answered = 0;
        const reply = (r: unknown): void => {
          expect(++answered, 'done is called once').toBe(1);
          this.queue.push(() => done(JSON.parse(JSON.stringify(r))));
        };
        const wire = JSON.stringify(request);
        this.queue.push(() => {
          const server = this.servers.get(home);
          if (server === undefined || this.down.has(home)) { reply({ result: REMOTE_UNREACHABLE }); return; }
          server.serveRemote(self, JSON.parse(wire), reply);
        });
      },
    };
  }

  /** Deliver until nothing travels. */
  pump(): number {
    let n = 0;
    while (this.queue.length > 0) {
      if (++n > 100_000) throw new Error('the machines keep talking');
      this.queue.shift()!();
    }
    this.delivered += n;
    return n;
  }
}

type Outcome = { readonly result: number; readonly signal: number } | 'waiting';

/** A call in flight in a ring record: what the kernel would reap from it now. */
interface Pending {
  readonly call: HostCall;
  outcome(): Outcome;
  /** R_CANCEL, as the kernel sets it when a signal comes. */
  interrupt(): void;
}

let base: string;
let root: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'atoll-rfiles-'));
  root = join(base, 'root');
  mkdirSync(root);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** One machine: its FileServer (served from its own ring), processes whose calls the test makes. */
async function machine(net: Net, name: string, procs = 1, io: GuestIO = { write: () => undefined }) {
  const m = await Machine.create({ ram_bytes: 16 << 20 });
  const ps = Array.from({ length: procs }, () => new Process(m, image(), { argv: ['p'] }));
  const files = new FileServer(m, { vfs: new Vfs(new HostDirMount(root)), io, input: bytesInput('') });
  const ring = new HostCallRing(m);
  files.attach(new HostCallServer(ring, [], null));
  for (const p of ps) files.addProcess(p.pid, p.index);
  net.servers.set(name, files);
  const services = new Map(files.services());
  let nextId = 1;
  const u32 = (slot: number, off: number): number => m.view.getUint32(ringRecord(slot) + off, true);
  const freeSlot = (): number => {
    for (let s = 0; s < RING_ENTRIES; s++) if (u32(s, R.STATE) !== RING_STATE.TAKEN) return s;
    throw new Error('every ring record is in flight');
  };
  /** Make a call as p: its answer now, or the record to look at later. */
  const start = (p: Process, nr: number, ...args: number[]): Pending => {
    const slot = freeSlot();
    const id = nextId++;
    const r = ringRecord(slot);
    m.view.setUint32(r + R.ID, id, true);
    m.view.setUint32(r + R.CANCEL, 0, true);
    m.view.setUint32(r + R.STATE, RING_STATE.TAKEN, true);
    const call: HostCall = { id, slot, thread: 0, tid: p.pid, pid: p.pid, proc: p.index, nr, args: [...args, 0, 0, 0, 0, 0, 0].slice(0, 6).map((x) => x >>> 0), satp: p.satp, hart: 0, mtime: 0n };
    const a: HostAnswer = services.get(nr)!(call);
    if (a !== LATER) {
      if (typeof a === 'number') ring.complete(id, a); else ring.answer(id, a);
    }
    return {
      call,
      outcome: () => (u32(slot, R.STATE) === RING_STATE.DONE && u32(slot, R.ID) === id
        ? { result: m.view.getInt32(r + R.RESULT, true), signal: u32(slot, R.SIGNAL) }
        : 'waiting'),
      interrupt: () => m.view.setUint32(r + R.CANCEL, 1, true),
    };
  };
  /** The result of a call answered by now (after pumping the network); its record is freed, as a reap does. */
  const done = (c: Pending): { result: number; signal: number } => {
    const o = c.outcome();
    if (o === 'waiting') throw new Error(`call ${c.call.nr} is still waiting`);
    m.view.setUint32(ringRecord(c.call.slot) + R.STATE, RING_STATE.FREE, true);
    return o;
  };
  /** Make a call and pump the network until it is answered: its result. */
  const call = (p: Process, nr: number, ...args: number[]): number => {
    const c = start(p, nr, ...args);
    net.pump();
    return done(c).result;
  };
  const put = (p: Process, va: number, bytes: Uint8Array | string): void => {
    copyToUser(m, p.satp, va, typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  };
  const get = (p: Process, va: number, n: number): string => Buffer.from(copyFromUser(m, p.satp, va, n)!).toString('latin1');
  const str = (p: Process, va: number, s: string): number => { put(p, va, s + '\0'); return va; };
  return { m, ps, files, ring, start, done, call, put, get, str, transport: net.transport(name) };
}

type Side = Awaited<ReturnType<typeof machine>>;

/** p's table on `from` sent to `to` for q, as a remote fork does (through JSON, as on the wire). */
function fork(from: Side, fromName: string, p: Process, to: Side, toName: string, q: Process): void {
  const exported = JSON.parse(JSON.stringify(from.files.exportFiles(p.pid, toName)));
  to.files.importFiles(q.pid, exported, fromName, to.transport, q.index);
}

/** A on node 'A' and B on node 'B', one process each, and a pipe on A: fds 3 (read) and 4 (write). */
async function pipeAcross(flags = 0) {
  const net = new Net();
  const a = await machine(net, 'A');
  const b = await machine(net, 'B');
  const [pa] = a.ps as [Process];
  const [pb] = b.ps as [Process];
  expect(a.call(pa, SYS.pipe2, BUF, flags)).toBe(0);
  fork(a, 'A', pa, b, 'B', pb);
  net.pump();
  return { net, a, b, pa, pb };
}

describe('a pipe at home on A, ends held on B', () => {
  it('B writes, A reads the bytes; once B closes its write end, A reads EOF', async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    expect(a.call(pa, SYS.close, 4)).toBe(0);
    b.put(pb, BUF, 'hello from B');
    const w = b.start(pb, SYS.write, 4, BUF, 12);
    expect(w.outcome(), 'a remote write answers when the reply comes').toBe('waiting');
    net.pump();
    expect(b.done(w)).toEqual({ result: 12, signal: 0 });
    expect(a.call(pa, SYS.read, 3, BUF, 100)).toBe(12);
    expect(a.get(pa, BUF, 12)).toBe('hello from B');
    const r = a.start(pa, SYS.read, 3, BUF, 100);
    net.pump();
    expect(r.outcome(), "B's write end keeps A's read waiting").toBe('waiting');
    expect(b.call(pb, SYS.close, 4)).toBe(0);
    net.pump();
    expect(r.outcome(), 'the release reached A while B still holds the read end').toEqual({ result: 0, signal: 0 });
    expect(a.files.exported).toBe(1);
    expect(b.call(pb, SYS.close, 3)).toBe(0);
    net.pump();
    expect(a.files.exported, 'B holds nothing of A now').toBe(0);
  });

  it("when A's reader is gone, B's write is -EPIPE with SIGPIPE raised on B's caller", async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    expect(a.call(pa, SYS.close, 3)).toBe(0);
    expect(b.call(pb, SYS.close, 3)).toBe(0);
    net.pump();
    b.put(pb, BUF, 'x');
    const w = b.start(pb, SYS.write, 4, BUF, 1);
    net.pump();
    expect(b.done(w)).toEqual({ result: -EPIPE, signal: SIGPIPE });
  });

  it("a blocking read on B waits at A until A's writer writes", async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    const r = b.start(pb, SYS.read, 3, BUF, 100);
    net.pump();
    expect(r.outcome()).toBe('waiting');
    expect(a.files.waiting, 'the read waits at its home').toBe(1);
    expect(b.files.waitingRemote).toBe(1);
    a.put(pa, BUF, 'late bytes');
    expect(a.call(pa, SYS.write, 4, BUF, 10)).toBe(10);
    net.pump();
    expect(b.done(r)).toEqual({ result: 10, signal: 0 });
    expect(b.get(pb, BUF, 10)).toBe('late bytes');
    expect(a.files.waiting + b.files.waitingRemote).toBe(0);
  });

  it('a cancelled read answers -ERESTARTSYS and takes nothing; bytes that beat the cancel reach the caller', async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    const r = b.start(pb, SYS.read, 3, BUF, 100);
    net.pump();
    r.interrupt();
    b.files.onDrain();
    net.pump();
    expect(b.done(r), 'answered as an interrupted local read').toEqual({ result: -ERESTARTSYS, signal: 0 });
    expect(a.files.waiting).toBe(0);
    a.put(pa, BUF, 'kept');
    expect(a.call(pa, SYS.write, 4, BUF, 4)).toBe(4);
    expect(b.call(pb, SYS.read, 3, BUF + 100, 100), 'the restarted read gets every byte').toBe(4);
    expect(b.get(pb, BUF + 100, 4)).toBe('kept');
    // The race: the signal comes while the data is on its way; the read still delivers what it took.
    const r2 = b.start(pb, SYS.read, 3, BUF, 100);
    net.pump();
    r2.interrupt();
    b.files.onDrain(); // the cancel is sent...
    a.put(pa, BUF, 'raced');
    expect(a.call(pa, SYS.write, 4, BUF, 5)).toBe(5); // ...but A's write answers the read first (call() pumps)
    expect(b.done(r2)).toEqual({ result: 5, signal: 0 });
    expect(b.get(pb, BUF, 5)).toBe('raced');
    a.put(pa, BUF, 'z');
    expect(a.call(pa, SYS.write, 4, BUF, 1)).toBe(1);
    expect(a.call(pa, SYS.read, 3, BUF, 10), 'the pipe held exactly what was written after').toBe(1);
  });

  it("releaseHolder(B) gives A's reader EOF and answers B's waiting requests", async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    expect(a.call(pa, SYS.close, 4)).toBe(0);
    const r = a.start(pa, SYS.read, 3, BUF, 10);
    const rb = b.start(pb, SYS.read, 3, BUF, 10);
    net.pump();
    expect(r.outcome()).toBe('waiting');
    expect(a.files.waiting).toBe(2);
    a.files.releaseHolder('B');
    expect(r.outcome()).toEqual({ result: 0, signal: 0 });
    expect(a.files.exported).toBe(0);
    net.pump();
    expect(rb.outcome()).toEqual({ result: -ERESTARTSYS, signal: 0 });
  });

  it('fcntl F_SETFL O_NONBLOCK on B is the description\'s flag at A (and F_GETFL on B reads it there)', async () => {
    const { a, b, pa, pb } = await pipeAcross();
    expect(b.call(pb, SYS.fcntl64, 3, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(a.call(pa, SYS.fcntl64, 3, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(a.call(pa, SYS.read, 3, BUF, 10), "A's read of the shared description no longer waits").toBe(-EAGAIN);
    expect(b.call(pb, SYS.read, 3, BUF, 10)).toBe(-EAGAIN);
    expect(a.call(pa, SYS.fcntl64, 3, F_SETFL, 0)).toBe(0);
    expect(b.call(pb, SYS.fcntl64, 3, F_GETFL) & (O_NONBLOCK | 3)).toBe(O_RDONLY);
  });

  it('a write longer than a request goes in pieces, in order, waiting for room as a local one does', async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    const n = 200_000;
    const data = new Uint8Array(n).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    b.put(pb, BIG, data);
    const before = net.delivered;
    const w = b.start(pb, SYS.write, 4, BIG, n);
    net.pump();
    expect(w.outcome(), 'the pipe holds 64 KiB: the write waits').toBe('waiting');
    const got: number[] = [];
    for (let i = 0; i < 20 && got.length < n; i++) {
      const k = a.call(pa, SYS.read, 3, BUF, 50_000);
      expect(k).toBeGreaterThan(0);
      got.push(...copyFromUser(a.m, pa.satp, BUF, k)!);
      net.pump();
    }
    expect(b.done(w)).toEqual({ result: n, signal: 0 });
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(net.delivered - before, 'a request and a reply per piece').toBe(2 * Math.ceil(n / REMOTE_IO_BYTES_MAX));
  });

  it('an interrupted write answers what went in (as a local one does), and sends no further piece', async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    b.put(pb, BIG, new Uint8Array(150_000).fill(0x77));
    const w = b.start(pb, SYS.write, 4, BIG, 150_000);
    net.pump();
    expect(w.outcome()).toBe('waiting');
    w.interrupt();
    b.files.onDrain();
    net.pump();
    expect(b.done(w), 'the first piece filled the pipe; the second was cancelled').toEqual({ result: PIPE_BYTES, signal: 0 });
    expect(a.call(pa, SYS.ioctl, 3, FIONREAD, BUF)).toBe(0);
    expect(new DataView(copyFromUser(a.m, pa.satp, BUF, 4)!.buffer).getInt32(0, true)).toBe(PIPE_BYTES);
    expect(a.files.waiting + b.files.waitingRemote).toBe(0);
    // nothing interrupted: with no signal, a write that waited for room is not answered early
    const w2 = b.start(pb, SYS.write, 4, BIG, 10);
    b.files.onDrain();
    net.pump();
    expect(w2.outcome()).toBe('waiting');
    expect(a.call(pa, SYS.read, 3, BIG, 8192)).toBe(8192);
    net.pump();
    expect(b.done(w2).result).toBe(10);
  });

  it('a page-sized write goes in whole or not at all (PIPE_BUF); a non-blocking one takes what fits', async () => {
    const { net, a, b, pa, pb } = await pipeAcross(O_NONBLOCK);
    b.put(pb, BIG, new Uint8Array(PIPE_BYTES).fill(0x62));
    const w = b.start(pb, SYS.write, 4, BIG, PIPE_BYTES - 100);
    net.pump();
    expect(b.done(w).result).toBe(PIPE_BYTES - 100);
    expect(b.call(pb, SYS.write, 4, BIG, 4096), 'no room for a whole page: nothing goes in').toBe(-EAGAIN);
    expect(b.call(pb, SYS.write, 4, BIG, 50), 'the tail merges into the last page').toBe(50);
    expect(b.call(pb, SYS.ioctl, 3, FIONREAD, BUF)).toBe(0);
    expect(new DataView(copyFromUser(b.m, pb.satp, BUF, 4)!.buffer).getInt32(0, true)).toBe(PIPE_BYTES - 50);
    expect(b.call(pb, SYS.ioctl, 3, TCGETS, BUF), 'a pipe is no terminal').toBe(-ENOTTY);
  });

  it('statx of the fd, llseek and pread on B answer what they do at home: a FIFO, -ESPIPE', async () => {
    const { a, b, pa, pb } = await pipeAcross();
    expect(b.call(pb, SYS.statx, 4, b.str(pb, BUF, ''), AT_EMPTY_PATH, 0x7ff, BIG)).toBe(0);
    const mode = new DataView(copyFromUser(b.m, pb.satp, BIG, 256)!.buffer).getUint16(28, true);
    expect(mode & S_IFMT).toBe(S_IFIFO);
    expect(a.call(pa, SYS.statx, 4, a.str(pa, BUF, ''), AT_EMPTY_PATH, 0x7ff, BIG)).toBe(0);
    expect(Buffer.from(copyFromUser(a.m, pa.satp, BIG, 256)!).equals(Buffer.from(copyFromUser(b.m, pb.satp, BIG, 256)!))).toBe(true);
    expect(b.call(pb, SYS.llseek, 3, 0, 0, BUF, SEEK_SET)).toBe(-ESPIPE);
    expect(b.call(pb, SYS.pread64, 3, BUF, 1, 0, 0)).toBe(-ESPIPE);
    expect(b.call(pb, SYS.write, 3, BUF, 1), 'the read end is not writable').toBe(-EBADF);
    expect(b.call(pb, SYS.fsync, 3)).toBe(-EINVAL);
    expect(b.call(pb, SYS.ftruncate64, 4, 0, 0)).toBe(-EINVAL);
  });

  it('a fork on B and a dup on B share the one remote description; the release goes home with the last', async () => {
    const net = new Net();
    const a = await machine(net, 'A');
    const b = await machine(net, 'B', 2);
    const [pa] = a.ps as [Process];
    const [pb, child] = b.ps as [Process, Process];
    expect(a.call(pa, SYS.pipe2, BUF, 0)).toBe(0);
    fork(a, 'A', pa, b, 'B', pb);
    expect(a.call(pa, SYS.close, 4)).toBe(0);
    expect(b.call(pb, SYS.close, 3)).toBe(0);
    expect(b.call(pb, SYS.dup3, 4, 9, O_CLOEXEC)).toBe(9);
    b.files.events.post({ kind: PEV_FORK, pid: child.pid, parent_pid: pb.pid, flags: 17 });
    b.files.onDrain();
    expect(b.call(pb, SYS.close, 4)).toBe(0);
    b.put(child, BUF, 'via dup');
    expect(b.call(child, SYS.write, 9, BUF, 7)).toBe(7);
    b.files.files(child.pid)!.fds.closeOnExec(); // the child execs: fd 9 was close-on-exec
    expect(b.call(child, SYS.write, 4, BUF, 7)).toBe(7);
    expect(a.call(pa, SYS.read, 3, BUF, 100)).toBe(14);
    expect(b.call(child, SYS.close, 4)).toBe(0);
    expect(a.files.exported, 'pb still holds fd 9').toBe(1);
    expect(b.call(pb, SYS.close, 9)).toBe(0);
    net.pump();
    expect(a.files.exported).toBe(0);
    expect(a.call(pa, SYS.read, 3, BUF, 100), 'every writer is gone').toBe(0);
  });

  it("a process that is gone on B releases what it held (A's reader sees EOF)", async () => {
    const { net, a, b, pa, pb } = await pipeAcross();
    expect(a.call(pa, SYS.close, 4)).toBe(0);
    const r = a.start(pa, SYS.read, 3, BUF, 10);
    b.files.closeAll();
    net.pump();
    expect(r.outcome()).toEqual({ result: 0, signal: 0 });
  });
});

describe('a file at home on A', () => {
  it('keeps one offset for the processes on A and on B: reads, llseek, pread, and writes', async () => {
    writeFileSync(join(root, 'f'), 'abcdefghij');
    const net = new Net();
    const a = await machine(net, 'A');
    const b = await machine(net, 'B');
    const [pa] = a.ps as [Process];
    const [pb] = b.ps as [Process];
    expect(a.call(pa, SYS.openat, AT_FDCWD, a.str(pa, BUF, 'f'), O_RDWR, 0)).toBe(3);
    fork(a, 'A', pa, b, 'B', pb);
    expect(a.call(pa, SYS.read, 3, BUF, 3)).toBe(3);
    expect(b.call(pb, SYS.read, 3, BUF, 3)).toBe(3);
    expect(b.get(pb, BUF, 3)).toBe('def');
    expect(a.call(pa, SYS.read, 3, BUF, 2)).toBe(2);
    expect(a.get(pa, BUF, 2)).toBe('gh');
    expect(b.call(pb, SYS.pread64, 3, BUF, 4, 1, 0), 'pread reads at its position').toBe(4);
    expect(b.get(pb, BUF, 4)).toBe('bcde');
    expect(b.call(pb, SYS.llseek, 3, 0, 0, BIG, SEEK_CUR)).toBe(0);
    expect(new DataView(copyFromUser(b.m, pb.satp, BIG, 8)!.buffer).getBigInt64(0, true), 'pread left the offset').toBe(8n);
    expect(b.call(pb, SYS.llseek, 3, 0, 1, BIG, SEEK_SET)).toBe(0);
    expect(a.call(pa, SYS.read, 3, BUF, 3)).toBe(3);
    expect(a.get(pa, BUF, 3)).toBe('bcd');
    b.put(pb, BUF, 'XY');
    expect(b.call(pb, SYS.write, 3, BUF, 2)).toBe(2);
    expect(b.call(pb, SYS.pwrite64, 3, BUF, 1, 9, 0)).toBe(1);
    expect(readFileSync(join(root, 'f'), 'latin1')).toBe('abcdXYghiX');
    expect(b.call(pb, SYS.ioctl, 3, FIONREAD, BUF)).toBe(0);
    expect(new DataView(copyFromUser(b.m, pb.satp, BUF, 4)!.buffer).getInt32(0, true)).toBe(4);
    expect(b.call(pb, SYS.ftruncate64, 3, 4, 0)).toBe(0);
    expect(b.call(pb, SYS.fsync, 3)).toBe(0);
    expect(readFileSync(join(root, 'f'), 'latin1')).toBe('abcd');
  });

  it('a read longer than a request is whole; a bad buffer is -EFAULT and takes nothing', async () => {
    const data = Buffer.alloc(150_000, 0).map((_, i) => (i * 13) & 0xff);
    writeFileSync(join(root, 'big'), data);
    const net = new Net();
    const a = await machine(net, 'A');
    const b = await machine(net, 'B');
    const [pa] = a.ps as [Process];
    const [pb] = b.ps as [Process];
    expect(a.call(pa, SYS.openat, AT_FDCWD, a.str(pa, BUF, 'big'), O_RDONLY, 0)).toBe(3);
    fork(a, 'A', pa, b, 'B', pb);
    expect(b.call(pb, SYS.read, 3, 0x7000_0000, 10)).toBe(-EFAULT);
    expect(b.call(pb, SYS.read, 3, BIG, 3), 'the faulting read took nothing').toBe(3);
    expect(b.get(pb, BIG, 3)).toBe(String.fromCharCode(...data.subarray(0, 3)));
    expect(b.call(pb, SYS.llseek, 3, 0, 0, BUF, SEEK_SET)).toBe(0);
    expect(b.call(pb, SYS.read, 3, BIG, 200_000)).toBe(150_000);
    expect(Buffer.from(copyFromUser(b.m, pb.satp, BIG, 150_000)!).equals(data)).toBe(true);
    expect(b.call(pb, SYS.read, 3, BIG, 10)).toBe(0);
    // readv into two buffers, from the start
    expect(b.call(pb, SYS.llseek, 3, 0, 0, BUF, SEEK_SET)).toBe(0);
    const iov = new Uint32Array([BUF + 64, 3, BUF + 128, 5]);
    b.put(pb, BUF, new Uint8Array(iov.buffer));
    expect(b.call(pb, SYS.readv, 3, BUF, 2)).toBe(8);
    expect([...copyFromUser(b.m, pb.satp, BUF + 64, 3)!, ...copyFromUser(b.m, pb.satp, BUF + 128, 5)!]).toEqual([...data.subarray(0, 8)]);
  });

  it('a directory on B: getdents64 at home, -EISDIR for read, and *at paths and fchdir by its path', async () => {
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'x'), 'in d');
    const net = new Net();
    const a = await machine(net, 'A');
    const b = await machine(net, 'B');
    const [pa] = a.ps as [Process];
    const [pb] = b.ps as [Process];
    expect(a.call(pa, SYS.openat, AT_FDCWD, a.str(pa, BUF, 'd'), O_RDONLY | O_DIRECTORY, 0)).toBe(3);
    fork(a, 'A', pa, b, 'B', pb);
    const n = b.call(pb, SYS.getdents64, 3, BIG, 4096);
    expect(n).toBeGreaterThan(0);
    const names: string[] = [];
    const v = new DataView(copyFromUser(b.m, pb.satp, BIG, n)!.buffer);
    for (let off = 0; off < n; off += v.getUint16(off + 16, true)) {
      const raw = copyFromUser(b.m, pb.satp, BIG + off + 19, 64)!;
      names.push(Buffer.from(raw.subarray(0, raw.indexOf(0))).toString());
    }
    expect(names).toEqual(['.', '..', 'x']);
    expect(b.call(pb, SYS.getdents64, 3, BIG, 4096), 'the offset moved at home').toBe(0);
    expect(b.call(pb, SYS.read, 3, BUF, 10)).toBe(-EISDIR);
    expect(b.call(pb, SYS.openat, 3, b.str(pb, BUF, 'x'), O_RDONLY, 0)).toBe(4);
    expect(b.call(pb, SYS.read, 4, BUF, 10)).toBe(4);
    expect(b.call(pb, SYS.fchdir, 3)).toBe(0);
    expect(b.files.files(pb.pid)!.fs.cwd).toBe('/d');
  });
});

describe('export and import', () => {
  it('consoles stay consoles (the importer\'s), with their flags and sharing; cwd and umask travel', async () => {
    const net = new Net();
    const out: string[] = [];
    const a = await machine(net, 'A');
    const b = await machine(net, 'B', 1, { write: (fd, bytes) => { out.push(`${fd}:${Buffer.from(bytes).toString()}`); } });
    const [pa] = a.ps as [Process];
    const [pb] = b.ps as [Process];
    expect(a.call(pa, SYS.dup3, 1, 7, 0)).toBe(7);
    expect(a.call(pa, SYS.fcntl64, 1, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(a.call(pa, SYS.umask, 0o077)).toBe(0o022);
    const exported = a.files.exportFiles(pa.pid, 'B');
    expect(exported.descriptions.map((d) => d.kind)).toEqual(['console', 'console', 'console']);
    expect(exported.fds.find((e) => e.fd === 7)!.description).toBe(exported.fds.find((e) => e.fd === 1)!.description);
    expect(a.files.exported, 'consoles are not held').toBe(0);
    b.files.importFiles(pb.pid, JSON.parse(JSON.stringify(exported)), 'A', b.transport, pb.index);
    b.put(pb, BUF, 'hi');
    expect(b.call(pb, SYS.write, 7, BUF, 2)).toBe(2);
    expect(b.call(pb, SYS.write, 2, BUF, 1)).toBe(1);
    expect(out).toEqual(['1:hi', '2:h']);
    expect(b.call(pb, SYS.fcntl64, 7, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(b.call(pb, SYS.umask, 0)).toBe(0o077);
    expect(net.delivered, 'nothing went to A').toBe(0);
  });

  it('a description that is itself remote is exported pointing at its home, held there for the new holder', async () => {
    const net = new Net();
    const a = await machine(net, 'A');
    const b = await machine(net, 'B');
    const c = await machine(net, 'C');
    const [pa] = a.ps as [Process];
    const [pb] = b.ps as [Process];
    const [pc] = c.ps as [Process];
    expect(a.call(pa, SYS.pipe2, BUF, 0)).toBe(0);
    fork(a, 'A', pa, b, 'B', pb);
    expect(a.call(pa, SYS.close, 4)).toBe(0);
    const exported = b.files.exportFiles(pb.pid, 'C');
    expect(exported.descriptions.filter((d) => d.kind === 'remote').every((d) => d.kind === 'remote' && d.home === 'A')).toBe(true);
    c.files.importFiles(pc.pid, JSON.parse(JSON.stringify(exported)), 'B', c.transport, pc.index);
    b.files.closeAll(); // B's process ends at once: its releases follow its holds for C in A's queue
    net.pump();
    expect(a.files.exported, 'C holds both ends now').toBe(2);
    const before = net.delivered;
    c.put(pc, BUF, 'from C');
    expect(c.call(pc, SYS.write, 4, BUF, 6)).toBe(6);
    expect(net.delivered - before, 'one request and its reply, straight to A').toBe(2);
    expect(a.call(pa, SYS.read, 3, BUF, 10)).toBe(6);
    expect(a.get(pa, BUF, 6)).toBe('from C');
    c.files.closeAll();
    net.pump();
    expect(a.files.exported).toBe(0);
    expect(a.call(pa, SYS.read, 3, BUF, 10)).toBe(0);
  });

  it('a release that overtakes the hold announced for it does not drop the description early', async () => {
    const net = new Net();
    const a = await machine(net, 'A');
    const b = await machine(net, 'B');
    const [pa] = a.ps as [Process];
    expect(a.call(pa, SYS.pipe2, BUF, 0)).toBe(0);
    const exported = a.files.exportFiles(pa.pid, 'B');
    const id = exported.descriptions.find((d) => d.kind === 'remote')!;
    if (id.kind !== 'remote') throw new Error('unreachable');
    const replies: RemoteReply[] = [];
    a.files.serveRemote('C', { op: 'release', call: 1, id: id.id }, (r) => replies.push(r)); // C's release first
    expect(a.files.exported).toBe(2);
    a.files.serveRemote('B', { op: 'hold', call: 2, id: id.id, holder: 'C' }, (r) => replies.push(r));
    a.files.serveRemote('B', { op: 'release', call: 3, id: id.id }, (r) => replies.push(r));
    expect(replies.map((r) => r.result)).toEqual([0, 0, 0]);
    expect(a.files.exported, 'the read end, still held by nobody else, is let go; the write end is still B\'s').toBe(1);
    void b;
  });

  it('abandonExport lets go of the holds of a child never created', async () => {
    const net = new Net();
    const a = await machine(net, 'A');
    const [pa] = a.ps as [Process];
    expect(a.call(pa, SYS.pipe2, BUF, 0)).toBe(0);
    const exported = a.files.exportFiles(pa.pid, 'B');
    expect(a.files.exported).toBe(2);
    a.files.abandonExport(exported, 'B');
    expect(a.files.exported).toBe(0);
    expect(a.call(pa, SYS.close, 4)).toBe(0);
    expect(a.call(pa, SYS.read, 3, BUF, 1)).toBe(0);
  });

  it('a bad export is one clear error and changes nothing', async () => {
    const net = new Net();
    const b = await machine(net, 'B');
    const [pb] = b.ps as [Process];
    const good = { cwd: '/', umask: 0o22, descriptions: [{ kind: 'console', stream: 'out', flags: O_WRONLY }], fds: [{ fd: 1, description: 0, cloexec: false }] };
    const bad: unknown[] = [
      null, 'x', { ...good, cwd: 'relative' }, { ...good, umask: -1 }, { ...good, fds: [{ fd: 1, description: 5, cloexec: false }] },
      { ...good, fds: [{ fd: 1, description: 0, cloexec: false }, { fd: 1, description: 0, cloexec: false }] },
      { ...good, descriptions: [{ kind: 'remote', id: 0, flags: 0, type: 'pipe', path_only: false, path: '' }] },
      { ...good, descriptions: [{ kind: 'socket', flags: 0 }] },
    ];
    for (const x of bad) expect(() => b.files.importFiles(pb.pid, x, 'A', b.transport), JSON.stringify(x)).toThrow(/exported by A/);
    expect(() => b.files.importFiles(pb.pid, good, '', b.transport)).toThrow(/home/);
    expect(b.files.files(pb.pid)!.fds.count, 'the table is as it was').toBe(3);
    b.files.importFiles(pb.pid, good, 'A', b.transport);
    expect(b.files.files(pb.pid)!.fds.count).toBe(1);
  });
});

describe('the messages', () => {
  it('a malformed request gets an error reply, never an exception', async () => {
    const net = new Net();
    const a = await machine(net, 'A');
    const [pa] = a.ps as [Process];
    expect(a.call(pa, SYS.pipe2, BUF, 0)).toBe(0);
    const exported = a.files.exportFiles(pa.pid, 'B');
    const d = exported.descriptions.find((x) => x.kind === 'remote')!;
    const id = d.kind === 'remote' ? d.id : 0;
    const ask = (req: unknown, from = 'B'): number => {
      const got: RemoteReply[] = [];
      a.files.serveRemote(from, req, (r) => got.push(r));
      expect(got.length, JSON.stringify(req)).toBe(1);
      return got[0]!.result;
    };
    for (const req of [
      null, 7, 'read', [], {}, { op: 'format-disk', call: 1, id }, { op: 'read', id, n: 1 }, { op: 'read', call: -1, id, n: 1 },
      { op: 'read', call: 1, id, n: REMOTE_IO_BYTES_MAX + 1 }, { op: 'read', call: 1, id, n: 1.5 }, { op: 'read', call: 1, id: 'x', n: 1 },
      { op: 'write', call: 1, id: id + 1, data: '!!!!' }, { op: 'write', call: 1, id, data: 42 }, { op: 'read', call: 1, id, n: 1, pos: -1 },
      { op: 'hold', call: 1, id, holder: '' }, { op: 'release', call: 1, id, holder: 5 }, { op: 'cancel', call: 1 },
      { op: 'seek', call: 1, id, offset: 2 ** 60, whence: 0 }, { op: 'setfl', call: 1, id, flags: 'nb' },
      { op: 'write', call: 1, id, data: 'A'.repeat(Math.ceil(REMOTE_IO_BYTES_MAX / 3) * 4 + 4) },
    ]) expect(ask(req), JSON.stringify(req)).toBe(-EIO);
    expect(ask({ op: 'read', call: 1, id: 999, n: 1 }), 'nobody holds 999').toBe(-EBADF);
    expect(ask({ op: 'read', call: 1, id, n: 1 }, ''), 'a sender with no name').toBe(-EIO);
    expect(ask({ op: 'cancel', call: 2, target: 77 }), 'nothing to cancel').toBe(-ESRCH);
    expect(ask({ op: 'stat', call: 3, id, extra: 'ignored' })).toBe(0);
  });

  it('an unreachable home, and a reply that is not one, answer -EIO', async () => {
    const { net, b, pb } = await pipeAcross();
    net.down.add('A');
    expect(b.call(pb, SYS.read, 3, BUF, 10)).toBe(-EIO);
    expect(b.call(pb, SYS.write, 4, BUF, 1)).toBe(-EIO);
    net.down.delete('A');
    const server = net.servers.get('A')!;
    const lying: FileServer = Object.create(server);
    lying.serveRemote = (_from, _req, done) => done({ result: 5, data: 'not base64!' } as RemoteReply);
    net.servers.set('A', lying);
    expect(b.call(pb, SYS.read, 3, BUF, 10)).toBe(-EIO);
    lying.serveRemote = (_from, _req, done) => done({ result: 20, data: Buffer.from('x'.repeat(20)).toString('base64') });
    expect(b.call(pb, SYS.read, 3, BUF, 10), 'more bytes than asked for').toBe(-EIO);
    lying.serveRemote = (_from, _req, done) => done({ result: 'ok' } as unknown as RemoteReply);
    expect(b.call(pb, SYS.fsync, 3)).toBe(-EIO);
  });
});

/** A table on system sys for a host-made parent: fd 0 or 1 an end of pipe, the rest the console. */
function parentWith(sys: System, pid: number, fd: 0 | 1, end: Description): void {
  const t = sys.files!.addProcess(pid);
  t.fds.install(fd, end, false);
}

describe('guest programs on two machines', () => {
  const ROOT = join(import.meta.dirname, '..', '..');
  const elf = (path: string) => parseElf(readProgram(join(ROOT, path)), { userEnd: layout.LOAD_END });

  /** Run sys A and B slice by slice, delivering messages between slices, until both are done. */
  function runBoth(net: Net, sa: System, sb: System, outA: string[], outB: string[]) {
    const io = (out: string[]): GuestIO => ({ write: (_fd, b) => { out.push(Buffer.from(b).toString('latin1')); return b.length; } });
    const a = sa.beginStepped(io(outA), () => {});
    const b = sb.beginStepped(io(outB), () => {});
    net.servers.set('A', sa.files!);
    net.servers.set('B', sb.files!);
    return {
      a, b,
      run: () => {
        for (let i = 0; i < 20_000 && (a.live() + b.live() > 0 || net.queue.length > 0); i++) {
          a.slice(0, 5000);
          net.pump();
          b.slice(0, 5000);
          net.pump();
        }
        a.finish();
        b.finish();
        net.pump();
      },
    };
  }

  it('echo on A | cat on B: the pipe at A, read from B, EOF when echo ends', async () => {
    const net = new Net();
    const sa = await System.create({ ram_bytes: 16 << 20, root });
    const sb = await System.create({ ram_bytes: 16 << 20, root });
    sa.spawn(elf('guest/bin/echo.elf'), { argv: ['echo', 'hello', 'across', 'machines'] });
    const cat = sb.spawn(elf('guest/bin/cat.elf'), { argv: ['cat'] });
    const outA: string[] = [], outB: string[] = [];
    const { run } = runBoth(net, sa, sb, outA, outB);
    const pipe = new Pipe(PIPE_BYTES);
    const r = new Description(new PipeEnd(pipe, 'read'), O_RDONLY);
    const w = new Description(new PipeEnd(pipe, 'write'), O_WRONLY);
    const echoPid = sa.processes[0]!.pid;
    sa.files!.files(echoPid)!.fds.install(1, w, false);
    const parent = 9000;
    parentWith(sa, parent, 0, r);
    sb.files!.importFiles(cat.pid, JSON.parse(JSON.stringify(sa.files!.exportFiles(parent, 'B'))), 'A', net.transport('B'), cat.index);
    sa.files!.files(parent)!.fds.closeAll();
    run();
    expect(sa.results()[0]).toEqual({ kind: 'exit', code: 0 });
    expect(sb.results()[0]).toEqual({ kind: 'exit', code: 0 });
    expect(outB.join('')).toBe('hello across machines\n');
    expect(outA.join('')).toBe('');
    expect(sa.files!.exported).toBe(0);
  });

  it('bigwrite on B into a pipe at A whose reader ended: B is killed by SIGPIPE', async () => {
    const net = new Net();
    const sa = await System.create({ ram_bytes: 16 << 20, root });
    const sb = await System.create({ ram_bytes: 16 << 20, root });
    sa.spawn(elf('guest/bin/echo.elf'), { argv: ['echo', 'not reading'] });
    const writer = sb.spawn(elf('guest/tests/bigwrite.elf'), { argv: ['bigwrite'] });
    const outA: string[] = [], outB: string[] = [];
    const { run } = runBoth(net, sa, sb, outA, outB);
    const pipe = new Pipe(PIPE_BYTES);
    const r = new Description(new PipeEnd(pipe, 'read'), O_RDONLY);
    const w = new Description(new PipeEnd(pipe, 'write'), O_WRONLY);
    sa.files!.files(sa.processes[0]!.pid)!.fds.install(0, r, false); // echo holds the read end and never reads it
    const parent = 9000;
    parentWith(sa, parent, 1, w);
    sb.files!.importFiles(writer.pid, JSON.parse(JSON.stringify(sa.files!.exportFiles(parent, 'B'))), 'A', net.transport('B'), writer.index);
    sa.files!.files(parent)!.fds.closeAll();
    run();
    expect(sa.results()[0]).toEqual({ kind: 'exit', code: 0 });
    expect(sb.results()[0]).toMatchObject({ kind: 'killed', signal: 'SIGPIPE' });
    expect(outA.join('')).toBe('not reading\n');
    expect(sa.files!.exported).toBe(0);
  });
});

describe('RemoteHome: holds one node takes for another', () => {
  class Desc { refs = 0; retain(): this { this.refs++; return this; } release(): void { this.refs--; } }
  it('a hold taken for n3 by n2 goes when n2 goes down before n3 claimed it; a claimed one stays', () => {
    const home = new RemoteHome<Desc>();
    const d = new Desc();
    const id = home.export(d, 'n2');            // n2's process holds it
    home.adjust(id, 'n3', 1, 'n2');             // it moves to n3: n2 asks a hold for n3
    home.adjust(id, 'n2', -1);                  // n2 let go of its own
    expect(home.get(id)).toBe(d);
    home.releaseHolder('n2');                   // n2 crashed before n3 ran it: nobody will let go of n3's
    expect(home.get(id)).toBeUndefined();
    expect(d.refs).toBe(0);
    const e = new Desc();
    const id2 = home.export(e, 'n2');
    home.adjust(id2, 'n3', 1, 'n2');
    home.claim(id2, 'n3');                      // n3 runs the process
    home.adjust(id2, 'n2', -1);
    home.releaseHolder('n2');
    expect(home.get(id2)).toBe(e);              // n3's hold is its own
    home.adjust(id2, 'n3', -1);
    expect(home.get(id2)).toBeUndefined();
  });
  it('a late release for a node whose holds went with it does not count against the others', () => {
    const home = new RemoteHome<Desc>();
    const d = new Desc();
    const id = home.export(d, 'n2');
    home.adjust(id, 'n4', 1);
    home.releaseHolder('n2');                   // n2 down: its hold is gone
    home.adjust(id, 'n2', -1, 'n4');            // a release for n2 that was on its way
    home.adjust(id, 'n4', -1);                  // the last real holder lets go
    expect(home.get(id)).toBeUndefined();
    expect(d.refs).toBe(0);
  });
});
