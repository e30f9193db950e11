// A fork whose child runs on another node (a remote fork, as Kerrighed does): the parent's image is captured at
// its fork call (the calling thread only, a0 = 0 in the child) and its descriptors exported (they stay at their
// home; the child reaches them through the home's host), both sent to the target, which builds the child there
// with a pid of its own lease and the parent's pid as ppid. The parent's machine keeps a stand-in for it, so
// waitid, SIGCHLD and kill work as for a local child; the child's end and a new parent after the parent's end
// travel as ordered notices. A node that falls silent (or boots again) counts as down: its children end by
// SIGKILL for their parents here, and its holds on descriptions here are let go. Bounds: the RPC layer's.
import type { NodeContext } from '../node/index.js';
import { base64Bytes, base64Text, latin1Text } from '../base/index.js';
import type { RpcClient, RpcServer } from '../rpc/index.js';
import { andThen } from '../vfs/index.js';
import {
  layout, captureProcess, restoreProcess, encodeProcessImage, decodeProcessImage, REMOTE_UNREACHABLE, readExecArgs,
  readProgramFile, parseProgram, stringFromUser, LATER, type HostAnswer, type HostCall, type ProcessEvent, type System,
} from '../machine/index.js';
import { OrderedCalls } from './ordered-calls.js';
import { rpcErrno } from './process-bridge.js';
import type { FamilyMember } from './migration-family.js';

const {
  PROC_BASE, PROC_BYTES, P, PEV_ENDED, PEV_REPARENT, PEV_GROUP, PEV_ORPHANED, CLD_KILLED, SIGKILL, EAGAIN, EFAULT, EINVAL, EHOSTUNREACH,
  ERESTARTNOINTR, ESRCH,
} = layout;
/** The longest node name spawn reads. */
const NODE_NAME_MAX = 64;

/** A remote fork's request: tried for this long, resent this often (node time). */
export const FORK_DEADLINE_NS = 2_000_000_000;
const FORK_RETRY_NS = 200_000_000;
/** Pids kept per node for fencing (severed children, orphans by node). */
const SEVERED_MAX = 4096;
/** Ends kept for children whose fork's answer has not arrived yet. */
const EARLY_ENDS_MAX = 1024;

export interface RemoteForkHooks {
  /** A child built here from another node's fork: it enters this node's process book. */
  readonly adopted: (pid: number, slot: number, program: string) => void;
  /** Something outside a slice changed the machine: it must look. */
  readonly wake: () => void;
  /** The fork goes on here after all (the target could not be asked). */
  readonly forkHere: (call: HostCall) => HostAnswer;
  /** The program a process here runs (its name in the book). */
  readonly programOf: (pid: number) => string;
  /** Where a spawn that names no node goes (the placement policy's choice). */
  readonly place: (call: HostCall) => string;
  /** The cluster's first process and its node, as this node knows it (null: none runs). */
  readonly init: () => { readonly pid: number; readonly node: string } | null;
  /** Is node down as this node sees it (silent, or declared so)? */
  readonly isDown: (node: string) => boolean;
  /** Which boot of this node's machine this is, and of node's as last heard (undefined: not heard yet). */
  readonly boot: number;
  readonly bootOf: (node: string) => number | undefined;
}


type Notice =
  /** node: the end of a child the parent's node believes on that node, told by another (a move there was lost). */
  | { readonly kind: 'ended'; readonly pid: number; readonly code: number; readonly status: number; readonly node?: string }
  | { readonly kind: 'reparent'; readonly pid: number; readonly ppid: number }
  /** node: where the child is, when another node (its parent's old node) sends this on. */
  | { readonly kind: 'group'; readonly pid: number; readonly pgid: number; readonly sid: number; readonly node?: string }
  | { readonly kind: 'setpgid'; readonly pid: number; readonly pgid: number; readonly ppid: number }
  /** A child of a process here moved to another node (a migration): its stand-in here now stands for that node. */
  | { readonly kind: 'moved'; readonly pid: number; readonly node: string }
  /** The parent of process pid here (elsewhere) moved to node (a migration with its family): its end goes there. */
  | { readonly kind: 'parent'; readonly pid: number; readonly node: string };
/** A notice about a child, kept while its parent moves (node: where the child is, when another node told it). */
type ChildNotice = Extract<Notice, { kind: 'ended' | 'moved' | 'group' }>;
type Adopt = { readonly kind: 'adopt'; readonly pid: number; readonly ppid: number; readonly pgid: number; readonly sid: number };

