// Two-phase confirmation of a cycle a detector found, before anyone is told EDEADLK: a found cycle may be a
// phantom (its edges seen at different times: one gone before another formed). Phase one asks every hop's
// manager to hold the hop's wait if its edge is there now; a held wait's cancel and its owner's releases wait
// until the hold is lifted, so once every hold is granted the edges are all there together and stay (a grant
// needs a blocker to let go, and every blocker is itself held waiting). Phase two aborts the victim's wait (its
// asker gets EDEADLK) if the detector's hold is still on it, and lifts the holds. A hold refused, or answers
// missing by CONFIRM_TIMEOUT_NS: the detection is abandoned (the next round tries again). Victim rule: the
// youngest owner of the cycle (the greatest stamp), the same whoever found the cycle, so two detectors of one
// cycle pick one victim and the second abort finds it gone: one EDEADLK per cycle.
import type { TimerId } from '../node/index.js';
import { CONFIRMATIONS_MAX, CONFIRM_TIMEOUT_NS } from './limits.js';
import { olderThan, type DetectionMessage, type Hop } from './wire.js';

/** The hop of cycle whose owner is youngest. */
export function victimOf(cycle: readonly Hop[]): Hop {
  let v = cycle[0]!;
  for (const h of cycle) if (olderThan(v.stamp, h.stamp)) v = h;
  return v;
}

interface Running {
  readonly cycle: readonly Hop[];
  readonly ok: boolean[];
  answers: number;
  sent: number;
  readonly started_ns: number;
  readonly timer: TimerId;
}

export interface ConfirmPort {
  send(to: string, m: DetectionMessage): number;
  setTimer(ns: number, cb: () => void): TimerId;
  clearTimer(t: TimerId): void;
  /** A detection ended without an abort (stats). */
  abandoned(det: string): void;
}

export class Confirmations {
  private readonly running = new Map<string, Running>();
  constructor(private readonly port: ConfirmPort) {}

  get active(): number {
    return this.running.size;
  }

  start(det: string, cycle: readonly Hop[], sent: number, started_ns: number): void {
    if (this.running.has(det) || this.running.size >= CONFIRMATIONS_MAX || cycle.length === 0) return;
    const timer = this.port.setTimer(CONFIRM_TIMEOUT_NS, () => this.finish(det, false));
    const r: Running = { cycle, ok: cycle.map(() => false), answers: 0, sent, started_ns, timer };
    this.running.set(det, r);
    cycle.forEach((hop, index) => { r.sent += this.port.send(hop.mgr, { t: 'hold', det, index, hop }); });
  }

  held(det: string, index: number, ok: boolean, counted: number): void {
    const r = this.running.get(det);
    if (r === undefined || index >= r.cycle.length || r.ok[index] === true) return;
    r.sent += counted;
    if (!ok) return this.finish(det, false);
    r.ok[index] = true;
    if (++r.answers === r.cycle.length) this.finish(det, true);
  }

  private finish(det: string, confirmed: boolean): void {
    const r = this.running.get(det);
    if (r === undefined) return;
    this.running.delete(det);
    this.port.clearTimer(r.timer);
    const victim = confirmed ? victimOf(r.cycle) : null;
    if (victim !== null) {
      const m = (n: number): DetectionMessage => ({ t: 'abort', det, wait: victim.wait, cycle: r.cycle, messages: n, started_ns: r.started_ns });
      // The abort says how many messages the detection took, itself and the unholds after it included.
      const others = new Set(r.cycle.map((h) => h.mgr).filter((mgr) => mgr !== victim.mgr));
      const unholds = [...others].reduce((n, mgr) => n + (mgr === this.self ? 0 : 1), 0);
      const abortCost = victim.mgr === this.self ? 0 : 1;
      this.port.send(victim.mgr, m(r.sent + abortCost + unholds));
      for (const mgr of others) this.port.send(mgr, { t: 'unhold', det });
    } else {
      this.port.abandoned(det);
      for (const mgr of new Set(r.cycle.map((h) => h.mgr))) this.port.send(mgr, { t: 'unhold', det });
    }
  }

  /** This node (a send to it costs no message). */
  self = '';
}
