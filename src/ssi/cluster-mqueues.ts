// POSIX message queues with cluster-wide names: the queue named n lives on one node, its home (chosen from the
// name over the cluster's nodes, so every node agrees without asking), in that node's LocalMqueues; a machine
// elsewhere reaches it with RPCs (at most once each, so an acknowledged send is queued once and a message is
// taken once). Blocking sends and receives wait at the home and are answered when they complete; a cancel (a
// timeout, a signal) asks the home to stop the wait, whose reply then says what happened. A notification
// registered from elsewhere fires back at the registering node. Limits: a home's LocalMqueues bounds, and
// handles held per opener (the remote opens not yet closed). A queue dies with its home node.
import type { NodeContext } from '../node/index.js';
import { base64Bytes, base64Text } from '../base/index.js';
import type { RpcClient, RpcHandler, RpcServer } from '../rpc/index.js';
import {
  LocalMqueues, MQ_CANCELLED, MQ_DONE, type MqueueNamespace, type MqQueue, type MqLimits, type MqState, type MqMessage,
  type MqOpenRequest, type MqRegistration, type MqWait, type MqCancelled, layout,
} from '../machine/index.js';
import { compareNodes } from './placement.js';

// A handle the home does not know (closed, or the home restarted) is a bad descriptor there.
const { EHOSTUNREACH, ETIMEDOUT, EINVAL, EBADF, EMFILE } = layout;

/** A blocking queue operation is tried this long (node time): it may wait on guests for long. */
const MQ_WAIT_DEADLINE_NS = 3_600e9;
/** A non-blocking one (open, unlink, state, a nonblock send or receive, a cancel). */
const MQ_CALL_DEADLINE_NS = 2e9;
const MQ_RETRY_NS = 100_000_000;
/** Cancels a home remembers that came before their operation. */
const MQ_EARLY_CANCELS_MAX = 4096;
/** Remote handles a home keeps per opener node. */
export const MQ_REMOTE_HANDLES_MAX = 4096;

/** A queue opened on another node: its home and the home's handle number. */
interface RemoteQueue extends MqQueue {
  readonly home: string;
  readonly handle: number;
}

const isRemote = (q: MqQueue): q is RemoteQueue => 'home' in q;

