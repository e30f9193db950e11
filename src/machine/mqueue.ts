// The POSIX message-queue calls on the host, with Linux RV32 semantics (ipc/mqueue.c): mq_open, mq_unlink,
// mq_timedsend_time64, mq_timedreceive_time64, mq_notify and mq_getsetattr. This is their descriptor side: a
// queue descriptor is an open file description in the process's table (file-syscalls.ts: close, dup, fork and
// exec work on it; mq_open always makes it close-on-exec, as Linux does; its file is mqueue-file.ts's),
// user memory goes through the caller's page tables (a bad pointer is -EFAULT), and the queues themselves sit
// behind an MqueueNamespace (mqueue-namespace.ts), which may answer later. A call that waits is answered when
// its operation ends; a signal the caller handles cancels it (-ERESTARTSYS: restarted under SA_RESTART, as
// Linux restarts these calls) and so does its process's end; an absolute CLOCK_REALTIME timeout cancels it
// in the machine's virtual time (-ETIMEDOUT, answered at the deadline). The deadlines are checked at every
// drain of the ring against the harts' mtime, and the earliest is the server's idle limit (hostcall.ts), so
// that a machine with nothing else to do jumps to it. A notification is raised on its process by the kernel
// export sigHostRaise (si_code SI_MESGQ). Reads no clock.
//
// Limits, stated: no permission checks (Atoll has no user ids: every process acts as each queue's owner, as
// root does); SIGEV_THREAD needs a netlink socket, and Atoll has none (-ENOTSOCK, -EBADF, as Linux answers for
// a descriptor that is not one); a registration whose descriptor survived an execve (F_SETFD cleared) still
// fires after it, where Linux drops the signal.
import {
  SYS, EBADF, EFAULT, EINVAL, EACCES, ENOENT, ENAMETOOLONG, EMFILE, EMSGSIZE, ENOTSOCK, ERESTARTSYS, ETIMEDOUT,
  O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_NONBLOCK, PATH_MAX, NAME_MAX, NSIG,
  MQ_PRIO_MAX, MQ_ATTR_BYTES, SIGEVENT_BYTES, SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SI_MESGQ, H_MTIME,
  hartBase,
} from './abi.js';
import { latin1Bytes } from '../base/index.js';
import type { Machine } from './machine.js';
import { copyFromUser, copyToUser, stringFromUser } from './usermem.js';
import { LATER, IDLE_ANY, type HostAnswer, type HostCall, type HostCallRing, type HostCallServer, type HostService, type IdleLimit } from './hostcall.js';
import { Description } from './descriptors.js';
import { MqueueFile, type MqueueDescription, type MqueueFileServer } from './mqueue-file.js';
import type { FileServer } from './file-syscalls.js';
import {
  MQ_CANCELLED, type MqCancelled, type MqLimits, type MqMessage, type MqQueue, type MqRegistration, type MqState,
  type MqWait, type MqueueNamespace,
} from './mqueue-namespace.js';

/** The cookie SIGEV_THREAD hands the kernel (NOTIFY_COOKIE_LEN). */
const NOTIFY_COOKIE_BYTES = 32;
/** The status flags open keeps on the description (Linux's dentry_open drops these four). */
const OPEN_ONLY_FLAGS = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC;
const NS_PER_S = 1_000_000_000n;

/** A call kept until its operation ends. */
interface Held {
  readonly call: HostCall;
  readonly wait: MqWait;
  /** mtime at which it times out (null: never). */
  readonly deadline: bigint | null;
  /** Why it was cancelled, once it was. */
  stop: 'signal' | 'timeout' | null;
  /** The description it works on, retained while it waits (a close by another thread leaves the queue open). */
  readonly desc: MqueueDescription | null;
}

interface RunOptions {
  readonly deadline?: bigint | null;
  readonly desc?: MqueueDescription | null;
}

export interface MqueueServerOptions {
  readonly namespace: MqueueNamespace;
  /** CLOCK_REALTIME at virtual time 0 (what the timeouts are measured against). */
  readonly realtime_base_ns: bigint;
}

/** The queue a descriptor names, or -EBADF. */
type MqEntry = { readonly desc: Description; readonly file: MqueueFile } | number;

