// The lock manager of one machine (locks.ts's table, here): for the files of mounts that keep no locks of their
// own (a host directory, a node's /tmp) and for pipes. A wait is a Later settled when the table grants it, or
// with EINTR when it is cancelled.
import { FsError } from './errors.js';
import { Later } from './later.js';
import { LockTable, type LockInfo, type LockRequest } from './locks.js';
import type { LockCall, LockManager } from './mount.js';

export class LocalLocks implements LockManager {
  readonly domain = 'local';
  private readonly table = new LockTable();
  private readonly waits = new Map<number, Later<void>>();

  constructor() {
    this.table.onWaitEnd = (w, end) => {
      const l = this.waits.get(w);
      if (l === undefined) return;
      this.waits.delete(w);
      if (end === 'granted') l.resolve();
      else l.reject(new FsError('EINTR'));
    };
  }

  set(file: string, req: LockRequest): LockCall {
    const o = this.table.set(file, req);
    if (o.kind === 'granted') return { result: undefined, cancel: () => {} };
    if (o.kind === 'refused') throw new FsError(o.errno);
    const l = new Later<void>();
    this.waits.set(o.waiter, l);
    return { result: l, cancel: () => { this.table.cancel(o.waiter); } };
  }

  test(file: string, req: LockRequest): LockInfo | null {
    return this.table.test(file, req);
  }

  releaseOwner(file: string | null, owner: string): void {
    if (file === null) this.table.releaseWhere((o) => o.id === owner);
    else this.table.releaseOn(file, owner);
  }

  releaseDescription(file: string, desc: string): void {
    this.table.releaseOn(file, desc);
  }

  /** Locks held now (statistics, tests). */
  get held(): number {
    return this.table.held;
  }
}
