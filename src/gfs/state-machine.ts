// The global namespace as a deterministic state machine (a StateMachine for the rsm host): every mutation of the
// tree is a command applied in log order, carrying the proposer's time, with a client session (the rsm
// SessionTable) so a command retried after a timeout or a leader change is applied once. Reads (lstat,
// readlink, read, readdir) are answered from the applied tree after a ReadIndex round, not through the log.
// Open descriptions hold their inode by a hold id, per node, so an unlinked file outlives its name until every
// holder closes it or its node is gone (`release-node`). Bounds: limits.ts; a command's size: the RPC's.
import { base64Bytes } from '../base/index.js';
import { SessionTable, parseLogCommand, type Session, type StateMachine } from '../rsm/index.js';
import { FsError, LockTable, LOCK_END, type Errno, type LockOwner, type LockRequest, type LockTableImage, type WaitEnd } from '../vfs/index.js';
import { GfsTree, type GfsOpen, type TreeImage } from './tree.js';
import { FILE_BYTES_MAX, HOLDS_MAX, SYMLINK_BYTES_MAX } from './limits.js';

/** Client sessions remembered (least recently used evicted). */
export const GFS_SESSIONS_MAX = 4096;
/** Bytes one write command carries (a larger write is split by its caller). */
export const GFS_WRITE_BYTES_MAX = 256 * 1024;
/** Components of a path in a command, and bytes of one component. */
const PATH_COMPONENTS_MAX = 2048;
const COMPONENT_BYTES_MAX = 255;

type Path = readonly string[];

export type GfsOp =
  /** node: hold the file for a description there, in the same step (the result's hold). */
  | { readonly op: 'open'; readonly path: Path; readonly how: GfsOpen; readonly node?: string }
  | { readonly op: 'mkdir'; readonly path: Path; readonly mode: number }
  | { readonly op: 'symlink'; readonly target: string; readonly path: Path }
  | { readonly op: 'link'; readonly from: Path; readonly to: Path }
  | { readonly op: 'unlink'; readonly path: Path }
  | { readonly op: 'rmdir'; readonly path: Path }
  | { readonly op: 'rename'; readonly from: Path; readonly to: Path; readonly no_replace: boolean }
  /** append: at the file's size when applied (O_APPEND), pos ignored. */
  | { readonly op: 'write'; readonly ino: number; readonly pos: number; readonly data: string; readonly append?: boolean }
  | { readonly op: 'truncate'; readonly ino: number; readonly length: number }
  | { readonly op: 'hold'; readonly ino: number; readonly node: string }
  | { readonly op: 'release'; readonly hold: number }
  | { readonly op: 'release-node'; readonly node: string }
  /** A record lock or flock (locks.ts), on inode ino; a wait gets a waiter id, granted later by a release. */
  | { readonly op: 'lock'; readonly ino: number; readonly owner: LockOwner; readonly type: LockRequest['type']; readonly start: number; readonly end: number; readonly wait: boolean }
  /** End a wait: value 1 if it was still waiting (now dropped), 0 if it had been granted. */
  | { readonly op: 'lock-cancel'; readonly waiter: number }
  /** A POSIX owner's locks go: on ino (a close of one of its descriptors), or everywhere (ino 0: it ended). */
  | { readonly op: 'lock-release'; readonly ino: number; readonly owner: string };

export interface GfsCommand {
  readonly client: string;
  /** Per client session, increasing from 1; a retry reuses its seq. */
  readonly seq: number;
  /** The proposer's CLOCK_REALTIME in ns (a decimal string): the time the mutation stamps. */
  readonly time_ns: string;
  readonly op: GfsOp;
}

/**
 * A command's outcome: a number (an ino, bytes written, a hold id; 0 for none), with an open's hold and a write's
 * end position; or Linux's errno name.
 */
export type GfsResult =
  | { readonly ok: true; readonly value: number; readonly hold?: number; readonly end?: number; readonly waiter?: number }
  | { readonly ok: false; readonly errno: Errno; readonly detail?: string };

/** A mutation's value: the number it returns, an open's hold, a write's end position, a lock's waiter. */
export interface GfsValue {
  readonly value: number;
  readonly hold?: number;
  readonly end?: number;
  readonly waiter?: number;
}

interface GfsImage {
  readonly tree: TreeImage;
  readonly holds: readonly (readonly [number, { readonly ino: number; readonly node: string }])[];
  readonly next_hold: number;
  readonly sessions: [string, Session<GfsResult>][];
  readonly applied: number;
  readonly locks: LockTableImage;
}

