// Versions of the geo store: hybrid logical clock stamps (Kulkarni et al.), (l, c, node). l follows the
// node's physical clock but never goes back (a clock stepped backwards keeps l where it was); c orders
// events within one l. A version names its origin replica, so two versions are never equal unless they
// are the same write, and the order (l, then c, then node) is total: last-writer-wins uses it.
// l counts microseconds (a wall clock in ns since 1970 is past 2^53; in us it fits until the year 2255);
// c stays below 2^31.

export interface Version {
  /** Logical time in us (the highest physical reading seen). */
  readonly l: number;
  readonly c: number;
  /** The replica that made the write. */
  readonly n: string;
}

export const VERSION_ZERO: Version = { l: 0, c: 0, n: '' };
const C_MAX = 0x7fff_ffff;

export function compareVersions(a: Version, b: Version): number {
  if (a.l !== b.l) return a.l < b.l ? -1 : 1;
  if (a.c !== b.c) return a.c < b.c ? -1 : 1;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

export const maxVersion = (a: Version, b: Version): Version => (compareVersions(a, b) >= 0 ? a : b);

export function isVersion(x: unknown): x is Version {
  if (x === null || typeof x !== 'object') return false;
  const v = x as Record<string, unknown>;
  return Number.isSafeInteger(v['l']) && (v['l'] as number) >= 0 && Number.isSafeInteger(v['c']) && (v['c'] as number) >= 0 && typeof v['n'] === 'string';
}

export function formatVersion(v: Version): string {
  return v.n === '' ? '0' : `${v.l}.${v.c}@${v.n}`;
}

/** One node's hybrid logical clock over its physical clock reading. */
export class HybridClock {
  private l = 0;
  private c = 0;

  constructor(private readonly node: string, private readonly physical_ns: () => number) {}

  /** The latest stamp issued or observed (without advancing). */
  get last(): Version {
    return { l: this.l, c: this.c, n: this.node };
  }

  /** Take in a stamp seen elsewhere (a message, a session, a stored version): later stamps exceed it. */
  observe(v: Version): void {
    if (v.l > this.l) { this.l = v.l; this.c = v.c; }
    else if (v.l === this.l && v.c > this.c) this.c = v.c;
  }

  /** A new stamp, greater than every stamp issued or observed before, and than `floor` when given. */
  tick(floor?: Version): Version {
    if (floor) this.observe(floor);
    const pt = Math.max(0, Math.floor(this.physical_ns() / 1000));
    if (pt > this.l) { this.l = pt; this.c = 0; }
    else {
      if (this.c >= C_MAX) throw new RangeError(`hybrid clock of ${this.node}: logical counter overflow at l=${this.l}`);
      this.c++;
    }
    return { l: this.l, c: this.c, n: this.node };
  }
}
