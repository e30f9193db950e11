// Detection by edge chasing (Chandy, Misra and Haas, for the resource model): a wait that has lasted a probe
// period starts a probe (its owner the initiator) along every waits-for edge out of it. A probe about owner j goes
// to j's home, which sends it on to every manager where j waits; that manager extends the path by j's edges and
// sends it on. The probe that comes back to its initiator has found a cycle; its detector confirms it
// (confirm.ts) before the victim is told. To keep one detection per cycle, a probe goes no further than an owner
// younger than its initiator (that owner's own probe will find the cycle, and it is the victim anyway); so the
// probe that goes all the way round is the youngest member's, and it is found where the victim waits. A probe
// through a crashed node is lost with it: nothing is reported. Bound: a cycle of k owners that exists at a round
// is found in that round when no message of it is lost: within 2 probe periods + (2k + 3) link latencies of
// forming (the probe: 2 messages an edge; hold and held; the abort).
import { PROBE_HOPS_MAX } from './limits.js';
import type { DetectorPort } from './port.js';
import { olderThan, type DetectionMessage, type Hop } from './wire.js';

export class EdgeChasing {
  private round = 0;
  readonly stats = { probes_started: 0, cycles_found: 0 };

  constructor(private readonly port: DetectorPort) {}

  /** Every probe period: each wait that has lasted a period probes again. */
  tick(): void {
    const p = this.port;
    this.round++;
    for (const e of p.manager.edges()) {
      if (p.now() - e.w.since_ns < p.period_ns) continue;
      for (const b of e.blockers) {
        if (b.id === e.owner.id) continue;
        const bs = p.manager.stamps.get(b.id);
        if (bs !== undefined && olderThan(e.w.stamp, bs)) continue;
        const det = `${p.id}:${e.id}:${this.round}`;
        const hop: Hop = { mgr: p.id, wait: e.id, owner: e.owner.id, stamp: e.w.stamp, next: b.id };
        this.stats.probes_started++;
        p.send(b.node, { t: 'probe-home', det, about: b.id, hops: [hop], sent: b.node === p.id ? 0 : 1 });
      }
    }
  }

  /** At a home: send the probe on to where its owner waits (nowhere: it is not blocked, the probe ends). */
  atHome(m: Extract<DetectionMessage, { t: 'probe-home' }>): void {
    const p = this.port;
    for (const w of p.home.waitsOf(m.about)) {
      const cost = w.mgr === p.id ? 0 : 1;
      p.send(w.mgr, { t: 'probe-wait', det: m.det, wait: w.wait, about: m.about, hops: m.hops, sent: m.sent + cost });
    }
  }

  /** At a manager: extend the path by the wait's edges; back at the initiator, a cycle. */
  atManager(m: Extract<DetectionMessage, { t: 'probe-wait' }>): void {
    const p = this.port;
    const init = m.hops[0];
    const w = p.manager.waits.get(m.wait);
    if (init === undefined || w === undefined || w.owner.id !== m.about) return;
    const e = p.manager.edges().find((x) => x.id === m.wait);
    if (e === undefined) return;
    for (const b of e.blockers) {
      const hop: Hop = { mgr: p.id, wait: w.id, owner: w.owner.id, stamp: w.stamp, next: b.id };
      if (b.id === init.owner) {
        this.stats.cycles_found++;
        p.confirm(m.det, [...m.hops, hop], m.sent, p.now());
        continue;
      }
      if (m.hops.some((h) => h.owner === b.id) || m.hops.length + 1 >= PROBE_HOPS_MAX) continue;
      const bs = p.manager.stamps.get(b.id);
      if (bs !== undefined && olderThan(init.stamp, bs)) continue;
      const cost = b.node === p.id ? 0 : 1;
      p.send(b.node, { t: 'probe-home', det: m.det, about: b.id, hops: [...m.hops, hop], sent: m.sent + cost });
    }
  }
}
