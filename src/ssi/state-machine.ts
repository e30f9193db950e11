// The cluster's PID space and process directory as one deterministic state machine (a StateMachine for the
// rsm host). Leases hand out ranges of PIDs in increasing order, so no PID is ever granted twice; the
// directory says where each running or zombie process is, one node at a time; the name table says which
// process holds each cluster-wide IPC endpoint name. Commands carry a client session (the rsm SessionTable),
// so a retried command is applied once. Bounds: limits.ts.
import { SessionTable, parseLogCommand, type Session, type StateMachine } from '../rsm/index.js';
import { layout } from '../machine/index.js';
import {
  DIRECTORY_MAX, NAMES_MAX, LEASE_COUNT_MAX, LEASE_TABLE_MAX, LIST_PAGE_MAX, NODE_NAME_MAX_BYTES, PID_FIRST, PID_LAST, PROGRAM_MAX_BYTES,
  REAPED_MAX, SESSION_ID_MAX_BYTES, SSI_SESSIONS_MAX,
} from './limits.js';

const { CLD_EXITED, CLD_KILLED, CLD_DUMPED, SIGKILL, NSIG } = layout;

/** A granted range [start, start + count) and the node it belongs to. */
export interface LeaseRecord {
  readonly start: number;
  readonly count: number;
  readonly node: string;
}

/** How a process ended, as waitid reports it: si_code (CLD_EXITED, CLD_KILLED, CLD_DUMPED) and si_status. */
export interface ProcessExit {
  readonly code: number;
  readonly status: number;
}

/** Where a process runs and who it is; `exit` is set once it ends (a zombie until forgotten). */
export interface Placement {
  readonly pid: number;
  readonly node: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly program: string;
}

export interface ProcessEntry extends Placement {
  readonly state: 'running' | 'zombie';
  readonly exit: ProcessExit | null;
}

/** A cluster-wide IPC endpoint name (a u32, as ipc_register takes it) and the process that holds it. */
export interface NameBinding {
  readonly name: number;
  readonly node: string;
  readonly pid: number;
  /** Which boot of the node's machine bound it (a later boot's machine no longer has the endpoint). */
  readonly boot: number;
}

export type PidOp =
  | { readonly op: 'lease'; readonly node: string; readonly count: number }
  | ({ readonly op: 'place' } & Placement)
  | { readonly op: 'end'; readonly pid: number; readonly code: number; readonly status: number }
  | { readonly op: 'forget'; readonly pid: number }
  | { readonly op: 'move'; readonly pid: number; readonly from: string; readonly to: string }
  | { readonly op: 'node-down'; readonly node: string }
  /** Bind name to pid on node; a binding held by the same node's earlier boot, or by replace_pid there, is replaced. */
  | ({ readonly op: 'name-bind'; readonly replace_pid: number } & NameBinding)
  | { readonly op: 'name-drop'; readonly name: number; readonly node: string; readonly pid: number };

export interface PidCommand {
  readonly client: string;
  /** Per client session, increasing from 1; a retry reuses its seq. */
  readonly seq: number;
  readonly op: PidOp;
}

export type PidValue =
  | { readonly kind: 'lease'; readonly start: number; readonly count: number }
  | { readonly kind: 'placed'; readonly pid: number; readonly node: string }
  | { readonly kind: 'ended'; readonly pid: number }
  | { readonly kind: 'forgotten'; readonly pid: number }
  | { readonly kind: 'moved'; readonly pid: number; readonly node: string }
  | { readonly kind: 'node-down'; readonly node: string; readonly ended: number }
  /** bound: the name is now the asker's; else node and pid say who holds it. */
  | { readonly kind: 'name'; readonly name: number; readonly bound: boolean; readonly node: string; readonly pid: number }
  | { readonly kind: 'name-dropped'; readonly name: number };

export type PidResult = { readonly ok: true; readonly value: PidValue } | { readonly ok: false; readonly error: string };

/** Who a PID belongs to: the directory's node, or the lease's node for a PID not (or no longer) placed. */
export interface PidOwner {
  readonly node: string;
  readonly source: 'directory' | 'lease';
}

