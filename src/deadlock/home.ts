// The home side of the distributed locks: the LockManager seam (src/vfs/mount.ts) that a node's file server
// calls for the namespace's files. Each request goes to the file's manager (placement.ts) on the ordered channel
// and is answered from there; the home remembers, per owner (a process or an open file description of this
// node), its stamp, its waits (where a probe about it goes next) and what it holds (for the resource order).
// A release is answered once applied, and an owner's next request waits for its releases (as an unlock returns
// in Linux once the lock is gone): an owner that lets go of a lock at one manager and then asks for another at a
// second is never seen holding the first while it waits for the second.
// A manager that restarts has lost its table: the requests and waits there fail with ENOLCK, and what the
// owners held there is forgotten (as an NFS server that reboots without a grace period).
import { FsError, Later, type LockCall, type LockInfo, type LockManager, type LockOwner, type LockRequest } from '../vfs/index.js';
import { inOrder, updateHeld, type HeldRange } from './order.js';
import { managerOf } from './placement.js';
import type { HomeRequest, ManagerAnswer, Stamp } from './wire.js';

export const DLM_DOMAIN = 'dlm';

interface Pending {
  readonly rid: number;
  readonly mgr: string;
  readonly file: string;
  readonly req: LockRequest;
  readonly done: Later<void>;
  wait: number | null;
}

/** What the home needs of its node. */
export interface HomePort {
  readonly id: string;
  readonly nodes: readonly string[];
  readonly ordered: boolean;
  lamport(): number;
  /** Send on the ordered channel to a manager (false: too much is unacknowledged). */
  request(mgr: string, r: HomeRequest): boolean;
  /** A request refused here by the resource order. */
  refusedOutOfOrder(owner: LockOwner, file: string, req: LockRequest): void;
}

export class LockHome implements LockManager {
  readonly domain = DLM_DOMAIN;
  private nextRid = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly tests = new Map<number, { readonly mgr: string; readonly done: Later<LockInfo | null> }>();
  /** Releases not answered yet: rid -> manager and owner. */
  private readonly releasing = new Map<number, { readonly mgr: string; readonly owner: string }>();
  /** Requests put off until their owner's releases are answered, in the order made. */
  private readonly afterRelease: { readonly p: Pending; readonly r: Extract<HomeRequest, { k: 'lock' }> }[] = [];
  private readonly stamps = new Map<string, Stamp>();
  /** What each owner holds, by file (kept for the resource order). */
  private readonly held = new Map<string, Map<string, HeldRange[]>>();
  /** The managers each owner has asked (a release of everything goes to them). */
  private readonly touched = new Map<string, Set<string>>();
  readonly stats = { requests: 0, refused_out_of_order: 0 };

  constructor(private readonly port: HomePort) {}

  set(file: string, req0: LockRequest): LockCall {
    const owner: LockOwner = { ...req0.owner, node: this.port.id };
    const req: LockRequest = { ...req0, owner };
    if (this.port.ordered && req.wait && req.type !== 'unlock' && !inOrder(this.held.get(owner.id) ?? new Map(), file, req.start, req.end, req.type)) {
      this.stats.refused_out_of_order++;
      this.port.refusedOutOfOrder(owner, file, req);
      throw new FsError('EDEADLK');
    }
    const mgr = managerOf(file, this.port.nodes);
    const rid = this.nextRid++;
    const stamp = this.stampOf(owner.id);
    const r: Extract<HomeRequest, { k: 'lock' }> = { k: 'lock', rid, owner, stamp, file, type: req.type, start: req.start, end: req.end, wait: req.wait };
    const p: Pending = { rid, mgr, file, req, done: new Later<void>(), wait: null };
    if (this.releasingFor(owner.id)) {
      this.afterRelease.push({ p, r });
    } else {
      if (!this.port.request(mgr, r)) throw new FsError('ENOLCK');
      this.stats.requests++;
    }
    this.touch(owner.id, mgr);
    this.pending.set(rid, p);
    if (req.type === 'unlock') this.record(owner.id, file, req.start, req.end, null);
    return {
      result: p.done,
      cancel: () => {
        const put = this.afterRelease.findIndex((x) => x.p.rid === rid);
        if (put >= 0) { this.afterRelease.splice(put, 1); this.pending.delete(rid); p.done.reject(new FsError('EINTR')); return; }
        if (this.pending.has(rid)) this.port.request(mgr, { k: 'cancel', rid });
      },
    };
  }

  private releasingFor(owner: string): boolean {
    for (const x of this.releasing.values()) if (x.owner === owner) return true;
    return false;
  }

  private release(mgr: string, file: string | null, owner: string): void {
    const rid = this.nextRid++;
    if (this.port.request(mgr, { k: 'release', rid, file, owner })) this.releasing.set(rid, { mgr, owner });
  }

  /** Send the requests whose owners' releases are all answered now (in the order made). */
  private sendAfterRelease(): void {
    for (let i = 0; i < this.afterRelease.length;) {
      const { p, r } = this.afterRelease[i]!;
      if (this.releasingFor(r.owner.id)) { i++; continue; }
      this.afterRelease.splice(i, 1);
      if (!this.port.request(p.mgr, r)) { this.pending.delete(p.rid); p.done.reject(new FsError('ENOLCK')); continue; }
      this.stats.requests++;
    }
  }

