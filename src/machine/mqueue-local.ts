// The machine's own message-queue namespace: every queue in this host's memory, each operation complete at once
// or, for a wait, when another operation (or a cancel) ends it. Linux's rules (ipc/mqueue.c): the highest
// priority first, FIFO within one; a send to a waiting receiver hands its message over directly; a receive from
// a full queue lets the oldest waiting sender in; waiters are served oldest first; a notification fires when a
// message arrives on an empty queue that no receiver waits on. Bounds, stated and checked: queues_max queues
// (unlinked ones still open count, as on Linux: ENOSPC), maxmsg messages of msgsize bytes per queue, bytes_max
// bytes pinned by all queues together (RLIMIT_MSGQUEUE, counted as an RV32 kernel counts them: EMFILE); the
// waiters of a queue are bounded by the callers (the threads of the machines that use the namespace).
import { InputError } from '../base/index.js';
import {
  EEXIST, ENOENT, EINVAL, ENOSPC, EMFILE, EMSGSIZE, EAGAIN, EBUSY, O_ACCMODE, MQ_PRIO_MAX, MQ_QUEUES_MAX,
  MQ_MAXMSG_MAX, MQ_MSGSIZE_MAX, MQ_MAXMSG_DEFAULT, MQ_MSGSIZE_DEFAULT, MQ_BYTES_MAX, NAME_MAX,
} from './abi.js';
import {
  MQ_CANCELLED, MQ_DONE, type MqCancelled, type MqLimits, type MqMessage, type MqOpenRequest, type MqQueue,
  type MqRegistration, type MqState, type MqWait, type MqueueNamespace,
} from './mqueue-namespace.js';

/** Linux's ceilings for a process with CAP_SYS_RESOURCE (HARD_MSGMAX, HARD_MSGSIZEMAX): options stay below. */
export const MQ_HARD_MAXMSG = 65536;
export const MQ_HARD_MSGSIZE = 16 << 20;
export const MQ_HARD_QUEUES = 1 << 16;
/** What an RV32 kernel pins per message slot (struct msg_msg) and per priority node (posix_msg_tree_node). */
const MSG_HEADER_BYTES = 24;
const PRIO_NODE_BYTES = 24;

export interface LocalMqueuesOptions {
  /** Queues at once (default MQ_QUEUES_MAX, 256). */
  readonly queues_max?: number;
  /** Largest mq_maxmsg and mq_msgsize a create may ask for (default 10 and 8192, Linux's unprivileged limits). */
  readonly maxmsg_max?: number;
  readonly msgsize_max?: number;
  /** Bytes all queues may pin together (default MQ_BYTES_MAX, RLIMIT_MSGQUEUE's 819200). */
  readonly bytes_max?: number;
}

interface Receiver {
  readonly done: (r: MqMessage | number | MqCancelled) => void;
}
interface Sender {
  readonly msg: MqMessage;
  readonly sender: number;
  readonly done: (r: number | MqCancelled) => void;
}

/** The messages of one priority, oldest first (a queue with a moving head). */
interface Level {
  readonly items: MqMessage[];
  head: number;
}

class LocalQueue implements MqQueue {
  refs = 0;
  linked = true;
  curmsgs = 0;
  qsize = 0;
  registration: MqRegistration | null = null;
  readonly receivers: Receiver[] = [];
  readonly senders: Sender[] = [];
  private readonly levels = new Map<number, Level>();
  /** The priorities that have messages, highest first. */
  private readonly prios: number[] = [];

  constructor(readonly name: string, readonly ino: number, readonly limits: MqLimits, readonly mode: number, readonly bytes: number) {}

  get full(): boolean {
    return this.curmsgs >= this.limits.maxmsg;
  }

  insert(msg: MqMessage): void {
    if (this.full) throw new Error('message queue overflow');
    let level = this.levels.get(msg.prio);
    if (level === undefined) {
      level = { items: [], head: 0 };
      this.levels.set(msg.prio, level);
      let i = 0;
      while (i < this.prios.length && this.prios[i]! > msg.prio) i++;
      this.prios.splice(i, 0, msg.prio);
    }
    level.items.push(msg);
    this.curmsgs++;
    this.qsize += msg.data.length;
  }

