// The descriptor, pipe and file-system calls, served on the host with Linux RV32 semantics: read, write, readv,
// writev, pread64, pwrite64, close, dup, dup3, fcntl64, pipe2, ioctl, openat, llseek, statx, getdents64, mkdirat,
// unlinkat, renameat2, ftruncate64, fsync, fdatasync, faccessat, faccessat2, readlinkat, symlinkat, linkat,
// getcwd, chdir, fchdir, umask (and execve, exec.ts). Each process (by pid) has its descriptor table, working
// directory and umask here (descriptors.ts); fork's PEV_FORK event copies them, and the tables of processes that
// are gone are closed at the next drain (events.ts). A call that must wait (a pipe or stdin read with nothing
// there, a pipe write with no room) is answered later: the server keeps it, retries it when the pipe or the input
// changes, and answers -ERESTARTSYS when the kernel cancels the wait (R_CANCEL) — bytes a write already moved are
// returned as its count, nothing a read took is lost. Every user pointer goes through the caller's page tables
// (usermem.ts): a bad one is -EFAULT and the caller goes on. A description can live on another node (a process
// created there by a remote fork, or here with descriptions from there): exportFiles, importFiles, serveRemote and
// releaseHolder, with the messages and the caller's side in remote-files.ts.
// A message-queue descriptor (mqueue.ts) is one more kind of file here: read gives its attribute text, write is
// -EINVAL, and each close of one flushes it.
//
// Limits, stated: FDS_MAX descriptors per process; a read or write moves at most IO_BYTES_MAX bytes at once;
// llseek, statx and ioctl on the console (fds 0..2 as started) answer as the host's descriptor would: a stdin
// that is a host file seeks (as under qemu-user), a pipe or terminal is -ESPIPE; getdents64 lists '.', '..' and then the names sorted (Linux gives the file system's
// order, which differs between hosts: a test that compares listings sorts them); RENAME_EXCHANGE and
// RENAME_WHITEOUT are -EINVAL; O_TMPFILE is -EOPNOTSUPP. A process's cwd is kept as a path.
import {
  FsError, Later, LocalLocks, LOCK_END, type FileHandle, type FileStat, type LockInfo, type LockManager, type LockOwner, type LockRequest, type Maybe,
  type Resolved, type Vfs,
} from '../vfs/index.js';
import { InputError, latin1Bytes, hostIds } from '../base/index.js';
import * as abi from './abi.js';
import {
  SYS, EBADF, EFAULT, EINVAL, EMFILE, ENOTTY, ESPIPE, EISDIR, ENOTDIR, ENOENT, EEXIST, EPERM, EXDEV, ERANGE, EBUSY,
  ENOTEMPTY, ELOOP, EAGAIN, EPIPE, ENAMETOOLONG, EACCES, ENOTSUP, ERESTARTSYS, ERESTARTNOINTR, SIGPIPE, ESRCH, FDS_MAX,
  O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW,
  O_CLOEXEC, O_PATH, O_TMPFILE, O_LARGEFILE, O_ASYNC, O_DIRECT, O_NOATIME, O_NOCTTY, O_DSYNC, O_SYNC, AT_FDCWD,
  AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, AT_EACCESS, AT_STATX_SYNC_TYPE,
  RENAME_NOREPLACE, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC, SEEK_SET, SEEK_CUR,
  SEEK_END, PATH_MAX, PIPE_BUF, PIPE_BYTES, TCGETS, FIONREAD, STATX_BASIC_STATS, STATX_BTIME, CLONE_FILES, CLONE_FS,
  PEV_FORK, DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK, S_IFIFO, S_IFCHR,
  F_GETLK, F_SETLK, F_SETLKW, F_GETLK64, F_SETLK64, F_SETLKW64, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_RDLCK, F_WRLCK,
  F_UNLCK, LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN, ENOLCK, EOVERFLOW,
} from './abi.js';
import type { Machine } from './machine.js';
import { copyFromUser, copyToUser, stringFromUser, userWritable, userWritableBytes } from './usermem.js';
import { LATER, IDLE_ANY, type HostAnswer, type HostCall, type HostCallRing, type HostCallServer, type HostService, type IdleLimit } from './hostcall.js';
import { Description, FdTable, type FdEntry, type FileObject, type ProcFiles, type VfsFile } from './descriptors.js';
import { Pipe, PipeEnd, type WaitQueue } from './pipes.js';
import { ConsoleIn, ConsoleOut, type GuestInput } from './console.js';
import { ProcessEvents, ProcessSlots, type ProcessEvent } from './events.js';
import type { GuestIO } from './syscalls.js';
import {
  RemoteClient, RemoteFile, RemoteHome, REMOTE_IO_BYTES_MAX, REMOTE_UNREACHABLE, REMOTE_WAITS_PER_NODE_MAX, decodeBytes,
  encodeBytes, isExchange, parseExport, parseRequest, readExchanges, replyOf, writeExchanges, answerOf,
  type Exchange, type ExportedDescription, type ExportedFiles, type FileTransport, type RemoteFileType, type RemoteReply,
  type RemoteRequest,
} from './remote-files.js';

/** A read or write moves at most this many bytes at once (Linux's MAX_RW_COUNT is 2 GiB less a page). */
export const IO_BYTES_MAX = 16 << 20;
/** The most iovec entries readv and writev take (UIO_MAXIOV). */
export const IOV_MAX = 1024;
/** The umask a process starts with. */
export const UMASK_DEFAULT = 0o022;
/** Status flags F_SETFL may change (the rest are kept). */
const SETFL_FLAGS = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
const OPEN_FLAGS_KNOWN = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC
  | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE;
const AT_NO_AUTOMOUNT = 0x800;
const STATX_RESERVED = 0x8000_0000;
const STATX_BYTES = 256;
const DIRENT_HEADER_BYTES = 19;
/** struct flock (32-bit offsets: type, whence, start, len, pid) and struct flock64 (start at 8, len at 16, pid at 24). */
const FLOCK_BYTES = 16;
const FLOCK64_BYTES = 32;
const LOCK_MAND = 32;

/** A Linux errno name's number (the VFS speaks names). */
export function errnoNumber(code: string): number {
  const n = (abi as unknown as Record<string, number>)[code];
  return typeof n === 'number' ? n : abi.EIO;
}

/** -errno for an FsError; anything else is a bug and is rethrown. */
function fail(err: unknown): number {
  if (err instanceof FsError) return -errnoNumber(err.code);
  throw err;
}

/** A request from another node's host, served here against one of this machine's descriptions. */
interface RemoteCaller {
  readonly node: string;
  /** The sender's request number (a cancel names it). */
  readonly number: number;
  readonly deliver: (a: Exclude<HostAnswer, typeof LATER>) => void;
}

/** Who a call is answered to: a caller on this machine (through the ring), or another node. */
type Caller = HostCall | RemoteCaller;

const isRemoteCaller = (who: Caller): who is RemoteCaller => 'node' in who;
const isNodeName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const heldKey = (node: string, number: number): string => `${node}\n${number}`;

/** A call kept until it can be answered. */
interface Held {
  /** A ring call's id, or heldKey(node, number) of a remote request. */
  readonly key: number | string;
  /** The ring call (null for a remote request). */
  readonly call: HostCall | null;
  readonly node: string | null;
  readonly queue: WaitQueue;
  readonly retry: () => void;
  /** The answer when the wait is cancelled (default -ERESTARTSYS). */
  readonly cancel: () => HostAnswer;
  readonly deliver: (a: HostAnswer) => void;
}

/** Where the bytes of a read go: put stores them all (false: a fault, nothing taken); room(from, max) is how
 * many bytes from offset from on (at most max) could be stored. */
interface ReadSink {
  readonly put: (bytes: Uint8Array) => boolean;
  readonly room: (from: number, max: number) => number;
}

export interface FileServerOptions {
  readonly vfs: Vfs;
  /** Where fds 1 and 2 go. */
  readonly io: GuestIO;
  /** What fd 0 reads. */
  readonly input: GuestInput;
}

type Attempt = () => HostAnswer | null;

const BLOCK = null;

/** Calls that name a path: they wait for the VFS's read barrier before resolving it. */
const PATH_CALLS: ReadonlySet<number> = new Set([
  SYS.openat, SYS.statx, SYS.mkdirat, SYS.unlinkat, SYS.renameat2, SYS.faccessat, SYS.faccessat2, SYS.readlinkat,
  SYS.symlinkat, SYS.linkat, SYS.chdir, SYS.execve,
]);
/** Calls that read the description their first argument names: they wait for its mount's read barrier. */
const FD_READING_CALLS: ReadonlySet<number> = new Set([SYS.read, SYS.readv, SYS.pread64, SYS.llseek, SYS.getdents64, SYS.ioctl]);

export class FileServer {
  readonly vfs: Vfs;
  private readonly procs = new Map<number, ProcFiles>();
  private readonly held = new Map<number | string, Held>();
  /** Calls waiting for a mount's Later (a commit, a read barrier). */
  private readonly mountWaits = new Set<{ readonly who: Caller }>();
  /** The locks of files whose mount keeps none, and of pipes. */
  private readonly localLocks = new LocalLocks();
  /** Files each process has set POSIX locks on through this machine (manager domain and file key). */
  private readonly posixLocked = new Map<number, Map<string, { readonly mgr: LockManager; readonly file: string }>>();
  /** Lock waits (F_SETLKW, flock) by call id: a signal cancels them. */
  private readonly lockWaits = new Map<number, { readonly call: HostCall; readonly cancel: () => void; readonly local: boolean }>();
  /** Keys of this machine's descriptions in its own lock table. */
  private readonly descKeys = new WeakMap<Description, string>();
  private descSerial = 0;
  /** Descriptions of this machine that processes on other nodes hold. */
  private readonly home = new RemoteHome<Description>();
  /** This machine's calls waiting for another node's reply. */
  private readonly remote = new RemoteClient((call, a) => this.answerNow(call, a));
  /** How each home this machine holds descriptions of is reached (the transport its imports came with). */
  private readonly transports = new Map<string, FileTransport>();
  private readonly console: ConsoleIn;
  private readonly out: ConsoleOut;
  private readonly err: ConsoleOut;
  readonly events: ProcessEvents;
  readonly slots: ProcessSlots;
  private ring: HostCallRing | null = null;
  private readonly eventListeners: ((e: ProcessEvent) => void)[] = [];
  /** Called after a call of this machine was answered when a mount's Later settled (a cluster node wakes its machine). */
  onLaterAnswer: (() => void) | null = null;
  /** Set by exec.ts: the execve service (kept apart: it builds images). */
  execService: HostService | null = null;

