// Advisory file locks as Linux keeps them, in one deterministic table: POSIX record locks (fcntl F_SETLK,
// F_SETLKW, F_GETLK: byte ranges owned by a process, released when it closes any descriptor of the file or ends),
// open-file-description locks (F_OFD_*: the same ranges, owned by a description, released with its last close;
// they conflict with POSIX locks), and flock(2) locks (whole file, shared or exclusive, owned by a description,
// apart from the other two). A request that conflicts fails (EAGAIN) or waits in arrival order; each release
// grants the waiters it can, first come first served. A POSIX request that would close a cycle of processes each
// waiting for the next is refused with EDEADLK (Linux follows one chain; this table follows every waiter). The
// table is pure data: the same requests give the same grants, so a replicated state machine can hold it.
// Ranges: [start, end) in bytes; LOCK_END means to the end of the file, however far it grows.

/** The end of a lock that runs to the end of the file (Linux's OFFSET_MAX, as far as a number is exact). */
export const LOCK_END = Number.MAX_SAFE_INTEGER;
/** Waiters at once (ENOLCK beyond), and outcomes of finished waits remembered for their askers. */
export const LOCK_WAITERS_MAX = 4096;
const OUTCOMES_MAX = 4096;

export type LockFamily = 'posix' | 'ofd' | 'flock';

/** Who holds a lock: a process (POSIX) or an open file description (OFD, flock), by an id unique where kept. */
export interface LockOwner {
  readonly family: LockFamily;
  /** 'p<pid>' for a process, 'd<id>' for a description. */
  readonly id: string;
  /** The process that set it (what F_GETLK reports for a POSIX lock). */
  readonly pid: number;
  /** The node it was set from (its locks go when the node is gone). */
  readonly node: string;
}

export interface LockRequest {
  readonly owner: LockOwner;
  /** unlock: F_UNLCK, LOCK_UN. */
  readonly type: 'read' | 'write' | 'unlock';
  readonly start: number;
  readonly end: number;
  readonly wait: boolean;
}

/** A lock as F_GETLK describes it. */
export interface LockInfo {
  readonly type: 'read' | 'write';
  readonly start: number;
  readonly end: number;
  /** The owner's pid for a POSIX lock, -1 for an OFD lock (as Linux reports). */
  readonly pid: number;
}

interface Lock {
  readonly owner: LockOwner;
  readonly type: 'read' | 'write';
  readonly start: number;
  readonly end: number;
}

interface Waiter {
  readonly id: number;
  readonly file: string;
  readonly req: LockRequest;
}

/** What set() did: granted; refused (EAGAIN, EDEADLK, ENOLCK); or queued as waiter id. */
export type LockOutcome = { readonly kind: 'granted' } | { readonly kind: 'refused'; readonly errno: 'EAGAIN' | 'EDEADLK' | 'ENOLCK' } | { readonly kind: 'queued'; readonly waiter: number };

/** How a wait ended: granted, dropped (cancelled, or its owner or node went first), or aborted (a deadlock's victim). */
export type WaitEnd = 'granted' | 'dropped' | 'aborted';

/** A wait as a deadlock detector sees it: who waits, on what, for which owners' locks. */
export interface WaitInfo {
  readonly id: number;
  readonly file: string;
  readonly owner: LockOwner;
  readonly blockers: readonly LockOwner[];
}

export interface LockTableImage {
  readonly files: readonly (readonly [string, readonly Lock[]])[];
  readonly waiters: readonly Waiter[];
  readonly next_waiter: number;
  readonly outcomes: readonly (readonly [number, WaitEnd])[];
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;
const sameFamily = (a: LockFamily, b: LockFamily): boolean => (a === 'flock') === (b === 'flock');

export class LockTable {
  /**
   * cycleCheck false: a POSIX request that closes a cycle waits like any other (a detector elsewhere sees the
   * cycles, src/deadlock); true: it is refused with EDEADLK here.
   */
  constructor(private readonly cycleCheck = true) {}

  private files = new Map<string, Lock[]>();
  private waiters: Waiter[] = [];
  private nextWaiter = 1;
  private outcomes = new Map<number, WaitEnd>();
  /** Called with each wait that ends (granted or dropped), in order. */
  onWaitEnd: ((waiter: number, end: WaitEnd, owner: LockOwner) => void) | null = null;