  /** The oldest message of the highest priority (the queue is not empty). */
  take(): MqMessage {
    const prio = this.prios[0];
    if (prio === undefined) throw new Error('taking from an empty message queue');
    const level = this.levels.get(prio)!;
    const msg = level.items[level.head++]!;
    if (level.head === level.items.length) {
      this.levels.delete(prio);
      this.prios.shift();
    } else if (level.head > 64 && level.head * 2 > level.items.length) {
      level.items.splice(0, level.head);
      level.head = 0;
    }
    this.curmsgs--;
    this.qsize -= msg.data.length;
    return msg;
  }
}

/** Remove item from list; true when it was there. */
function unqueue<T>(list: T[], item: T): boolean {
  const i = list.indexOf(item);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

function limitOption(v: number | undefined, fallback: number, max: number, what: string): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) throw new InputError(`${what} must be 1..${max}, not ${v}`);
  return v;
}

export class LocalMqueues implements MqueueNamespace {
  private readonly names = new Map<string, LocalQueue>();
  /** Every queue that exists: named, or unlinked and still open. */
  private readonly live = new Set<LocalQueue>();
  private bytesUsed = 0;
  private nextIno = 1;
  readonly queues_max: number;
  readonly maxmsg_max: number;
  readonly msgsize_max: number;
  readonly bytes_max: number;

  constructor(opts: LocalMqueuesOptions = {}) {
    this.queues_max = limitOption(opts.queues_max, MQ_QUEUES_MAX, MQ_HARD_QUEUES, 'queues_max');
    this.maxmsg_max = limitOption(opts.maxmsg_max, MQ_MAXMSG_MAX, MQ_HARD_MAXMSG, 'maxmsg_max');
    this.msgsize_max = limitOption(opts.msgsize_max, MQ_MSGSIZE_MAX, MQ_HARD_MSGSIZE, 'msgsize_max');
    this.bytes_max = limitOption(opts.bytes_max, MQ_BYTES_MAX, Number.MAX_SAFE_INTEGER, 'bytes_max');
  }

  /** Queues that exist now (named, or unlinked and still open). */
  get count(): number {
    return this.live.size;
  }

  /** Bytes the queues pin now (as RLIMIT_MSGQUEUE counts them). */
  get bytes(): number {
    return this.bytesUsed;
  }

  open(req: MqOpenRequest, done: (r: MqQueue | number) => void): MqWait {
    done(this.openNow(req));
    return MQ_DONE;
  }

  private openNow(req: MqOpenRequest): LocalQueue | number {
    if (req.name.length === 0 || req.name.length > NAME_MAX || req.name.includes('/')) return -EINVAL;
    const q = this.names.get(req.name);
    if (q !== undefined) {
      if (req.create && req.exclusive) return -EEXIST;
      if ((req.accmode & O_ACCMODE) === O_ACCMODE) return -EINVAL;
      q.refs++;
      return q;
    }
    if (!req.create) return -ENOENT;
    if (this.live.size >= this.queues_max) return -ENOSPC;
    const limits = req.limits ?? {
      maxmsg: Math.min(MQ_MAXMSG_DEFAULT, this.maxmsg_max), msgsize: Math.min(MQ_MSGSIZE_DEFAULT, this.msgsize_max),
    };
    if (limits.maxmsg <= 0 || limits.msgsize <= 0 || limits.maxmsg > this.maxmsg_max || limits.msgsize > this.msgsize_max) return -EINVAL;
    const bytes = limits.maxmsg * limits.msgsize + limits.maxmsg * MSG_HEADER_BYTES + Math.min(limits.maxmsg, MQ_PRIO_MAX) * PRIO_NODE_BYTES;
    if (this.bytesUsed + bytes > this.bytes_max) return -EMFILE;
    const created = new LocalQueue(req.name, this.nextIno++, { maxmsg: limits.maxmsg, msgsize: limits.msgsize }, req.mode & 0o7777, bytes);
    created.refs = 1;
    this.bytesUsed += bytes;
    this.names.set(req.name, created);
    this.live.add(created);
    return created;
  }