  constructor(readonly machine: Machine, opts: FileServerOptions) {
    this.vfs = opts.vfs;
    this.console = new ConsoleIn(opts.input);
    this.out = new ConsoleOut(opts.io, 1);
    this.err = new ConsoleOut(opts.io, 2);
    this.events = new ProcessEvents(machine);
    this.slots = new ProcessSlots(machine);
  }

  /** fn sees every process event after this server has applied it (a cluster node's process watch). */
  onProcessEvent(fn: (e: ProcessEvent) => void): void {
    this.eventListeners.push(fn);
  }

  /** Serve the calls on server (replacing write and any default), and look at events and cancels each drain. */
  attach(server: HostCallServer, keep: ReadonlySet<number> = new Set()): void {
    this.ring = server.ring;
    for (const [nr, s] of this.services()) if (!keep.has(nr)) server.register(nr, s);
    server.onDrain(() => this.onDrain());
    server.idleLimit(() => this.idleLimit());
  }

  /** Its waits end by a guest's call (a pipe, a lock), except a read of the console, which the host's input ends. */
  idleLimit(): IdleLimit {
    // A wait for a lock of this machine's table ends by another guest's call, as a pipe's does.
    let local = 0;
    for (const w of this.lockWaits.values()) if (w.local) local++;
    for (const h of this.held.values()) if (h.queue === this.console.readable) return { held: this.held.size + local, until: 0n };
    return { held: this.held.size + local, until: IDLE_ANY };
  }

  // ---- processes ------------------------------------------------------------------------------------------

  /** A process the host loaded (in slot): fds 0, 1, 2 on the console, cwd at the root. */
  addProcess(pid: number, slot?: number): ProcFiles {
    const fds = this.ownedTable(new FdTable(), pid);
    fds.alloc(new Description(this.console, O_RDONLY), false);
    fds.alloc(new Description(this.out, O_WRONLY), false);
    fds.alloc(new Description(this.err, O_WRONLY), false);
    const files: ProcFiles = { fds, fs: { cwd: '/', umask: UMASK_DEFAULT } };
    this.procs.set(pid, files);
    if (slot !== undefined) this.slots.note(pid, slot);
    return files;
  }

  /** fds, closed by process pid: each close flushes (a message queue forgets pid's notification). */
  private ownedTable(fds: FdTable, pid: number): FdTable {
    fds.onClose = (d) => {
      if (d.file.kind === 'mqueue') d.file.flush(pid);
      this.closedBy(pid, d);
    };
    return fds;
  }

  /** The caller's files (a process never announced gets a console table). */
  filesOf(call: { readonly pid: number; readonly proc: number }): ProcFiles {
    const f = this.procs.get(call.pid);
    if (f !== undefined) return f;
    return this.addProcess(call.pid, call.proc);
  }

  /** The files of pid, if the host has a table for it. */
  files(pid: number): ProcFiles | undefined {
    return this.procs.get(pid);
  }

  /**
   * Why pid's table cannot move to another machine with it (a migration), or null: record locks held here
   * (their owner would be split), or a message-queue descriptor (a queue's description stays on its machine).
   */
  unmovable(pid: number): string | null {
    const f = this.procs.get(pid);
    if (f === undefined) return null;
    if ((this.posixLocked.get(pid)?.size ?? 0) > 0) return 'it holds record locks';
    for (const [, e] of f.fds.entries()) if (e.desc.file.kind === 'mqueue') return 'it holds a message-queue descriptor';
    return null;
  }

  /**
   * Take pid's table out of this server while the process is moving (its descriptions stay open): a later
   * drain does not close it. reattach puts it back (the move failed); dropDetached lets its references go
   * once the process runs elsewhere (its exported descriptions are held for that node).
   */
  detach(pid: number): ProcFiles | undefined {
    const f = this.procs.get(pid);
    if (f === undefined) return undefined;
    this.procs.delete(pid);
    this.slots.forget(pid);
    return f;
  }

  reattach(pid: number, files: ProcFiles, slot: number): void {
    this.procs.set(pid, files);
    this.slots.note(pid, slot);
  }

  /**
   * Drop a table importFiles built whose exporter has already let go of its holds (a migration that did not
   * commit): its remote descriptions tell their homes nothing.
   */
  dropImported(files: ProcFiles): void {
    for (const [, e] of files.fds.entries()) if (e.desc.file.kind === 'remote') e.desc.file.forget();
    this.dropDetached(files);
  }

  dropDetached(files: ProcFiles): void {
    files.fds.onClose = () => {}; // not a close by the process: it holds its locks and descriptions elsewhere now
    files.fds.unshare();
  }

  /** Pids with a table. */
  pids(): number[] {
    return [...this.procs.keys()];
  }

  private fork(pid: number, parentPid: number, flags: number): void {
    const parent = this.procs.get(parentPid) ?? this.addProcess(parentPid);
    const fds = (flags & CLONE_FILES) !== 0 ? parent.fds.share() : this.ownedTable(parent.fds.clone(), pid);
    const fs = (flags & CLONE_FS) !== 0 ? parent.fs : { ...parent.fs };
    this.procs.set(pid, { fds, fs });
  }

  private endProcess(pid: number): void {
    const f = this.procs.get(pid);
    if (f === undefined) return;
    this.procs.delete(pid);
    this.slots.forget(pid);
    for (const h of [...this.held.values()]) if (h.call?.pid === pid) this.answerHeld(h, h.cancel());
    for (const [id, w] of [...this.lockWaits]) if (w.call.pid === pid) { this.lockWaits.delete(id); w.cancel(); }
    for (const w of [...this.mountWaits]) if (!isRemoteCaller(w.who) && w.who.pid === pid) this.endMountWait(w, -ERESTARTSYS);
    // A process's POSIX locks go with it.
    for (const { mgr, file } of this.posixLocked.get(pid)?.values() ?? []) mgr.releaseOwner(file, `p${pid}`);
    this.posixLocked.delete(pid);
    this.remote.abandon(pid, -ERESTARTSYS);
    f.fds.unshare();
  }

  /** Every drain: apply the process events, close the tables of ended processes, answer cancelled waits. */
  onDrain(): void {
    for (const e of this.events.take()) {
      if (e.kind === PEV_FORK) this.fork(e.pid, e.parent_pid, e.flags);
      for (const fn of this.eventListeners) fn(e);
    }
    for (const pid of [...this.procs.keys()]) {
      const s = this.slots.state(pid);
      if (s === 'gone') this.endProcess(pid);
      else if (s === 'dying') for (const h of [...this.held.values()]) if (h.call?.pid === pid) this.answerHeld(h, h.cancel());
    }
    const ring = this.ring;
    if (this.held.size > 0 && ring !== null) {
      for (const h of [...this.held.values()]) if (h.call !== null && ring.cancelled(h.call)) this.answerHeld(h, h.cancel());
    }
    if (this.lockWaits.size > 0 && ring !== null) {
      for (const [id, w] of [...this.lockWaits]) if (ring.cancelled(w.call) || this.slots.state(w.call.pid) === 'dying') { this.lockWaits.delete(id); w.cancel(); }
    }
    if (this.remote.size > 0) {
      this.remote.poll((call) => (ring !== null && ring.cancelled(call)) || this.slots.state(call.pid) === 'dying');
    }
  }

  /** Close every table (the run is over); other nodes' waiting requests are answered REMOTE_UNREACHABLE. */
  closeAll(): void {
    for (const pid of [...this.procs.keys()]) this.endProcess(pid);
    for (const h of [...this.held.values()]) if (h.call === null) this.answerHeld(h, REMOTE_UNREACHABLE);
    for (const w of [...this.mountWaits]) if (isRemoteCaller(w.who)) this.endMountWait(w, REMOTE_UNREACHABLE);
  }

  /** Calls kept waiting here now (this machine's, and other nodes' requests), on pipes, the console or a mount. */
  get waiting(): number {
    return this.held.size + this.mountWaits.size;
  }

  /** This machine's calls waiting for another node's reply. */
  get waitingRemote(): number {
    return this.remote.size;
  }

  // ---- descriptions across machines (remote-files.ts) --------------------------------------------------------

  /**
   * pid's descriptors and fs state for a child created on node holder: every description of this machine is
   * held for holder until holder releases it (a pipe counts the child among its readers or writers); one that is
   * itself remote is announced to its home as held by holder; the consoles travel as consoles.
   */
  exportFiles(pid: number, holder: string): ExportedFiles {
    if (!isNodeName(holder)) throw new InputError(`a holder is a node name of 1..256 characters, not ${JSON.stringify(holder)}`);
    const files = this.procs.get(pid) ?? this.addProcess(pid);
    const index = new Map<Description, number>();
    const descriptions: ExportedDescription[] = [];
    const fds: { fd: number; description: number; cloexec: boolean }[] = [];
    for (const [fd, e] of files.fds.entries()) {
      let i = index.get(e.desc);
      if (i === undefined) {
        i = descriptions.length;
        index.set(e.desc, i);
        descriptions.push(this.exportDescription(e.desc, holder));
      }
      fds.push({ fd, description: i, cloexec: e.cloexec });
    }
    return { cwd: files.fs.cwd, umask: files.fs.umask, descriptions, fds };
  }

  private exportDescription(d: Description, holder: string): ExportedDescription {
    const f = d.file;
    const flags = d.flags;
    switch (f.kind) {
      case 'console-in': return { kind: 'console', stream: 'in', flags };
      case 'console-out': return { kind: 'console', stream: f.fd === 1 ? 'out' : 'err', flags };
      case 'remote':
        this.remote.notify(f.transport, f.home, { op: 'hold', id: f.id, holder });
        return { kind: 'remote', home: f.home, id: f.id, flags, type: f.type, path_only: f.pathOnly, path: f.path, ...(f.lock !== undefined ? { lock: f.lock } : {}) };
      case 'pipe': return { kind: 'remote', id: this.home.export(d, holder), flags, type: 'pipe', path_only: false, path: '' };
      // A message queue stays on its machine: the child elsewhere gets a descriptor its calls find closed.
      case 'mqueue': return { kind: 'remote', id: this.home.export(d, holder), flags, type: 'file', path_only: true, path: '' };
      case 'vfs': {
        const type: RemoteFileType = f.isDir ? 'dir' : 'file';
        const lock = f.handle.lockIdentity;
        return { kind: 'remote', id: this.home.export(d, holder), flags, type, path_only: f.pathOnly, path: f.path, ...(lock !== undefined ? { lock } : {}) };
      }
    }
  }

