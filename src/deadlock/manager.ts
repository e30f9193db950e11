// The resource manager of one node: the locks of the files this node manages (placement.ts picks them), in a
// lock table of locks.ts's semantics without its own cycle check, served to the nodes whose processes ask (their
// homes) over the ordered channel. It knows only its piece of the waits-for graph: its waiters and the owners
// whose locks block them. What it offers the strategies: its waits with their blockers, holds a detector sets on
// a wait (while one is on, the wait's cancel and its owner's release wait until the hold is lifted, so a cycle
// being confirmed cannot change under it except by a grant), and the abort of a wait (its asker gets EDEADLK).
// A home unheard of for a lease loses its owners' locks and waits, as does a home that restarted.
import { LockTable, type LockOwner, type LockRequest, type WaitInfo } from '../vfs/index.js';
import { HOLD_NS } from './limits.js';
import type { HomeRequest, ManagerAnswer, Stamp } from './wire.js';

export interface ManagedWait {
  readonly id: number;
  readonly rid: number;
  readonly home: string;
  readonly owner: LockOwner;
  readonly stamp: Stamp;
  readonly file: string;
  /** This node's monotonic time when it began. */
  readonly since_ns: number;
  hold: { readonly det: string; readonly until_ns: number } | null;
}

/** What the manager needs of its node. */
export interface ManagerPort {
  readonly id: string;
  now(): number;
  /** Send on the ordered channel to a home. */
  answer(home: string, a: ManagerAnswer): void;
  /** Before a waiting request joins the queue: a refusal (prevention), or null. */
  admit(file: string, req: LockRequest, stamp: Stamp, blockers: readonly LockOwner[]): 'EDEADLK' | null;
  /** A victim's wait is about to be aborted (it is still in the table): for an observer outside the protocol. */
  beforeAbort?(w: ManagedWait, det: string): void;
  /** A wait ended as a deadlock's victim (the abort was applied here, now). */
  aborted(w: ManagedWait, det: string): void;
  /** After every change of the table (a grant, a release, a new wait). */
  changed(): void;
}

export class ResourceManager {
  readonly table = new LockTable(false);
  readonly waits = new Map<number, ManagedWait>();
  /** Waits by their asker's request: `${home} ${rid}`. */
  private readonly byRequest = new Map<string, number>();
  /** Every owner's stamp, from its requests here. */
  readonly stamps = new Map<string, Stamp>();
  /** Work put off while a hold is on: a cancel, a release. */
  private deferred: { readonly owners: readonly string[]; readonly run: () => void }[] = [];
  /** The victim of the abort being applied (its wait end is answered as aborted). */
  private aborting: number | null = null;
  readonly stats = { requests: 0, grants: 0, waits: 0, aborts: 0, refusals: 0, lease_releases: 0 };

  constructor(private readonly port: ManagerPort) {
    this.table.onWaitEnd = (id, end) => {
      const w = this.waits.get(id);
      if (w === undefined) return;
      this.waits.delete(id);
      this.byRequest.delete(`${w.home} ${w.rid}`);
      if (end === 'granted') this.stats.grants++;
      port.answer(w.home, { k: 'ended', rid: w.rid, end });
    };
  }

  /** A home's request, in the order the home made them. */
  serve(home: string, r: HomeRequest): void {
    this.stats.requests++;
    switch (r.k) {
      case 'lock': return this.lock(home, r);
      case 'test': {
        const info = this.table.test(r.file, { owner: { ...r.owner, node: home }, type: r.type, start: r.start, end: r.end, wait: false });
        return this.port.answer(home, { k: 'tested', rid: r.rid, info });
      }
      case 'cancel': {
        const id = this.byRequest.get(`${home} ${r.rid}`);
        if (id === undefined) return;
        const w = this.waits.get(id);
        return this.unlessHeld(w === undefined ? [] : [w.owner.id], () => { this.table.cancel(id); this.port.changed(); });
      }
      case 'release': {
        const owner = r.owner;
        return this.unlessHeld([owner], () => {
          if (r.file === null) this.table.releaseWhere((o) => o.id === owner && o.node === home);
          else this.table.releaseOn(r.file, owner);
          this.forgetStamp(owner);
          this.port.answer(home, { k: 'released', rid: r.rid });
          this.port.changed();
        });
      }
    }
  }

  private lock(home: string, r: Extract<HomeRequest, { k: 'lock' }>): void {
    const owner: LockOwner = { ...r.owner, node: home };
    const req: LockRequest = { owner, type: r.type, start: r.start, end: r.end, wait: r.wait };
    this.stamps.set(owner.id, r.stamp);
    if (r.wait && r.type !== 'unlock') {
      const blockers = this.table.blockersOf(r.file, req);
      if (blockers.length > 0 && this.port.admit(r.file, req, r.stamp, blockers) === 'EDEADLK') {
        this.stats.refusals++;
        return this.port.answer(home, { k: 'answer', rid: r.rid, outcome: 'EDEADLK' });
      }
    }
    const o = this.table.set(r.file, req);
    if (o.kind === 'queued') {
      this.stats.waits++;
      this.waits.set(o.waiter, { id: o.waiter, rid: r.rid, home, owner, stamp: r.stamp, file: r.file, since_ns: this.port.now(), hold: null });
      this.byRequest.set(`${home} ${r.rid}`, o.waiter);
      this.port.answer(home, { k: 'answer', rid: r.rid, outcome: 'queued', wait: o.waiter });
    } else {
      if (o.kind === 'granted') this.stats.grants++;
      this.port.answer(home, { k: 'answer', rid: r.rid, outcome: o.kind === 'granted' ? 'granted' : o.errno });
    }
    this.port.changed();
  }