export class MqueueServer implements MqueueFileServer {
  readonly namespace: MqueueNamespace;
  private readonly held = new Map<number, Held>();
  private ring: HostCallRing | null = null;
  private readonly mtimes: BigUint64Array;
  private readonly realtime_base_ns: bigint;

  constructor(readonly machine: Machine, readonly files: FileServer, opts: MqueueServerOptions) {
    this.namespace = opts.namespace;
    this.realtime_base_ns = opts.realtime_base_ns;
    this.mtimes = new BigUint64Array(machine.memory.buffer);
  }

  /** Serve the six calls on server (except those in keep) and look at cancels and deadlines each drain. */
  attach(server: HostCallServer, keep: ReadonlySet<number> = new Set()): void {
    this.ring = server.ring;
    for (const [nr, s] of this.services()) if (!keep.has(nr)) server.register(nr, s);
    server.onDrain(() => this.onDrain());
    server.idleLimit(() => this.idleLimit());
  }

  services(): [number, HostService][] {
    return [
      [SYS.mq_open, (c) => this.open(c)], [SYS.mq_unlink, (c) => this.unlink(c)],
      [SYS.mq_timedsend_time64, (c) => this.send(c)], [SYS.mq_timedreceive_time64, (c) => this.receive(c)],
      [SYS.mq_notify, (c) => this.notify(c)], [SYS.mq_getsetattr, (c) => this.getsetattr(c)],
    ];
  }

  /** Calls kept waiting now. */
  get waiting(): number {
    return this.held.size;
  }

  // ---- waiting ------------------------------------------------------------------------------------------------

  /**
   * Start an operation and turn its result into the call's answer with finish: at once when it completes during
   * start, else LATER and when it ends (a cancel answers -ERESTARTSYS, a timeout -ETIMEDOUT at its deadline).
   */
  private run<T>(call: HostCall, start: (done: (r: T | MqCancelled) => void) => MqWait, finish: (r: T) => HostAnswer, opts: RunOptions = {}): HostAnswer {
    let early: { readonly r: T | MqCancelled } | null = null;
    let h: Held | null = null;
    const done = (r: T | MqCancelled): void => {
      if (h === null) early = { r };
      else this.settle(h, r === MQ_CANCELLED ? stopAnswer(h) : finish(r));
    };
    const wait = start(done);
    const deadline = opts.deadline ?? null;
    // An absolute timeout already past: the call would block, so it times out now (as Linux's hrtimer).
    const expired = deadline !== null && deadline <= call.mtime;
    if (early === null && expired) wait.cancel();
    const first = early as { readonly r: T | MqCancelled } | null;
    if (first !== null) return first.r !== MQ_CANCELLED ? finish(first.r) : expired ? -ETIMEDOUT : -ERESTARTSYS;
    const held: Held = { call, wait, deadline, stop: expired ? 'timeout' : null, desc: opts.desc ?? null };
    held.desc?.retain();
    this.held.set(call.id, held);
    h = held;
    return LATER;
  }

  private stop(h: Held, why: 'signal' | 'timeout'): void {
    if (h.stop !== null) return;
    h.stop = why;
    h.wait.cancel();
  }

  private settle(h: Held, a: HostAnswer): void {
    if (!this.held.delete(h.call.id)) return;
    h.desc?.release();
    if (a === LATER || this.ring === null) return;
    if (typeof a === 'number') this.ring.complete(h.call.id, a);
    else this.ring.answer(h.call.id, a);
  }

  /** Every drain: cancel the waits of callers with a signal to handle or a dying process, time out the due. */
  onDrain(): void {
    if (this.held.size === 0) return;
    const now = this.now();
    for (const h of [...this.held.values()]) {
      if (h.stop !== null) continue;
      if ((this.ring?.cancelled(h.call) ?? false) || this.files.slots.state(h.call.pid) !== 'live') this.stop(h, 'signal');
      else if (h.deadline !== null && now >= h.deadline) this.stop(h, 'timeout');
    }
  }

  /** The machine's virtual time: the furthest hart's mtime (each hart's clock advances with its instructions). */
  now(): bigint {
    let best = 0n;
    for (let hart = 0; hart < this.machine.harts; hart++) {
      const t = Atomics.load(this.mtimes, (hartBase(hart) + H_MTIME) >>> 3);
      if (t > best) best = t;
    }
    return best;
  }