  /** Undo exportFiles(pid, holder) for a child that was never created: every hold it took is let go. */
  abandonExport(exported: ExportedFiles, holder: string): void {
    for (const d of exported.descriptions) {
      if (d.kind !== 'remote') continue;
      if (d.home === undefined) this.home.adjust(d.id, holder, -1);
      else {
        const transport = this.transports.get(d.home);
        if (transport !== undefined) this.remote.notify(transport, d.home, { op: 'release', id: d.id, holder });
      }
    }
  }

  /**
   * Make pid's table from what node home exported (exportFiles there): each description becomes one local
   * description (shared by the fds that shared it) whose file is at its home, reached through transport; the
   * consoles become this machine's. A table pid had is closed. Bad input throws before anything changes.
   */
  importFiles(pid: number, exported: unknown, home: string, transport: FileTransport, slot?: number): ProcFiles {
    if (!isNodeName(home)) throw new InputError(`a home is a node name of 1..256 characters, not ${JSON.stringify(home)}`);
    const ex = parseExport(exported, FDS_MAX);
    if (typeof ex === 'string') throw new InputError(`the files exported by ${home}: ${ex}`);
    const descs = ex.descriptions.map((d) => this.importDescription(d, home, transport));
    const fds = new FdTable();
    for (const { fd, description, cloexec } of ex.fds) fds.install(fd, descs[description]!, cloexec);
    for (const d of descs) d.retain().release(); // one no fd names goes home at once
    const files: ProcFiles = { fds, fs: { cwd: ex.cwd, umask: ex.umask } };
    const old = this.procs.get(pid);
    this.procs.set(pid, files);
    if (slot !== undefined) this.slots.note(pid, slot);
    old?.fds.unshare();
    return files;
  }

  /**
   * Process pid runs here now with the descriptions another node exported to it (a migration, a remote fork): it
   * claims each one held from elsewhere, so a home keeps its holds should the node that asked for them go down.
   */
  claimImported(pid: number): void {
    const seen = new Set<RemoteFile>();
    for (const [, e] of this.procs.get(pid)?.fds.entries() ?? []) {
      const f = e.desc.file;
      if (f.kind !== 'remote' || seen.has(f)) continue;
      seen.add(f);
      this.remote.notify(f.transport, f.home, { op: 'claim', id: f.id });
    }
  }

  private importDescription(d: ExportedDescription, home: string, transport: FileTransport): Description {
    if (d.kind === 'console') return new Description(d.stream === 'in' ? this.console : d.stream === 'out' ? this.out : this.err, d.flags);
    const at = d.home ?? home;
    this.transports.set(at, transport);
    return new Description(new RemoteFile(at, d.id, d.type, d.path_only, d.path, transport, this.remote, d.lock), d.flags);
  }

  /**
   * Serve node from's request on a description of this machine; done gets the reply once (a read with no data
   * waits here as a local one would, and is answered when it can be, or cancelled). A malformed request is
   * answered REMOTE_UNREACHABLE (-EIO), a description nobody holds -EBADF.
   */
  serveRemote(from: string, raw: unknown, done: (reply: RemoteReply) => void): void {
    const req = parseRequest(raw);
    if (typeof req === 'string' || !isNodeName(from)) { done({ result: REMOTE_UNREACHABLE }); return; }
    switch (req.op) {
      case 'hold': done({ result: this.home.adjust(req.id, req.holder, 1, from) ? 0 : -EBADF }); return;
      case 'release': done({ result: this.home.adjust(req.id, req.holder ?? from, -1, from) ? 0 : -EBADF }); return;
      case 'claim': this.home.claim(req.id, from); done({ result: 0 }); return;
      case 'cancel': done({ result: this.cancelRemote(from, req.target) ? 0 : -ESRCH }); return;
    }
    const d = this.home.get(req.id);
    if (d === undefined) { done({ result: -EBADF }); return; }
    const barrier = FileServer.barrierOf(d);
    if (!(barrier instanceof Later)) { this.serveOn(from, req, d, done); return; }
    // A description of a shared mount: its read barrier first, as for a call of this machine.
    const who: RemoteCaller = { node: from, number: -1, deliver: (a) => done(replyOf(a)) };
    const a = this.answerWhen(who, barrier, () => { this.serveOn(from, req, d, done); return LATER; });
    if (a !== LATER) who.deliver(a);
  }

  private serveOn(from: string, req: Exclude<RemoteRequest, { op: 'hold' | 'release' | 'claim' | 'cancel' }>, d: Description, done: (reply: RemoteReply) => void): void {
    this.home.claim(req.id, from); // a holder that uses a description runs what it was held for
    const bytes = (r: number | Uint8Array): RemoteReply => (typeof r === 'number' ? { result: r } : { result: 0, data: encodeBytes(r) });
    switch (req.op) {
      case 'read': case 'write': this.serveIo(from, req, d, done); return;
      case 'seek': done(bytes(this.seekOf(d, req.offset, req.whence))); return;
      case 'stat': {
        let st: FileStat;
        try { st = this.statOf(d); } catch (err) { done({ result: fail(err) }); return; }
        done(bytes(statxBytes(st)));
        return;
      }
      case 'getfl': done({ result: statusFlags(d, F_GETFL, 0) }); return;
      case 'setfl': done({ result: statusFlags(d, F_SETFL, req.flags) }); return;
      case 'ioctl': done(bytes(this.ioctlOf(d, req.req))); return;
      case 'getdents': {
        let out: Uint8Array = new Uint8Array(0);
        const r = this.direntsOf(d, Math.min(req.count, REMOTE_IO_BYTES_MAX), (b) => { out = b; return true; });
        done(r < 0 ? { result: r } : { result: r, data: encodeBytes(out) });
        return;
      }
      case 'truncate': case 'sync': {
        const who: RemoteCaller = { node: from, number: -1, deliver: (a) => done(replyOf(a)) };
        const a = req.op === 'truncate' ? this.truncateOf(who, d, req.length) : this.syncOf(who, d);
        if (a !== LATER) who.deliver(a);
        return;
      }
    }
  }

  /** A read or write from another node: it may wait here (at most REMOTE_WAITS_PER_NODE_MAX of one node). */
  private serveIo(from: string, req: Extract<RemoteRequest, { op: 'read' | 'write' }>, d: Description, done: (reply: RemoteReply) => void): void {
    if (req.pos !== undefined && !positional(d.file)) { done({ result: -ESPIPE }); return; }
    let waits = 0;
    for (const h of this.held.values()) if (h.node === from) waits++;
    if (waits >= REMOTE_WAITS_PER_NODE_MAX) { done({ result: REMOTE_UNREACHABLE }); return; }
    let got: Uint8Array | null = null;
    const who: RemoteCaller = { node: from, number: req.call, deliver: (a) => done(replyOf(a, got)) };
    const a = req.op === 'read'
      ? this.readFrom(who, d, req.n, { put: (b) => { got = b; return true; }, room: (_from, max) => max }, req.pos)
      : this.writeTo(who, d, decodeBytes(req.data)!, req.pos);
    if (a !== LATER) who.deliver(a);
  }

  /** Answer node from's waiting request number as interrupted: true if it was waiting. */
  private cancelRemote(from: string, number: number): boolean {
    const h = this.held.get(heldKey(from, number));
    if (h === undefined) return false;
    this.answerHeld(h, h.cancel());
    return true;
  }

  /**
   * Node is down: its waiting requests end as interrupted ones, and every hold it had is dropped (a pipe sees
   * EOF or EPIPE as if its processes there had died).
   */
  releaseHolder(node: string): void {
    for (const h of [...this.held.values()]) if (h.node === node) this.answerHeld(h, h.cancel());
    this.home.releaseHolder(node);
  }

  /** Nodes that hold descriptions of this machine. */
  holderNodes(): Set<string> {
    return this.home.holders();
  }

  /** Descriptions of this machine that other nodes hold. */
  get exported(): number {
    return this.home.size;
  }

  // ---- waiting ------------------------------------------------------------------------------------------------

  private answerNow(call: HostCall, a: HostAnswer): void {
    if (a === LATER || this.ring === null) return;
    if (typeof a === 'number') this.ring.complete(call.id, a);
    else this.ring.answer(call.id, a);
  }

  private answerHeld(h: Held, a: HostAnswer): void {
    if (!this.held.delete(h.key)) return;
    h.queue.remove(h.retry);
    h.deliver(a);
  }

  /** Try attempt now; if it must wait, keep the call on queue and retry it whenever queue wakes. */
  private waitOn(who: Caller, queue: WaitQueue, attempt: Attempt, cancel: () => HostAnswer = () => -ERESTARTSYS): HostAnswer {
    const first = attempt();
    if (first !== BLOCK) return first;
    const remote = isRemoteCaller(who);
    const h: Held = {
      key: remote ? heldKey(who.node, who.number) : who.id,
      call: remote ? null : who,
      node: remote ? who.node : null,
      deliver: remote ? (a) => { if (a !== LATER) who.deliver(a); } : (a) => this.answerNow(who, a),
      queue, cancel,
      retry: () => {
        const a = attempt();
        if (a !== BLOCK) this.answerHeld(h, a);
      },
    };
    this.held.set(h.key, h);
    queue.add(h.retry);
    return LATER;
  }

  /**
   * k of m's value: now when m is one, else LATER, and who is answered k's answer (or m's error) when m settles.
   * Such a wait is not interrupted by a signal (a commit cannot be taken back); it ends with its process. Also
   * for calls served elsewhere (execve, spawn).
   */
  answerWhen<T>(who: Caller, m: Maybe<T>, k: (value: T) => HostAnswer): HostAnswer {
    if (!(m instanceof Later)) return k(m);
    const w = { who };
    this.mountWaits.add(w);
    m.then((v) => this.settled(w, () => k(v)), (e) => this.settled(w, () => fail(e)));
    return LATER;
  }

  private settled(w: { readonly who: Caller }, answer: () => HostAnswer): void {
    if (!this.mountWaits.has(w)) return;
    let a: HostAnswer;
    try { a = answer(); } catch (err) { a = fail(err); }
    this.endMountWait(w, a);
  }

