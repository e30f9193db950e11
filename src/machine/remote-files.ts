// Open file descriptions that live on another machine. A process created elsewhere (a remote fork) keeps the
// descriptions it inherited where they are, at their home; its own machine holds a 'remote' file naming the home
// node and the description's id, and every call on it is a request to the home's host. Here: the JSON messages
// and their checks, the home's register of exported descriptions and who holds them, and the caller's side (one
// request per host call in flight, long transfers cut into REMOTE_IO_BYTES_MAX pieces, cancellation).
// Limits: a request moves at most REMOTE_IO_BYTES_MAX bytes; a home keeps at most REMOTE_WAITS_PER_NODE_MAX
// waiting requests of one node; the transport must deliver one node's requests to a home in the order sent.
import { EFAULT, EIO, ERESTARTSYS } from './abi.js';
import { base64Bytes, base64Text } from '../base/index.js';
import type { LockIdentity } from '../vfs/index.js';
import { LATER, type HostAnswer, type HostCall } from './hostcall.js';
import { RING_ENTRIES } from './layout.js';

/** Bytes one request or reply carries at most (a longer read or write is several requests, or a short count). */
export const REMOTE_IO_BYTES_MAX = 64 * 1024;
/** Requests of one node a home keeps waiting at once: a machine has no more host calls than ring records. */
export const REMOTE_WAITS_PER_NODE_MAX = RING_ENTRIES;
/** The answer to a request the home never got, or could not read: the guest's "I/O error", as on a lost NFS server. */
export const REMOTE_UNREACHABLE = -EIO;
const NODE_NAME_MAX = 256;
const PATH_CHARS_MAX = 4096;
const SIGNAL_MAX = 64;

// ---- the messages ---------------------------------------------------------------------------------------

/** What a description is at home, as far as the other machine needs to know (pread, *at paths, fchdir). */
export type RemoteFileType = 'pipe' | 'file' | 'dir';