  /** What this server holds, for the kernel's idle jumps: its waits end by a guest's call or at their deadlines. */
  idleLimit(): IdleLimit {
    let until = IDLE_ANY;
    for (const h of this.held.values()) {
      if (h.stop !== null) return { held: this.held.size, until: 0n }; // a cancel still to be confirmed
      if (h.deadline !== null && h.deadline < until) until = h.deadline;
    }
    return { held: this.held.size, until };
  }

  // ---- arguments ----------------------------------------------------------------------------------------------

  /** The name a queue call was given (Linux's getname): the string, or -EFAULT, -ENAMETOOLONG, -ENOENT (empty). */
  private userName(call: HostCall, va: number): string | number {
    const s = stringFromUser(this.machine, call.satp, va, PATH_MAX);
    if (s === 'fault') return -EFAULT;
    if (s === 'long') return -ENAMETOOLONG;
    return s.length === 0 ? -ENOENT : s;
  }

  /** An absolute CLOCK_REALTIME timeout (a __kernel_timespec) as an mtime deadline; null: none; or -errno. */
  private deadline(call: HostCall, va: number): { readonly at: bigint | null } | number {
    if (va === 0) return { at: null };
    const raw = copyFromUser(this.machine, call.satp, va, 16);
    if (raw === null) return -EFAULT;
    const v = new DataView(raw.buffer);
    const sec = v.getBigInt64(0, true);
    const nsec = v.getInt32(8, true); // an RV32 kernel's tv_nsec is a long: the low 32 bits
    if (sec < 0n || nsec < 0 || nsec >= 1_000_000_000) return -EINVAL;
    const rel = sec * NS_PER_S + BigInt(nsec) - this.realtime_base_ns;
    if (rel <= 0n) return { at: 0n };
    const tb = BigInt(this.machine.timebase_hz);
    const ticks = (rel * tb + NS_PER_S - 1n) / NS_PER_S;
    return { at: ticks < 1n << 63n ? ticks : (1n << 63n) - 1n };
  }

  /** The queue descriptor fd of the caller, or -EBADF (not open, or not a queue). */
  private entry(call: HostCall, fd: number): MqEntry {
    const e = this.files.filesOf(call).fds.get(fd | 0);
    if (e === undefined || e.desc.file.kind !== 'mqueue') return -EBADF;
    return { desc: e.desc, file: e.desc.file };
  }

  // ---- the services -------------------------------------------------------------------------------------------

  private open(call: HostCall): HostAnswer {
    const [nameVa, oflag, mode, attrVa] = call.args as [number, number, number, number];
    let limits: MqLimits | null = null;
    if (attrVa !== 0) {
      const raw = copyFromUser(this.machine, call.satp, attrVa, MQ_ATTR_BYTES);
      if (raw === null) return -EFAULT;
      const v = new DataView(raw.buffer);
      limits = { maxmsg: v.getInt32(4, true), msgsize: v.getInt32(8, true) };
    }
    const name = this.userName(call, nameVa);
    if (typeof name === 'number') return name;
    const files = this.files.filesOf(call);
    if (!files.fds.hasRoom) return -EMFILE; // Linux takes the descriptor before it looks the name up
    const bad = lookupError(name);
    if (bad !== 0) return bad;
    const create = (oflag & O_CREAT) !== 0;
    const req = {
      name, create, exclusive: (oflag & O_EXCL) !== 0, accmode: oflag & O_ACCMODE,
      mode: mode & 0o7777 & ~files.fs.umask, limits: create ? limits : null,
    };
    return this.run<MqQueue | number>(call, (done) => this.namespace.open(req, done), (q) => (typeof q === 'number' ? q : this.install(call, q, oflag)));
  }

  /** The new description of an open queue at the caller's lowest free descriptor, close-on-exec. */
  private install(call: HostCall, q: MqQueue, oflag: number): number {
    const acc = oflag & O_ACCMODE;
    const file = new MqueueFile(this, q, acc === O_RDONLY || acc === O_RDWR, acc === O_WRONLY || acc === O_RDWR);
    const d = new Description(file, oflag & ~OPEN_ONLY_FLAGS);
    if (this.files.slots.state(call.pid) !== 'live') { d.retain().release(); return -ERESTARTSYS; }
    const fd = this.files.filesOf(call).fds.alloc(d, true);
    if (fd < 0) d.retain().release();
    return fd;
  }