  private endMountWait(w: { readonly who: Caller }, a: HostAnswer): void {
    if (!this.mountWaits.delete(w) || a === LATER) return;
    if (isRemoteCaller(w.who)) w.who.deliver(a);
    else {
      this.answerNow(w.who, a);
      this.onLaterAnswer?.();
    }
  }

  /** The read barrier a call on d needs first (a description of a mount shared with other computers). */
  private static barrierOf(d: Description | undefined): Maybe<void> {
    return d !== undefined && d.file.kind === 'vfs' ? d.file.handle.ready?.() ?? undefined : undefined;
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private entry(call: HostCall, fd: number): FdEntry | undefined {
    return this.filesOf(call).fds.get(fd | 0);
  }

  private path(call: HostCall, va: number): string | number {
    const s = stringFromUser(this.machine, call.satp, va, PATH_MAX);
    return s === 'fault' ? -EFAULT : s === 'long' ? -ENAMETOOLONG : s;
  }

  /** The directory a *at call's relative path starts from: a canonical path, or -errno. */
  private base(call: HostCall, dirfd: number, path: string): string | number {
    const files = this.filesOf(call);
    if (path.startsWith('/') || (dirfd | 0) === AT_FDCWD) return files.fs.cwd;
    const e = files.fds.get(dirfd | 0);
    if (e === undefined) return -EBADF;
    return directoryPath(e.desc.file) ?? -ENOTDIR;
  }

  /** Resolve (dirfd, path) or -errno. */
  private resolveAt(call: HostCall, dirfd: number, pathVa: number, follow: boolean): Resolved | number {
    const path = this.path(call, pathVa);
    if (typeof path === 'number') return path;
    const base = this.base(call, dirfd, path);
    if (typeof base === 'number') return base;
    try {
      return this.vfs.resolve(base, path, { follow });
    } catch (err) {
      return fail(err);
    }
  }

  /** What statx says of d (a description of this machine, or one at home here). */
  private statOf(d: Description): FileStat {
    const f = d.file;
    if (f.kind === 'remote') throw new Error('a remote description is stated at its home');
    const synthetic = (mode: number, ino: bigint): FileStat => ({
      kind: mode === S_IFIFO ? 'fifo' : 'char', mode, ino, dev: 0n, rdev: 0n, nlink: 1, uid: hostIds().uid,
      gid: hostIds().gid, size: 0n, blocks: 0n, blksize: 4096, atime_ns: 0n, mtime_ns: 0n, ctime_ns: 0n, birthtime_ns: 0n,
    });
    switch (f.kind) {
      case 'vfs': return f.handle.stat();
      case 'pipe': return synthetic(S_IFIFO | 0o600, BigInt(f.pipe.ino));
      case 'console-in': return f.input.stat?.() ?? synthetic(S_IFCHR | 0o620, 0n);
      case 'console-out': return f.io.stat?.(f.fd) ?? synthetic(S_IFCHR | 0o620, 0n);
      case 'mqueue': return f.stat();
    }
  }

  // ---- the services -------------------------------------------------------------------------------------------

  services(): [number, HostService][] {
    const s: [number, HostService][] = this.serviceTable().map(([nr, fn]) => [nr, this.withBarrier(nr, fn)]);
    if (this.execService !== null) s.push([SYS.execve, this.withBarrier(SYS.execve, this.execService)]);
    return s;
  }

  /**
   * A call that reads a mount shared with other computers waits for its read barrier first: every call that
   * names a path, and the reading calls on such a description (writes go through the mount's own commits).
   */
  private withBarrier(nr: number, fn: HostService): HostService {
    if (PATH_CALLS.has(nr)) {
      const purpose = nr === SYS.openat || nr === SYS.execve ? 'open' : 'path';
      return (c) => this.answerWhen(c, this.vfs.ready(purpose), () => fn(c));
    }
    if (FD_READING_CALLS.has(nr)) return (c) => this.answerWhen(c, FileServer.barrierOf(this.entry(c, c.args[0]!)?.desc), () => fn(c));
    return fn;
  }

  private serviceTable(): [number, HostService][] {
    return [
      [SYS.read, (c) => this.read(c)], [SYS.write, (c) => this.write(c)], [SYS.readv, (c) => this.readv(c)],
      [SYS.writev, (c) => this.writev(c)], [SYS.pread64, (c) => this.pread(c)], [SYS.pwrite64, (c) => this.pwrite(c)],
      [SYS.close, (c) => this.filesOf(c).fds.close(c.args[0]! | 0)], [SYS.dup, (c) => this.dup(c)],
      [SYS.dup3, (c) => this.dup3(c)], [SYS.fcntl64, (c) => this.fcntl(c)], [SYS.pipe2, (c) => this.pipe2(c)],
      [SYS.ioctl, (c) => this.ioctl(c)], [SYS.openat, (c) => this.openat(c)], [SYS.llseek, (c) => this.llseek(c)],
      [SYS.statx, (c) => this.statx(c)], [SYS.getdents64, (c) => this.getdents(c)], [SYS.mkdirat, (c) => this.mkdirat(c)],
      [SYS.unlinkat, (c) => this.unlinkat(c)], [SYS.renameat2, (c) => this.renameat2(c)],
      [SYS.ftruncate64, (c) => this.ftruncate(c)], [SYS.fsync, (c) => this.fsync(c)], [SYS.fdatasync, (c) => this.fsync(c)],
      [SYS.faccessat, (c) => this.faccessat(c, 0)], [SYS.faccessat2, (c) => this.faccessat(c, c.args[3]!)],
      [SYS.readlinkat, (c) => this.readlinkat(c)], [SYS.symlinkat, (c) => this.symlinkat(c)], [SYS.linkat, (c) => this.linkat(c)],
      [SYS.getcwd, (c) => this.getcwd(c)], [SYS.chdir, (c) => this.chdir(c)], [SYS.fchdir, (c) => this.fchdir(c)],
      [SYS.umask, (c) => this.umask(c)], [SYS.flock, (c) => this.flock(c)],
      // A clone the kernel hands over because its event ring is full: the events were just consumed
      // (onDrain runs before any call is served), so the kernel may retry it.
      [SYS.clone, () => -ERESTARTNOINTR],
    ];
  }

  /**
   * Read up to n bytes from d into sink (which copies them to the user and may fail: -EFAULT, and nothing is
   * taken); pos: pread's position (the description's offset when undefined).
   */
  private readFrom(who: Caller, d: Description, n: number, sink: ReadSink, pos?: number): HostAnswer {
    const f = d.file;
    if (!d.readable) return -EBADF;
    n = Math.min(n, IO_BYTES_MAX);
    const nonblock = (d.flags & O_NONBLOCK) !== 0;
    switch (f.kind) {
      case 'console-out': return -EBADF;
      case 'mqueue': return isRemoteCaller(who) ? -EBADF : f.read(who, d, n, sink.put, pos); // a queue is not exported
      case 'console-in': {
        if (pos !== undefined) return -ESPIPE;
        if (n === 0) return 0;
        return this.waitOn(who, f.readable, () => {
          const bytes = f.read(n);
          if (bytes === null) return nonblock ? -EAGAIN : BLOCK;
          if (!sink.put(bytes)) { f.unread(bytes); return -EFAULT; }
          return bytes.length;
        });
      }
      case 'pipe': {
        if (pos !== undefined) return -ESPIPE;
        if (n === 0) return 0;
        const pipe = f.pipe;
        return this.waitOn(who, pipe.readable, () => {
          if (pipe.available > 0) {
            const bytes = pipe.peek(n);
            if (!sink.put(bytes)) return -EFAULT;
            pipe.consume(bytes.length);
            return bytes.length;
          }
          if (pipe.writers === 0) return 0;
          return nonblock ? -EAGAIN : BLOCK;
        });
      }
      case 'vfs': {
        if (f.pathOnly) return -EBADF;
        if (f.isDir) return -EISDIR;
        const at = pos ?? d.offset;
        try {
          const buf = new Uint8Array(n);
          const got = f.handle.read(buf, at);
          if (!sink.put(buf.subarray(0, got))) return -EFAULT;
          if (pos === undefined) d.offset = at + got;
          return got;
        } catch (err) {
          return fail(err);
        }
      }
      case 'remote': {
        if (isRemoteCaller(who)) return -EBADF; // a home never keeps another home's description
        return this.exchange(who, f, readExchanges(f, n, pos, sink.room, sink.put));
      }
    }
  }

  /** Write data to d; pos: pwrite's position. */
  private writeTo(who: Caller, d: Description, data: Uint8Array, pos?: number): HostAnswer {
    const f = d.file;
    if (!d.writable) return -EBADF;
    const n = data.length;
    switch (f.kind) {
      case 'console-in': return -EBADF;
      case 'mqueue': return f.write();
      case 'console-out': {
        if (pos !== undefined) return -ESPIPE;
        if (n === 0) return 0;
        const w = f.io.write(f.fd, data, isRemoteCaller(who) ? 0 : who.pid);
        if (w === -EPIPE) return { result: -EPIPE, signal: SIGPIPE };
        return typeof w === 'number' && w < 0 ? w : n;
      }
      case 'pipe': {
        if (pos !== undefined) return -ESPIPE;
        if (n === 0) return 0;
        const pipe = f.pipe;
        const nonblock = (d.flags & O_NONBLOCK) !== 0;
        // Linux's pipe_write: no reader at all is -EPIPE at once; the length's part beyond whole pages merges
        // into the last page when it fits; then fresh pages, waiting (or -EAGAIN) while every slot is taken.
        if (pipe.readers === 0) return { result: -EPIPE, signal: SIGPIPE };
        let done = 0;
        const tail = n % PIPE_BUF;
        if (tail !== 0 && !pipe.empty && pipe.merge(data.subarray(0, tail))) done = tail;
        if (done === n) return n;
        return this.waitOn(who, pipe.writable, () => {
          if (pipe.readers === 0) return { result: done > 0 ? done : -EPIPE, signal: SIGPIPE };
          while (!pipe.full && done < n) {
            const k = Math.min(PIPE_BUF, n - done);
            pipe.pushPage(data.subarray(done, done + k));
            done += k;
          }
          if (done === n) return n;
          if (nonblock) return done > 0 ? done : -EAGAIN;
          return BLOCK;
        }, () => (done > 0 ? done : -ERESTARTSYS));
      }
      case 'vfs': {
        if (f.pathOnly) return -EBADF;
        if (f.isDir) return -EISDIR;
        try {
          // O_APPEND writes at the end, pwrite too (as Linux does).
          const h = f.handle;
          if ((d.flags & O_APPEND) !== 0 && h.append !== undefined && n > 0) {
            return this.answerWhen(who, h.append(data), ({ wrote, end }) => {
              if (pos === undefined) d.offset = end;
              return wrote;
            });
          }
          const at = (d.flags & O_APPEND) !== 0 ? Number(h.stat().size) : pos ?? d.offset;
          return this.answerWhen(who, n === 0 ? 0 : h.write(data, at), (wrote) => {
            if (pos === undefined) d.offset = at + wrote;
            return wrote;
          });
        } catch (err) {
          return fail(err);
        }
      }
      case 'remote': {
        if (isRemoteCaller(who)) return -EBADF;
        return this.exchange(who, f, writeExchanges(f, data, pos));
      }
    }
  }

  /** A call on a remote description: its answer at once, or LATER while its requests travel. */
  private exchange(call: HostCall, f: RemoteFile, first: HostAnswer | Exchange): HostAnswer {
    return isExchange(first) ? this.remote.start(call, f, first) : first;
  }

  /** The sink of a read into the user buffer at va. */
  private userSink(call: HostCall, va: number): ReadSink {
    return {
      put: (bytes) => copyToUser(this.machine, call.satp, va, bytes),
      room: (from, max) => userWritableBytes(this.machine, call.satp, (va + from) >>> 0, max),
    };
  }

  private read(call: HostCall): HostAnswer {
    const [fd, buf, n] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    return this.readFrom(call, e.desc, n, this.userSink(call, buf));
  }

  private write(call: HostCall): HostAnswer {
    const [fd, buf, n] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    if (!e.desc.writable) return -EBADF;
    const count = Math.min(n, IO_BYTES_MAX);
    const data = count === 0 ? new Uint8Array(0) : copyFromUser(this.machine, call.satp, buf, count);
    if (data === null) return -EFAULT;
    return this.writeTo(call, e.desc, data);
  }

  /** The iovecs at va: [base, len] pairs, or -errno. */
  private iovecs(call: HostCall, va: number, count: number): [number, number][] | number {
    if ((count | 0) < 0 || count > IOV_MAX) return -EINVAL;
    if (count === 0) return [];
    const raw = copyFromUser(this.machine, call.satp, va, count * 8);
    if (raw === null) return -EFAULT;
    const v = new DataView(raw.buffer);
    const out: [number, number][] = [];
    let total = 0;
    for (let i = 0; i < count; i++) {
      const len = v.getUint32(i * 8 + 4, true);
      if ((len | 0) < 0) return -EINVAL;
      total += len;
      if (total > 0x7fff_ffff) return -EINVAL;
      out.push([v.getUint32(i * 8, true), len]);
    }
    return out;
  }

  private readv(call: HostCall): HostAnswer {
    const [fd, iov, count] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const vecs = this.iovecs(call, iov, count);
    if (typeof vecs === 'number') return vecs;
    const total = vecs.reduce((n, [, len]) => n + len, 0);
    return this.readFrom(call, e.desc, total, {
      put: (bytes) => this.scatter(call, vecs, bytes),
      room: (from, max) => this.vecRoom(call, vecs, from, max),
    });
  }

  /** How many bytes from offset from of the iovecs on (at most max) are writable. */
  private vecRoom(call: HostCall, vecs: [number, number][], from: number, max: number): number {
    let skip = from, room = 0;
    for (const [base, len] of vecs) {
      if (room >= max) break;
      if (skip >= len) { skip -= len; continue; }
      const want = Math.min(len - skip, max - room);
      const k = userWritableBytes(this.machine, call.satp, (base + skip) >>> 0, want);
      room += k;
      if (k < want) break;
      skip = 0;
    }
    return room;
  }

  private scatter(call: HostCall, vecs: [number, number][], bytes: Uint8Array): boolean {
    let off = 0;
    for (const [base, len] of vecs) {
      if (off >= bytes.length) break;
      const k = Math.min(len, bytes.length - off);
      if (!userWritable(this.machine, call.satp, base, k)) return false;
      off += k;
    }
    off = 0;
    for (const [base, len] of vecs) {
      if (off >= bytes.length) break;
      const k = Math.min(len, bytes.length - off);
      copyToUser(this.machine, call.satp, base, bytes.subarray(off, off + k));
      off += k;
    }
    return true;
  }

  private gather(call: HostCall, vecs: [number, number][]): Uint8Array | null {
    const total = Math.min(vecs.reduce((n, [, len]) => n + len, 0), IO_BYTES_MAX);
    const out = new Uint8Array(total);
    let off = 0;
    for (const [base, len] of vecs) {
      const k = Math.min(len, total - off);
      if (k <= 0) break;
      const part = copyFromUser(this.machine, call.satp, base, k);
      if (part === null) return null;
      out.set(part, off);
      off += k;
    }
    return out;
  }

  private writev(call: HostCall): HostAnswer {
    const [fd, iov, count] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const vecs = this.iovecs(call, iov, count);
    if (typeof vecs === 'number') return vecs;
    if (!e.desc.writable) return -EBADF;
    const data = this.gather(call, vecs);
    if (data === null) return -EFAULT;
    return this.writeTo(call, e.desc, data);
  }

  /** pread64/pwrite64's position (a3 low, a4 high), or -EINVAL when negative. */
  private static position(call: HostCall): number {
    const pos = call.args[4]! * 2 ** 32 + call.args[3]!;
    return call.args[4]! >= 0x8000_0000 ? -1 : pos;
  }

  private pread(call: HostCall): HostAnswer {
    const [fd, buf, n] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const pos = FileServer.position(call);
    if (pos < 0) return -EINVAL;
    if (!positional(e.desc.file)) return -ESPIPE;
    return this.readFrom(call, e.desc, n, this.userSink(call, buf), pos);
  }

  private pwrite(call: HostCall): HostAnswer {
    const [fd, buf, n] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const pos = FileServer.position(call);
    if (pos < 0) return -EINVAL;
    if (!positional(e.desc.file)) return -ESPIPE;
    if (!e.desc.writable) return -EBADF;
    const data = copyFromUser(this.machine, call.satp, buf, Math.min(n, IO_BYTES_MAX));
    if (data === null) return -EFAULT;
    return this.writeTo(call, e.desc, data, pos);
  }

  private dup(call: HostCall): number {
    const fds = this.filesOf(call).fds;
    const e = fds.get(call.args[0]! | 0);
    if (e === undefined) return -EBADF;
    return fds.alloc(e.desc, false);
  }

  private dup3(call: HostCall): number {
    const [oldfd, newfd, flags] = call.args as [number, number, number];
    const fds = this.filesOf(call).fds;
    if ((flags & ~O_CLOEXEC) !== 0) return -EINVAL;
    if (oldfd === newfd) return -EINVAL;
    const e = fds.get(oldfd | 0);
    if (e === undefined) return -EBADF;
    if ((newfd | 0) < 0 || newfd >= fds.limit) return -EBADF;
    fds.install(newfd, e.desc, (flags & O_CLOEXEC) !== 0);
    return newfd;
  }

  private fcntl(call: HostCall): HostAnswer {
    const [fd, cmd, arg] = call.args as [number, number, number];
    const fds = this.filesOf(call).fds;
    const e = fds.get(fd | 0);
    if (e === undefined) return -EBADF;
    switch (cmd) {
      case F_DUPFD: case F_DUPFD_CLOEXEC:
        if ((arg | 0) < 0 || arg >= fds.limit) return -EINVAL;
        return fds.alloc(e.desc, cmd === F_DUPFD_CLOEXEC, arg);
      case F_GETFD: return e.cloexec ? FD_CLOEXEC : 0;
      case F_SETFD: e.cloexec = (arg & FD_CLOEXEC) !== 0; return 0;
      case F_GETLK: case F_SETLK: case F_SETLKW: case F_GETLK64: case F_SETLK64: case F_SETLKW64:
      case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
        return this.recordLock(call, e.desc, cmd, arg);
      case F_GETFL: case F_SETFL: {
        const f = e.desc.file;
        if (f.kind === 'remote') return this.exchange(call, f, simpleExchange(cmd === F_GETFL ? { op: 'getfl', id: f.id } : { op: 'setfl', id: f.id, flags: arg }));
        return statusFlags(e.desc, cmd, arg);
      }
    }
    return -EINVAL;
  }

  // ---- locks (fcntl's record locks, flock) -----------------------------------------------------------------------

  /** Where d's locks are kept: the manager, the file's key there, the description's key; or -errno. */
  private lockPlace(d: Description): { readonly mgr: LockManager; readonly file: string; readonly desc: string } | number {
    const f = d.file;
    if (f.kind === 'vfs') {
      if (f.pathOnly) return -EBADF;
      const id = f.handle.lockIdentity;
      if (id !== undefined) {
        const mgr = this.vfs.lockManager(id.domain);
        return mgr === undefined ? -ENOLCK : { mgr, file: id.file, desc: id.desc };
      }
      let st: FileStat;
      try { st = f.handle.stat(); } catch (err) { return fail(err); }
      return { mgr: this.localLocks, file: `${st.dev}:${st.ino}`, desc: this.descKey(d) };
    }
    if (f.kind === 'pipe') return { mgr: this.localLocks, file: `pipe:${f.pipe.ino}`, desc: this.descKey(d) };
    if (f.kind === 'remote') {
      if (f.pathOnly) return -EBADF;
      const mgr = f.lock === undefined ? undefined : this.vfs.lockManager(f.lock.domain);
      return mgr === undefined || f.lock === undefined ? -ENOLCK : { mgr, file: f.lock.file, desc: f.lock.desc };
    }
    return -EINVAL;
  }

  private descKey(d: Description): string {
    let k = this.descKeys.get(d);
    if (k === undefined) {
      k = `d${++this.descSerial}`;
      this.descKeys.set(d, k);
    }
    return k;
  }

  /** pid closed a descriptor of d: its POSIX locks on d's file go (Linux drops them at any close of the file). */
  private closedBy(pid: number, d: Description): void {
    const mine = this.posixLocked.get(pid);
    if (mine === undefined) return;
    const place = this.lockPlace(d);
    if (typeof place === 'number') return;
    const key = `${place.mgr.domain}\n${place.file}`;
    if (!mine.delete(key)) return;
    place.mgr.releaseOwner(place.file, `p${pid}`);
  }

  /** Set a lock and answer: now, or when a wait ends (a signal cancels it: -ERESTARTSYS, unless it was granted). */
  private lockAnswer(call: HostCall, place: { readonly mgr: LockManager; readonly file: string }, req: LockRequest): HostAnswer {
    let started;
    try { started = place.mgr.set(place.file, req); } catch (err) { return fail(err); }
    if (req.owner.family === 'posix' && req.type !== 'unlock') {
      let mine = this.posixLocked.get(call.pid);
      if (mine === undefined) this.posixLocked.set(call.pid, mine = new Map());
      mine.set(`${place.mgr.domain}\n${place.file}`, place);
    }
    const r = started.result;
    if (!(r instanceof Later)) return 0;
    const answer = new Later<number>();
    r.then(() => answer.resolve(0), (e) => (e.code === 'EINTR' ? answer.resolve(-ERESTARTSYS) : answer.reject(e)));
    this.lockWaits.set(call.id, { call, cancel: () => started.cancel(), local: place.mgr === this.localLocks });
    return this.answerWhen(call, answer, (n) => {
      this.lockWaits.delete(call.id);
      return n;
    });
  }

  /** fcntl64's F_GETLK, F_SETLK, F_SETLKW (struct flock), their 64 forms and the OFD ones (struct flock64). */
  private recordLock(call: HostCall, d: Description, cmd: number, arg: number): HostAnswer {
    const wide = cmd !== F_GETLK && cmd !== F_SETLK && cmd !== F_SETLKW;
    const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
    const get = cmd === F_GETLK || cmd === F_GETLK64 || cmd === F_OFD_GETLK;
    const wait = cmd === F_SETLKW || cmd === F_SETLKW64 || cmd === F_OFD_SETLKW;
    const raw = copyFromUser(this.machine, call.satp, arg, wide ? FLOCK64_BYTES : FLOCK_BYTES);
    if (raw === null) return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const type = v.getInt16(0, true), whence = v.getInt16(2, true);
    const start = wide ? v.getBigInt64(8, true) : BigInt(v.getInt32(4, true));
    const len = wide ? v.getBigInt64(16, true) : BigInt(v.getInt32(8, true));
    const pid = v.getInt32(wide ? 24 : 12, true);
    if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) return -EINVAL;
    if (ofd && pid !== 0) return -EINVAL;
    const place = this.lockPlace(d);
    if (typeof place === 'number') return place;
    // The range, from l_whence's base: l_len 0 runs to the end of the file, a negative one ends at l_start.
    let base = 0n;
    if (whence === SEEK_CUR || whence === SEEK_END) {
      const f = d.file;
      if (f.kind !== 'vfs') return -EINVAL;
      try { base = whence === SEEK_CUR ? BigInt(d.offset) : f.handle.stat().size; } catch (err) { return fail(err); }
    } else if (whence !== SEEK_SET) return -EINVAL;
    let from = base + start, to: bigint;
    if (len > 0n) to = from + len;
    else if (len === 0n) to = BigInt(LOCK_END);
    else { to = from; from += len; }
    if (from < 0n) return -EINVAL;
    const end = to > BigInt(LOCK_END) ? LOCK_END : Number(to);
    const owner: LockOwner = ofd ? { family: 'ofd', id: place.desc, pid: call.pid, node: '' } : { family: 'posix', id: `p${call.pid}`, pid: call.pid, node: '' };
    const req: LockRequest = { owner, type: type === F_RDLCK ? 'read' : type === F_WRLCK ? 'write' : 'unlock', start: Number(from), end, wait };
    if (get) {
      if (type === F_UNLCK) return -EINVAL;
      let tested: Maybe<LockInfo | null>;
      try { tested = place.mgr.test(place.file, req); } catch (err) { return fail(err); }
      return this.answerWhen(call, tested, (c) => {
        const out = new Uint8Array(raw);
        const w = new DataView(out.buffer);
        if (c === null) w.setInt16(0, F_UNLCK, true);
        else {
          const clen = c.end === LOCK_END ? 0 : c.end - c.start;
          if (!wide && (c.start > 0x7fff_ffff || clen > 0x7fff_ffff)) return -EOVERFLOW;
          w.setInt16(0, c.type === 'read' ? F_RDLCK : F_WRLCK, true);
          w.setInt16(2, SEEK_SET, true);
          if (wide) { w.setBigInt64(8, BigInt(c.start), true); w.setBigInt64(16, BigInt(clen), true); w.setInt32(24, c.pid, true); }
          else { w.setInt32(4, c.start, true); w.setInt32(8, clen, true); w.setInt32(12, c.pid, true); }
        }
        return copyToUser(this.machine, call.satp, arg, out) ? 0 : -EFAULT;
      });
    }
    if ((req.type === 'read' && !d.readable) || (req.type === 'write' && !d.writable)) return -EBADF;
    if (ofd && place.mgr === this.localLocks) d.onLastRelease ??= () => this.localLocks.releaseDescription(place.file, place.desc);
    return this.lockAnswer(call, place, req);
  }