  unlink(name: string, done: (r: number) => void): MqWait {
    const q = this.names.get(name);
    if (q === undefined) { done(-ENOENT); return MQ_DONE; }
    this.names.delete(name);
    q.linked = false;
    if (q.refs === 0) this.free(q);
    done(0);
    return MQ_DONE;
  }

  close(queue: MqQueue): void {
    const q = this.own(queue);
    if (q.refs <= 0) throw new Error(`message queue ${q.name} closed more often than opened`);
    if (--q.refs === 0 && !q.linked) this.free(q);
  }

  private free(q: LocalQueue): void {
    if (!this.live.delete(q)) return;
    this.bytesUsed -= q.bytes;
  }

  send(queue: MqQueue, msg: MqMessage, opts: { readonly nonblock: boolean; readonly sender: number }, done: (r: number | MqCancelled) => void): MqWait {
    const q = this.own(queue);
    if (!Number.isInteger(msg.prio) || msg.prio < 0 || msg.prio >= MQ_PRIO_MAX) { done(-EINVAL); return MQ_DONE; }
    if (msg.data.length > q.limits.msgsize) { done(-EMSGSIZE); return MQ_DONE; }
    if (q.full) {
      if (opts.nonblock) { done(-EAGAIN); return MQ_DONE; }
      const waiter: Sender = { msg, sender: opts.sender, done };
      q.senders.push(waiter);
      return { cancel: () => { if (unqueue(q.senders, waiter)) done(MQ_CANCELLED); } };
    }
    const receiver = q.receivers.shift();
    if (receiver !== undefined) {
      receiver.done(msg); // handed over: the queue never held it, so no notification
    } else {
      q.insert(msg);
      if (q.curmsgs === 1) this.fire(q, opts.sender);
    }
    done(0);
    return MQ_DONE;
  }

  receive(queue: MqQueue, opts: { readonly nonblock: boolean; readonly capacity: number }, done: (r: MqMessage | number | MqCancelled) => void): MqWait {
    const q = this.own(queue);
    if (opts.capacity < q.limits.msgsize) { done(-EMSGSIZE); return MQ_DONE; }
    if (q.curmsgs === 0) {
      if (opts.nonblock) { done(-EAGAIN); return MQ_DONE; }
      const waiter: Receiver = { done };
      q.receivers.push(waiter);
      return { cancel: () => { if (unqueue(q.receivers, waiter)) done(MQ_CANCELLED); } };
    }
    const msg = q.take();
    const sender = q.senders.shift();
    if (sender !== undefined) {
      q.insert(sender.msg); // the room just made goes to the oldest waiting sender
      sender.done(0);
    }
    done(msg);
    return MQ_DONE;
  }

  notify(queue: MqQueue, pid: number, r: MqRegistration | null, done: (r: number) => void): MqWait {
    const q = this.own(queue);
    if (r === null) {
      if (q.registration?.owner === pid) q.registration = null;
      done(0);
    } else if (q.registration !== null) {
      done(-EBUSY);
    } else {
      q.registration = r;
      done(0);
    }
    return MQ_DONE;
  }

  state(queue: MqQueue, done: (r: MqState | number) => void): MqWait {
    const q = this.own(queue);
    const n = q.registration;
    done({
      maxmsg: q.limits.maxmsg, msgsize: q.limits.msgsize, curmsgs: q.curmsgs, qsize: q.qsize,
      notify: n === null ? null : { owner: n.owner, kind: n.kind, signo: n.signo },
    });
    return MQ_DONE;
  }

  /** A message arrived on the empty queue: the registration fires once and is removed. */
  private fire(q: LocalQueue, sender: number): void {
    const r = q.registration;
    if (r === null) return;
    q.registration = null;
    if (r.kind === 'signal' && r.signo !== 0) r.fire(sender);
  }

  private own(queue: MqQueue): LocalQueue {
    if (!(queue instanceof LocalQueue) || !this.live.has(queue)) throw new Error(`message queue ${queue.name} is not open in this namespace`);
    return queue;
  }
}
