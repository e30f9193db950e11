// IPC endpoints with cluster-wide names. A name is bound in the procs directory (Raft) to the process that
// registered it, so two processes anywhere never hold one name; ipc_lookup of a name held elsewhere gives an
// endpoint id with IPC_REMOTE, whose calls this node carries to the holder's node as RPCs with a deadline and
// retries, executed at most once there (the RPC layer's reply cache): a retried request is delivered to the
// server once. There the request waits in the endpoint's queue through a kernel record (ipcHost*), a server
// receives and answers it as any client's, and the reply travels back. Errors a guest can act on, after the
// deadline: -ETIMEDOUT (no answer: it may not have run, or its reply was lost) or -EHOSTUNREACH (the same,
// from a node silent for a while); at once: -EBADF (the endpoint is gone), -EPIPE (the server ended before
// replying), -ENOENT from ipc_lookup. A request no server took by the deadline is withdrawn at the holder.
// Bounds: IPC_REMOTE_HANDLES_MAX remote ids per machine; IPC_HOST_SLOTS requests served at once (-EAGAIN).
import type { NodeContext } from '../node/index.js';
import { base64Bytes, base64Text } from '../base/index.js';
import type { RpcCall, RpcClient, RpcServer } from '../rpc/index.js';
import { LATER, SYS, layout, copyFromUser, copyToUser, userWritable, type HostAnswer, type HostCall, type System } from '../machine/index.js';
import type { ProcsService } from './service.js';
import type { SsiErrorKind } from './client.js';
import type { NameBinding } from './state-machine.js';
import { rpcErrno } from './process-bridge.js';

const {
  IPC_MSG_MAX, IPC_REMOTE, HR_BUF, HR_LEN, HR_RESULT, ipcHostRecord,
  EINVAL, EFAULT, EMSGSIZE, EBADF, ENOENT, EADDRINUSE, EAGAIN, ETIMEDOUT, EHOSTUNREACH, ENOSPC,
} = layout;

/** A call to an endpoint elsewhere waits this long for its reply unless the caller names a timeout (node time). */
export const IPC_CALL_DEADLINE_NS = 5_000_000_000;
/** Resend an unanswered request this often. */
export const IPC_CALL_RETRY_NS = 100_000_000;
/** A registration's or a lookup's trip to the directory (ms of node time). */
const IPC_DIRECTORY_TIMEOUT_MS = 2000;
/** Ids of endpoints elsewhere one machine hands out (each names a node, a name and its holder's pid). */
export const IPC_REMOTE_HANDLES_MAX = 4096;

interface RemoteEndpoint {
  readonly node: string;
  readonly name: number;
  readonly pid: number;
}

/** What a call's RPC carries. */
interface IpcRequest {
  readonly name: number;
  readonly pid: number;
  readonly data: string;
  readonly rmax: number;
  readonly deadline_ns: number;
}

export interface ClusterIpcHooks {
  /** An answer arrived outside a slice: the machine must look. */
  readonly wake: () => void;
  /** Has the node been silent for a while (or booted again)? */
  readonly down: (node: string) => boolean;
  /** Which boot of this node's machine this is (a binding of an earlier one is stale). */
  readonly boot: number;
}

/** A directory call that failed, as a guest sees it: no answer in time, a full name table, or try again. */
function directoryErrno(kind: SsiErrorKind): number {
  return kind === 'timeout' ? -ETIMEDOUT : kind === 'refused' ? -ENOSPC : -EAGAIN;
}

const isU32 = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff;

export class ClusterIpc {
  /** Remote ids handed out: handle h (IPC_REMOTE | h) is remote[h - 1]. */
  private readonly remote: RemoteEndpoint[] = [];
  private readonly remoteIds = new Map<string, number>();
  /** Names registered by processes here: pid -> names. */
  private readonly bound = new Map<number, Set<number>>();
  /**
   * Registrations here between their directory bind and the kernel's endpoint: name -> the registering pid and
   * the requests from elsewhere that arrived meanwhile (another node may learn of the binding first).
   */
  private readonly registering = new Map<number, { readonly pid: number; readonly early: (() => void)[] }>();
  /** Requests from elsewhere in the kernel's records: record -> the RPC to answer and its deadline timer. */
  private readonly serving = new Map<number, { readonly call: RpcCall; readonly timer: number }>();
  /** Calls made and served (the run's report and benchmarks). */
  calls_out = 0;
  calls_in = 0;