  /** flock(2): a whole-file lock of the description, shared or exclusive (LOCK_NB: EAGAIN instead of waiting). */
  private flock(call: HostCall): HostAnswer {
    const [fd, op] = call.args as [number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    // LOCK_MAND (Samba's mandatory share modes) is ignored with success, as Linux has done since 5.15.
    if ((op & LOCK_MAND) !== 0) return 0;
    const kind = op & ~LOCK_NB;
    if (kind !== LOCK_SH && kind !== LOCK_EX && kind !== LOCK_UN) return -EINVAL;
    const place = this.lockPlace(e.desc);
    if (typeof place === 'number') return place;
    const owner: LockOwner = { family: 'flock', id: place.desc, pid: call.pid, node: '' };
    const req: LockRequest = { owner, type: kind === LOCK_SH ? 'read' : kind === LOCK_EX ? 'write' : 'unlock', start: 0, end: LOCK_END, wait: (op & LOCK_NB) === 0 };
    if (place.mgr === this.localLocks) e.desc.onLastRelease ??= () => this.localLocks.releaseDescription(place.file, place.desc);
    return this.lockAnswer(call, place, req);
  }

  private pipe2(call: HostCall): number {
    const [va, flags] = call.args as [number, number];
    if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) !== 0) return -EINVAL;
    const fds = this.filesOf(call).fds;
    const pipe = new Pipe(PIPE_BYTES);
    const nb = flags & O_NONBLOCK;
    const cloexec = (flags & O_CLOEXEC) !== 0;
    const r = new Description(new PipeEnd(pipe, 'read'), O_RDONLY | nb);
    const w = new Description(new PipeEnd(pipe, 'write'), O_WRONLY | nb);
    const rfd = fds.alloc(r, cloexec);
    if (rfd < 0) { r.retain().release(); w.retain().release(); return rfd; }
    const wfd = fds.alloc(w, cloexec);
    if (wfd < 0) { fds.close(rfd); w.retain().release(); return wfd; }
    const out = new Uint8Array(8);
    new DataView(out.buffer).setInt32(0, rfd, true);
    new DataView(out.buffer).setInt32(4, wfd, true);
    if (!copyToUser(this.machine, call.satp, va, out)) { fds.close(rfd); fds.close(wfd); return -EFAULT; }
    return 0;
  }

  private ioctl(call: HostCall): HostAnswer {
    const [fd, req, arg] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const f = e.desc.file;
    const copyOut = (r: number | Uint8Array): number => (typeof r === 'number' ? r : copyToUser(this.machine, call.satp, arg, r) ? 0 : -EFAULT);
    if (f.kind === 'remote') return this.exchange(call, f, dataExchange({ op: 'ioctl', id: f.id, req }, TERMIOS_BYTES, copyOut));
    return copyOut(this.ioctlOf(e.desc, req));
  }

  /** What ioctl req of d copies out (FIONREAD's count, TCGETS's termios), or -errno. */
  private ioctlOf(d: Description, req: number): Uint8Array | number {
    const f = d.file;
    if (req === FIONREAD) {
      let n: number | null = null;
      if (f.kind === 'pipe') n = f.pipe.available;
      else if (f.kind === 'mqueue') n = f.unread(d);
      else if (f.kind === 'vfs' && !f.isDir) {
        try { n = Math.max(0, Number(f.handle.stat().size) - d.offset); } catch (err) { return fail(err); }
      }
      if (n === null) return -ENOTTY;
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, n, true);
      return out;
    }
    const terminal = (f.kind === 'console-in' && f.input.isTerminal?.() === true) || (f.kind === 'console-out' && f.io.isTerminal?.(f.fd) === true);
    if (req === TCGETS && terminal) return termios();
    return -ENOTTY;
  }

  private openat(call: HostCall): HostAnswer {
    const [dirfd, pathVa, flags, mode] = call.args as [number, number, number, number];
    const files = this.filesOf(call);
    if ((flags & O_TMPFILE) === O_TMPFILE) return -ENOTSUP;
    if ((flags & ~OPEN_FLAGS_KNOWN) !== 0) { /* Linux ignores unknown open flags */ }
    const acc = flags & O_ACCMODE;
    const pathOnly = (flags & O_PATH) !== 0;
    const create = !pathOnly && (flags & O_CREAT) !== 0;
    const exclusive = create && (flags & O_EXCL) !== 0;
    const follow = (flags & O_NOFOLLOW) === 0 && !exclusive;
    const r = this.resolveAt(call, dirfd, pathVa, follow);
    if (typeof r === 'number') return r;
    const directory = (flags & O_DIRECTORY) !== 0;
    if (create && directory) return -EINVAL;
    let st = r.stat;
    if (st === null) {
      if (!create) return -ENOENT;
      if (r.dirOnly) return -EISDIR;
    } else {
      if (exclusive) return -EEXIST;
      if (st.kind === 'symlink' && !pathOnly) return -ELOOP;
      if (directory && st.kind !== 'dir' && st.kind !== 'symlink') return -ENOTDIR;
      if (st.kind === 'dir' && !pathOnly && (acc !== O_RDONLY || (create && !directory))) return -EISDIR;
    }
    const read = pathOnly ? true : acc !== O_WRONLY;
    const write = pathOnly ? false : acc !== O_RDONLY;
    let opened: Maybe<FileHandle>;
    try {
      opened = r.mount.open(r.rel, {
        read, write, create, exclusive, truncate: !pathOnly && (flags & O_TRUNC) !== 0 && write,
        directory: directory || st?.kind === 'dir', mode: mode & 0o7777 & ~files.fs.umask,
      });
    } catch (err) {
      return fail(err);
    }
    return this.answerWhen(call, opened, (handle) => this.opened(call, r, st, handle, flags));
  }

  /** openat's descriptor for handle, opened by r (st: what it found there, null when it created the file). */
  private opened(call: HostCall, r: Resolved, found: FileStat | null, handle: FileHandle, flags: number): number {
    const files = this.filesOf(call);
    const acc = flags & O_ACCMODE;
    const pathOnly = (flags & O_PATH) !== 0;
    const write = pathOnly ? false : acc !== O_RDONLY;
    let st: FileStat;
    try { st = found ?? handle.stat(); } catch (err) { handle.close(); return fail(err); }
    if (!pathOnly && (flags & O_TRUNC) !== 0 && !write && st.kind === 'file') {
      try { handle.truncate(0); } catch { /* a read-only file: Linux answers EACCES at open; the host did */ }
    }
    const file: VfsFile = { kind: 'vfs', handle, path: r.path, isDir: st.kind === 'dir', pathOnly };
    const keep = pathOnly ? O_PATH | (flags & (O_DIRECTORY | O_NOFOLLOW)) : (flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_SYNC)) | O_LARGEFILE;
    const d = new Description(file, acc === O_ACCMODE && !pathOnly ? (keep & ~O_ACCMODE) | O_RDWR : keep);
    const fd = files.fds.alloc(d, (flags & O_CLOEXEC) !== 0);
    if (fd < 0) d.retain().release();
    return fd;
  }

  private llseek(call: HostCall): HostAnswer {
    const [fd, hi, lo, resultVa, whence] = call.args as [number, number, number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const d = e.desc;
    const f = d.file;
    if (f.kind === 'console-in' && f.seekable()) return this.seekConsole(call, f, hi, lo, resultVa, whence);
    const off = (hi | 0) * 2 ** 32 + lo;
    const copyOut = (r: number | Uint8Array): number => (typeof r === 'number' ? r : copyToUser(this.machine, call.satp, resultVa, r) ? 0 : -EFAULT);
    if (f.kind === 'mqueue') return this.seekResult(call, resultVa, f.seek(d, off, whence));
    if (f.kind === 'remote') return this.exchange(call, f, dataExchange({ op: 'seek', id: f.id, offset: off, whence }, 8, copyOut));
    return copyOut(this.seekOf(d, off, whence));
  }

  /** Move d's offset (whence SEEK_SET, SEEK_CUR, SEEK_END): the new one as llseek's 8 result bytes, or -errno. */
  private seekOf(d: Description, off: number, whence: number): Uint8Array | number {
    const f = d.file;
    if (f.kind !== 'vfs') return -ESPIPE;
    if (whence > SEEK_END) return -EINVAL;
    let pos: number;
    try {
      if (f.isDir) {
        if (whence !== SEEK_SET && !(whence === SEEK_CUR && off === 0)) return -EINVAL;
        pos = whence === SEEK_SET ? off : d.offset;
        if (pos === 0) f.listing = undefined;
      } else pos = whence === SEEK_SET ? off : whence === SEEK_CUR ? d.offset + off : Number(f.handle.stat().size) + off;
    } catch (err) {
      return fail(err);
    }
    if (pos < 0) return -EINVAL;
    d.offset = pos;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt(pos), true);
    return out;
  }

  /** Write llseek's new position pos (or pass its -errno on). */
  private seekResult(call: HostCall, resultVa: number, pos: number): number {
    if (pos < 0) return pos;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt(pos), true);
    return copyToUser(this.machine, call.satp, resultVa, out) ? 0 : -EFAULT;
  }

  /** llseek on a console stdin that is a host file (qemu-user seeks the host's descriptor). */
  private seekConsole(call: HostCall, f: ConsoleIn, hi: number, lo: number, resultVa: number, whence: number): number {
    if (whence > SEEK_END) return -EINVAL;
    const pos = f.seek((hi | 0) * 2 ** 32 + lo, whence);
    if (pos === null) return -EINVAL;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt(pos), true);
    return copyToUser(this.machine, call.satp, resultVa, out) ? 0 : -EFAULT;
  }

  private statx(call: HostCall): HostAnswer {
    const [dirfd, pathVa, flags, mask, buf] = call.args as [number, number, number, number, number];
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) !== 0) return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
    if ((mask & STATX_RESERVED) !== 0) return -EINVAL;
    const path = this.path(call, pathVa);
    if (typeof path === 'number') return path;
    let st: FileStat;
    if (path === '') {
      if ((flags & AT_EMPTY_PATH) === 0) return -ENOENT;
      if ((dirfd | 0) === AT_FDCWD) {
        try { st = this.vfs.resolve(this.filesOf(call).fs.cwd, '.', { follow: true }).stat!; } catch (err) { return fail(err); }
      } else {
        const e = this.entry(call, dirfd);
        if (e === undefined) return -EBADF;
        const f = e.desc.file;
        if (f.kind === 'remote') {
          const copyOut = (bytes: Uint8Array): number => (copyToUser(this.machine, call.satp, buf, bytes) ? 0 : -EFAULT);
          return this.exchange(call, f, dataExchange({ op: 'stat', id: f.id }, STATX_BYTES, (r) => (typeof r === 'number' ? r : copyOut(r))));
        }
        try { st = this.statOf(e.desc); } catch (err) { return fail(err); }
      }
    } else {
      const r = this.resolveAt(call, dirfd, pathVa, (flags & AT_SYMLINK_NOFOLLOW) === 0);
      if (typeof r === 'number') return r;
      if (r.stat === null) return -ENOENT;
      st = r.stat;
    }
    return copyToUser(this.machine, call.satp, buf, statxBytes(st)) ? 0 : -EFAULT;
  }

  private getdents(call: HostCall): HostAnswer {
    const [fd, va, count] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const f = e.desc.file;
    const store = (bytes: Uint8Array): boolean => copyToUser(this.machine, call.satp, va, bytes);
    if (f.kind !== 'remote') return this.direntsOf(e.desc, count, store);
    // The home moves the offset when it answers: ask only for what the buffer can take.
    const room = userWritableBytes(this.machine, call.satp, va, Math.min(count, REMOTE_IO_BYTES_MAX));
    if (room === 0 && count > 0) return -EFAULT;
    return this.exchange(call, f, dataExchange({ op: 'getdents', id: f.id, count: room }, room, (r) => (typeof r === 'number' ? r : store(r) ? 0 : -EFAULT)));
  }

  /** getdents64 of d: the bytes of the entries that fit in count go to store (false: -EFAULT, offset kept). */
  private direntsOf(d: Description, count: number, store: (bytes: Uint8Array) => boolean): number {
    const f = d.file;
    if (f.kind !== 'vfs' || f.pathOnly) return f.kind === 'vfs' ? -EBADF : -ENOTDIR;
    if (!f.isDir) return -ENOTDIR;
    try {
      if (f.listing === undefined || d.offset === 0) {
        const self = f.handle.stat().ino;
        let parent = self;
        try { parent = this.vfs.resolve(f.path, '..', { follow: false }).stat?.ino ?? self; } catch { /* removed: its own */ }
        f.listing = [{ name: '.', ino: self, kind: 'dir' }, { name: '..', ino: parent, kind: 'dir' }, ...f.handle.readdir()];
      }
    } catch (err) {
      return fail(err);
    }
    const list = f.listing;
    const chunks: Uint8Array[] = [];
    let used = 0;
    let i = d.offset;
    for (; i < list.length; i++) {
      const name = latin1Bytes(list[i]!.name);
      const reclen = (DIRENT_HEADER_BYTES + name.length + 1 + 7) & ~7;
      if (used + reclen > count) break;
      const rec = new Uint8Array(reclen);
      const v = new DataView(rec.buffer);
      v.setBigUint64(0, list[i]!.ino, true);
      v.setBigInt64(8, BigInt(i + 1), true);
      v.setUint16(16, reclen, true);
      rec[18] = DIRENT_TYPE[list[i]!.kind] ?? DT_UNKNOWN;
      rec.set(name, DIRENT_HEADER_BYTES);
      chunks.push(rec);
      used += reclen;
    }
    if (chunks.length === 0 && i < list.length) return -EINVAL;
    const out = new Uint8Array(used);
    let off = 0;
    for (const c of chunks) { out.set(c, off); off += c.length; }
    if (used > 0 && !store(out)) return -EFAULT;
    d.offset = i;
    return used;
  }

  private mkdirat(call: HostCall): HostAnswer {
    const [dirfd, pathVa, mode] = call.args as [number, number, number];
    const r = this.resolveAt(call, dirfd, pathVa, false);
    if (typeof r === 'number') return r;
    if (r.stat !== null) return -EEXIST;
    try { return this.answerWhen(call, r.mount.mkdir(r.rel, mode & 0o7777 & ~this.filesOf(call).fs.umask), () => 0); } catch (err) { return fail(err); }
  }

  private unlinkat(call: HostCall): HostAnswer {
    const [dirfd, pathVa, flags] = call.args as [number, number, number];
    if ((flags & ~AT_REMOVEDIR) !== 0) return -EINVAL;
    const r = this.resolveAt(call, dirfd, pathVa, false);
    if (typeof r === 'number') return r;
    try {
      if ((flags & AT_REMOVEDIR) !== 0) {
        if (r.last === '.') return -EINVAL;
        if (r.last === '..') return -ENOTEMPTY;
        if (r.stat === null) return -ENOENT;
        if (r.stat.kind !== 'dir') return -ENOTDIR;
        if (r.rel.length === 0) return -EBUSY;
        return this.answerWhen(call, r.mount.rmdir(r.rel), () => 0);
      }
      if (r.stat === null) return -ENOENT;
      if (r.stat.kind === 'dir') return -EISDIR;
      return this.answerWhen(call, r.mount.unlink(r.rel), () => 0);
    } catch (err) {
      return fail(err);
    }
  }

  private renameat2(call: HostCall): HostAnswer {
    const [olddir, oldVa, newdir, newVa, flags] = call.args as [number, number, number, number, number];
    if ((flags & ~RENAME_NOREPLACE) !== 0) return -EINVAL;
    const a = this.resolveAt(call, olddir, oldVa, false);
    if (typeof a === 'number') return a;
    const b = this.resolveAt(call, newdir, newVa, false);
    if (typeof b === 'number') return b;
    if (a.stat === null) return -ENOENT;
    if (a.last === '.' || a.last === '..' || b.last === '.' || b.last === '..' || a.rel.length === 0 || b.rel.length === 0) return -EBUSY;
    if (a.mount !== b.mount) return -EXDEV;
    if ((flags & RENAME_NOREPLACE) !== 0 && b.stat !== null) return -EEXIST;
    if (b.stat !== null) {
      if (a.stat.kind === 'dir' && b.stat.kind !== 'dir') return -ENOTDIR;
      if (a.stat.kind !== 'dir' && b.stat.kind === 'dir') return -EISDIR;
    }
    if (a.path === b.path) return 0;
    if (a.stat.kind === 'dir' && (b.path + '/').startsWith(a.path + '/')) return -EINVAL;
    try { return this.answerWhen(call, a.mount.rename(a.rel, b.rel, (flags & RENAME_NOREPLACE) !== 0), () => 0); } catch (err) { return fail(err); }
  }

  private ftruncate(call: HostCall): HostAnswer {
    const [fd, lo, hi] = call.args as [number, number, number];
    const e = this.entry(call, fd);
    if (e === undefined) return -EBADF;
    const f = e.desc.file;
    const pathOnly = (f.kind === 'vfs' || f.kind === 'remote') && f.pathOnly;
    if (hi >= 0x8000_0000 && !pathOnly) return -EINVAL;
    const length = hi * 2 ** 32 + lo;
    if (f.kind === 'remote') return this.exchange(call, f, simpleExchange({ op: 'truncate', id: f.id, length }));
    return this.truncateOf(call, e.desc, length);
  }

  private truncateOf(who: Caller, d: Description, length: number): HostAnswer {
    const f = d.file;
    if (f.kind === 'vfs' && f.pathOnly) return -EBADF;
    if (f.kind !== 'vfs' || f.isDir || !d.writable) return -EINVAL;
    try { return this.answerWhen(who, f.handle.truncate(length), () => 0); } catch (err) { return fail(err); }
  }

  private fsync(call: HostCall): HostAnswer {
    const e = this.entry(call, call.args[0]!);
    if (e === undefined) return -EBADF;
    const f = e.desc.file;
    if (f.kind === 'remote') return this.exchange(call, f, simpleExchange({ op: 'sync', id: f.id }));
    return this.syncOf(call, e.desc);
  }

  private syncOf(who: Caller, d: Description): HostAnswer {
    const f = d.file;
    if (f.kind === 'vfs' && f.pathOnly) return -EBADF;
    if (f.kind !== 'vfs') return -EINVAL;
    try { return this.answerWhen(who, f.handle.sync(), () => 0); } catch (err) { return fail(err); }
  }

  private faccessat(call: HostCall, flags: number): number {
    const [dirfd, pathVa, mode] = call.args as [number, number, number];
    if ((mode & ~7) !== 0) return -EINVAL;
    if ((flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
    const r = this.resolveAt(call, dirfd, pathVa, (flags & AT_SYMLINK_NOFOLLOW) === 0);
    if (typeof r === 'number') return r;
    if (r.stat === null) return -ENOENT;
    if (r.stat.kind === 'symlink') return 0;
    try { r.mount.access(r.rel, mode); } catch (err) { return fail(err); }
    return 0;
  }

  private readlinkat(call: HostCall): number {
    const [dirfd, pathVa, buf, size] = call.args as [number, number, number, number];
    if ((size | 0) <= 0) return -EINVAL;
    const r = this.resolveAt(call, dirfd, pathVa, false);
    if (typeof r === 'number') return r;
    if (r.stat === null) return -ENOENT;
    if (r.stat.kind !== 'symlink') return -EINVAL;
    let target: Uint8Array;
    try { target = latin1Bytes(r.mount.readlink(r.rel)); } catch (err) { return fail(err); }
    const out = target.subarray(0, Math.min(size, target.length));
    return copyToUser(this.machine, call.satp, buf, out) ? out.length : -EFAULT;
  }

  private symlinkat(call: HostCall): HostAnswer {
    const [targetVa, dirfd, pathVa] = call.args as [number, number, number];
    const target = this.path(call, targetVa);
    if (typeof target === 'number') return target;
    const r = this.resolveAt(call, dirfd, pathVa, false);
    if (typeof r === 'number') return r;
    if (target === '') return -ENOENT;
    if (r.stat !== null) return -EEXIST;
    try { return this.answerWhen(call, r.mount.symlink(target, r.rel), () => 0); } catch (err) { return fail(err); }
  }

  private linkat(call: HostCall): HostAnswer {
    const [olddir, oldVa, newdir, newVa, flags] = call.args as [number, number, number, number, number];
    if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
    const a = this.resolveAt(call, olddir, oldVa, (flags & AT_SYMLINK_FOLLOW) !== 0);
    if (typeof a === 'number') return a;
    const b = this.resolveAt(call, newdir, newVa, false);
    if (typeof b === 'number') return b;
    if (a.stat === null) return -ENOENT;
    if (b.stat !== null) return -EEXIST;
    if (a.stat.kind === 'dir') return -EPERM;
    if (a.mount !== b.mount) return -EXDEV;
    try { return this.answerWhen(call, a.mount.link(a.rel, b.rel), () => 0); } catch (err) { return fail(err); }
  }

  private getcwd(call: HostCall): number {
    const [buf, size] = call.args as [number, number];
    const cwd = latin1Bytes(this.filesOf(call).fs.cwd + '\0');
    if (size < cwd.length) return -ERANGE;
    return copyToUser(this.machine, call.satp, buf, cwd) ? cwd.length : -EFAULT;
  }

  private chdir(call: HostCall): number {
    const r = this.resolveAt(call, AT_FDCWD, call.args[0]!, true);
    if (typeof r === 'number') return r;
    if (r.stat === null) return -ENOENT;
    if (r.stat.kind !== 'dir') return -ENOTDIR;
    try { r.mount.access(r.rel, 1); } catch (err) { return fail(err); }
    this.filesOf(call).fs.cwd = r.path;
    return 0;
  }

  private fchdir(call: HostCall): number {
    const e = this.entry(call, call.args[0]!);
    if (e === undefined) return -EBADF;
    const path = directoryPath(e.desc.file);
    if (path === null) return -ENOTDIR;
    this.filesOf(call).fs.cwd = path;
    return 0;
  }

  private umask(call: HostCall): number {
    const fs = this.filesOf(call).fs;
    const old = fs.umask;
    fs.umask = call.args[0]! & 0o777;
    return old;
  }
}

/** The path of a directory description (one at another node by the path it was opened by: the cluster's
 * namespace is one file system), or null when it is not a directory. */
function directoryPath(f: FileObject): string | null {
  if (f.kind === 'vfs') return f.isDir ? f.path : null;
  if (f.kind === 'remote') return f.type === 'dir' ? f.path : null;
  return null;
}

/** pread64 and pwrite64 take a position on a file, not on a pipe or the console (ESPIPE). */
function positional(f: FileObject): boolean {
  return f.kind === 'vfs' || f.kind === 'mqueue' || (f.kind === 'remote' && f.type !== 'pipe');
}

/** fcntl F_GETFL and F_SETFL on a description of this machine. */
function statusFlags(d: Description, cmd: number, arg: number): number {
  if (cmd === F_GETFL) return d.flags;
  d.flags = (d.flags & ~SETFL_FLAGS) | (arg & SETFL_FLAGS);
  return 0;
}

/** A call that is one request whose reply is the call's answer. */
function simpleExchange(request: Exchange['request']): Exchange {
  return { request, partial: () => -ERESTARTSYS, then: (reply) => answerOf(reply) };
}

/** A call that is one request whose reply brings bytes (at most dataMax) that use copies out: 0 or -errno. */
function dataExchange(request: Exchange['request'], dataMax: number, use: (r: number | Uint8Array) => number): Exchange {
  return {
    request, dataMax, partial: () => -ERESTARTSYS,
    then: (reply: RemoteReply) => {
      if (reply.result < 0) return reply.result;
      const bytes = reply.data === undefined ? null : decodeBytes(reply.data);
      if (bytes === null) return REMOTE_UNREACHABLE;
      const r = use(bytes);
      return r < 0 ? r : reply.result;
    },
  };
}

const TERMIOS_BYTES = 36;

const DIRENT_TYPE: Readonly<Record<string, number>> = {
  file: DT_REG, dir: DT_DIR, symlink: DT_LNK, fifo: DT_FIFO, char: DT_CHR, block: DT_BLK, socket: DT_SOCK, unknown: DT_UNKNOWN,
};

/** A struct statx (linux/stat.h, 256 bytes) of st. */
export function statxBytes(st: FileStat): Uint8Array {
  const out = new Uint8Array(STATX_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(0, STATX_BASIC_STATS | (st.birthtime_ns !== 0n ? STATX_BTIME : 0), true);
  v.setUint32(4, st.blksize, true);
  v.setBigUint64(8, 0n, true); // attributes
  v.setUint32(16, st.nlink, true);
  v.setUint32(20, st.uid, true);
  v.setUint32(24, st.gid, true);
  v.setUint16(28, st.mode & 0xffff, true);
  v.setBigUint64(32, st.ino, true);
  v.setBigUint64(40, st.size, true);
  v.setBigUint64(48, st.blocks, true);
  v.setBigUint64(56, 0n, true); // attributes_mask
  const time = (off: number, ns: bigint): void => {
    const sec = ns / 1_000_000_000n;
    v.setBigInt64(off, sec, true);
    v.setUint32(off + 8, Number(ns - sec * 1_000_000_000n), true);
  };
  time(64, st.atime_ns);
  time(80, st.birthtime_ns);
  time(96, st.ctime_ns);
  time(112, st.mtime_ns);
  const major = (dev: bigint): number => Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)) >>> 0;
  const minor = (dev: bigint): number => Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)) >>> 0;
  v.setUint32(128, major(st.rdev), true);
  v.setUint32(132, minor(st.rdev), true);
  v.setUint32(136, major(st.dev), true);
  v.setUint32(140, minor(st.dev), true);
  return out;
}

/** A struct termios (asm-generic termbits: 4 flag words, c_line, 19 c_cc) of a terminal in its usual cooked mode. */
function termios(): Uint8Array {
  const out = new Uint8Array(36);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x0500, true); // ICRNL | IXON
  v.setUint32(4, 0x0005, true); // OPOST | ONLCR
  v.setUint32(8, 0x00bf, true); // B38400 | CS8 | CREAD
  v.setUint32(12, 0x8a3b, true); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
  out.set([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0], 17);
  return out;
}

