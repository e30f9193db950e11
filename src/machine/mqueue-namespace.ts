// The queue namespace behind the POSIX message-queue calls (mqueue.ts is their descriptor side): named queues
// with Linux's semantics (ipc/mqueue.c), reached through operations that report by callback, at once (the
// machine's own namespace, mqueue-local.ts) or later (a cluster-wide queue service, whose queue lives on
// another node), and whose waits can be cancelled. The namespace knows nothing of descriptors, user memory or
// virtual time: deadlines and signals are the caller's, and a registration fires through its own callback.

/** The attributes a queue is created with (mq_attr's mq_maxmsg and mq_msgsize). */
export interface MqLimits {
  readonly maxmsg: number;
  readonly msgsize: number;
}

/** A queue's state as mq_getsetattr and read(2) of its descriptor report it. */
export interface MqState extends MqLimits {
  /** Messages queued. */
  readonly curmsgs: number;
  /** Bytes of the queued messages. */
  readonly qsize: number;
  /** The registered notification, if any. */
  readonly notify: { readonly owner: number; readonly kind: MqNotifyKind; readonly signo: number } | null;
}

export interface MqMessage {
  readonly data: Uint8Array;
  /** 0..MQ_PRIO_MAX - 1. */
  readonly prio: number;
}

/** A queue as an open description holds it, from open() until its close(); opaque to the caller. */
export interface MqQueue {
  readonly name: string;
  /** A number for statx (st_ino), unique in the namespace. */
  readonly ino: number;
  /** Its permission bits. */
  readonly mode: number;
  readonly limits: MqLimits;
}

export interface MqOpenRequest {
  /** The name without its leading '/' (the kernel's view), already checked by the caller. */
  readonly name: string;
  readonly create: boolean;
  readonly exclusive: boolean;
  /** O_ACCMODE of the open: an existing queue refuses O_ACCMODE itself (EINVAL). */
  readonly accmode: number;
  /** The permission bits a new queue gets (the umask already applied). */
  readonly mode: number;
  /** The attributes of a new queue; null: the namespace's defaults. */
  readonly limits: MqLimits | null;
}

export type MqNotifyKind = 'signal' | 'none';

/**
 * A registration for a notification (mq_notify): fired once, when a message arrives on the empty queue and no
 * receiver waits, then removed.
 */
export interface MqRegistration {
  /** The registered process (a pid, unique in the namespace's world). */
  readonly owner: number;
  readonly kind: MqNotifyKind;
  /** SIGEV_SIGNAL's signal (0: none is sent). */
  readonly signo: number;
  /** What reaches the handler as si_value. */
  readonly value: number;
  /** Raise the signal on the owner; sender: the pid whose send fired it. */
  readonly fire: (sender: number) => void;
}

/** What a cancelled wait reports instead of its result. */
export const MQ_CANCELLED = 'cancelled';
export type MqCancelled = typeof MQ_CANCELLED;

/** A started operation: cancel() asks a wait to stop; its callback then reports MQ_CANCELLED (or what had completed). */
export interface MqWait {
  cancel(): void;
}

/** Results are -errno (a negative number) or the value; every callback runs exactly once. */
export interface MqueueNamespace {
  /** Open (or create) a queue: the queue, or -EEXIST, -ENOENT, -EINVAL, -ENOSPC, -EMFILE. */
  open(req: MqOpenRequest, done: (r: MqQueue | number) => void): MqWait;
  /** Remove a name (the queue lives on while descriptions hold it): 0 or -ENOENT. */
  unlink(name: string, done: (r: number) => void): MqWait;
  /**
   * Send msg (sender: the sending pid, for a notification's si_pid): 0, or -EMSGSIZE, -EAGAIN (full, nonblock);
   * a full queue without nonblock waits for room.
   */
  send(q: MqQueue, msg: MqMessage, opts: { readonly nonblock: boolean; readonly sender: number }, done: (r: number | MqCancelled) => void): MqWait;
  /**
   * Take the oldest message of the highest priority: the message, or -EMSGSIZE (capacity below mq_msgsize),
   * -EAGAIN (empty, nonblock); an empty queue without nonblock waits for one.
   */
  receive(q: MqQueue, opts: { readonly nonblock: boolean; readonly capacity: number }, done: (r: MqMessage | number | MqCancelled) => void): MqWait;
  /**
   * Register r (-EBUSY when another owner is registered), or with r null remove pid's registration (nothing when
   * pid is not the owner): 0 or -errno.
   */
  notify(q: MqQueue, pid: number, r: MqRegistration | null, done: (r: number) => void): MqWait;
  /** The queue's state. */
  state(q: MqQueue, done: (r: MqState | number) => void): MqWait;
  /** A description that held q let it go (its last descriptor closed); an unlinked queue goes with the last. */
  close(q: MqQueue): void;
}

/** A wait that has nothing to cancel (the operation completed at once). */
export const MQ_DONE: MqWait = { cancel: () => {} };