  constructor(
    private readonly ctx: NodeContext, private readonly sys: System, private readonly client: RpcClient, server: RpcServer,
    private readonly procs: ProcsService | undefined, private readonly hooks: ClusterIpcHooks,
  ) {
    sys.serve(SYS.ipc_register, (call) => this.register(call));
    sys.serve(SYS.ipc_lookup, (call) => this.lookup(call));
    sys.serve(SYS.ipc_call, (call) => this.call(call));
    sys.hostcalls.onSlice(() => this.collect());
    server.register('ipc.call', (args, call) => this.serve(args, call));
  }

  // ---- the calling side ------------------------------------------------------------------------------------

  /** ipc_register(name) in a cluster: bind the name in the directory, then register the endpoint here. */
  private register(call: HostCall): HostAnswer {
    const name = call.args[0]! >>> 0;
    const k = this.sys.machine.kernel;
    if (name === 0) return -EINVAL;
    if (k.ipcLookup(name) >= 0) return -EADDRINUSE;
    const procs = this.procs;
    if (procs === undefined) return k.ipcRegisterProc(call.proc, name);
    const entry = { pid: call.pid, early: [] as (() => void)[] };
    if (this.registering.has(name)) return -EADDRINUSE;
    this.registering.set(name, entry);
    const settle = (result: number): void => {
      this.registering.delete(name);
      this.finish(call, result);
      for (const retry of entry.early) retry();
    };
    const bind = (replace_pid: number): void => {
      procs.bindName({ name, pid: call.pid, boot: this.hooks.boot, replace_pid }, (r) => {
        if (!r.ok) { settle(directoryErrno(r.error.kind)); return; }
        const v = r.value;
        // A holder on this node whose endpoint is gone (its process ended before its name was dropped) gives way.
        if (!v.bound && v.node === this.ctx.id && replace_pid === 0 && this.endpointGone(name, v.pid)) { bind(v.pid); return; }
        if (!v.bound) { settle(-EADDRINUSE); return; }
        const id = k.ipcRegisterProc(call.proc, name);
        if (id < 0) procs.dropName(name, call.pid, () => {});
        else this.remember(call.pid, name);
        settle(id);
      }, { timeout_ms: IPC_DIRECTORY_TIMEOUT_MS });
    };
    bind(0);
    return LATER;
  }

  /** Is no endpoint named name of process pid on this machine? */
  private endpointGone(name: number, pid: number): boolean {
    return this.sys.machine.kernel.ipcLookup(name) < 0 || !this.bound.get(pid)?.has(name);
  }

  private remember(pid: number, name: number): void {
    let names = this.bound.get(pid);
    if (names === undefined) this.bound.set(pid, names = new Set());
    names.add(name);
  }

  /** ipc_lookup(name) of a name not registered here: who holds it, from the directory. */
  private lookup(call: HostCall): HostAnswer {
    const name = call.args[0]! >>> 0;
    const procs = this.procs;
    if (name === 0) return -EINVAL;
    if (procs === undefined) return -ENOENT;
    const known = procs.localName(name);
    if (known !== null && known.node !== this.ctx.id) return this.remoteId(known);
    procs.resolveName(name, (r) => {
      if (!r.ok) { this.finish(call, directoryErrno(r.error.kind)); return; }
      const b = r.value.binding;
      // A name held here but not registered in the kernel (yet, or any more) is not there to call.
      this.finish(call, b === null || b.node === this.ctx.id ? -ENOENT : this.remoteId(b));
    }, { timeout_ms: IPC_DIRECTORY_TIMEOUT_MS });
    return LATER;
  }

  /** The id of an endpoint elsewhere (one per node, name and holder), or -ENOSPC when the table is full. */
  private remoteId(b: NameBinding): number {
    const key = `${b.node}/${b.name}/${b.pid}`;
    let h = this.remoteIds.get(key);
    if (h === undefined) {
      if (this.remote.length >= IPC_REMOTE_HANDLES_MAX) return -ENOSPC;
      this.remote.push({ node: b.node, name: b.name, pid: b.pid });
      h = this.remote.length;
      this.remoteIds.set(key, h);
    }
    return (IPC_REMOTE | h) >>> 0;
  }

