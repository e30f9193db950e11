// Rebalancing load by migration: every BALANCE_PERIOD_NS a node compares its load (runnable threads plus live
// processes, the load it reports) with the lowest load a node that is up last reported. When it is ahead by
// BALANCE_GAP or more, it moves one of its processes there by stop-and-copy, one move at a time: the youngest
// running process that can move (a process with children here, shared memory, locks, queues or endpoints is
// refused by the move and left alone for BALANCE_REFUSED_NS). A busy process counts about 2 (live, runnable), so
// a gap of 3 moves one only while the move leaves this node no lighter than the target. Pure decision here; the
// machine service runs it (MachineServiceOptions.balance).
import { compareNodes } from './placement.js';

/** How often a node looks at the loads (virtual time of its own clock). */
export const BALANCE_PERIOD_NS = 200_000_000;
/** The load this node must be ahead of the lightest node by before it moves a process there. */
export const BALANCE_GAP = 3;
/** A process a move refused is not picked again for this long. */
export const BALANCE_REFUSED_NS = 5_000_000_000;

export interface BalanceInput {
  readonly self: string;
  readonly load: number;
  /** The last load each other node reported. */
  readonly loads: ReadonlyMap<string, number>;
  /** Nodes believed up (self may be among them). */
  readonly up: ReadonlySet<string>;
}

/** The node to move a process to, or null (balanced enough). Ties: the first node in name order. */
export function balanceTarget(input: BalanceInput): string | null {
  let best: string | null = null;
  let bestLoad = Infinity;
  for (const node of [...input.up].sort(compareNodes)) {
    if (node === input.self) continue;
    const load = input.loads.get(node);
    if (load === undefined) continue; // never heard: not a target yet
    if (load < bestLoad) { best = node; bestLoad = load; }
  }
  return best !== null && input.load - bestLoad >= BALANCE_GAP ? best : null;
}

/** Which process to move: the youngest (highest pid) running one not refused lately; null when there is none. */
export function balanceCandidate(processes: readonly { pid: number; ppid: number; state: string }[], refused: ReadonlyMap<number, number>, now_ns: number): number | null {
  const parents = new Set(processes.map((p) => p.ppid));
  const ok = processes.filter((p) => p.state === 'running' && !parents.has(p.pid) && (refused.get(p.pid) ?? -Infinity) + BALANCE_REFUSED_NS <= now_ns);
  return ok.length === 0 ? null : ok.reduce((a, b) => (b.pid > a.pid ? b : a)).pid;
}