  test(file: string, req: LockRequest): Later<LockInfo | null> {
    const mgr = managerOf(file, this.port.nodes);
    const rid = this.nextRid++;
    const done = new Later<LockInfo | null>();
    if (req.type === 'unlock') { done.resolve(null); return done; }
    const owner = { ...req.owner, node: this.port.id };
    if (!this.port.request(mgr, { k: 'test', rid, owner, file, type: req.type, start: req.start, end: req.end })) done.reject(new FsError('ENOLCK'));
    else this.tests.set(rid, { mgr, done });
    return done;
  }

  releaseOwner(file: string | null, owner: string): void {
    if (file === null) {
      for (const mgr of this.touched.get(owner) ?? []) this.release(mgr, null, owner);
      this.touched.delete(owner);
      this.held.delete(owner);
      this.stamps.delete(owner);
      return;
    }
    this.release(managerOf(file, this.port.nodes), file, owner);
    this.held.get(owner)?.delete(file);
  }

  releaseDescription(file: string, desc: string): void {
    this.releaseOwner(file, desc);
    if ((this.held.get(desc)?.size ?? 0) === 0) { this.held.delete(desc); this.stamps.delete(desc); this.touched.delete(desc); }
  }

  /** A manager's answer, in the order it gave them. */
  answered(a: ManagerAnswer): void {
    if (a.k === 'released') {
      this.releasing.delete(a.rid);
      this.sendAfterRelease();
      return;
    }
    if (a.k === 'tested') {
      const t = this.tests.get(a.rid);
      this.tests.delete(a.rid);
      t?.done.resolve(a.info);
      return;
    }
    const p = this.pending.get(a.rid);
    if (p === undefined) return;
    if (a.k === 'answer' && a.outcome === 'queued') { p.wait = a.wait ?? null; return; }
    this.pending.delete(a.rid);
    const ok = a.k === 'answer' ? a.outcome === 'granted' : a.end === 'granted';
    if (ok) {
      if (p.req.type !== 'unlock') this.record(p.req.owner.id, p.file, p.req.start, p.req.end, p.req.type);
      p.done.resolve();
      return;
    }
    const errno = a.k === 'answer' ? a.outcome : a.end === 'aborted' ? 'EDEADLK' : 'EINTR';
    p.done.reject(new FsError(errno === 'queued' || errno === 'granted' ? 'EIO' : errno));
  }

  /** Where owner waits now (a probe about it goes there). */
  waitsOf(owner: string): { readonly mgr: string; readonly wait: number }[] {
    const out: { mgr: string; wait: number }[] = [];
    for (const p of this.pending.values()) if (p.wait !== null && p.req.owner.id === owner) out.push({ mgr: p.mgr, wait: p.wait });
    return out;
  }

  /** A manager restarted: its requests and waits fail, its locks are forgotten. */
  managerLost(mgr: string): void {
    for (let i = this.afterRelease.length - 1; i >= 0; i--) if (this.afterRelease[i]!.p.mgr === mgr) this.afterRelease.splice(i, 1);
    for (const [rid, p] of [...this.pending]) if (p.mgr === mgr) { this.pending.delete(rid); p.done.reject(new FsError('ENOLCK', `the lock manager on ${mgr} restarted`)); }
    for (const [rid, t] of [...this.tests]) if (t.mgr === mgr) { this.tests.delete(rid); t.done.reject(new FsError('ENOLCK', `the lock manager on ${mgr} restarted`)); }
    for (const files of this.held.values()) for (const f of [...files.keys()]) if (managerOf(f, this.port.nodes) === mgr) files.delete(f);
    for (const [rid, x] of [...this.releasing]) if (x.mgr === mgr) this.releasing.delete(rid); // its table, and what they released, are gone
    this.sendAfterRelease();
  }

  /** Managers this home has state at (its lease goes to them). */
  managers(): Set<string> {
    const out = new Set<string>();
    for (const s of this.touched.values()) for (const m of s) out.add(m);
    for (const p of this.pending.values()) out.add(p.mgr);
    return out;
  }

  /** Requests not answered yet (statistics, tests). */
  get outstanding(): number {
    return this.pending.size;
  }

  /** An owner's age: the Lamport time of its first request, never the same for two owners of this home. */
  stampOf(owner: string): Stamp {
    let s = this.stamps.get(owner);
    if (s === undefined) {
      this.lastStamp = Math.max(this.port.lamport(), this.lastStamp + 1);
      this.stamps.set(owner, s = [this.lastStamp, this.port.id]);
    }
    return s;
  }

  /** The last stamp's time given here: two owners stamped at one Lamport time would be of one age, and wait-die
   * (no one older) would let each wait for the other. */
  private lastStamp = -1;

  private touch(owner: string, mgr: string): void {
    let s = this.touched.get(owner);
    if (s === undefined) this.touched.set(owner, s = new Set());
    s.add(mgr);
  }

  private record(owner: string, file: string, start: number, end: number, type: 'read' | 'write' | null): void {
    let files = this.held.get(owner);
    if (files === undefined) this.held.set(owner, files = new Map());
    const next = updateHeld(files.get(file) ?? [], start, end, type);
    if (next.length === 0) files.delete(file);
    else files.set(file, next);
  }
}
