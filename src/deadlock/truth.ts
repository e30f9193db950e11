// The simulator's truth, outside every protocol: the global waits-for graph as the union of every live manager's
// table at this instant (in simulation all of them are in one process), to check a strategy's reports against.
import type { LockService } from './service.js';

export interface TrueEdge { readonly from: string; readonly to: string; readonly mgr: string; readonly wait: number }

export function trueGraph(services: readonly LockService[]): TrueEdge[] {
  const out: TrueEdge[] = [];
  for (const s of services) {
    const m = s.manager;
    if (m === undefined) continue;
    for (const e of m.edges()) for (const b of e.blockers) if (b.id !== e.owner.id) out.push({ from: e.owner.id, to: b.id, mgr: s.nodeId, wait: e.id });
  }
  return out;
}

/** Whether every edge (owner -> next, at the wait of mgr) is in the graph now. */
export function cycleExists(graph: readonly TrueEdge[], cycle: readonly { readonly mgr: string; readonly wait: number; readonly owner: string; readonly next: string }[]): boolean {
  return cycle.length > 0 && cycle.every((h) => graph.some((e) => e.mgr === h.mgr && e.wait === h.wait && e.from === h.owner && e.to === h.next));
}

export { allCycles as trueCycles } from './graph.js';