export interface ListPage {
  readonly entries: readonly ProcessEntry[];
  /** More entries follow the last one (ask again with `after` = its pid). */
  readonly more: boolean;
}

/** Smaller bounds for tests; the defaults are limits.ts. */
export interface PidMachineOptions {
  readonly pid_last?: number;
  readonly directory_max?: number;
  readonly lease_table_max?: number;
  readonly reaped_max?: number;
  readonly max_sessions?: number;
}

interface PidImage {
  readonly next: number;
  readonly retired_end: number;
  readonly leases: readonly LeaseRecord[];
  readonly directory: readonly ProcessEntry[];
  readonly names?: readonly NameBinding[];
  /** Reaped pids, oldest first. */
  readonly reaped: readonly number[];
  readonly sessions: [string, Session<PidResult>][];
  readonly applied: number;
  /** The cluster's first process (0: none placed yet). */
  readonly first?: number;
}

const fail = (error: string): PidResult => ({ ok: false, error });
const done = (value: PidValue): PidResult => ({ ok: true, value });

export class PidStateMachine implements StateMachine<PidResult | null> {
  /** The last log index applied. */
  applied = 0;
  private nextPid = PID_FIRST;
  /** PIDs below this were granted in leases whose records were retired. */
  private retiredEnd = PID_FIRST;
  /** Granted ranges in increasing order of start (grants only append). */
  private leases: LeaseRecord[] = [];
  private directory = new Map<number, ProcessEntry>();
  /** Reaped pids in the order they were forgotten (a Set iterates in insertion order). */
  private reaped = new Set<number>();
  private names = new Map<number, NameBinding>();
  /** The cluster's first process: the first placed with no parent (0: none yet). Orphans go to it. */
  private first = 0;
  private readonly sessions: SessionTable<PidResult>;
  readonly pid_last: number;
  readonly directory_max: number;
  readonly lease_table_max: number;
  readonly reaped_max: number;

  constructor(opts: PidMachineOptions = {}) {
    this.pid_last = bounded(opts.pid_last ?? PID_LAST, 'pid_last', PID_FIRST, PID_LAST);
    this.directory_max = bounded(opts.directory_max ?? DIRECTORY_MAX, 'directory_max', 1, DIRECTORY_MAX);
    this.lease_table_max = bounded(opts.lease_table_max ?? LEASE_TABLE_MAX, 'lease_table_max', 1, LEASE_TABLE_MAX);
    this.reaped_max = bounded(opts.reaped_max ?? REAPED_MAX, 'reaped_max', 1, REAPED_MAX);
    this.sessions = new SessionTable(opts.max_sessions ?? SSI_SESSIONS_MAX);
  }

  /** Apply the command of a committed entry. Empty data (a leader's no-op) only moves `applied`. */
  apply(index: number, raw: string): PidResult | null {
    if (index <= this.applied) throw new Error(`ssi: entry ${index} applied twice (applied ${this.applied})`);
    this.applied = index;
    if (raw === '') return null;
    const cmd = parseCommand(raw);
    if (typeof cmd === 'string') return fail(cmd);
    const seen = this.sessions.check(cmd.client, cmd.seq, index);
    if (seen.kind === 'retry') return seen.result;
    if (seen.kind === 'stale') return fail(`stale request: client ${cmd.client} seq ${cmd.seq} after ${seen.last}`);
    const result = this.execute(cmd.op);
    this.sessions.record(cmd.client, cmd.seq, index, result);
    return result;
  }

  /** The next PID a lease would start at (PIDs below it were all granted once). */
  get next(): number {
    return this.nextPid;
  }

  /** PIDs below this lie in retired lease records. */
  get retired_end(): number {
    return this.retiredEnd;
  }

  /** The lease records kept, in increasing order. */
  leaseTable(): readonly LeaseRecord[] {
    return this.leases;
  }