  /** ipc_call(ep, req, len, reply, reply_max, timeout_ms) on an endpoint elsewhere. */
  private call(call: HostCall): HostAnswer {
    const [id, req, len, reply, rmaxArg, timeoutMs] = call.args.map((a) => a! >>> 0) as [number, number, number, number, number, number];
    const ep = this.remote[(id & ~IPC_REMOTE) - 1];
    if (len > IPC_MSG_MAX) return -EMSGSIZE;
    const rmax = Math.min(rmaxArg, IPC_MSG_MAX);
    const m = this.sys.machine;
    const data = copyFromUser(m, call.satp, req, len);
    if (data === null || !userWritable(m, call.satp, reply, rmax)) return -EFAULT;
    if (ep === undefined) return -EBADF;
    const deadline_ns = timeoutMs === 0 ? IPC_CALL_DEADLINE_NS : timeoutMs * 1e6;
    this.calls_out++;
    const args: IpcRequest = { name: ep.name, pid: ep.pid, data: base64Text(data), rmax, deadline_ns };
    this.client.call(ep.node, 'ipc.call', args, { deadline_ns, retry_ns: Math.min(IPC_CALL_RETRY_NS, deadline_ns) }, (o) => {
      if (!o.ok) { this.finish(call, o.error.code === 'timeout' && this.hooks.down(ep.node) ? -EHOSTUNREACH : rpcErrno(o.error.code)); return; }
      const r = o.result as { r?: unknown; data?: unknown };
      if (typeof r?.r !== 'number' || !Number.isInteger(r.r)) { this.finish(call, -EINVAL); return; }
      if (r.r < 0) { this.finish(call, r.r); return; }
      const bytes = typeof r.data === 'string' ? base64Bytes(r.data) : null;
      if (bytes === null || bytes.length !== r.r || bytes.length > rmax) { this.finish(call, -EINVAL); return; }
      this.finish(call, copyToUser(m, call.satp, reply, bytes) ? bytes.length : -EFAULT);
    });
    return LATER;
  }

  private finish(call: HostCall, result: number): void {
    this.sys.hostcalls.ring.complete(call.id, result);
    this.hooks.wake();
  }

  /** A process here ended: the names it held go from the directory. */
  processEnded(pid: number): void {
    const names = this.bound.get(pid);
    if (names === undefined) return;
    this.bound.delete(pid);
    for (const name of names) this.procs?.dropName(name, pid, () => {}, { timeout_ms: IPC_DIRECTORY_TIMEOUT_MS });
  }

  // ---- the serving side ------------------------------------------------------------------------------------

  /** A request from elsewhere: into a kernel record, to wait for a server of the endpoint. */
  private serve(a: unknown, call: RpcCall): unknown {
    const x = (a !== null && typeof a === 'object' ? a : {}) as Partial<Record<keyof IpcRequest, unknown>>;
    const data = typeof x.data === 'string' ? base64Bytes(x.data) : null;
    if (!isU32(x.name) || !isU32(x.pid) || !isU32(x.rmax) || data === null || typeof x.deadline_ns !== 'number' || !(x.deadline_ns > 0)) return { r: -EINVAL };
    if (data.length > IPC_MSG_MAX) return { r: -EMSGSIZE };
    this.deliver({ name: x.name, pid: x.pid, rmax: x.rmax, deadline_ns: x.deadline_ns }, data, call);
    return undefined;
  }

  private deliver(x: Omit<IpcRequest, 'data'>, data: Uint8Array, call: RpcCall): void {
    const k = this.sys.machine.kernel;
    const r = k.ipcHostReserve();
    if (r < 0) { call.reply({ r: -EAGAIN }); return; }
    new Uint8Array(this.sys.machine.memory.buffer, ipcHostRecord(r) + HR_BUF, data.length).set(data);
    const d = k.ipcHostDeliver(r, x.name, x.pid, data.length, x.rmax);
    const pending = this.registering.get(x.name);
    if (d === -EBADF && pending?.pid === x.pid) { pending.early.push(() => this.deliver(x, data, call)); return; }
    if (d < 0) { call.reply({ r: d }); return; }
    this.calls_in++;
    // Past the caller's deadline a request no server has taken yet is withdrawn: it never runs.
    const timer = this.ctx.setTimer(x.deadline_ns, () => {
      if (k.ipcHostCancel(r) !== 0) return;
      this.serving.delete(r);
      call.reply({ r: -ETIMEDOUT });
    });
    this.serving.set(r, { call, timer });
    this.hooks.wake();
    this.collect();
  }

  /** Send back every answered request (after each slice, and whenever the host drains the ring). */
  collect(): void {
    const m = this.sys.machine;
    for (let r = m.kernel.ipcHostAnswered(); r >= 0; r = m.kernel.ipcHostAnswered()) {
      const base = ipcHostRecord(r);
      const result = m.u32(base + HR_RESULT) | 0;
      const reply = result >= 0 ? base64Text(new Uint8Array(m.memory.buffer, base + HR_BUF, m.u32(base + HR_LEN)).slice()) : undefined;
      m.kernel.ipcHostFree(r);
      const s = this.serving.get(r);
      if (s === undefined) continue;
      this.serving.delete(r);
      this.ctx.clearTimer(s.timer);
      s.call.reply(result >= 0 ? { r: result, data: reply } : { r: result });
    }
  }
}