export class GfsStateMachine implements StateMachine<GfsResult | null> {
  applied = 0;
  tree = new GfsTree();
  /** Every file's locks and waits (keyed by ino). */
  locks = new LockTable();
  /** Sees every wait that ends as commands are applied (its node answers the waiting call). */
  onWaitEnd: ((waiter: number, end: WaitEnd, owner: LockOwner) => void) | null = null;
  private holds = new Map<number, { readonly ino: number; readonly node: string }>();
  private nextHold = 1;
  private readonly sessions = new SessionTable<GfsResult>(GFS_SESSIONS_MAX);

  constructor() {
    this.hookLocks();
  }

  private hookLocks(): void {
    this.locks.onWaitEnd = (w, end, owner) => this.onWaitEnd?.(w, end, owner);
  }

  apply(index: number, raw: string): GfsResult | null {
    if (index <= this.applied) throw new Error(`gfs: entry ${index} applied twice (applied ${this.applied})`);
    this.applied = index;
    if (raw === '') return null;
    const cmd = parseCommand(raw);
    if (typeof cmd === 'string') return { ok: false, errno: 'EINVAL', detail: cmd };
    const seen = this.sessions.check(cmd.client, cmd.seq, index);
    if (seen.kind === 'retry') return seen.result;
    if (seen.kind === 'stale') return { ok: false, errno: 'EINVAL', detail: `stale request: seq ${cmd.seq} after ${seen.last}` };
    const result = this.perform(cmd.op, BigInt(cmd.time_ns));
    this.sessions.record(cmd.client, cmd.seq, index, result);
    return result;
  }

  /** Holds open now (statistics, tests). */
  get holdCount(): number {
    return this.holds.size;
  }

  snapshot(): string {
    const image: GfsImage = {
      tree: this.tree.image(), holds: [...this.holds].sort(([a], [b]) => a - b), next_hold: this.nextHold,
      sessions: this.sessions.entries(), applied: this.applied, locks: this.locks.image(),
    };
    return JSON.stringify(image);
  }

  restore(snapshot: string): void {
    if (snapshot === '') {
      this.tree = new GfsTree();
      this.holds.clear();
      this.nextHold = 1;
      this.sessions.clear();
      this.applied = 0;
      this.locks = new LockTable();
      this.hookLocks();
      return;
    }
    const image = JSON.parse(snapshot) as GfsImage;
    this.tree = GfsTree.fromImage(image.tree);
    this.holds = new Map(image.holds.map(([id, h]) => [id, h]));
    this.nextHold = image.next_hold;
    this.sessions.restore(image.sessions);
    this.applied = image.applied;
    this.locks = LockTable.fromImage(image.locks);
    this.hookLocks();
  }

  /** Carry op out on this state at time t, outside the log (a node-local tree uses this; replicas never do). */
  perform(op: GfsOp, t: bigint): GfsResult {
    try {
      if (op.op === 'open' && op.node !== undefined) {
        if (this.holds.size >= HOLDS_MAX) throw new FsError('ENFILE'); // before the open: a refusal changes nothing
        const ino = this.tree.open(op.path, op.how, t);
        return { ok: true, value: ino, hold: this.hold(ino, op.node) };
      }
      if (op.op === 'lock') {
        this.tree.stat(op.ino); // EBADF... for an inode that is gone
        const o = this.locks.set(String(op.ino), { owner: op.owner, type: op.type, start: op.start, end: op.end, wait: op.wait });
        if (o.kind === 'refused') return { ok: false, errno: o.errno };
        return o.kind === 'queued' ? { ok: true, value: 0, waiter: o.waiter } : { ok: true, value: 0 };
      }
      if (op.op === 'write') {
        const bytes = base64Bytes(op.data);
        if (bytes === null) throw new FsError('EINVAL'); // before the stat: a refusal changes nothing
        const pos = op.append === true ? Number(this.tree.stat(op.ino).size) : op.pos;
        const n = this.tree.write(op.ino, pos, bytes, t);
        return { ok: true, value: n, end: pos + n };
      }
      return { ok: true, value: this.run(op, t) };
    } catch (e) {
      if (e instanceof FsError) return { ok: false, errno: e.code };
      throw e;
    }
  }

  /** Hold ino for a description on node: the hold's id. */
  private hold(ino: number, node: string): number {
    this.tree.hold(ino);
    const id = this.nextHold++;
    this.holds.set(id, { ino, node });
    return id;
  }