  /** Set, change or remove a lock on file. */
  set(file: string, req: LockRequest): LockOutcome {
    if (req.type === 'unlock') {
      this.remove(file, req.owner, req);
      this.grantWaiters();
      return { kind: 'granted' };
    }
    // flock converts by letting go first, as Linux does (a waiting conversion holds nothing).
    if (req.owner.family === 'flock') this.remove(file, req.owner, req);
    const blockers = this.conflicts(file, req);
    if (blockers.length === 0) {
      this.apply(file, req);
      if (req.owner.family === 'flock') this.grantWaiters();
      return { kind: 'granted' };
    }
    if (req.owner.family === 'flock') this.grantWaiters();
    if (!req.wait) return { kind: 'refused', errno: 'EAGAIN' };
    if (this.cycleCheck && req.owner.family === 'posix' && this.wouldDeadlock(req.owner.id, blockers)) return { kind: 'refused', errno: 'EDEADLK' };
    if (this.waiters.length >= LOCK_WAITERS_MAX) return { kind: 'refused', errno: 'ENOLCK' };
    const id = this.nextWaiter++;
    this.waiters.push({ id, file, req });
    return { kind: 'queued', waiter: id };
  }

  /** The first lock of another owner that req would conflict with (F_GETLK), or null. */
  test(file: string, req: LockRequest): LockInfo | null {
    if (req.type === 'unlock') return null;
    const c = this.conflicts(file, req)[0];
    return c === undefined ? null : { type: c.type, start: c.start, end: c.end, pid: c.owner.family === 'posix' ? c.owner.pid : -1 };
  }

  /** End a wait (a signal came): 'dropped' if it was still waiting, else how it had ended (undefined: unknown). */
  cancel(waiter: number): WaitEnd | undefined {
    const i = this.waiters.findIndex((w) => w.id === waiter);
    if (i < 0) return this.outcomes.get(waiter);
    const [w] = this.waiters.splice(i, 1);
    this.ended(w!, 'dropped');
    return 'dropped';
  }

  /** End a wait as a deadlock's victim: its asker is refused with EDEADLK. False if it was no longer waiting. */
  abort(waiter: number): boolean {
    const i = this.waiters.findIndex((w) => w.id === waiter);
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1);
    this.ended(w!, 'aborted');
    return true;
  }

  /** Every wait now, in arrival order, with the owners whose locks block it (the waits-for edges kept here). */
  waits(): WaitInfo[] {
    return this.waiters.map((w) => {
      const seen = new Set<string>();
      const blockers: LockOwner[] = [];
      for (const l of this.conflicts(w.file, w.req)) if (!seen.has(l.owner.id)) { seen.add(l.owner.id); blockers.push(l.owner); }
      return { id: w.id, file: w.file, owner: w.req.owner, blockers };
    });
  }

  /** The owners whose locks req would wait for (a prevention scheme decides before it waits). */
  blockersOf(file: string, req: LockRequest): LockOwner[] {
    const seen = new Set<string>();
    return this.conflicts(file, req).filter((l) => !seen.has(l.owner.id) && (seen.add(l.owner.id), true)).map((l) => l.owner);
  }

  /** How a finished wait ended (undefined: still waiting, or too long ago). */
  outcome(waiter: number): WaitEnd | undefined {
    return this.outcomes.get(waiter);
  }

  isWaiting(waiter: number): boolean {
    return this.waiters.some((w) => w.id === waiter);
  }

  /** Every lock and wait of owner on file (a POSIX owner's close of one of the file's descriptors). */
  releaseOn(file: string, ownerId: string): void {
    const locks = this.files.get(file);
    if (locks !== undefined) this.store(file, locks.filter((l) => l.owner.id !== ownerId));
    this.dropWaiters((w) => w.file === file && w.req.owner.id === ownerId);
    this.grantWaiters();
  }

  /** Every lock and wait of the owners pred picks (an owner gone, a node gone). */
  releaseWhere(pred: (o: LockOwner) => boolean): void {
    for (const [file, locks] of [...this.files]) this.store(file, locks.filter((l) => !pred(l.owner)));
    this.dropWaiters((w) => pred(w.req.owner));
    this.grantWaiters();
  }

