// A seeded nemesis in the manner of Jepsen: every `interval_ns` it either heals the fault it made or
// makes a new one, drawn from the enabled kinds: random halves, a majorities ring (every node sees a
// majority, no two the same one), kill (crash, then restart on heal), pause (then resume), clock skew.
// All its choices come from its own PRNG stream, and each fault lands in the trace.
import type { Prng } from '../sim/index.js';
import { applyFault, type Fault, type FaultTarget } from './faults.js';
import { majoritySize } from '../raft/index.js';

export type NemesisKind = 'halves' | 'ring' | 'kill' | 'pause' | 'skew';

export interface NemesisOptions {
  readonly rng: Prng;
  readonly kinds: readonly NemesisKind[];
  readonly interval_ns: number;
  readonly start_ns?: number;
  /** Heal everything and stop at this time. */
  readonly stop_ns: number;
  /** Largest clock step for 'skew' (default 100 ms). */
  readonly skew_max_ns?: number;
  /** Nodes the nemesis may touch (default: all). */
  readonly nodes?: readonly string[];
}

/** Blocked directed pairs such that each node (in a shuffled ring) reaches a majority. */
export function majoritiesRing(order: readonly string[]): [string, string][] {
  const n = order.length;
  // Each node with its neighbours on both sides must make a majority: majoritySize(n) - 1 others.
  const reach = Math.ceil((majoritySize(n) - 1) / 2); // neighbours on each side
  const blocked: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = Math.min((i - j + n) % n, (j - i + n) % n);
      if (d > reach) blocked.push([order[i]!, order[j]!]);
    }
  }
  return blocked;
}

export class Nemesis {
  private active: Fault[] = [];
  readonly applied: Fault[] = [];

  constructor(private readonly target: FaultTarget, private readonly opts: NemesisOptions) {
    if (opts.kinds.length === 0) throw new RangeError('nemesis needs at least one fault kind');
    if (!(opts.interval_ns > 0)) throw new RangeError('nemesis interval_ns must be > 0');
    const first = Math.max(opts.start_ns ?? opts.interval_ns, target.sim.now_ns);
    target.sim.at(first, () => this.step());
  }

  private get nodes(): readonly string[] {
    return this.opts.nodes ?? this.target.ids;
  }

  private step(): void {
    const sim = this.target.sim;
    if (this.active.length > 0 || sim.now_ns >= this.opts.stop_ns) {
      this.healAll();
    } else {
      const f = this.make(this.opts.rng.pick(this.opts.kinds));
      this.apply(f);
    }
    const next = sim.now_ns + this.opts.interval_ns;
    if (sim.now_ns < this.opts.stop_ns) sim.at(Math.min(next, this.opts.stop_ns), () => this.step());
  }

  private make(kind: NemesisKind): Fault {
    const rng = this.opts.rng;
    const nodes = this.nodes;
    switch (kind) {
      case 'halves': {
        const s = rng.shuffle(nodes);
        const k = Math.floor(s.length / 2);
        return { kind: 'partition', groups: [s.slice(0, k), s.slice(k)] };
      }
      case 'ring':
        return { kind: 'ring', blocked: majoritiesRing(rng.shuffle(nodes)) };
      case 'kill':
        return { kind: 'crash', node: rng.pick(nodes) };
      case 'pause':
        return { kind: 'pause', node: rng.pick(nodes) };
      case 'skew': {
        const max = this.opts.skew_max_ns ?? 100_000_000;
        return { kind: 'skew', node: rng.pick(nodes), delta_ns: rng.int(-max, max) };
      }
    }
  }

  private apply(f: Fault): void {
    this.applied.push(f);
    applyFault(this.target, f);
    if (f.kind !== 'skew') this.active.push(f);
  }

  private healAll(): void {
    for (const f of this.active) {
      if (f.kind === 'crash') applyFault(this.target, { kind: 'restart', node: f.node });
      else if (f.kind === 'pause') applyFault(this.target, { kind: 'resume', node: f.node });
      else applyFault(this.target, { kind: 'heal' });
    }
    this.active = [];
  }
}