  private run(op: GfsOp, t: bigint): number {
    const tree = this.tree;
    switch (op.op) {
      case 'open': return tree.open(op.path, op.how, t);
      case 'mkdir': return tree.mkdir(op.path, op.mode, t);
      case 'symlink': return tree.symlink(op.target, op.path, t);
      case 'link': tree.link(op.from, op.to, t); return 0;
      case 'unlink': tree.unlink(op.path, t); return 0;
      case 'rmdir': tree.rmdir(op.path, t); return 0;
      case 'rename': tree.rename(op.from, op.to, op.no_replace, t); return 0;
      case 'write': throw new Error('gfs: a write is executed apart');
      case 'truncate': tree.truncate(op.ino, op.length, t); return 0;
      case 'hold': return this.hold(op.ino, op.node);
      case 'release': {
        const h = this.holds.get(op.hold);
        if (h === undefined) throw new FsError('EBADF');
        this.holds.delete(op.hold);
        // The description's OFD and flock locks go with its last close.
        this.locks.releaseOn(String(h.ino), `d${op.hold}`);
        tree.release(h.ino);
        return 0;
      }
      case 'lock': throw new Error('gfs: a lock is executed apart');
      case 'lock-cancel': return this.locks.cancel(op.waiter) === 'dropped' ? 1 : 0;
      case 'lock-release': {
        if (op.ino === 0) this.locks.releaseWhere((o) => o.id === op.owner);
        else this.locks.releaseOn(String(op.ino), op.owner);
        return 0;
      }
      case 'release-node': {
        // Its processes' and descriptions' locks and waits go too.
        this.locks.releaseWhere((o) => o.node === op.node);
        const mine = [...this.holds].filter(([, h]) => h.node === op.node).map(([id]) => id).sort((a, b) => a - b);
        for (const id of mine) {
          tree.release(this.holds.get(id)!.ino);
          this.holds.delete(id);
        }
        return mine.length;
      }
    }
  }
}

/** A successful result's value as a mutation's caller gets it. */
export function gfsValue(r: Extract<GfsResult, { ok: true }>): GfsValue {
  return {
    value: r.value, ...(r.hold !== undefined ? { hold: r.hold } : {}), ...(r.end !== undefined ? { end: r.end } : {}),
    ...(r.waiter !== undefined ? { waiter: r.waiter } : {}),
  };
}

/** A command's result as another node sent it back, checked; a reason string when malformed. */
export function validateResult(v: unknown): GfsResult | string {
  if (!isObj(v)) return 'result is not an object';
  if (v['ok'] === false) {
    const errno = v['errno'];
    if (typeof errno !== 'string' || !/^E[A-Z]{1,15}$/.test(errno)) return 'a failed result needs an errno name';
    return typeof v['detail'] === 'string' ? { ok: false, errno: errno as Errno, detail: v['detail'].slice(0, 512) } : { ok: false, errno: errno as Errno };
  }
  if (v['ok'] !== true || !isNat(v['value'], Number.MAX_SAFE_INTEGER)) return 'a result needs ok and a value';
  const hold = v['hold'], end = v['end'], waiter = v['waiter'];
  if (hold !== undefined && !isNat(hold, Number.MAX_SAFE_INTEGER)) return 'a hold is a number';
  if (end !== undefined && !isNat(end, FILE_BYTES_MAX)) return 'an end is a position';
  if (waiter !== undefined && !isNat(waiter, Number.MAX_SAFE_INTEGER)) return 'a waiter is a number';
  return { ok: true, value: v['value'], ...(hold !== undefined ? { hold } : {}), ...(end !== undefined ? { end } : {}), ...(waiter !== undefined ? { waiter } : {}) };
}

export function encodeCommand(cmd: GfsCommand): string {
  return JSON.stringify(cmd);
}