  private unlink(call: HostCall): HostAnswer {
    const name = this.userName(call, call.args[0]!);
    if (typeof name === 'number') return name;
    const bad = lookupError(name);
    if (bad !== 0) return bad;
    return this.run<number>(call, (done) => this.namespace.unlink(name, done), (r) => r);
  }

  private send(call: HostCall): HostAnswer {
    const [fd, msgVa, len, prio, tsVa] = call.args as [number, number, number, number, number];
    const deadline = this.deadline(call, tsVa);
    if (typeof deadline === 'number') return deadline;
    if (prio >>> 0 >= MQ_PRIO_MAX) return -EINVAL;
    const m = this.entry(call, fd);
    if (typeof m === 'number') return m;
    if (!m.file.canWrite) return -EBADF;
    if (len >>> 0 > m.file.queue.limits.msgsize) return -EMSGSIZE;
    const data = len === 0 ? new Uint8Array(0) : copyFromUser(this.machine, call.satp, msgVa, len >>> 0);
    if (data === null) return -EFAULT;
    const opts = { nonblock: (m.desc.flags & O_NONBLOCK) !== 0, sender: call.pid };
    return this.run<number>(call, (done) => this.namespace.send(m.file.queue, { data, prio: prio >>> 0 }, opts, done), (r) => r, { deadline: deadline.at, desc: m.desc });
  }

  private receive(call: HostCall): HostAnswer {
    const [fd, bufVa, len, prioVa, tsVa] = call.args as [number, number, number, number, number];
    const deadline = this.deadline(call, tsVa);
    if (typeof deadline === 'number') return deadline;
    const m = this.entry(call, fd);
    if (typeof m === 'number') return m;
    if (!m.file.canRead) return -EBADF;
    if (len >>> 0 < m.file.queue.limits.msgsize) return -EMSGSIZE;
    const opts = { nonblock: (m.desc.flags & O_NONBLOCK) !== 0, capacity: len >>> 0 };
    return this.run<MqMessage | number>(call, (done) => this.namespace.receive(m.file.queue, opts, done),
      (r) => (typeof r === 'number' ? r : this.deliver(call, r, bufVa, prioVa)), { deadline: deadline.at, desc: m.desc });
  }

  /** Copy a received message out: its length, or -EFAULT (the message is gone, as on Linux). */
  private deliver(call: HostCall, msg: MqMessage, bufVa: number, prioVa: number): number {
    if (prioVa !== 0) {
      const p = new Uint8Array(4);
      new DataView(p.buffer).setUint32(0, msg.prio, true);
      if (!copyToUser(this.machine, call.satp, prioVa, p)) return -EFAULT;
    }
    if (msg.data.length > 0 && !copyToUser(this.machine, call.satp, bufVa, msg.data)) return -EFAULT;
    return msg.data.length;
  }

  private notify(call: HostCall): HostAnswer {
    const [fd, sevVa] = call.args as [number, number];
    let ev: { readonly kind: number; readonly signo: number; readonly value: number } | null = null;
    if (sevVa !== 0) {
      const raw = copyFromUser(this.machine, call.satp, sevVa, SIGEVENT_BYTES);
      if (raw === null) return -EFAULT;
      const v = new DataView(raw.buffer);
      ev = { value: v.getUint32(0, true), signo: v.getUint32(4, true), kind: v.getInt32(8, true) };
      if (ev.kind !== SIGEV_NONE && ev.kind !== SIGEV_SIGNAL && ev.kind !== SIGEV_THREAD) return -EINVAL;
      if (ev.kind === SIGEV_SIGNAL && ev.signo > NSIG) return -EINVAL;
      if (ev.kind === SIGEV_THREAD) return this.threadNotify(call, ev.value, ev.signo);
    }
    const m = this.entry(call, fd);
    if (typeof m === 'number') return m;
    const pid = call.pid;
    const reg: MqRegistration | null = ev === null ? null : {
      owner: pid, kind: ev.kind === SIGEV_SIGNAL ? 'signal' : 'none', signo: ev.signo, value: ev.value,
      fire: (sender) => this.raise(pid, ev.signo, ev.value, sender),
    };
    return this.run<number>(call, (done) => this.namespace.notify(m.file.queue, pid, reg, done), (r) => r);
  }

