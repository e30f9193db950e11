// A simulated cluster running only the dlm service, driven as file servers drive it: owners (processes) on
// nodes locking files through their node's LockManager, with the simulator's truth (truth.ts) at hand.
import { SimCluster } from '../../src/cluster/index.js';
import { DLM_SERVICE, LockService, type DeadlockEvent, type DeadlockStrategy } from '../../src/deadlock/index.js';
import type { LinkParams } from '../../src/net/index.js';
import { FsError, Later, type LockRequest } from '../../src/vfs/index.js';

export const MS = 1_000_000;

export interface Harness {
  readonly c: SimCluster;
  readonly ids: readonly string[];
  readonly events: DeadlockEvent[];
  svc(node: string): LockService;
  live(): LockService[];
  /** Owner p<pid> on node asks for a write lock of byte at of file: the outcome once settled ('ok', errno). */
  lock(node: string, pid: number, file: number, at: number, wait: boolean): { outcome: string | null };
  releaseAll(node: string, pid: number): void;
}

export function harness(strategy: DeadlockStrategy, nodes: number, seed: number, link?: Partial<LinkParams>, observe?: (e: DeadlockEvent, h: Harness) => void): Harness {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const events: DeadlockEvent[] = [];
  let h: Harness;
  const c = new SimCluster({
    seed, nodes: ids.map((id) => ({ id, services: { [DLM_SERVICE]: () => new LockService({ strategy, observe: (e) => { events.push(e); observe?.(e, h); } }) } })),
    ...(link ? { link } : {}),
  });
  const svc = (node: string): LockService => c.service<LockService>(node, DLM_SERVICE)!;
  h = {
    c, ids, events, svc,
    live: () => ids.filter((id) => c.node(id).status !== 'down').map(svc).filter((s) => s !== undefined),
    lock: (node, pid, file, at, wait) => {
      const out = { outcome: null as string | null };
      const req: LockRequest = { owner: { family: 'posix', id: `p${pid}`, pid, node: '' }, type: 'write', start: at, end: at + 1, wait };
      try {
        const r = svc(node).locks.set(String(file), req).result;
        if (r instanceof Later) r.then(() => { out.outcome = 'ok'; }, (e) => { out.outcome = e.code; });
        else out.outcome = 'ok';
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        out.outcome = e.code;
      }
      return out;
    },
    releaseAll: (node, pid) => svc(node).locks.releaseOwner(null, `p${pid}`),
  };
  return h;
}

/**
 * A ring of k owners on k nodes: owner i holds file i, then waits for file i+1 (the last for file 0 when cycle);
 * a refused owner lets go of everything, and every owner lets go once granted. The outcomes of the waits.
 */
export function ring(h: Harness, k: number, cycle: boolean, until_ms = 3000): (string | null)[] {
  const node = (i: number): string => h.ids[i % h.ids.length]!;
  // Files 1..k: file f is managed by ids[f % n], so owner i's file is elsewhere than the one it waits for.
  const held = Array.from({ length: k }, (_, i) => h.lock(node(i), 100 + i, i + 1, 0, false));
  h.c.sim.runFor(50 * MS);
  if (held.some((o) => o.outcome !== 'ok')) throw new Error(`ring: first locks ${held.map((o) => o.outcome).join(',')}`);
  const waits: { outcome: string | null }[] = [];
  for (let i = 0; i < k; i++) {
    if (!cycle && i === k - 1) { waits.push({ outcome: 'none' }); continue; }
    const w = h.lock(node(i), 100 + i, ((i + 1) % k) + 1, 0, true);
    waits.push(w);
    h.c.sim.runFor(1 * MS);
  }
  const done = new Set<number>();
  const end = h.c.sim.now_ns + until_ms * MS;
  while (h.c.sim.now_ns < end) {
    h.c.sim.runFor(5 * MS);
    waits.forEach((w, i) => {
      if (w.outcome !== null && !done.has(i)) { done.add(i); h.releaseAll(node(i), 100 + i); }
    });
    if (!cycle && !done.has(k - 1)) { done.add(k - 1); h.releaseAll(node(k - 1), 100 + k - 1); }
    if (done.size === k) break;
  }
  return waits.map((w) => w.outcome);
}