export function parseCommand(raw: string): GfsCommand | string {
  return parseLogCommand(raw, validateCommand);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const utf8 = new TextEncoder();
const isComponent = (c: unknown): c is string => typeof c === 'string' && c !== '' && c !== '.' && c !== '..' && !c.includes('/') && !c.includes('\0') && utf8.encode(c).length <= COMPONENT_BYTES_MAX;
const isPath = (v: unknown): v is string[] => Array.isArray(v) && v.length <= PATH_COMPONENTS_MAX && v.every(isComponent);
const isNode = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= 64;

const isOwnerId = (v: unknown): v is string => typeof v === 'string' && /^[pd][0-9]{1,16}$/.test(v);

function validateOwner(v: unknown): LockOwner | null {
  if (!isObj(v)) return null;
  const family = v['family'];
  if (family !== 'posix' && family !== 'ofd' && family !== 'flock') return null;
  if (!isOwnerId(v['id']) || (v['id'][0] === 'p') !== (family === 'posix') || !Number.isSafeInteger(v['pid']) || !isNode(v['node'])) return null;
  return { family, id: v['id'], pid: v['pid'] as number, node: v['node'] };
}

export function validateCommand(v: unknown): GfsCommand | string {
  if (!isObj(v)) return 'command is not an object';
  if (typeof v['client'] !== 'string' || v['client'] === '' || v['client'].length > 160) return 'command needs a client id';
  if (!isNat(v['seq'], Number.MAX_SAFE_INTEGER) || v['seq'] === 0) return 'command needs a seq >= 1';
  if (typeof v['time_ns'] !== 'string' || !/^\d{1,20}$/.test(v['time_ns'])) return 'command needs a time_ns (decimal)';
  const op = validateOp(v['op']);
  return typeof op === 'string' ? op : { client: v['client'], seq: v['seq'], time_ns: v['time_ns'], op };
}

function validateOp(v: unknown): GfsOp | string {
  if (!isObj(v)) return 'command needs an op';
  const ino = isNat(v['ino'], 0xffff_ffff) ? v['ino'] : null;
  switch (v['op']) {
    case 'open': {
      const h = v['how'];
      if (!isPath(v['path']) || !isObj(h)) return 'open needs a path and how';
      const flags = ['write', 'create', 'exclusive', 'truncate', 'directory'] as const;
      if (!flags.every((f) => typeof h[f] === 'boolean') || !isNat(h['mode'], 0o7777)) return 'open: how needs its five flags and a mode';
      const how = { write: h['write'] as boolean, create: h['create'] as boolean, exclusive: h['exclusive'] as boolean, truncate: h['truncate'] as boolean, directory: h['directory'] as boolean, mode: h['mode'] as number };
      if (v['node'] !== undefined && !isNode(v['node'])) return 'open: node must be a node name';
      return { op: 'open', path: v['path'], how, ...(v['node'] !== undefined ? { node: v['node'] as string } : {}) };
    }
    case 'mkdir': return isPath(v['path']) && isNat(v['mode'], 0o7777) ? { op: 'mkdir', path: v['path'], mode: v['mode'] } : 'mkdir needs a path and a mode';
    case 'symlink':
      return isPath(v['path']) && typeof v['target'] === 'string' && utf8.encode(v['target']).length <= SYMLINK_BYTES_MAX ? { op: 'symlink', target: v['target'], path: v['path'] } : 'symlink needs a target and a path';
    case 'link': return isPath(v['from']) && isPath(v['to']) ? { op: 'link', from: v['from'], to: v['to'] } : 'link needs from and to';
    case 'unlink': case 'rmdir': return isPath(v['path']) ? { op: v['op'], path: v['path'] } : `${v['op']} needs a path`;
    case 'rename':
      return isPath(v['from']) && isPath(v['to']) && typeof v['no_replace'] === 'boolean' ? { op: 'rename', from: v['from'], to: v['to'], no_replace: v['no_replace'] } : 'rename needs from, to and no_replace';
    case 'write': {
      const data = v['data'];
      if (ino === null || !isNat(v['pos'], FILE_BYTES_MAX) || typeof data !== 'string' || data.length > Math.ceil(GFS_WRITE_BYTES_MAX / 3) * 4) return 'write needs an ino, a pos and data (base64, bounded)';
      if (v['append'] !== undefined && typeof v['append'] !== 'boolean') return 'write: append is true or false';
      return { op: 'write', ino, pos: v['pos'], data, ...(v['append'] === true ? { append: true } : {}) };
    }
    case 'truncate': return ino !== null && isNat(v['length'], FILE_BYTES_MAX) ? { op: 'truncate', ino, length: v['length'] } : 'truncate needs an ino and a length';
    case 'hold': return ino !== null && isNode(v['node']) ? { op: 'hold', ino, node: v['node'] } : 'hold needs an ino and a node';
    case 'release': return isNat(v['hold'], Number.MAX_SAFE_INTEGER) ? { op: 'release', hold: v['hold'] } : 'release needs a hold id';
    case 'release-node': return isNode(v['node']) ? { op: 'release-node', node: v['node'] } : 'release-node needs a node';
    case 'lock': {
      const owner = validateOwner(v['owner']);
      const type = v['type'];
      if (ino === null || owner === null || (type !== 'read' && type !== 'write' && type !== 'unlock')) return 'lock needs an ino, an owner and a type';
      if (!isNat(v['start'], LOCK_END) || !isNat(v['end'], LOCK_END) || (v['start'] as number) > (v['end'] as number) || typeof v['wait'] !== 'boolean') return 'lock needs a range and wait';
      return { op: 'lock', ino, owner, type, start: v['start'] as number, end: v['end'] as number, wait: v['wait'] };
    }
    case 'lock-cancel': return isNat(v['waiter'], Number.MAX_SAFE_INTEGER) ? { op: 'lock-cancel', waiter: v['waiter'] } : 'lock-cancel needs a waiter';
    case 'lock-release':
      return isNat(v['ino'], 0xffff_ffff) && isOwnerId(v['owner']) ? { op: 'lock-release', ino: v['ino'], owner: v['owner'] } : 'lock-release needs an ino (0: all) and an owner';
    default: return `unknown op '${String(v['op'])}'`;
  }
}
