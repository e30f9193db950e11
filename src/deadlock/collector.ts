// Detection by a central coordinator (the first node in name order): every probe period each manager sends it
// its piece of the waits-for graph (its waits, each with the owners blocking it); the coordinator keeps the
// latest piece of each and looks for cycles in their union whenever one arrives. The union is a patchwork of
// moments: an edge of one report may be gone before an edge of another formed, and a cycle of such edges never
// existed (a phantom deadlock). The naive collector ('collector-naive') aborts its victim at once and so reports
// phantoms; the collector confirms the cycle first (confirm.ts: every edge held at its manager at once) and
// reports only real ones. Bound: a cycle of k owners present when the reports go out is found within 2 probe
// periods + 3 link latencies (report, hold, held, abort: 4 latencies in all) unless a message of it is lost; the
// next round tries again. Limit: the coordinator is a single point; while it is down nothing is detected.
import { REPORT_WAITS_MAX } from './limits.js';
import type { DetectorPort } from './port.js';
import { findCycle, type Edge } from './graph.js';
import type { DetectionMessage, Hop, ReportedWait } from './wire.js';
import { victimOf } from './confirm.js';

export class Collector {
  private round = 0;
  private readonly reports = new Map<string, { readonly round: number; waits: ReportedWait[]; readonly cost: number }>();
  /** Cycles being confirmed, by their waits (not started again meanwhile). */
  private readonly inFlight = new Set<string>();
  readonly stats = { reports: 0, cycles_found: 0 };

  constructor(private readonly port: DetectorPort, private readonly naive: boolean) {}

  get coordinator(): string {
    return this.port.nodes[0]!;
  }

  tick(): void {
    const p = this.port;
    this.round++;
    const waits: ReportedWait[] = p.manager.edges().slice(0, REPORT_WAITS_MAX).map((e) => ({
      wait: e.id, owner: e.owner.id, stamp: e.w.stamp,
      blockers: e.blockers.map((b) => ({ id: b.id, stamp: p.manager.stamps.get(b.id) ?? [0, b.node] })),
    }));
    // An empty piece is sent too: it replaces the manager's earlier one.
    this.stats.reports++;
    p.send(this.coordinator, { t: 'edges', round: this.round, waits });
  }

  /** At the coordinator: peer restarted; its piece is gone with its table, and its rounds count from 1 again. */
  forget(peer: string): void {
    this.reports.delete(peer);
  }

  /** At the coordinator: a manager's piece; look for cycles in the union. */
  report(from: string, m: Extract<DetectionMessage, { t: 'edges' }>): void {
    const p = this.port;
    const prev = this.reports.get(from);
    if (prev !== undefined && prev.round >= m.round) return;
    this.reports.set(from, { round: m.round, waits: [...m.waits], cost: from === p.id ? 0 : 1 });
    for (let found = 0; found < 64; found++) {
      const edges: Edge<Hop>[] = [];
      for (const [mgr, r] of [...this.reports].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const w of r.waits) for (const b of w.blockers) if (b.id !== w.owner) edges.push({ from: w.owner, to: b.id, hop: { mgr, wait: w.wait, owner: w.owner, stamp: w.stamp, next: b.id } });
      }
      const cycle = findCycle(edges, (h) => this.inFlight.has(`${h.mgr} ${h.wait}`));
      if (cycle === null) return;
      this.stats.cycles_found++;
      this.handle(cycle);
    }
  }

  private handle(cycle: readonly Hop[]): void {
    const p = this.port;
    const det = `${p.id}:c${this.round}:${this.stats.cycles_found}`;
    const mgrs = new Set(cycle.map((h) => h.mgr));
    const sent = [...mgrs].reduce((n, mgr) => n + (mgr === p.id ? 0 : 1), 0);
    const victim = victimOf(cycle);
    // The victim's wait leaves the coordinator's picture: it is not found again from the same reports.
    const r = this.reports.get(victim.mgr);
    if (r !== undefined) r.waits = r.waits.filter((w) => w.wait !== victim.wait);
    if (this.naive) {
      const cost = victim.mgr === p.id ? 0 : 1;
      p.send(victim.mgr, { t: 'abort-now', det, wait: victim.wait, cycle, messages: sent + cost, started_ns: p.now() });
      return;
    }
    const keys = cycle.map((h) => `${h.mgr} ${h.wait}`);
    for (const k of keys) this.inFlight.add(k);
    p.confirm(det, cycle, sent, p.now());
    // In flight for one confirmation's time at most (found again afterwards if it is still there).
    p.after(() => { for (const k of keys) this.inFlight.delete(k); });
  }
}