  /** Locks held now (statistics, tests). */
  get held(): number {
    let n = 0;
    for (const l of this.files.values()) n += l.length;
    return n;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  image(): LockTableImage {
    return {
      files: [...this.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), waiters: this.waiters, next_waiter: this.nextWaiter,
      outcomes: [...this.outcomes],
    };
  }

  static fromImage(img: LockTableImage): LockTable {
    const t = new LockTable();
    t.files = new Map(img.files.map(([f, l]) => [f, [...l]]));
    t.waiters = [...img.waiters];
    t.nextWaiter = img.next_waiter;
    t.outcomes = new Map(img.outcomes);
    return t;
  }

  private conflicts(file: string, req: LockRequest): Lock[] {
    return (this.files.get(file) ?? []).filter((l) => l.owner.id !== req.owner.id && sameFamily(l.owner.family, req.owner.family)
      && overlaps(l, req) && (l.type === 'write' || req.type === 'write'));
  }

  /** Would owner, waiting for the owners of blockers, close a cycle of POSIX owners waiting for each other? */
  private wouldDeadlock(owner: string, blockers: readonly Lock[]): boolean {
    const seen = new Set<string>();
    const todo = blockers.filter((b) => b.owner.family === 'posix').map((b) => b.owner.id);
    while (todo.length > 0) {
      const o = todo.pop()!;
      if (o === owner) return true;
      if (seen.has(o)) continue;
      seen.add(o);
      for (const w of this.waiters) {
        if (w.req.owner.id !== o || w.req.owner.family !== 'posix') continue;
        for (const b of this.conflicts(w.file, w.req)) if (b.owner.family === 'posix') todo.push(b.owner.id);
      }
    }
    return false;
  }

  /** Owner's locks of its family on file over req's range give way to req (split where they run past it). */
  private remove(file: string, owner: LockOwner, range: { start: number; end: number }): void {
    const locks = this.files.get(file);
    if (locks === undefined) return;
    const out: Lock[] = [];
    for (const l of locks) {
      if (l.owner.id !== owner.id || !sameFamily(l.owner.family, owner.family) || !overlaps(l, range)) { out.push(l); continue; }
      if (l.start < range.start) out.push({ ...l, end: range.start });
      if (l.end > range.end) out.push({ ...l, start: range.end });
    }
    this.store(file, out);
  }

  /** Put req's lock in, merged with its owner's adjacent or overlapping locks of the same type. */
  private apply(file: string, req: LockRequest): void {
    this.remove(file, req.owner, req);
    const type = req.type as 'read' | 'write';
    let start = req.start, end = req.end;
    const rest: Lock[] = [];
    for (const l of this.files.get(file) ?? []) {
      if (l.owner.id === req.owner.id && sameFamily(l.owner.family, req.owner.family) && l.type === type && l.start <= end && start <= l.end) {
        start = Math.min(start, l.start);
        end = Math.max(end, l.end);
      } else rest.push(l);
    }
    rest.push({ owner: req.owner, type, start, end });
    this.store(file, rest);
  }

  private store(file: string, locks: Lock[]): void {
    if (locks.length === 0) this.files.delete(file);
    else this.files.set(file, locks.sort((a, b) => a.start - b.start || (a.owner.id < b.owner.id ? -1 : a.owner.id > b.owner.id ? 1 : 0)));
  }

  /** Grant, in arrival order, every waiter nothing blocks any more; again until none is. */
  private grantWaiters(): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const w of this.waiters) {
        if (w.req.owner.family === 'flock') this.remove(w.file, w.req.owner, w.req);
        if (this.conflicts(w.file, w.req).length > 0) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        this.apply(w.file, w.req);
        this.ended(w, 'granted');
        changed = true;
        break;
      }
    }
  }

  private dropWaiters(pred: (w: Waiter) => boolean): void {
    const gone = this.waiters.filter(pred);
    if (gone.length === 0) return;
    this.waiters = this.waiters.filter((w) => !pred(w));
    for (const w of gone) this.ended(w, 'dropped');
  }

  private ended(w: Waiter, end: WaitEnd): void {
    this.outcomes.set(w.id, end);
    if (this.outcomes.size > OUTCOMES_MAX) this.outcomes.delete(this.outcomes.keys().next().value!);
    this.onWaitEnd?.(w.id, end, w.req.owner);
  }
}