  /** The lease record holding `pid` (null when never granted or retired). */
  leaseOf(pid: number): LeaseRecord | null {
    let lo = 0;
    let hi = this.leases.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const l = this.leases[mid]!;
      if (pid < l.start) hi = mid - 1;
      else if (pid >= l.start + l.count) lo = mid + 1;
      else return l;
    }
    return null;
  }

  /** The node a committed lease gave `pid` to; a lease never changes, so any replica may answer. */
  leaseOwner(pid: number): string | null {
    return this.leaseOf(pid)?.node ?? null;
  }

  entry(pid: number): ProcessEntry | null {
    return this.directory.get(pid) ?? null;
  }

  owner(pid: number): PidOwner | null {
    const e = this.directory.get(pid);
    if (e) return { node: e.node, source: 'directory' };
    const node = this.leaseOwner(pid);
    return node === null ? null : { node, source: 'lease' };
  }

  /**
   * The cluster's first process (the first placed with no parent) while it runs, and its node: orphans are
   * reparented to it. null when there is none, or it has ended.
   */
  firstProcess(): { readonly pid: number; readonly node: string } | null {
    const e = this.first === 0 ? undefined : this.directory.get(this.first);
    return e !== undefined && e.state === 'running' ? { pid: e.pid, node: e.node } : null;
  }

  /** Who holds a cluster-wide IPC endpoint name, or null. */
  nameOf(name: number): NameBinding | null {
    return this.names.get(name) ?? null;
  }

  /** Directory entries with pid > `after`, in pid order, at most `limit` (<= LIST_PAGE_MAX). */
  list(after = 0, limit = LIST_PAGE_MAX): ListPage {
    const n = Math.max(1, Math.min(limit, LIST_PAGE_MAX));
    const pids = [...this.directory.keys()].filter((p) => p > after).sort((a, b) => a - b);
    return { entries: pids.slice(0, n).map((p) => this.directory.get(p)!), more: pids.length > n };
  }

  get size(): number {
    return this.directory.size;
  }

  snapshot(): string {
    const pids = [...this.directory.keys()].sort((a, b) => a - b);
    const image: PidImage = {
      next: this.nextPid, retired_end: this.retiredEnd, leases: this.leases,
      directory: pids.map((p) => this.directory.get(p)!), names: [...this.names.values()].sort((a, b) => a.name - b.name), reaped: [...this.reaped], sessions: this.sessions.entries(), applied: this.applied, first: this.first,
    };
    return JSON.stringify(image);
  }

  restore(snapshot: string): void {
    if (snapshot === '') {
      this.nextPid = PID_FIRST;
      this.retiredEnd = PID_FIRST;
      this.leases = [];
      this.directory.clear();
      this.names.clear();
      this.reaped.clear();
      this.sessions.clear();
      this.applied = 0;
      this.first = 0;
      return;
    }
    const image = JSON.parse(snapshot) as PidImage;
    this.nextPid = image.next;
    this.retiredEnd = image.retired_end;
    this.leases = [...image.leases];
    this.directory = new Map(image.directory.map((e) => [e.pid, e]));
    this.names = new Map((image.names ?? []).map((b) => [b.name, b]));
    this.reaped = new Set(image.reaped);
    this.sessions.restore(image.sessions);
    this.applied = image.applied;
    this.first = image.first ?? 0;
  }

  private execute(op: PidOp): PidResult {
    switch (op.op) {
      case 'lease': return this.lease(op.node, op.count);
      case 'place': return this.place(op);
      case 'end': return this.end(op.pid, { code: op.code, status: op.status });
      case 'forget': return this.forget(op.pid);
      case 'move': return this.move(op.pid, op.from, op.to);
      case 'node-down': return this.nodeDown(op.node);
      case 'name-bind': return this.bindName(op);
      case 'name-drop': return this.dropName(op.name, op.node, op.pid);
    }
  }

  private bindName(op: NameBinding & { readonly replace_pid: number }): PidResult {
    const held = this.names.get(op.name);
    const stale = held !== undefined && held.node === op.node && (held.boot !== op.boot || held.pid === op.replace_pid || held.pid === op.pid);
    if (held !== undefined && !stale) return done({ kind: 'name', name: op.name, bound: false, node: held.node, pid: held.pid });
    if (held === undefined && this.names.size >= NAMES_MAX) return fail(`name table full (${NAMES_MAX} names)`);
    this.names.set(op.name, { name: op.name, node: op.node, pid: op.pid, boot: op.boot });
    return done({ kind: 'name', name: op.name, bound: true, node: op.node, pid: op.pid });
  }

  /** The name goes if pid on node holds it (a later holder's binding stays). */
  private dropName(name: number, node: string, pid: number): PidResult {
    const held = this.names.get(name);
    if (held !== undefined && held.node === node && held.pid === pid) this.names.delete(name);
    return done({ kind: 'name-dropped', name });
  }

  /** Grant the next `count` PIDs (fewer when the space is nearly spent). */
  private lease(node: string, count: number): PidResult {
    const left = this.pid_last - this.nextPid + 1;
    if (left <= 0) return fail(`pid space exhausted: every pid up to ${this.pid_last} was granted`);
    const grant: LeaseRecord = { start: this.nextPid, count: Math.min(count, left), node };
    this.leases.push(grant);
    this.nextPid += grant.count;
    if (this.leases.length > this.lease_table_max) {
      const old = this.leases.shift()!;
      this.retiredEnd = old.start + old.count;
    }
    return done({ kind: 'lease', start: grant.start, count: grant.count });
  }

  private place(p: Placement): PidResult {
    if (p.pid >= this.nextPid) return fail(`pid ${p.pid} was never leased`);
    if (p.pid < this.retiredEnd) return fail(`pid ${p.pid} lies in a retired lease`);
    if (this.reaped.has(p.pid)) return fail(`pid ${p.pid} was reaped (pids are never reused)`);
    const e = this.directory.get(p.pid);
    if (e) {
      // The same placement again (a caller retrying after a timeout) is answered as done.
      if (e.state === 'running' && samePlacement(e, p)) return done({ kind: 'placed', pid: p.pid, node: p.node });
      return fail(e.state === 'running' ? `pid ${p.pid} already runs on ${e.node}` : `pid ${p.pid} already ended on ${e.node}`);
    }
    if (this.directory.size >= this.directory_max) return fail(`process directory full (${this.directory_max} entries)`);
    const entry: ProcessEntry = { pid: p.pid, node: p.node, ppid: p.ppid, pgid: p.pgid, sid: p.sid, program: p.program, state: 'running', exit: null };
    this.directory.set(p.pid, entry);
    if (this.first === 0 && p.ppid === 0) this.first = p.pid;
    return done({ kind: 'placed', pid: p.pid, node: p.node });
  }

  private end(pid: number, exit: ProcessExit): PidResult {
    const e = this.directory.get(pid);
    if (!e) return fail(`no process ${pid}`);
    if (e.state === 'zombie') {
      if (e.exit?.code === exit.code && e.exit.status === exit.status) return done({ kind: 'ended', pid });
      return fail(`pid ${pid} already ended (code ${e.exit?.code}, status ${e.exit?.status})`);
    }
    this.directory.set(pid, { ...e, state: 'zombie', exit });
    return done({ kind: 'ended', pid });
  }

  private forget(pid: number): PidResult {
    const e = this.directory.get(pid);
    if (!e) return fail(`no process ${pid}`);
    if (e.state === 'running') return fail(`pid ${pid} is still running on ${e.node}`);
    this.directory.delete(pid);
    this.reaped.add(pid);
    if (this.reaped.size > this.reaped_max) this.reaped.delete(this.reaped.values().next().value as number);
    return done({ kind: 'forgotten', pid });
  }

  private move(pid: number, from: string, to: string): PidResult {
    const e = this.directory.get(pid);
    if (!e) return fail(`no process ${pid}`);
    if (e.state !== 'running') return fail(`pid ${pid} has ended`);
    if (e.node !== from) return fail(`pid ${pid} runs on ${e.node}, not on ${from}`);
    this.directory.set(pid, { ...e, node: to });
    return done({ kind: 'moved', pid, node: to });
  }

  /** The node is gone: each of its running processes ends as if by SIGKILL (in pid order). */
  private nodeDown(node: string): PidResult {
    const pids = [...this.directory.values()].filter((e) => e.node === node && e.state === 'running').map((e) => e.pid).sort((a, b) => a - b);
    for (const pid of pids) this.directory.set(pid, { ...this.directory.get(pid)!, state: 'zombie', exit: { code: CLD_KILLED, status: SIGKILL } });
    for (const [name, b] of [...this.names]) if (b.node === node) this.names.delete(name);
    return done({ kind: 'node-down', node, ended: pids.length });
  }
}