export class RemoteForks {
  /** Children of processes here that run elsewhere: pid -> node. */
  private readonly children = new Map<number, string>();
  /** Processes here whose parent runs elsewhere: pid -> the parent's node. */
  private readonly parents = new Map<number, string>();
  /**
   * Children elsewhere this machine ended by SIGKILL when their node went silent, per node: if that node comes
   * back with the same boot (it was cut off, and they ran on), they are fenced there (killed), since their
   * parents here have seen them end.
   */
  private readonly severed = new Map<string, Set<number>>();
  /** Processes here whose parent's node went down, and that node (see severed). */
  private readonly orphaned = new Map<number, string>();
  /** Ends of children whose stand-in does not exist yet (their fork's answer is still on its way). */
  private readonly early = new Map<number, { from: string; code: number; status: number }>();
  /**
   * Children of a process here that is moving away with its family (migration-family.ts), by pid: what is heard
   * of them meanwhile is kept, and goes where the parent runs once the move has an outcome.
   */
  private readonly away = new Map<number, { readonly parent: number; node: string; readonly held: ChildNotice[] }>();
  /** Children elsewhere whose parent moved from here with its family: pid -> the parent's node (late notices go on). */
  private readonly forwarded = new Map<number, string>();
  private readonly notices: OrderedCalls;
  readonly files: OrderedCalls;

  constructor(
    private readonly ctx: NodeContext,
    private readonly sys: System,
    private readonly client: RpcClient,
    server: RpcServer,
    private readonly hooks: RemoteForkHooks,
  ) {
    const files = sys.files!;
    this.notices = new OrderedCalls(ctx, client, server, 'proc.notice', (from, body, reply) => reply(this.notice(from, body)));
    // A request from elsewhere may wake a caller here (a write into a pipe a local reader waits on), and a reply
    // completes a caller here: either way the machine must look.
    this.files = new OrderedCalls(ctx, client, server, 'file.req', (from, body, reply) => {
      files.serveRemote(from, body, (r) => { reply(r); hooks.wake(); });
      hooks.wake();
    });
    server.register('proc.fork', (args, call) => this.ready() ?? this.build(call.from, args));
    server.register('proc.fence', (args, call) => this.fenced(call.from, args));
    server.register('proc.spawn', (args, call) => this.ready() ?? this.load(call.from, args));
    files.onProcessEvent((e) => this.event(e));
  }

  /**
   * setpgid at a stand-in, which passed the checks on this machine: the child's machine applies it (its own
   * checks: execve, session leader), then the stand-in takes the group. Handed over without a stand-in, the
   * kernel found no event record for the caller's own notice: it runs again after the drain.
   */
  setpgid(call: HostCall): HostAnswer {
    const pid = call.args[0]! | 0, pgid = call.args[1]! | 0;
    const node = pid === 0 ? undefined : this.children.get(pid);
    if (node === undefined) return -ERESTARTNOINTR;
    const group = pgid === 0 ? pid : pgid;
    this.notices.call(node, { kind: 'setpgid', pid, pgid: group, ppid: call.pid } satisfies Notice, (result, error) => {
      const r = error !== undefined ? -EHOSTUNREACH : typeof result === 'number' ? result : -ESRCH;
      const k = this.sys.machine.kernel;
      if (r === 0) {
        const sid = this.sys.machine.u32(PROC_BASE + call.proc * PROC_BYTES + P.SID); // a stand-in shares its parent's session
        if (k.procRemoteGroup(pid, group, sid) !== 0) this.ctx.log(`setpgid of ${pid} on ${node}: its stand-in is gone`);
      }
      this.sys.hostcalls.ring.complete(call.id, r);
      this.hooks.wake();
    });
    return LATER;
  }