  /** The waits now, with their blockers (this node's piece of the waits-for graph). */
  edges(): (WaitInfo & { readonly w: ManagedWait })[] {
    const out: (WaitInfo & { readonly w: ManagedWait })[] = [];
    for (const i of this.table.waits()) {
      const w = this.waits.get(i.id);
      if (w !== undefined) out.push({ ...i, w });
    }
    return out;
  }

  /** Whether wait is there, waiting, for owner, blocked by next now. */
  edgeHolds(wait: number, owner: string, next: string): boolean {
    const w = this.waits.get(wait);
    if (w === undefined || w.owner.id !== owner) return false;
    return this.table.waits().some((i) => i.id === wait && i.blockers.some((b) => b.id === next));
  }

  /** Phase one of a confirmation: hold the wait if its edge is there and no other detector holds it. */
  hold(det: string, wait: number, owner: string, next: string): boolean {
    const w = this.waits.get(wait);
    if (w === undefined || !this.edgeHolds(wait, owner, next)) return false;
    if (w.hold !== null && w.hold.det !== det && w.hold.until_ns > this.port.now()) return false;
    w.hold = { det, until_ns: this.port.now() + HOLD_NS };
    return true;
  }

  /** Lift det's holds (and run what they put off). */
  unhold(det: string): void {
    for (const w of this.waits.values()) if (w.hold?.det === det) w.hold = null;
    this.runDeferred();
  }

  /** Phase two: abort the wait if det still holds it (confirmed: false aborts whatever holds). */
  abort(det: string, wait: number, confirmed: boolean): boolean {
    const w = this.waits.get(wait);
    if (w === undefined) return false;
    if (confirmed && (w.hold?.det !== det || w.hold.until_ns <= this.port.now())) return false;
    if (!confirmed && w.hold !== null && w.hold.det !== det && w.hold.until_ns > this.port.now()) return false;
    this.port.beforeAbort?.(w, det);
    this.aborting = wait;
    const done = this.table.abort(wait);
    this.aborting = null;
    if (done) {
      this.stats.aborts++;
      this.port.aborted(w, det);
      this.port.changed();
    }
    return done;
  }

  /** Abort a wait for a prevention scheme (its blocker is older, under wait-die). */
  refuseWaiting(wait: number): void {
    if (this.waits.get(wait)?.hold != null) return;
    if (this.table.abort(wait)) this.stats.refusals++;
  }

  /** A home is gone (its lease ran out) or restarted: its owners' locks and waits go (held ones once free). */
  releaseHome(home: string): void {
    const owners = new Set<string>();
    for (const w of this.waits.values()) if (w.home === home) owners.add(w.owner.id);
    this.stats.lease_releases++;
    this.unlessHeld([...owners], () => {
      this.table.releaseWhere((o) => o.node === home);
      this.port.changed();
    });
  }

  /** Whether any lock or wait here belongs to home. */
  hasHome(home: string): boolean {
    for (const w of this.waits.values()) if (w.home === home) return true;
    return this.table.image().files.some(([, locks]) => locks.some((l) => l.owner.node === home));
  }

  /** Holds past their time lapse (their detector is gone, or its unhold was lost). */
  expireHolds(): void {
    const now = this.port.now();
    let any = false;
    for (const w of this.waits.values()) if (w.hold !== null && w.hold.until_ns <= now) { w.hold = null; any = true; }
    if (any) this.runDeferred();
  }

  private unlessHeld(owners: readonly string[], run: () => void): void {
    const now = this.port.now();
    const held = [...this.waits.values()].some((w) => w.hold !== null && w.hold.until_ns > now && owners.includes(w.owner.id));
    if (held) this.deferred.push({ owners, run });
    else run();
  }

  private runDeferred(): void {
    const now = this.port.now();
    const todo = this.deferred;
    this.deferred = [];
    for (const d of todo) {
      const held = [...this.waits.values()].some((w) => w.hold !== null && w.hold.until_ns > now && d.owners.includes(w.owner.id));
      if (held) this.deferred.push(d);
      else d.run();
    }
  }

  private forgetStamp(owner: string): void {
    for (const w of this.waits.values()) if (w.owner.id === owner) return;
    for (const [, locks] of this.table.image().files) if (locks.some((l) => l.owner.id === owner)) return;
    this.stamps.delete(owner);
  }
}