  /** SIGEV_THREAD: Linux reads the cookie, then wants sigev_signo to be a netlink socket (Atoll has none). */
  private threadNotify(call: HostCall, cookieVa: number, sockFd: number): number {
    if (copyFromUser(this.machine, call.satp, cookieVa, NOTIFY_COOKIE_BYTES) === null) return -EFAULT;
    return this.files.filesOf(call).fds.get(sockFd | 0) === undefined ? -EBADF : -ENOTSOCK;
  }

  /** A registration fired: its signal on the owner, from sender (si_code SI_MESGQ, si_value the registration's). */
  private raise(owner: number, signo: number, value: number, sender: number): void {
    const now = this.now();
    this.machine.kernel.sigHostRaise(owner, signo, SI_MESGQ, sender, value, Number(now & 0xffff_ffffn), Number(now >> 32n));
  }

  private getsetattr(call: HostCall): HostAnswer {
    const [fd, newVa, oldVa] = call.args as [number, number, number];
    let flags: number | null = null;
    if (newVa !== 0) {
      const raw = copyFromUser(this.machine, call.satp, newVa, MQ_ATTR_BYTES);
      if (raw === null) return -EFAULT;
      flags = new DataView(raw.buffer).getInt32(0, true);
      if ((flags & ~O_NONBLOCK) !== 0) return -EINVAL;
    }
    const m = this.entry(call, fd);
    if (typeof m === 'number') return m;
    return this.run<MqState | number>(call, (done) => this.namespace.state(m.file.queue, done), (st) => {
      if (typeof st === 'number') return st;
      const old = m.desc.flags & O_NONBLOCK;
      if (flags !== null) m.desc.flags = (m.desc.flags & ~O_NONBLOCK) | flags;
      if (oldVa === 0) return 0;
      const out = new Uint8Array(MQ_ATTR_BYTES);
      const v = new DataView(out.buffer);
      v.setInt32(0, old, true);
      v.setInt32(4, st.maxmsg, true);
      v.setInt32(8, st.msgsize, true);
      v.setInt32(12, st.curmsgs, true);
      return copyToUser(this.machine, call.satp, oldVa, out) ? 0 : -EFAULT;
    }, { desc: m.desc });
  }

  /** read(2) of a queue descriptor: Linux's line of the queue's size and notification, from the offset on. */
  readText(call: HostCall, d: MqueueDescription, f: MqueueFile, n: number, sink: (bytes: Uint8Array) => boolean, pos?: number): HostAnswer {
    return this.run<MqState | number>(call, (done) => this.namespace.state(f.queue, done), (st) => {
      if (typeof st === 'number') return st;
      const text = latin1Bytes(stateText(st));
      const at = pos ?? d.offset;
      if (at >= text.length || n === 0) return 0;
      const bytes = text.subarray(at, Math.min(text.length, at + n));
      if (!sink(bytes)) return -EFAULT;
      if (pos === undefined) d.offset = at + bytes.length;
      return bytes.length;
    }, { desc: d });
  }
}

/** Why the namespace would not look name up (Linux's lookup in the queue file system's root): -errno, or 0. */
function lookupError(name: string): number {
  if (name.includes('/') || name === '.' || name === '..') return -EACCES;
  return name.length > NAME_MAX ? -ENAMETOOLONG : 0;
}

/** What a cancelled wait answers: -ETIMEDOUT at its deadline, or -ERESTARTSYS (a signal, its process's end). */
function stopAnswer(h: Held): HostAnswer {
  if (h.stop === 'timeout') return { result: -ETIMEDOUT, at: h.deadline ?? 0n };
  return -ERESTARTSYS;
}

/** Linux's mqueue_read_file line: "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n". */
export function stateText(st: MqState): string {
  const n = st.notify;
  const kind = n === null ? 0 : n.kind === 'signal' ? SIGEV_SIGNAL : SIGEV_NONE;
  const signo = n !== null && n.kind === 'signal' ? n.signo : 0;
  return `QSIZE:${String(st.qsize).padEnd(10)} NOTIFY:${String(kind).padEnd(5)} SIGNO:${String(signo).padEnd(5)} NOTIFY_PID:${String(n?.owner ?? 0).padEnd(6)}\n`;
}
