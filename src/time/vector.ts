// Vector clocks as plain objects from node id to counter (JSON-friendly, so they can ride in messages
// and the trace). compare() gives the causal order: before, after, equal or concurrent.
// Bound: one entry per node that ever touched the clock (the cluster size).

export type VectorStamp = Readonly<Record<string, number>>;
export type CausalOrder = 'before' | 'after' | 'equal' | 'concurrent';

export class VectorClock {
  private readonly v: Record<string, number> = {};

  constructor(readonly node: string) {}

  /** A local event or a send; returns a snapshot. */
  tick(): VectorStamp {
    this.v[this.node] = (this.v[this.node] ?? 0) + 1;
    return this.snapshot();
  }

  /** Merge a received stamp, then tick for the receive event. */
  receive(stamp: VectorStamp): VectorStamp {
    for (const [k, n] of Object.entries(stamp)) {
      if (Number.isSafeInteger(n) && n > (this.v[k] ?? 0)) this.v[k] = n;
    }
    return this.tick();
  }

  snapshot(): VectorStamp {
    const out: Record<string, number> = {};
    for (const k of Object.keys(this.v).sort()) out[k] = this.v[k]!;
    return out;
  }
}

export function compareVectors(a: VectorStamp, b: VectorStamp): CausalOrder {
  let less = false;
  let greater = false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x < y) less = true;
    else if (x > y) greater = true;
  }
  if (less && greater) return 'concurrent';
  if (less) return 'before';
  if (greater) return 'after';
  return 'equal';
}