function samePlacement(a: Placement, b: Placement): boolean {
  return a.node === b.node && a.ppid === b.ppid && a.pgid === b.pgid && a.sid === b.sid && a.program === b.program;
}

function bounded(v: number, name: string, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`ssi: ${name} must be an integer in [${min}, ${max}]`);
  return v;
}

export function encodeCommand(cmd: PidCommand): string {
  return JSON.stringify(cmd);
}

/** Validate a command from the log; returns the error text for a bad one. */
export function parseCommand(raw: string): PidCommand | string {
  return parseLogCommand(raw, validateCommand);
}

const utf8 = new TextEncoder();
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isName = (v: unknown, max: number): v is string => typeof v === 'string' && v !== '' && utf8.encode(v).length <= max;

export function validateCommand(v: unknown): PidCommand | string {
  if (!isObj(v)) return 'command is not an object';
  if (!isName(v['client'], SESSION_ID_MAX_BYTES)) return `command needs a client id of 1..${SESSION_ID_MAX_BYTES} bytes`;
  if (!isInt(v['seq'], 1, Number.MAX_SAFE_INTEGER)) return 'command needs a seq >= 1';
  const op = validateOp(v['op']);
  return typeof op === 'string' ? op : { client: v['client'], seq: v['seq'], op };
}

