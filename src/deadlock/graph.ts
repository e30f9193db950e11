// Cycles in a waits-for graph given as labelled edges: one cycle found by depth-first search in a fixed order
// (the same graph gives the same cycle), and every elementary cycle (for the simulator's truth, small graphs).

export interface Edge<H = unknown> {
  readonly from: string;
  readonly to: string;
  readonly hop: H;
}

/** A cycle as the hops of its edges in order, or null; edges skip() picks are left out. */
export function findCycle<H>(edges: readonly Edge<H>[], skip: (h: H) => boolean = () => false): H[] | null {
  const out = new Map<string, Edge<H>[]>();
  for (const e of edges) {
    if (skip(e.hop)) continue;
    let l = out.get(e.from);
    if (l === undefined) out.set(e.from, l = []);
    l.push(e);
  }
  const state = new Map<string, 1 | 2>();
  const stack: Edge<H>[] = [];
  const visit = (v: string): H[] | null => {
    state.set(v, 1);
    for (const e of out.get(v) ?? []) {
      const s = state.get(e.to);
      if (s === 1) {
        const at = stack.findIndex((x) => x.from === e.to);
        return [...stack.slice(at < 0 ? stack.length : at), e].map((x) => x.hop);
      }
      if (s === 2) continue;
      stack.push(e);
      const c = visit(e.to);
      stack.pop();
      if (c !== null) return c;
    }
    state.set(v, 2);
    return null;
  };
  for (const v of [...out.keys()].sort()) {
    if (state.has(v)) continue;
    const c = visit(v);
    if (c !== null) return c;
  }
  return null;
}

/** Every elementary cycle (as vertex lists starting at their least vertex), at most max of them. */
export function allCycles(edges: readonly { readonly from: string; readonly to: string }[], max = 1000): string[][] {
  const adj = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    let s = adj.get(e.from);
    if (s === undefined) adj.set(e.from, s = new Set());
    s.add(e.to);
  }
  const out: string[][] = [];
  const vs = [...adj.keys()].sort();
  for (const start of vs) {
    const path = [start];
    const on = new Set([start]);
    const walk = (v: string): void => {
      for (const w of [...(adj.get(v) ?? [])].sort()) {
        if (out.length >= max) return;
        if (w === start) { out.push([...path]); continue; }
        if (w < start || on.has(w)) continue;
        path.push(w); on.add(w);
        walk(w);
        path.pop(); on.delete(w);
      }
    };
    walk(start);
  }
  return out;
}