/** FNV-1a over the name's UTF-16 units: the home is the same on every node. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const fromB64 = (s: unknown): Uint8Array | null => (typeof s === 'string' ? base64Bytes(s) : null);

export class ClusterMqueues implements MqueueNamespace {
  /** This node's home queues. */
  readonly local = new LocalMqueues();
  private readonly nodes: string[];
  /** Handles of queues opened from elsewhere: `${node}/${n}` -> the queue. */
  private readonly handles = new Map<string, MqQueue>();
  private nextHandle = 1;
  /** Waits started here for other nodes: `${node}/${op}` -> the wait. */
  private readonly waits = new Map<string, MqWait>();
  /** Registrations made here on queues elsewhere: id -> registration. */
  private readonly registrations = new Map<number, MqRegistration>();
  /** Cancels that arrived before their operation (bounded: the oldest are forgotten). */
  private readonly cancelled = new Set<string>();
  private nextOp = 1;

  constructor(
    private readonly ctx: NodeContext,
    private readonly client: RpcClient,
    server: RpcServer,
    /** A callback ran outside a slice: the machine must look. */
    private readonly wake: () => void,
  ) {
    this.nodes = [ctx.id, ...ctx.peers].sort(compareNodes);
    this.serve(server);
  }

  /** The node a queue name lives on. */
  home(name: string): string {
    return this.nodes[nameHash(name) % this.nodes.length]!;
  }

  // ---- the namespace, as this node's machine uses it --------------------------------------------------------

  open(req: MqOpenRequest, done: (r: MqQueue | number) => void): MqWait {
    const home = this.home(req.name);
    if (home === this.ctx.id) return this.local.open(req, done);
    this.ask(home, 'mq.open', { req }, MQ_CALL_DEADLINE_NS, done, (r) => {
      const o = r as { handle?: unknown; ino?: unknown; mode?: unknown; limits?: MqLimits } | number;
      if (typeof o === 'number') return o;
      if (typeof o?.handle !== 'number' || typeof o.ino !== 'number' || typeof o.mode !== 'number' || o.limits === undefined) return -EINVAL;
      return { name: req.name, ino: o.ino, mode: o.mode, limits: o.limits, home, handle: o.handle } satisfies RemoteQueue;
    });
    return MQ_DONE;
  }

  unlink(name: string, done: (r: number) => void): MqWait {
    const home = this.home(name);
    if (home === this.ctx.id) return this.local.unlink(name, done);
    this.ask(home, 'mq.unlink', { name }, MQ_CALL_DEADLINE_NS, done, (r) => (typeof r === 'number' ? r : -EINVAL));
    return MQ_DONE;
  }

  send(q: MqQueue, msg: MqMessage, opts: { readonly nonblock: boolean; readonly sender: number }, done: (r: number | MqCancelled) => void): MqWait {
    if (!isRemote(q)) return this.local.send(q, msg, opts, done);
    const op = this.nextOp++;
    this.ask(q.home, 'mq.send', { handle: q.handle, op, data: base64Text(msg.data), prio: msg.prio, ...opts }, opts.nonblock ? MQ_CALL_DEADLINE_NS : MQ_WAIT_DEADLINE_NS, done,
      (r) => (r === MQ_CANCELLED || typeof r === 'number' ? r : -EINVAL));
    return this.cancelAt(q.home, op);
  }

  receive(q: MqQueue, opts: { readonly nonblock: boolean; readonly capacity: number }, done: (r: MqMessage | number | MqCancelled) => void): MqWait {
    if (!isRemote(q)) return this.local.receive(q, opts, done);
    const op = this.nextOp++;
    this.ask(q.home, 'mq.receive', { handle: q.handle, op, ...opts }, opts.nonblock ? MQ_CALL_DEADLINE_NS : MQ_WAIT_DEADLINE_NS, done, (r) => {
      if (r === MQ_CANCELLED || typeof r === 'number') return r;
      const m = r as { data?: unknown; prio?: unknown };
      const data = fromB64(m?.data);
      return data !== null && typeof m.prio === 'number' ? { data, prio: m.prio } : -EINVAL;
    });
    return this.cancelAt(q.home, op);
  }

  notify(q: MqQueue, pid: number, r: MqRegistration | null, done: (r: number) => void): MqWait {
    if (!isRemote(q)) return this.local.notify(q, pid, r, done);
    let reg: number | null = null;
    if (r !== null) {
      reg = this.nextOp++;
      this.registrations.set(reg, r);
    }
    const registration = r === null ? null : { owner: r.owner, kind: r.kind, signo: r.signo, value: r.value, id: reg };
    this.ask(q.home, 'mq.notify', { handle: q.handle, pid, registration }, MQ_CALL_DEADLINE_NS, (x: number) => {
      if (x !== 0 && reg !== null) this.registrations.delete(reg);
      done(x);
    }, (x) => (typeof x === 'number' ? x : -EINVAL));
    return MQ_DONE;
  }

  state(q: MqQueue, done: (r: MqState | number) => void): MqWait {
    if (!isRemote(q)) return this.local.state(q, done);
    this.ask(q.home, 'mq.state', { handle: q.handle }, MQ_CALL_DEADLINE_NS, done, (r) => (typeof r === 'number' ? r : (r as MqState)));
    return MQ_DONE;
  }

  close(q: MqQueue): void {
    if (!isRemote(q)) { this.local.close(q); return; }
    this.client.call(q.home, 'mq.close', { handle: q.handle }, { deadline_ns: MQ_CALL_DEADLINE_NS, retry_ns: MQ_RETRY_NS }, () => {});
  }

  /** An RPC to the home whose result `parse` turns into the callback's value; a failure is a Linux errno. */
  private ask<T>(home: string, method: string, args: unknown, deadline_ns: number, done: (r: T) => void, parse: (r: unknown) => T): void {
    this.client.call(home, method, args, { deadline_ns, retry_ns: MQ_RETRY_NS }, (o) => {
      const value = o.ok ? parse(o.result) : ((o.error.code === 'timeout' ? -ETIMEDOUT : o.error.code === 'unreachable' ? -EHOSTUNREACH : -EINVAL) as T);
      done(value);
      this.wake();
    });
  }

  /** A wait at the home that cancel() stops (its reply then says what happened). */
  private cancelAt(home: string, op: number): MqWait {
    return { cancel: () => this.client.call(home, 'mq.cancel', { op }, { deadline_ns: MQ_CALL_DEADLINE_NS, retry_ns: MQ_RETRY_NS }, () => {}) };
  }

  // ---- the home's side -----------------------------------------------------------------------------------

  private cancelFirst(key: string): void {
    if (this.cancelled.size >= MQ_EARLY_CANCELS_MAX) this.cancelled.delete(this.cancelled.values().next().value!);
    this.cancelled.add(key);
  }

  private serve(rpc: RpcServer): void {
    // A request from elsewhere may end a wait of a process here (a receive frees room for a blocked sender
    // here): the machine must look after each one.
    const server = { register: (method: string, fn: RpcHandler): void => rpc.register(method, (a, call) => {
      const r = fn(a, call);
      this.wake();
      return r;
    }) };
    const handleOf = (from: string, h: unknown): MqQueue | undefined => (typeof h === 'number' ? this.handles.get(`${from}/${h}`) : undefined);
    const args = (a: unknown): Record<string, unknown> => (a !== null && typeof a === 'object' ? a as Record<string, unknown> : {});
    server.register('mq.open', (a, call) => {
      const req = args(a)['req'] as MqOpenRequest | undefined;
      if (req === undefined || typeof req.name !== 'string') return -EINVAL;
      if ([...this.handles.keys()].filter((k) => k.startsWith(`${call.from}/`)).length >= MQ_REMOTE_HANDLES_MAX) return -EMFILE;
      this.local.open(req, (q) => {
        if (typeof q === 'number') { call.reply(q); return; }
        const handle = this.nextHandle++;
        this.handles.set(`${call.from}/${handle}`, q);
        call.reply({ handle, ino: q.ino, mode: q.mode, limits: q.limits });
      });
      return undefined;
    });
    server.register('mq.unlink', (a, call) => {
      const name = args(a)['name'];
      if (typeof name !== 'string') return -EINVAL;
      this.local.unlink(name, (r) => call.reply(r));
      return undefined;
    });
    server.register('mq.send', (a, call) => {
      const x = args(a);
      const q = handleOf(call.from, x['handle']);
      const data = fromB64(x['data']);
      if (q === undefined) return -EBADF;
      if (data === null || typeof x['prio'] !== 'number' || typeof x['sender'] !== 'number' || typeof x['op'] !== 'number') return -EINVAL;
      const key = `${call.from}/${x['op']}`;
      if (this.cancelled.delete(key)) return MQ_CANCELLED;
      this.waits.set(key, this.local.send(q, { data, prio: x['prio'] }, { nonblock: x['nonblock'] === true, sender: x['sender'] }, (r) => {
        this.waits.delete(key);
        call.reply(r);
      }));
      return undefined;
    });
    server.register('mq.receive', (a, call) => {
      const x = args(a);
      const q = handleOf(call.from, x['handle']);
      if (q === undefined) return -EBADF;
      if (typeof x['capacity'] !== 'number' || typeof x['op'] !== 'number') return -EINVAL;
      const key = `${call.from}/${x['op']}`;
      if (this.cancelled.delete(key)) return MQ_CANCELLED;
      this.waits.set(key, this.local.receive(q, { nonblock: x['nonblock'] === true, capacity: x['capacity'] }, (r) => {
        this.waits.delete(key);
        call.reply(typeof r === 'object' ? { data: base64Text(r.data), prio: r.prio } : r);
      }));
      return undefined;
    });
    server.register('mq.cancel', (a, call) => {
      const key = `${call.from}/${args(a)['op']}`;
      const w = this.waits.get(key);
      if (w !== undefined) w.cancel();
      else this.cancelFirst(key); // it overtook its operation (lost and sent again): that one ends at once
      return 0;
    });
    server.register('mq.notify', (a, call) => {
      const x = args(a);
      const q = handleOf(call.from, x['handle']);
      if (q === undefined) return -EBADF;
      const r = x['registration'] as { owner: number; kind: 'signal' | 'none'; signo: number; value: number; id: number } | null;
      const from = call.from;
      const reg: MqRegistration | null = r === null ? null : {
        owner: r.owner, kind: r.kind, signo: r.signo, value: r.value,
        fire: (sender) => this.client.call(from, 'mq.fire', { id: r.id, sender }, { deadline_ns: MQ_CALL_DEADLINE_NS, retry_ns: MQ_RETRY_NS }, () => {}),
      };
      this.local.notify(q, typeof x['pid'] === 'number' ? x['pid'] : 0, reg, (v) => call.reply(v));
      return undefined;
    });
    server.register('mq.fire', (a) => {
      const x = args(a);
      const reg = typeof x['id'] === 'number' ? this.registrations.get(x['id']) : undefined;
      if (reg === undefined) return -EBADF;
      this.registrations.delete(x['id'] as number); // a notification fires once
      reg.fire(typeof x['sender'] === 'number' ? x['sender'] : 0);
      this.wake();
      return 0;
    });
    server.register('mq.state', (a, call) => {
      const q = handleOf(call.from, args(a)['handle']);
      if (q === undefined) return -EBADF;
      this.local.state(q, (r) => call.reply(r));
      return undefined;
    });
    server.register('mq.close', (a, call) => {
      const key = `${call.from}/${args(a)['handle']}`;
      const q = this.handles.get(key);
      if (q === undefined) return 0;
      this.handles.delete(key);
      this.local.close(q);
      return 0;
    });
  }
}