export type RemoteRequest =
  | { readonly op: 'read'; readonly call: number; readonly id: number; readonly n: number; readonly pos?: number }
  | { readonly op: 'write'; readonly call: number; readonly id: number; readonly data: string; readonly pos?: number }
  | { readonly op: 'seek'; readonly call: number; readonly id: number; readonly offset: number; readonly whence: number }
  | { readonly op: 'stat'; readonly call: number; readonly id: number }
  | { readonly op: 'getfl'; readonly call: number; readonly id: number }
  | { readonly op: 'setfl'; readonly call: number; readonly id: number; readonly flags: number }
  | { readonly op: 'ioctl'; readonly call: number; readonly id: number; readonly req: number }
  | { readonly op: 'getdents'; readonly call: number; readonly id: number; readonly count: number }
  | { readonly op: 'truncate'; readonly call: number; readonly id: number; readonly length: number }
  | { readonly op: 'sync'; readonly call: number; readonly id: number }
  /** One more hold of id for holder (a process holding it forked to holder). */
  | { readonly op: 'hold'; readonly call: number; readonly id: number; readonly holder: string }
  /** One hold fewer of id for holder (default: the sender): its last descriptor there closed. */
  | { readonly op: 'release'; readonly call: number; readonly id: number; readonly holder?: string }
  /** The sender runs the process its holds of id were taken for (by another node: a migration, a remote fork). */
  | { readonly op: 'claim'; readonly call: number; readonly id: number }
  /** Answer the sender's waiting request number target now, as an interrupted call. */
  | { readonly op: 'cancel'; readonly call: number; readonly target: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request before the sender numbers it. */
export type RemoteRequestBody = DistributiveOmit<RemoteRequest, 'call'>;

/** result: what the call returns (a count, 0, or -errno); data: bytes read (base64); signal: raised on the caller. */
export interface RemoteReply {
  readonly result: number;
  readonly data?: string;
  readonly signal?: number;
}

/**
 * Carries requests to another node's FileServer.serveRemote and brings the reply back: done is called exactly
 * once, with { result: REMOTE_UNREACHABLE } when the home cannot be reached. One node's requests to one home
 * arrive in the order they were sent (a cancel after the request it cancels, a release after the calls before it).
 */
export interface FileTransport {
  call(home: string, request: RemoteRequest, done: (reply: unknown) => void): void;
}

/** A description as it travels in ExportedFiles: one of the exporter's consoles, or a description at a home. */
export type ExportedDescription =
  | { readonly kind: 'console'; readonly stream: 'in' | 'out' | 'err'; readonly flags: number }
  | {
    readonly kind: 'remote';
    /** Absent: the exporting node. */
    readonly home?: string;
    readonly id: number;
    readonly flags: number;
    readonly type: RemoteFileType;
    readonly path_only: boolean;
    /** The path it was opened by ('' for a pipe): the cluster's namespace is one file system. */
    readonly path: string;
    /** Where its locks are kept, when a lock manager of the cluster keeps them (the global namespace's). */
    readonly lock?: LockIdentity;
  };

/** A process's descriptors and fs state, for a child being created on another machine (plain JSON). */
export interface ExportedFiles {
  readonly cwd: string;
  readonly umask: number;
  readonly descriptions: readonly ExportedDescription[];
  /** description: an index into descriptions (several fds sharing one description name the same index). */
  readonly fds: readonly { readonly fd: number; readonly description: number; readonly cloexec: boolean }[];
}

// ---- checks on receipt ----------------------------------------------------------------------------------

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint = (v: unknown, max = 0xffff_ffff): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isInt32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= -0x8000_0000 && (v as number) <= 0x7fff_ffff;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= NODE_NAME_MAX;
const BASE64_CHARS_MAX = Math.ceil(REMOTE_IO_BYTES_MAX / 3) * 4;

/** Bytes of a base64 field, or null when it is not base64 of at most REMOTE_IO_BYTES_MAX bytes. */
export function decodeBytes(v: unknown): Uint8Array | null {
  if (typeof v !== 'string' || v.length > BASE64_CHARS_MAX) return null;
  return base64Bytes(v);
}

export function encodeBytes(bytes: Uint8Array): string {
  return base64Text(bytes);
}

const FIELD_CHECKS: Readonly<Record<RemoteRequest['op'], Readonly<Record<string, (v: unknown) => boolean>>>> = {
  read: { id: isUint, n: (v) => isUint(v, REMOTE_IO_BYTES_MAX) },
  write: { id: isUint, data: (v) => decodeBytes(v) !== null },
  seek: { id: isUint, offset: Number.isSafeInteger, whence: isUint },
  stat: { id: isUint },
  getfl: { id: isUint },
  setfl: { id: isUint, flags: isInt32 },
  ioctl: { id: isUint, req: isUint },
  getdents: { id: isUint, count: isUint },
  truncate: { id: isUint, length: (v) => isUint(v, Number.MAX_SAFE_INTEGER) },
  sync: { id: isUint },
  hold: { id: isUint, holder: isName },
  release: { id: isUint },
  claim: { id: isUint },
  cancel: { target: isUint },
};

/** The request, or a line saying what is wrong with it. */
export function parseRequest(raw: unknown): RemoteRequest | string {
  if (!isObject(raw)) return 'a request is a JSON object';
  const op = raw.op;
  if (typeof op !== 'string' || !Object.hasOwn(FIELD_CHECKS, op)) return `unknown request ${JSON.stringify(op)}`;
  if (!isUint(raw.call)) return `${op}: call must be a request number`;
  for (const [field, ok] of Object.entries(FIELD_CHECKS[op as RemoteRequest['op']])) {
    if (!ok(raw[field])) return `${op}: bad ${field}`;
  }
  if ((op === 'read' || op === 'write') && raw.pos !== undefined && !isUint(raw.pos, Number.MAX_SAFE_INTEGER)) return `${op}: bad pos`;
  if (op === 'release' && raw.holder !== undefined && !isName(raw.holder)) return 'release: bad holder';
  return raw as unknown as RemoteRequest;
}

/** The reply, or null when it is not one (the caller then answers REMOTE_UNREACHABLE). */
export function parseReply(raw: unknown, dataMax = REMOTE_IO_BYTES_MAX): RemoteReply | null {
  if (!isObject(raw) || !isInt32(raw.result)) return null;
  if (raw.signal !== undefined && !isUint(raw.signal, SIGNAL_MAX)) return null;
  if (raw.data !== undefined) {
    const bytes = decodeBytes(raw.data);
    if (bytes === null || bytes.length > dataMax) return null;
  }
  return raw as unknown as RemoteReply;
}

/** The export, or a line saying what is wrong with it. */
export function parseExport(raw: unknown, fdsMax: number): ExportedFiles | string {
  if (!isObject(raw)) return 'exported files are a JSON object';
  if (typeof raw.cwd !== 'string' || !raw.cwd.startsWith('/') || raw.cwd.length > PATH_CHARS_MAX) return 'cwd must be an absolute path';
  if (!isUint(raw.umask, 0o777)) return 'umask must be 0..0o777';
  if (!Array.isArray(raw.descriptions) || raw.descriptions.length > fdsMax) return `descriptions must be a list of at most ${fdsMax}`;
  for (const [i, d] of raw.descriptions.entries()) {
    const why = checkDescription(d);
    if (why !== null) return `description ${i}: ${why}`;
  }
  if (!Array.isArray(raw.fds) || raw.fds.length > fdsMax) return `fds must be a list of at most ${fdsMax}`;
  const seen = new Set<number>();
  for (const e of raw.fds) {
    if (!isObject(e) || !isUint(e.fd, fdsMax - 1) || seen.has(e.fd)) return `fd entries need distinct fds 0..${fdsMax - 1}`;
    if (!isUint(e.description, raw.descriptions.length - 1) || typeof e.cloexec !== 'boolean') return `fd ${e.fd}: bad description or cloexec`;
    seen.add(e.fd);
  }
  return raw as unknown as ExportedFiles;
}

function checkDescription(d: unknown): string | null {
  if (!isObject(d) || !isInt32(d.flags)) return 'needs flags';
  if (d.kind === 'console') return d.stream === 'in' || d.stream === 'out' || d.stream === 'err' ? null : 'stream must be in, out or err';
  if (d.kind !== 'remote') return 'kind must be console or remote';
  if (d.home !== undefined && !isName(d.home)) return 'bad home';
  if (!isUint(d.id) || d.id === 0) return 'bad id';
  if (d.type !== 'pipe' && d.type !== 'file' && d.type !== 'dir') return 'type must be pipe, file or dir';
  if (typeof d.path_only !== 'boolean' || typeof d.path !== 'string' || d.path.length > PATH_CHARS_MAX) return 'bad path';
  if (d.lock !== undefined) {
    const l = d.lock as Record<string, unknown> | null;
    const key = (v: unknown): boolean => typeof v === 'string' && v !== '' && v.length <= 64;
    if (!isObject(l) || !key(l.domain) || !key(l.file) || !key(l.desc)) return 'bad lock identity';
  }
  return null;
}

/** A service's answer as a reply (data: the bytes a read took, sent only with a positive count). */
export function replyOf(a: Exclude<HostAnswer, typeof LATER>, data?: Uint8Array | null): RemoteReply {
  const result = typeof a === 'number' ? a : a.result ?? 0;
  const signal = typeof a === 'number' ? 0 : a.signal ?? 0;
  return {
    result,
    ...(data && result >= 0 ? { data: encodeBytes(data) } : {}),
    ...(signal !== 0 ? { signal } : {}),
  };
}

// ---- the home: descriptions other nodes hold ------------------------------------------------------------

/** What a home record keeps: an open file description (descriptors.ts), counted by retain and release. */
export interface Retained {
  retain(): this;
  release(): void;
}

interface HomeRecord<D> {
  readonly id: number;
  readonly desc: D;
  /** Holds per node; one may go below zero for a while (a release overtook the hold its exporter announced). */
  readonly holds: Map<string, number>;
}

/**
 * The descriptions of this machine that other nodes hold. A record retains its description once, for all its
 * holders, and lets go when every node's count is back to zero.
 *
 * A hold one node takes for another (its process moves there, or forks there) is that node's until the holder
 * claims it (it runs the process: claim) or uses it: should the node that asked go down first, the holds it
 * asked for and nobody claimed go with it (the process never got there, and nobody else would let go of them).
 * A node that went down has no holds left: a late release for it is not counted against a later boot.
 */
export class RemoteHome<D extends Retained> {
  private readonly byId = new Map<number, HomeRecord<D>>();
  private readonly byDesc = new Map<D, HomeRecord<D>>();
  private nextId = 1;
  /** Holds taken for a holder by another node and not claimed yet: by that node, then "id holder", a count. */
  private readonly asked = new Map<string, Map<string, number>>();
  /** Nodes whose holds were dropped (down), until they take a hold again. */
  private readonly gone = new Set<string>();

  /** One more hold of desc for holder: its id (the same for as long as any node holds it). */
  export(desc: D, holder: string): number {
    let rec = this.byDesc.get(desc);
    if (rec === undefined) {
      rec = { id: this.nextId++, desc: desc.retain(), holds: new Map() };
      this.byId.set(rec.id, rec);
      this.byDesc.set(desc, rec);
    }
    this.add(rec, holder, 1);
    return rec.id;
  }

  get(id: number): D | undefined {
    return this.byId.get(id)?.desc;
  }

  /** Change holder's count of id by delta (asked by node `by`, default the holder): false when no node holds id. */
  adjust(id: number, holder: string, delta: 1 | -1, by: string = holder): boolean {
    const rec = this.byId.get(id);
    if (rec === undefined) return false;
    if (by === holder) this.claim(id, holder); // a holder that lets go of one has taken them as its own
    if (delta > 0) this.gone.delete(holder);
    else if (this.gone.has(holder) && (rec.holds.get(holder) ?? 0) <= 0) return true; // its holds went when it did
    if (by !== holder) {
      const key = `${id} ${holder}`;
      let m = this.asked.get(by);
      if (m === undefined && delta > 0) this.asked.set(by, m = new Map());
      const n = (m?.get(key) ?? 0) + delta;
      if (m !== undefined) {
        if (n > 0) m.set(key, n);
        else if (m.delete(key) && m.size === 0) this.asked.delete(by);
      }
    }
    this.add(rec, holder, delta);
    return true;
  }

  /** The holder runs what its holds of id were taken for: they are its own now, whoever asked for them. */
  claim(id: number, holder: string): void {
    if (this.asked.size === 0) return; // (every remote request claims: usually nothing is asked)
    const key = `${id} ${holder}`;
    for (const [by, m] of [...this.asked]) if (m.delete(key) && m.size === 0) this.asked.delete(by);
  }

  /** Drop every hold of node (it is down), and every hold it asked for others that they never claimed. */
  releaseHolder(node: string): void {
    this.gone.add(node);
    for (const rec of [...this.byId.values()]) {
      if (rec.holds.delete(node)) this.settle(rec);
    }
    for (const [by, m] of [...this.asked]) {
      for (const key of [...m.keys()]) if (key.endsWith(` ${node}`)) m.delete(key);
      if (m.size === 0) this.asked.delete(by);
    }
    const asked = this.asked.get(node);
    this.asked.delete(node);
    for (const [key, n] of asked ?? []) {
      const [id, holder] = key.split(' ') as [string, string];
      const rec = this.byId.get(Number(id));
      if (rec !== undefined) this.add(rec, holder, -n);
    }
  }

  /** Nodes holding some description here (their going down must let go of it). */
  holders(): Set<string> {
    const out = new Set<string>();
    for (const rec of this.byId.values()) for (const [node, n] of rec.holds) if (n > 0) out.add(node);
    return out;
  }

  /** Descriptions held from elsewhere. */
  get size(): number {
    return this.byId.size;
  }

  private add(rec: HomeRecord<D>, holder: string, delta: number): void {
    const n = (rec.holds.get(holder) ?? 0) + delta;
    if (n === 0) rec.holds.delete(holder); else rec.holds.set(holder, n);
    this.settle(rec);
  }

  private settle(rec: HomeRecord<D>): void {
    if (rec.holds.size > 0) return;
    this.byId.delete(rec.id);
    this.byDesc.delete(rec.desc);
    rec.desc.release();
  }
}

// ---- the caller's side ----------------------------------------------------------------------------------

/** A description at home on another node, as a local description's file. */
export class RemoteFile {
  readonly kind = 'remote';
  private released = false;

  constructor(
    readonly home: string, readonly id: number, readonly type: RemoteFileType, readonly pathOnly: boolean,
    readonly path: string, readonly transport: FileTransport, private readonly client: RemoteClient,
    /** Where its locks are kept (absent: nowhere this node reaches; lock calls on it fail with ENOLCK). */
    readonly lock?: LockIdentity,
  ) {}

  /** Let go without telling the home: its exporter already gave this node's hold back (abandonExport). */
  forget(): void {
    this.released = true;
  }

  /** The last local descriptor closed: the home lets go of this node's hold. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.client.notify(this.transport, this.home, { op: 'release', id: this.id });
  }
}

/** One request of a call and what its reply makes of the call: its answer, or the next request. */
export interface Exchange {
  readonly request: RemoteRequestBody;
  readonly then: (reply: RemoteReply) => HostAnswer | Exchange;
  /** The call's answer if it stops before this request is sent (it was interrupted): what earlier ones did. */
  readonly partial: () => HostAnswer;
  /** The reply's data may be this long (a read's request size). */
  readonly dataMax?: number;
}

interface Pending {
  readonly call: HostCall;
  readonly file: RemoteFile;
  /** The number of the request in flight. */
  number: number;
  cancelling: boolean;
}

export const isExchange = (a: HostAnswer | Exchange): a is Exchange => typeof a === 'object' && 'request' in a;

/**
 * The host calls of this machine waiting for a home's reply, by host-call id. A call is answered when the reply to
 * its last request arrives; an interrupted one sends `cancel` and takes what the home then answers (-ERESTARTSYS,
 * or what was done), so bytes a home took always reach the caller. A call whose process is gone is answered at
 * once and its reply dropped.
 */
export class RemoteClient {
  private readonly pending = new Map<number, Pending>();
  private nextNumber = 1;

  constructor(private readonly answer: (call: HostCall, a: HostAnswer) => void) {}

  /** Send the first request of call: LATER (the call is answered when the replies come). */
  start(call: HostCall, file: RemoteFile, first: Exchange): HostAnswer {
    const p: Pending = { call, file, number: 0, cancelling: false };
    this.pending.set(call.id, p);
    this.send(p, first);
    return LATER;
  }

  /** A request no call waits for (release, hold, cancel): its reply is dropped. */
  notify(transport: FileTransport, home: string, body: RemoteRequestBody): void {
    transport.call(home, { ...body, call: this.nextNumber++ } as RemoteRequest, () => {});
  }

  /** Ask the homes to end the waits of the calls interrupted(call) names (a signal came, the process is dying). */
  poll(interrupted: (call: HostCall) => boolean): void {
    for (const p of this.pending.values()) {
      if (!p.cancelling && interrupted(p.call)) this.cancel(p);
    }
  }

  /** pid's process is gone: its calls are answered now (a cancel still goes home, so nothing more is taken). */
  abandon(pid: number, answer: HostAnswer): void {
    for (const p of [...this.pending.values()]) {
      if (p.call.pid !== pid) continue;
      if (!p.cancelling) this.cancel(p);
      this.pending.delete(p.call.id);
      this.answer(p.call, answer);
    }
  }

  /** Calls waiting for a reply. */
  get size(): number {
    return this.pending.size;
  }

  private cancel(p: Pending): void {
    p.cancelling = true;
    this.notify(p.file.transport, p.file.home, { op: 'cancel', target: p.number });
  }

  private send(p: Pending, ex: Exchange): void {
    const number = this.nextNumber++;
    p.number = number;
    const request = { ...ex.request, call: number } as RemoteRequest;
    p.file.transport.call(p.file.home, request, (raw) => {
      if (this.pending.get(p.call.id) !== p || p.number !== number) return; // abandoned, or a second reply
      const reply = parseReply(raw, ex.dataMax ?? 0) ?? { result: REMOTE_UNREACHABLE };
      const next = ex.then(reply);
      if (isExchange(next) && !p.cancelling) { this.send(p, next); return; }
      this.pending.delete(p.call.id);
      this.answer(p.call, isExchange(next) ? next.partial() : next);
    });
  }
}

/** A reply's answer for the ring: result, and the signal it carries (SIGPIPE with -EPIPE). */
export function answerOf(reply: RemoteReply, result = reply.result): HostAnswer {
  return reply.signal ? { result, signal: reply.signal } : result;
}

/**
 * The exchanges of a read of up to n bytes: at most REMOTE_IO_BYTES_MAX and at most room(got) bytes per request
 * (the user buffer's writable length from got: a request never takes bytes the caller could not store), repeated
 * while a file gives whole pieces; put stores everything at the end.
 */
export function readExchanges(
  file: RemoteFile, n: number, pos: number | undefined, room: (from: number, max: number) => number, put: (bytes: Uint8Array) => boolean,
): HostAnswer | Exchange {
  const parts: Uint8Array[] = [];
  let got = 0;
  const finish = (): HostAnswer => {
    const all = concat(parts, got);
    return put(all) ? got : -EFAULT; // the buffer went away while the read waited
  };
  const next = (): HostAnswer | Exchange => {
    const want = Math.min(n - got, REMOTE_IO_BYTES_MAX);
    const k = want === 0 ? 0 : room(got, want);
    if (k === 0 && want > 0) return got > 0 ? finish() : -EFAULT;
    const at = pos === undefined ? {} : { pos: pos + got };
    return {
      request: { op: 'read', id: file.id, n: k, ...at }, dataMax: k, partial: () => (got > 0 ? finish() : -ERESTARTSYS),
      then: (reply) => {
        if (reply.result <= 0) return got > 0 ? finish() : answerOf(reply);
        const bytes = decodeBytes(reply.data ?? '');
        if (bytes === null || bytes.length !== reply.result) return got > 0 ? finish() : REMOTE_UNREACHABLE;
        parts.push(bytes);
        got += bytes.length;
        return file.type !== 'pipe' && bytes.length === k && got < n ? next() : finish();
      },
    };
  };
  return next();
}

/** The exchanges of a write of data: REMOTE_IO_BYTES_MAX at a time, while each piece goes in whole. */
export function writeExchanges(file: RemoteFile, data: Uint8Array, pos: number | undefined): Exchange {
  let done = 0;
  const next = (): Exchange => {
    const k = Math.min(data.length - done, REMOTE_IO_BYTES_MAX);
    const at = pos === undefined ? {} : { pos: pos + done };
    return {
      request: { op: 'write', id: file.id, data: encodeBytes(data.subarray(done, done + k)), ...at },
      partial: () => (done > 0 ? done : -ERESTARTSYS),
      then: (reply) => {
        if (reply.result < 0) return done > 0 ? answerOf(reply, done) : answerOf(reply);
        if (reply.result > k) return done > 0 ? done : REMOTE_UNREACHABLE;
        done += reply.result;
        return reply.result === k && done < data.length ? next() : answerOf(reply, done);
      },
    };
  };
  return next();
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