export function validateOp(v: unknown): PidOp | string {
  if (!isObj(v)) return 'command needs an op';
  const nodeErr = `node ids are 1..${NODE_NAME_MAX_BYTES} bytes`;
  const pid = v['pid'];
  const pidErr = `pid must be an integer in [${PID_FIRST}, ${PID_LAST}]`;
  switch (v['op']) {
    case 'lease':
      if (!isName(v['node'], NODE_NAME_MAX_BYTES)) return nodeErr;
      if (!isInt(v['count'], 1, LEASE_COUNT_MAX)) return `lease count must be an integer in [1, ${LEASE_COUNT_MAX}]`;
      return { op: 'lease', node: v['node'], count: v['count'] };
    case 'place': {
      const p = validatePlacement(v);
      return typeof p === 'string' ? p : { op: 'place', ...p };
    }
    case 'end': {
      if (!isInt(pid, PID_FIRST, PID_LAST)) return pidErr;
      const exit = validateExit(v['code'], v['status']);
      return typeof exit === 'string' ? exit : { op: 'end', pid, code: exit.code, status: exit.status };
    }
    case 'forget':
      return isInt(pid, PID_FIRST, PID_LAST) ? { op: 'forget', pid } : pidErr;
    case 'move':
      if (!isInt(pid, PID_FIRST, PID_LAST)) return pidErr;
      if (!isName(v['from'], NODE_NAME_MAX_BYTES) || !isName(v['to'], NODE_NAME_MAX_BYTES)) return nodeErr;
      return { op: 'move', pid, from: v['from'], to: v['to'] };
    case 'node-down':
      return isName(v['node'], NODE_NAME_MAX_BYTES) ? { op: 'node-down', node: v['node'] } : nodeErr;
    case 'name-bind':
    case 'name-drop': {
      if (!isInt(v['name'], 1, 0xffff_ffff)) return 'an endpoint name is an integer in [1, 0xffffffff]';
      if (!isName(v['node'], NODE_NAME_MAX_BYTES)) return nodeErr;
      if (!isInt(pid, PID_FIRST, PID_LAST)) return pidErr;
      if (v['op'] === 'name-drop') return { op: 'name-drop', name: v['name'], node: v['node'], pid };
      if (!isInt(v['boot'], 0, 0xffff_ffff) || !isInt(v['replace_pid'], 0, PID_LAST)) return 'name-bind needs a boot and a replace_pid';
      return { op: 'name-bind', name: v['name'], node: v['node'], pid, boot: v['boot'], replace_pid: v['replace_pid'] };
    }
    default:
      return `unknown op '${String(v['op'])}' (lease, place, end, forget, move, node-down, name-bind, name-drop)`;
  }
}