  /** The parked caller's fork, placed on target: done(child pid) later, or -EAGAIN, or the fork here. */
  fork(call: HostCall, target: string, done: (answer: HostAnswer) => void): void {
    const m = this.sys.machine;
    const files = this.sys.files!;
    let image: string;
    try {
      const captured = captureProcess(m, call.proc, { tid: call.tid, forChild: true, files });
      // What cannot be carried keeps the child here, where it behaves as on Linux: memory shared with other
      // processes (MAP_SHARED would become a copy) and message-queue descriptors (they stay on their machine).
      const unmovable = captured.pages.some((pg) => pg.kind === 'shared') ? 'shared memory'
        : files.files(call.pid)?.fds.entries().some(([, e]) => e.desc.file.kind === 'mqueue') ? 'a message-queue descriptor' : null;
      if (unmovable !== null) {
        this.ctx.log(`fork of ${call.pid} stays here: it holds ${unmovable}`);
        done(this.hooks.forkHere(call));
        return;
      }
      image = encodeProcessImage(captured);
    } catch (err) {
      this.ctx.log(`remote fork of ${call.pid} to ${target}: ${(err as Error).message}; forking here`);
      done(this.hooks.forkHere(call));
      return;
    }
    const exported = files.exportFiles(call.pid, target);
    const slot = PROC_BASE + call.proc * PROC_BYTES;
    const pgid = m.u32(slot + P.PGID), sid = m.u32(slot + P.SID);
    const body = { image, files: exported, ppid: call.pid, program: this.hooks.programOf(call.pid) };
    this.client.call(target, 'proc.fork', body, { deadline_ns: FORK_DEADLINE_NS, retry_ns: FORK_RETRY_NS }, (o) => {
      const pid = o.ok ? (o.result as { pid?: unknown } | null)?.pid : undefined;
      if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
        files.abandonExport(exported, target);
        // Never sent, or the target had no pids yet (it built nothing): the fork goes on here. Sent and
        // unanswered (or refused): EAGAIN, as a fork that could not get a process; a child built after all will
        // find no stand-in and its end is ignored here.
        const notReady = o.ok && (o.result as { not_ready?: unknown } | null)?.not_ready === true;
        if (notReady || (!o.ok && o.error.code === 'unreachable')) {
          this.ctx.log(`remote fork of ${call.pid} to ${target}: ${o.ok ? 'it has no pids yet' : o.error.message}; forking here`);
          done(this.hooks.forkHere(call));
        }
        else {
          this.ctx.log(`remote fork of ${call.pid} to ${target}: ${o.ok ? `refused (${JSON.stringify(o.result)})` : o.error.message}`);
          done(-EAGAIN);
        }
        return;
      }
      done(this.adoptRemote(call, pid, target, pgid, sid, o.ok ? o.result : null));
    });
  }

  /**
   * spawn(node, path, argv, envp): start a program on a node (NULL or "": where the placement policy says) as
   * a child of the caller, with its own console descriptors; the child's pid, or -errno (ENOENT, EACCES and
   * ENOEXEC as execve gives them; EHOSTUNREACH for a node the cluster does not have or cannot reach).
   */
  spawn(call: HostCall): HostAnswer {
    const m = this.sys.machine;
    const [nodeVa, pathVa, argvVa, envpVa] = call.args as [number, number, number, number];
    const named = nodeVa === 0 ? '' : stringFromUser(m, call.satp, nodeVa, NODE_NAME_MAX);
    if (named === 'fault') return -EFAULT;
    if (named === 'long') return -EHOSTUNREACH;
    const args = readExecArgs(m, call, pathVa, argvVa, envpVa);
    if (typeof args === 'number') return args;
    const files = this.sys.files!;
    const read = andThen(files.vfs.ready('open'), () => readProgramFile(files, files.filesOf(call).fs.cwd, args.path));
    return files.answerWhen(call, read, (bytes) => this.spawnProgram(call, named, args, bytes));
  }

  /** spawn's second half, with the program's bytes (or -errno). */
  private spawnProgram(call: HostCall, named: string, args: { path: string; argv: Uint8Array[]; envp: Uint8Array[] }, bytes: Uint8Array | number): HostAnswer {
    const m = this.sys.machine;
    if (typeof bytes === 'number') return bytes;
    const image = parseProgram(bytes);
    if (typeof image === 'number') return image;
    const target = named === '' ? this.hooks.place(call) : named;
    const argv = args.argv.map(latin1Text);
    const envp = args.envp.map(latin1Text);
    if (target === this.ctx.id) {
      const p = this.sys.spawn(image, { argv, envp, name: args.path, seed: this.ctx.rng.nextU32() });
      m.kernel.procAdopt(p.index, call.pid);
      this.hooks.adopted(p.pid, p.index, args.path);
      return p.pid;
    }
    if (!this.ctx.peers.includes(target)) return -EHOSTUNREACH;
    const slot = PROC_BASE + call.proc * PROC_BYTES;
    const pgid = m.u32(slot + P.PGID), sid = m.u32(slot + P.SID);
    const body = { elf: base64Text(bytes), argv, envp, name: args.path, ppid: call.pid };
    this.client.call(target, 'proc.spawn', body, { deadline_ns: FORK_DEADLINE_NS, retry_ns: FORK_RETRY_NS }, (o) => {
      const ring = this.sys.hostcalls.ring;
      const pid = o.ok ? (o.result as { pid?: unknown } | null)?.pid : undefined;
      if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
        const r = o.ok ? (o.result as { errno?: unknown } | null)?.errno : undefined;
        ring.complete(call.id, typeof r === 'number' ? r : !o.ok ? rpcErrno(o.error.code) : -EAGAIN);
        this.hooks.wake();
        return;
      }
      this.adoptRemote(call, pid, target, pgid, sid, o.ok ? o.result : null);
      ring.complete(call.id, pid);
      this.hooks.wake();
    });
    return LATER;
  }

  /** Another node's spawn: load its program here, with the caller as its parent. */
  private load(from: string, args: unknown): unknown {
    const a = (args ?? {}) as { elf?: unknown; argv?: unknown; envp?: unknown; name?: unknown; ppid?: unknown };
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
    const elf = typeof a.elf === 'string' ? base64Bytes(a.elf) : null;
    if (elf === null || !strings(a.argv) || !strings(a.envp) || typeof a.ppid !== 'number' || typeof a.name !== 'string') return { errno: -EINVAL };
    const image = parseProgram(elf);
    if (typeof image === 'number') return { errno: image };
    try {
      const p = this.sys.spawn(image, { argv: a.argv, envp: a.envp, name: a.name, seed: this.ctx.rng.nextU32() });
      this.sys.machine.kernel.procSetParentPid(p.index, a.ppid);
      this.parents.set(p.pid, from);
      this.hooks.adopted(p.pid, p.index, a.name);
      this.hooks.wake();
      return { pid: p.pid, boot: this.hooks.boot };
    } catch (err) {
      this.ctx.log(`spawn from ${from}: ${(err as Error).message}`);
      return { errno: -EAGAIN };
    }
  }

  /** A child built elsewhere gets its stand-in here (or, if it already ended, its end). */
  private adoptRemote(call: HostCall, pid: number, target: string, pgid: number, sid: number, reply: unknown): number {
    const m = this.sys.machine;
    const r = m.kernel.procRemoteChild(call.pid, pid, pgid, sid);
    if (r < 0) {
      this.ctx.log(`child ${pid} on ${target} of ${call.pid} has no stand-in (${r})`);
      this.notices.call(target, { kind: 'reparent', pid, ppid: 0 } satisfies Notice, () => {});
      return r;
    }
    // An answer kept across the target's restart (its durable reply cache): the child was built by the earlier
    // boot and went down with it, as a crashed node's children do.
    const built = (reply as { boot?: unknown } | null)?.boot;
    const now = this.hooks.bootOf(target);
    if (typeof built === 'number' && now !== undefined && built !== now) {
      this.ctx.log(`child ${pid} of ${call.pid} was built by ${target}'s earlier boot: it ended with it`);
      m.kernel.procRemoteEnded(pid, CLD_KILLED, SIGKILL);
      return pid;
    }
    this.children.set(pid, target);
    const early = this.early.get(pid);
    if (early !== undefined && early.from === target) {
      this.early.delete(pid);
      this.children.delete(pid);
      m.kernel.procRemoteEnded(pid, early.code, early.status);
    }
    return pid;
  }

  /**
   * A fork or spawn needs a pid of this node's lease: while its first range is still being granted the request
   * is answered at once with `not_ready` (nothing done): a fork then goes on at its parent's node. Senders
   * avoid it: a node's load report says whether it has pids (ProcessBridge waits for a placed target's).
   */
  private ready(): { readonly not_ready: true } | undefined {
    return this.sys.machine.kernel.kernelPidsLeft() > 0 ? undefined : { not_ready: true };
  }

  /** Another node's fork: build its child here. */
  private build(from: string, args: unknown): unknown {
    const a = (args ?? {}) as { image?: unknown; files?: unknown; ppid?: unknown; program?: unknown };
    if (typeof a.image !== 'string' || typeof a.ppid !== 'number') return { error: 'a fork needs an image and a ppid' };
    const m = this.sys.machine;
    try {
      const image = decodeProcessImage(a.image);
      const child = restoreProcess(m, image, { ppid: a.ppid, files: this.sys.files! });
      m.kernel.procSetParentPid(child.proc, a.ppid);
      this.sys.files!.importFiles(child.pid, a.files, from, this.transport(), child.proc);
      this.sys.files!.claimImported(child.pid);
      this.parents.set(child.pid, from);
      this.hooks.adopted(child.pid, child.proc, typeof a.program === 'string' ? a.program : '?');
      this.hooks.wake();
      return { pid: child.pid, boot: this.hooks.boot };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /** The descriptor transport of imported tables: ordered requests to each description's home. */
  transport(): { call(home: string, request: unknown, done: (reply: unknown) => void): void } {
    return {
      call: (home, request, done) => this.files.call(home, request, (result, error) => {
        done(error === undefined ? result : { result: REMOTE_UNREACHABLE });
        this.hooks.wake();
      }),
    };
  }

  /** A process event of this machine: the end of a child whose parent is elsewhere, a stand-in's new parent. */
  private event(e: ProcessEvent): void {
    if (e.kind === PEV_ENDED) {
      const home = this.parents.get(e.pid);
      if (home === undefined) { this.away.get(e.pid)?.held.push({ kind: 'ended', pid: e.pid, code: e.parent_pid, status: e.flags }); return; }
      this.parents.delete(e.pid);
      this.notices.call(home, { kind: 'ended', pid: e.pid, code: e.parent_pid, status: e.flags } satisfies Notice, () => {});
    } else if (e.kind === PEV_REPARENT) {
      const node = this.children.get(e.pid);
      if (node === undefined) return;
      if (e.parent_pid === 0) this.children.delete(e.pid);
      this.notices.call(node, { kind: 'reparent', pid: e.pid, ppid: e.parent_pid } satisfies Notice, () => {});
    } else if (e.kind === PEV_ORPHANED) {
      this.toInit(e.pid);
    } else if (e.kind === PEV_GROUP) {
      const home = this.parents.get(e.pid);
      if (home === undefined) { this.away.get(e.pid)?.held.push({ kind: 'group', pid: e.pid, pgid: e.parent_pid, sid: e.flags }); return; }
      this.notices.call(home, { kind: 'group', pid: e.pid, pgid: e.parent_pid, sid: e.flags } satisfies Notice, () => {});
    }
  }

  /**
   * Process pid here lost its parent and this machine does not run the cluster's first process: it becomes that
   * process's child there (a stand-in), by an ordered notice, so its end follows. Refused (the first process
   * has ended), it stays without a parent.
   */
  private toInit(pid: number): void {
    const slot = this.sys.files!.slots.liveSlot(pid);
    const init = this.hooks.init();
    if (slot === undefined || init === null || init.pid === pid || init.node === this.ctx.id || this.hooks.isDown(init.node)) return;
    const node = init.node;
    const m = this.sys.machine, k = m.kernel;
    if (k.procSetParentPid(slot, init.pid) !== 0) return;
    this.parents.set(pid, node);
    const b = PROC_BASE + slot * PROC_BYTES;
    this.notices.call(node, { kind: 'adopt', pid, ppid: init.pid, pgid: m.u32(b + P.PGID), sid: m.u32(b + P.SID) } satisfies Adopt, (result, error) => {
      if (error === undefined && result === 0) return;
      this.ctx.log(`orphan ${pid}: the cluster's first process on ${node} did not take it (${error ?? String(result)})`);
      if (this.parents.get(pid) !== node) return;
      this.parents.delete(pid);
      const now = this.sys.files!.slots.liveSlot(pid);
      if (now !== undefined) k.procSetParentPid(now, 0);
    });
  }

  private notice(from: string, body: unknown): number {
    const n = body as Partial<Notice | Adopt> | null;
    const k = this.sys.machine.kernel;
    if ((n?.kind === 'ended' || n?.kind === 'moved' || n?.kind === 'group') && typeof n.pid === 'number') {
      // Where the child is: a 'moved' notice names where it went; another says where it is, or came from there.
      const c = (n.kind === 'moved' ? n : { ...n, node: typeof n.node === 'string' ? n.node : from }) as ChildNotice;
      const away = this.away.get(n.pid);
      if (away !== undefined) {
        away.held.push(c);
        if (c.kind === 'moved') away.node = c.node;
        return 0;
      }
      const to = this.children.has(n.pid) ? undefined : this.forwarded.get(n.pid);
      if (to !== undefined) {
        this.forward(to, c);
        // Whoever still names this node as the parent's learns where it is.
        const at = c.kind === 'moved' ? c.node : c.node ?? from;
        if (c.kind !== 'ended' && at !== this.ctx.id && at !== to) this.notices.call(at, { kind: 'parent', pid: n.pid, node: to } satisfies Notice, () => {});
        return 0;
      }
    }
    if (n?.kind === 'parent' && typeof n.pid === 'number' && typeof n.node === 'string') {
      if (this.parents.get(n.pid) !== from) return -ESRCH;
      this.parents.set(n.pid, n.node);
      return 0;
    }
    if (n?.kind === 'adopt' && typeof n.pid === 'number' && typeof n.ppid === 'number' && typeof n.pgid === 'number' && typeof n.sid === 'number') {
      const r = k.procRemoteChild(n.ppid, n.pid, n.pgid >>> 0, n.sid >>> 0);
      if (r < 0) return r;
      this.children.set(n.pid, from);
      return 0;
    }
    if (n?.kind === 'ended' && typeof n.pid === 'number' && typeof n.code === 'number' && typeof n.status === 'number') {
      const on = typeof n.node === 'string' ? n.node : from;
      if (this.children.get(n.pid) !== on) {
        if (this.early.size >= EARLY_ENDS_MAX) this.early.delete(this.early.keys().next().value!);
        this.early.set(n.pid, { from: on, code: n.code, status: n.status });
        return 0;
      }
      this.children.delete(n.pid);
      const r = k.procRemoteEnded(n.pid, n.code, n.status);
      this.hooks.wake();
      return r;
    }
    if (n?.kind === 'moved' && typeof n.pid === 'number' && typeof n.node === 'string') {
      if (!this.children.has(n.pid)) return -ESRCH;
      this.children.set(n.pid, n.node);
      const early = this.early.get(n.pid); // its end from the new node overtook this notice
      if (early !== undefined && early.from === n.node) {
        this.early.delete(n.pid);
        this.children.delete(n.pid);
        k.procRemoteEnded(n.pid, early.code, early.status);
        this.hooks.wake();
      }
      return 0;
    }
    if (n?.kind === 'group' && typeof n.pid === 'number' && typeof n.pgid === 'number' && typeof n.sid === 'number') {
      if (this.children.get(n.pid) !== (typeof n.node === 'string' ? n.node : from)) return -1;
      return k.procRemoteGroup(n.pid, n.pgid >>> 0, n.sid >>> 0);
    }
    if (n?.kind === 'setpgid' && typeof n.pid === 'number' && typeof n.pgid === 'number' && typeof n.ppid === 'number') {
      if (this.parents.get(n.pid) !== from) return -ESRCH;
      return k.procSetGroupFor(n.pid, n.pgid >>> 0, n.ppid >>> 0);
    }
    if (n?.kind === 'reparent' && typeof n.pid === 'number' && typeof n.ppid === 'number') {
      const slot = this.sys.files!.slots.liveSlot(n.pid);
      if (slot === undefined) return -1;
      if (n.ppid !== 0) return k.procSetParentPid(slot, n.ppid);
      // Its parent ended and had no first process to give it to: the cluster's first process takes it.
      this.parents.delete(n.pid);
      const r = k.procSetParentPid(slot, 0);
      this.toInit(n.pid);
      return r;
    }
    return -1;
  }

  // ---- migration (migration.ts) ----------------------------------------------------------------------------

  /** The node a child of a process here runs on, when it runs on another node (it has a stand-in here). */
  childNode(pid: number): string | undefined {
    return this.children.get(pid);
  }

  /** The node the parent of process pid here runs on, when that is another node. */
  parentNode(pid: number): string | undefined {
    return this.parents.get(pid);
  }

  /**
   * Process pid here now runs on target (its migration committed): with its parent here, the stand-in the kernel
   * left stands for target; a parent elsewhere is told where it went (its end comes from there).
   */
  movedOut(pid: number, target: string, parentHere: boolean): void {
    if (parentHere) { this.children.set(pid, target); return; }
    const home = this.parents.get(pid);
    this.parents.delete(pid);
    if (home !== undefined && home !== target) this.notices.call(home, { kind: 'moved', pid, node: target } satisfies Notice, () => {});
  }

  /**
   * Process pid came here into slot proc; its parent runs on parentNode (undefined: it has none). Come to its
   * parent's machine, it takes its stand-in's place and is a local child again.
   */
  movedIn(pid: number, proc: number, parentNode: string | undefined): void {
    if (parentNode === undefined) return;
    if (parentNode === this.ctx.id) {
      // Its parent's stand-in for it stays until it runs (startedHere): a copy that never runs leaves it as it was.
      if (this.children.has(pid)) return;
      // Its parent moved from here (with its family) while it was on its way: its end goes where the parent went.
      const went = this.forwarded.get(pid);
      if (went !== undefined) { this.parents.set(pid, went); return; }
      this.ctx.log(`process ${pid} came to its parent's node, which has no stand-in for it`);
      return;
    }
    this.parents.set(pid, parentNode);
  }

  /**
   * Process pid moved from here to target (the directory says so) but never ran there (target restarted first): it
   * is gone, and its parent sees it killed by SIGKILL, as for a child on a node that crashed.
   */
  movedLost(pid: number, target: string, parentNode: string | null): void {
    if (this.children.get(pid) === target) {
      this.children.delete(pid);
      this.sys.machine.kernel.procRemoteEnded(pid, CLD_KILLED, SIGKILL);
      this.hooks.wake();
      return;
    }
    if (parentNode !== null && parentNode !== this.ctx.id) {
      this.notices.call(parentNode, { kind: 'ended', pid, code: CLD_KILLED, status: SIGKILL, node: target } satisfies Notice, () => {});
    }
  }

  /**
   * Process pid, moved here into slot proc, runs now: if its parent came here while it moved (a stand-in for it
   * waits here), it takes the stand-in's place and is a local child.
   */
  startedHere(pid: number, proc: number): void {
    if (this.sys.machine.kernel.procStandInReplace(proc) !== 0) return;
    this.children.delete(pid);
    this.parents.delete(pid);
  }

  /** A process that arrived here leaves again before it ran (its migration did not commit). */
  arrivalUndone(pid: number): void {
    this.parents.delete(pid);
  }

  /** Whether process pid here is a child of a process moving away with its family (it waits for the outcome). */
  parentMoving(pid: number): boolean {
    return this.away.has(pid);
  }

  /**
   * Process parent here stopped to move with its family (procMigrateOut let its zombies and stand-ins go): what
   * is heard of its children is kept until the move has an outcome (familyMovedOut or familyBack).
   */
  familyLeaving(parent: number, family: readonly FamilyMember[]): void {
    for (const c of family) {
      if (c.code !== 0) continue;
      this.away.set(c.pid, { parent, node: c.node, held: [] });
      if (c.node !== this.ctx.id) this.children.delete(c.pid);
    }
  }

  /**
   * The move committed: the parent runs on `to`. A child here now has its parent there; a child elsewhere is
   * told (its end goes there), and late notices about it are sent on; what was kept meanwhile goes there too.
   */
  familyMovedOut(to: string, family: readonly FamilyMember[]): void {
    for (const c of family) {
      const away = this.away.get(c.pid);
      if (c.code !== 0 || away === undefined) continue;
      this.away.delete(c.pid);
      if (c.node === this.ctx.id) {
        if (this.sys.files!.slots.liveSlot(c.pid) !== undefined) this.parents.set(c.pid, to);
      } else {
        if (this.forwarded.size >= SEVERED_MAX) this.forwarded.delete(this.forwarded.keys().next().value!);
        this.forwarded.set(c.pid, to);
        if (c.node !== to) this.notices.call(c.node, { kind: 'parent', pid: c.pid, node: to } satisfies Notice, () => {});
      }
      for (const n of away.held) this.forward(to, { ...n, node: n.node ?? c.node } as ChildNotice);
    }
  }

  /**
   * Process parent is coming here with its family (a prepared copy, not running yet): what is heard of its
   * children until it runs is kept for familyArrived (a notice sent on from its old node may overtake the commit).
   */
  familyComing(parent: number, family: readonly FamilyMember[]): void {
    for (const c of family) if (c.code === 0) this.away.set(c.pid, { parent, node: c.node, held: [] });
  }

  /** The copy that was coming here with its family is discarded: nothing is kept for its children. */
  familyNotComing(parent: number): void {
    for (const [pid, a] of [...this.away]) if (a.parent === parent) this.away.delete(pid);
  }

  /**
   * The move did not happen: the parent, put back into slot proc, has its family again, and what was heard of
   * its children meanwhile applies now (an end while it was stopped: its zombie and SIGCHLD).
   */
  familyBack(proc: number, family: readonly FamilyMember[], comingHere: (pid: number) => boolean): void {
    this.attachFamily(proc, 'here', family, comingHere);
  }

  /**
   * Process slot proc came here with its family from `from` and runs now: each child is attached (a child here is
   * its local child again; others are stand-ins, their ends heard here from now on), then what was kept.
   */
  familyArrived(proc: number, from: string, family: readonly FamilyMember[], comingHere: (pid: number) => boolean): void {
    this.attachFamily(proc, from, family, comingHere);
  }

  /**
   * comingHere(pid): a copy of that child is being brought here by its own migration (not running yet): the parent
   * gets a stand-in for where the child runs now, which the copy replaces should it run (startedHere).
   */
  private attachFamily(proc: number, from: string, family: readonly FamilyMember[], comingHere: (pid: number) => boolean): void {
    const k = this.sys.machine.kernel;
    for (const c of family) {
      const away = this.away.get(c.pid);
      this.away.delete(c.pid);
      const r = k.procFamilyAttach(proc, c.pid, c.pgid, c.sid, c.exit_signal, c.code, c.status, comingHere(c.pid) ? 0 : 1);
      if (r < 0) { this.ctx.log(`child ${c.pid} (from ${from}) could not join its parent here (${r})`); continue; }
      if (c.code !== 0) continue;
      // A child that runs here is a local child again (it ended meanwhile: a stand-in, whose end is kept).
      if (c.node === this.ctx.id && this.sys.files!.slots.liveSlot(c.pid) === r) { this.parents.delete(c.pid); continue; }
      this.children.set(c.pid, c.node);
      for (const n of away?.held ?? []) this.notice(n.kind === 'moved' ? c.node : n.node ?? c.node, n);
      const early = this.early.get(c.pid);
      const node = this.children.get(c.pid);
      if (node === undefined) continue;
      if (early !== undefined && early.from === node) {
        this.early.delete(c.pid);
        this.children.delete(c.pid);
        k.procRemoteEnded(c.pid, early.code, early.status);
      } else if (node !== this.ctx.id && this.hooks.isDown(node)) {
        this.children.delete(c.pid);
        k.procRemoteEnded(c.pid, CLD_KILLED, SIGKILL);
      }
    }
    this.hooks.wake();
  }

  /** A notice about a child whose parent now runs on `to` (another node). */
  private forward(to: string, n: ChildNotice): void {
    this.notices.call(to, n, () => {});
  }

  /** Node went down (it crashed, or it booted again): its children end by SIGKILL here, its holds are let go. */
  nodeDown(node: string): void {
    const k = this.sys.machine.kernel;
    // A child on that node whose parent is moving ended with it: the end goes where the parent runs.
    for (const [pid, a] of this.away) {
      if (a.node !== node || a.node === this.ctx.id) continue;
      a.held.push({ kind: 'ended', pid, code: CLD_KILLED, status: SIGKILL, node });
      this.sever(node, pid);
    }
    for (const [pid, where] of [...this.children]) {
      if (where !== node) continue;
      this.children.delete(pid);
      k.procRemoteEnded(pid, CLD_KILLED, SIGKILL);
      this.sever(node, pid);
    }
    for (const [pid, where] of [...this.parents]) {
      if (where !== node) continue;
      this.parents.delete(pid);
      // Its parent went with the node: an orphan, as if the parent had ended.
      const slot = this.sys.files!.slots.liveSlot(pid);
      if (slot !== undefined) {
        const ppid = k.procOrphaned(slot);
        if (this.orphaned.size >= SEVERED_MAX) this.orphaned.delete(this.orphaned.keys().next().value!);
        this.orphaned.set(pid, node);
        if (ppid >= 0) this.ctx.log(`process ${pid}: its parent's node ${node} is down; new parent ${ppid === 0 ? 'elsewhere' : ppid}`);
        if (ppid === 0) this.toInit(pid);
      }
    }
    this.sys.files!.releaseHolder(node);
    this.hooks.wake();
  }

  /** Child pid on node was declared ended by SIGKILL here when the node went silent (see severed). */
  private sever(node: string, pid: number): void {
    let cut = this.severed.get(node);
    if (cut === undefined) this.severed.set(node, cut = new Set());
    if (cut.size < SEVERED_MAX) cut.add(pid);
  }

  /**
   * Node, declared down here, is back with the same boot: the children of processes here that ran on there
   * ended by SIGKILL for their parents, so they must not run on; it is told to kill them (fencing).
   */
  rejoined(node: string): void {
    const cut = this.severed.get(node);
    if (cut === undefined || cut.size === 0) return;
    this.severed.delete(node);
    const pids = [...cut].sort((a, b) => a - b);
    this.client.call(node, 'proc.fence', { pids }, { deadline_ns: FORK_DEADLINE_NS, retry_ns: FORK_RETRY_NS }, (o) => {
      if (o.ok) this.ctx.log(`fenced on ${node}: ${JSON.stringify(o.result)}`);
      else this.ctx.log(`fencing on ${node} failed: ${o.error.message}`);
    });
  }

  /** The node from declared processes here dead while it could not reach them: kill those still running. */
  private fenced(from: string, args: unknown): unknown {
    const pids = (args as { pids?: unknown } | null)?.pids;
    if (!Array.isArray(pids) || !pids.every((p) => Number.isSafeInteger(p) && p > 0)) return { error: 'a fence needs a list of pids' };
    const k = this.sys.machine.kernel;
    let killed = 0;
    for (const pid of pids as number[]) {
      // Only a process whose parent ran on that node: its parent there has seen it end.
      if (this.parents.get(pid) !== from && this.orphaned.get(pid) !== from) continue;
      this.parents.delete(pid); // its end is no news to its parent's node
      this.orphaned.delete(pid);
      if (this.sys.files!.slots.liveSlot(pid) === undefined) continue;
      if (k.kernelSignal(pid, SIGKILL, 0) === 0) {
        killed++;
        this.ctx.log(`process ${pid} fenced: its parent's node ${from} saw it killed while cut off`);
      }
    }
    this.hooks.wake();
    return { killed };
  }

  /** Nodes that hold children or parents of this machine's processes (the ones whose silence matters). */
  get partners(): Set<string> {
    return new Set([...this.children.values(), ...this.parents.values()]);
  }
}
