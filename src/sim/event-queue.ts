// A binary min-heap of scheduled events ordered by (time, insertion sequence): two events at the same
// virtual instant run in the order they were scheduled, so a run never depends on heap internals.
// Bound: `capacity` entries (default 4 Mi); scheduling beyond it throws instead of growing without limit.

export interface QueuedEvent<T> {
  readonly at_ns: number;
  readonly seq: number;
  readonly item: T;
}

export class EventQueue<T> {
  private readonly heap: QueuedEvent<T>[] = [];
  private nextSeq = 0;

  constructor(readonly capacity = 4 * 1024 * 1024) {}

  get size(): number {
    return this.heap.length;
  }

  push(at_ns: number, item: T): QueuedEvent<T> {
    if (this.heap.length >= this.capacity) {
      throw new RangeError(`event queue full (${this.capacity} events): a component schedules without bound`);
    }
    const ev: QueuedEvent<T> = { at_ns, seq: this.nextSeq++, item };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!less(ev, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
    return ev;
  }

  peek(): QueuedEvent<T> | undefined {
    return this.heap[0];
  }

  pop(): QueuedEvent<T> | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less<T>(x: QueuedEvent<T>, y: QueuedEvent<T>): boolean {
  return x.at_ns < y.at_ns || (x.at_ns === y.at_ns && x.seq < y.seq);
}