/**
 * A placement's fields: pid, node, ppid (0 for none), pgid and sid (0: the group and session of the processes the
 * host loaded, which lead none), and a bounded program name.
 */
export function validatePlacement(v: Record<string, unknown>): Placement | string {
  const { pid, node, ppid, pgid, sid, program } = v;
  if (!isInt(pid, PID_FIRST, PID_LAST)) return `pid must be an integer in [${PID_FIRST}, ${PID_LAST}]`;
  if (!isName(node, NODE_NAME_MAX_BYTES)) return `node ids are 1..${NODE_NAME_MAX_BYTES} bytes`;
  if (!isInt(ppid, 0, PID_LAST)) return `ppid must be an integer in [0, ${PID_LAST}]`;
  if (!isInt(pgid, 0, PID_LAST) || !isInt(sid, 0, PID_LAST)) return `pgid and sid must be integers in [0, ${PID_LAST}]`;
  if (typeof program !== 'string' || utf8.encode(program).length > PROGRAM_MAX_BYTES) return `program must be a string of at most ${PROGRAM_MAX_BYTES} bytes`;
  return { pid, node, ppid, pgid, sid, program };
}

/** si_code CLD_EXITED with an exit status 0..255, or CLD_KILLED / CLD_DUMPED with a signal 1..NSIG. */
export function validateExit(code: unknown, status: unknown): ProcessExit | string {
  if (code === CLD_EXITED) return isInt(status, 0, 255) ? { code, status } : 'an exit status is an integer in [0, 255]';
  if (code === CLD_KILLED || code === CLD_DUMPED) return isInt(status, 1, NSIG) ? { code, status } : `a signal is an integer in [1, ${NSIG}]`;
  return `exit code must be CLD_EXITED (${CLD_EXITED}), CLD_KILLED (${CLD_KILLED}) or CLD_DUMPED (${CLD_DUMPED})`;
}

/** Is `v` a directory entry (from an answer off the network)? */
export function validateEntry(v: unknown): ProcessEntry | string {
  if (!isObj(v)) return 'entry is not an object';
  const p = validatePlacement(v);
  if (typeof p === 'string') return p;
  if (v['state'] === 'running' && v['exit'] === null) return { ...p, state: 'running', exit: null };
  const x = v['exit'];
  if (v['state'] !== 'zombie' || !isObj(x)) return 'entry state must be running (no exit) or zombie (with its exit)';
  const exit = validateExit(x['code'], x['status']);
  return typeof exit === 'string' ? exit : { ...p, state: 'zombie', exit };
}

/** Is `v` a state machine result (from an answer off the network)? */
export function validateResult(v: unknown): PidResult | string {
  if (!isObj(v)) return 'result is not an object';
  if (v['ok'] === false) return typeof v['error'] === 'string' ? { ok: false, error: v['error'] } : 'a refusal needs an error';
  const x = v['value'];
  if (v['ok'] !== true || !isObj(x)) return 'result needs ok and a value';
  const nat = (k: string): boolean => isInt(x[k], 0, PID_LAST + 1);
  const name = (k: string): boolean => isName(x[k], NODE_NAME_MAX_BYTES);
  const fits: Record<string, boolean> = {
    lease: nat('start') && nat('count'), placed: nat('pid') && name('node'), ended: nat('pid'), forgotten: nat('pid'),
    moved: nat('pid') && name('node'), 'node-down': name('node') && nat('ended'),
    name: isInt(x['name'], 1, 0xffff_ffff) && typeof x['bound'] === 'boolean' && name('node') && nat('pid'),
    'name-dropped': isInt(x['name'], 1, 0xffff_ffff),
  };
  return typeof x['kind'] === 'string' && fits[x['kind']] === true ? { ok: true, value: x as unknown as PidValue } : 'malformed result value';
}
