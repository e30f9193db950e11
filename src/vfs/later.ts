// An outcome that arrives later: a mount whose operations need other computers (a replicated file system waits
// for a commit, or for a read barrier) answers with a Later, which settles once, with a value or an FsError.
// Callbacks run synchronously when it settles (or at once when it has), so a simulated run stays one ordered
// sequence of events; a mount that answers at once returns the plain value (a Maybe). Not a Promise: no
// microtask lies between a commit and the guest's answer.
import { FsError } from './errors.js';

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FsError };

export class Later<T> {
  // Kept as unknown, so a Later of a subtype is a Later of its supertype (covariant, as a Promise is).
  private outcome: Outcome<unknown> | null = null;
  private waiters: ((o: Outcome<unknown>) => void)[] = [];

  /** A Later already settled with value. */
  static of<T>(value: T): Later<T> {
    const l = new Later<T>();
    l.resolve(value);
    return l;
  }

  get settled(): boolean {
    return this.outcome !== null;
  }

  resolve(value: T): void {
    this.settle({ ok: true, value });
  }

  reject(error: FsError): void {
    this.settle({ ok: false, error });
  }

  /** Call ok or bad once it settles (now, if it has). */
  then(ok: (value: T) => void, bad: (error: FsError) => void): void {
    const run = (o: Outcome<unknown>): void => (o.ok ? ok(o.value as T) : bad(o.error));
    if (this.outcome !== null) run(this.outcome);
    else this.waiters.push(run);
  }

  /** A Later of fn's result (fn may throw an FsError, or answer later itself). */
  map<U>(fn: (value: T) => Maybe<U>): Later<U> {
    const out = new Later<U>();
    this.then((v) => {
      try {
        const u = fn(v);
        if (u instanceof Later) u.then((x) => out.resolve(x), (e) => out.reject(e));
        else out.resolve(u);
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        out.reject(e);
      }
    }, (e) => out.reject(e));
    return out;
  }

  private settle(o: Outcome<T>): void {
    if (this.outcome !== null) return;
    this.outcome = o;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn(o);
  }
}

/** A value now, or one later. */
export type Maybe<T> = T | Later<T>;

/** fn applied to m's value, now when m is a value. */
export function andThen<T, U>(m: Maybe<T>, fn: (value: T) => Maybe<U>): Maybe<U> {
  return m instanceof Later ? m.map(fn) : fn(m);
}
