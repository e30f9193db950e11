// The deadlock soak (src/deadlock's strategies; here, above the cluster it runs on): many seeds of random lock workloads on a simulated cluster (deadlock-sim.ts) under message
// delay, reordering, loss and a node's crash, every report checked against the simulator's true global waits-for
// graph (truth.ts), which no protocol sees:
// - false: a cycle broken (a victim's EDEADLK) whose edges were not all in the true graph just before the abort,
//   an EDEADLK that no detection sent (detection strategies), or any EDEADLK in an acyclic workload without a
//   crash (but for wait-die, which refuses requests that would not deadlock by design);
// - missed: a true cycle still there past the bound (soakBoundNs) after it formed.
// One race no protocol can see in time is told apart, not forgiven: a manager of the cycle that crashes after the
// detection began and before the abort takes its edge with it, yet its hold had said the edge was there. Such a
// break counts as false unless the whole cycle was in the true graph just before that crash (crash_races).
// Workloads: each owner (a process on a random node) takes 1..3 locks one after another, waiting for each, holds
// them a while, then lets go; in a cyclic run in random file order (cycles of 2..owners form), in an acyclic run
// always in ascending order (no cycle can form). A refused owner lets go of everything and tries again later.
import { Prng } from '../sim/index.js';
import type { LinkParams } from '../net/index.js';
import { allCycles, cycleExists, HOLD_NS, LEASE_NS_DEFAULT, PROBE_PERIOD_NS_DEFAULT, type DeadlockStrategy } from '../deadlock/index.js';
import { LockSim } from './deadlock-sim.js';

const MS = 1_000_000;
/** How often the soak looks at the true graph for cycles. */
const SAMPLE_NS = 1 * MS;

/** The soak's network: 1..3 ms latency, 5% reordered by up to 5 ms, 1% lost. */
export const SOAK_LINK: Partial<LinkParams> = { latency: { kind: 'uniform', min_ns: 1 * MS, max_ns: 3 * MS }, reorder: 0.05, reorder_window_ns: 5 * MS, loss: 0.01 };

/**
 * The bound a true cycle of k owners is found within in the soak (its homes and managers up): the strategy's bound
 * (docs/deadlock.md: 2 periods + (2k + 3) latencies) with every latency at its worst (the latency's maximum plus
 * the reorder window), and room for two lost messages of detection: each costs a round (a period), and a lost
 * unhold leaves a wait unholdable by another detector until its hold lapses (HOLD_NS).
 */
export function soakBoundNs(k: number, link: Partial<LinkParams> = SOAK_LINK, period_ns = PROBE_PERIOD_NS_DEFAULT): number {
  const lat = link.latency === undefined ? MS : link.latency.kind === 'fixed' ? link.latency.ns : link.latency.kind === 'uniform' ? link.latency.max_ns : 10 * MS;
  const worst = lat + ((link.reorder ?? 0) > 0 ? (link.reorder_window_ns ?? 0) : 0);
  return 2 * period_ns + (2 * k + 3) * worst + 2 * (period_ns + HOLD_NS);
}

/** A cycle through an owner of a crashed home cannot be chased through it: its lease ends it (waits dropped). */
export const CRASHED_BOUND_NS = LEASE_NS_DEFAULT + 2 * PROBE_PERIOD_NS_DEFAULT;

export interface SoakRunOptions {
  readonly strategy: DeadlockStrategy;
  readonly seed: number;
  readonly cyclic: boolean;
  readonly nodes?: number;
  readonly owners?: number;
  readonly files?: number;
  readonly duration_ns?: number;
  readonly link?: Partial<LinkParams>;
  /** Crash one node (and restart it 200 ms later) at a random moment. */
  readonly crash?: boolean;
}

export interface SoakRunResult {
  readonly strategy: DeadlockStrategy;
  readonly seed: number;
  readonly cyclic: boolean;
  readonly nodes: number;
  readonly owners: number;
  readonly crashed: string | null;
  readonly grants: number;
  readonly broken: number;
  readonly refused: number;
  readonly edeadlk: number;
  /** True cycles seen (distinct, by their owners and the moment they formed). */
  readonly cycles: number;
  /** The longest a true cycle (homes up) lasted before it was broken or dissolved, ns. */
  readonly longest_cycle_ns: number;
  /** Cycles broken whose manager crashed while the break was under way (the cycle was there just before the crash). */
  readonly crash_races: number;
  readonly false_reports: readonly string[];
  readonly missed: readonly string[];
  readonly trace_hash: string;
}

interface Owner {
  readonly pid: number;
  readonly node: string;
  plan: number[];
  next: number;
  waiting: boolean;
  dead: boolean;
  /** EDEADLK answers this owner got (a detection strategy must have broken a cycle with it as victim each time). */
  edeadlk: number;
}

export function soakRun(o: SoakRunOptions): SoakRunResult {
  const rng = new Prng(o.seed).split(`deadlock-soak ${o.strategy} ${o.cyclic ? 'cyclic' : 'acyclic'}`);
  const nodes = o.nodes ?? rng.int(2, 5);
  const ownersN = o.owners ?? rng.int(2, 6);
  const files = o.files ?? rng.int(2, 6);
  const duration = o.duration_ns ?? 2000 * MS;
  const link = o.link ?? SOAK_LINK;
  const sim = new LockSim({ strategy: o.strategy, nodes, seed: o.seed, link });
  const detecting = o.strategy === 'edge-chasing' || o.strategy === 'collector' || o.strategy === 'collector-naive';
  // Wait-die refuses requests that would not deadlock (a younger owner never waits for an older): only it may
  // answer EDEADLK in an acyclic workload.
  // A manager's crash loses its files' locks while their owners think they hold them, so an acyclic workload's
  // order no longer rules cycles out: with a crash, its EDEADLKs are checked against the truth like any other.
  const refusesAcyclic = o.strategy === 'wait-die' || o.crash === true;
  const falses: string[] = [];
  const missed: string[] = [];
  let grants = 0;
  const owners: Owner[] = Array.from({ length: ownersN }, (_, i) => ({ pid: 100 + i, node: sim.ids[rng.int(0, nodes - 1)]!, plan: [], next: 0, waiting: false, dead: false, edeadlk: 0 }));
  const byId = new Map(owners.map((w) => [`p${w.pid}`, w]));

  const plan = (): number[] => {
    const n = rng.int(1, Math.min(3, files));
    const fs: number[] = [];
    while (fs.length < n) { const f = rng.int(1, files); if (!fs.includes(f)) fs.push(f); }
    return o.cyclic ? fs : fs.sort((a, b) => a - b);
  };
  const later = (ns: number, fn: () => void): void => { sim.c.sim.after(ns, fn); };
  const step = (w: Owner): void => {
    if (w.dead || !sim.up(w.node)) return;
    if (w.next >= w.plan.length) {
      // Everything held: keep it a while, let go, rest, start again.
      later(rng.int(1, 30) * MS, () => {
        if (w.dead || !sim.up(w.node)) return;
        sim.releaseAll(w.node, w.pid);
        w.plan = plan(); w.next = 0;
        later(rng.int(1, 40) * MS, () => step(w));
      });
      return;
    }
    w.waiting = true;
    sim.lock(w.node, w.pid, w.plan[w.next]!, 0, true, (r) => {
      w.waiting = false;
      if (w.dead) return;
      if (r.outcome === 'ok') { grants++; w.next++; later(rng.int(0, 10) * MS, () => step(w)); return; }
      if (r.outcome === 'EDEADLK') {
        w.edeadlk++;
        if (!o.cyclic && !refusesAcyclic) falses.push(`${sim.now_ns / MS} ms: p${w.pid} got EDEADLK in an acyclic workload`);
      }
      sim.releaseAll(w.node, w.pid);
      w.plan = plan(); w.next = 0;
      later(rng.int(5, 50) * MS, () => step(w));
    });
  };
  for (const w of owners) { w.plan = plan(); later(rng.int(0, 20) * MS, () => step(w)); }

  let crashed: string | null = null;
  let crashAt = Infinity;
  let crashTruth: ReturnType<LockSim['truth']> = [];
  if (o.crash === true) {
    crashed = sim.ids[rng.int(0, nodes - 1)]!;
    crashAt = rng.int(200, Math.max(201, Math.floor(duration / MS) - 800)) * MS;
    const victim = crashed;
    later(crashAt, () => {
      for (const w of owners) if (w.node === victim) w.dead = true;
      crashTruth = sim.truth();
      sim.c.crash(victim);
    });
    later(crashAt + 200 * MS, () => sim.c.restart(victim));
  }

  // The truth, sampled: every true cycle, since when; one missed past its bound is recorded once.
  const since = new Map<string, number>();
  const reported = new Set<string>();
  let cycles = 0, longest = 0;
  const end = sim.now_ns + duration;
  while (sim.now_ns < end) {
    sim.runFor(SAMPLE_NS);
    const now = sim.now_ns;
    const g = sim.truth();
    const present = new Set<string>();
    for (const cyc of allCycles(g)) {
      const key = cyc.join(' ');
      present.add(key);
      const t0 = since.get(key);
      if (t0 === undefined) { since.set(key, now); cycles++; continue; }
      const throughCrashed = cyc.some((id) => byId.get(id)?.dead === true);
      const age = now - t0;
      if (!throughCrashed) longest = Math.max(longest, age);
      const bound = throughCrashed ? CRASHED_BOUND_NS : soakBoundNs(cyc.length, link);
      if (age > bound && !reported.has(`${key} ${t0}`)) {
        reported.add(`${key} ${t0}`);
        missed.push(`${now / MS} ms: the cycle ${cyc.join(' -> ')} has lasted ${age / MS} ms (bound ${bound / MS} ms)`);
      }
    }
    for (const k of [...since.keys()]) if (!present.has(k)) since.delete(k);
  }
  // Every report against the truth just before its abort.
  let broken = 0, refused = 0, races = 0;
  const victims = new Map<string, number>();
  for (const e of sim.events) {
    if (e.kind === 'refused') { refused++; continue; }
    broken++;
    victims.set(e.victim.owner, (victims.get(e.victim.owner) ?? 0) + 1);
    const g = sim.atAbort.get(e)?.truth;
    if (g !== undefined && cycleExists(g, e.cycle)) continue;
    const raced = crashed !== null && e.cycle.some((h) => h.mgr === crashed) && e.started_ns <= crashAt && crashAt <= e.at_ns;
    if (raced && cycleExists(crashTruth, e.cycle)) { races++; continue; }
    falses.push(`${e.at_ns / MS} ms: ${e.det} broke ${e.cycle.map((h) => h.owner).join(' -> ')} (victim ${e.victim.owner}), not a cycle of the true graph just before the abort`);
  }
  if (detecting) {
    for (const w of owners) {
      const v = victims.get(`p${w.pid}`) ?? 0;
      if (w.edeadlk > v) falses.push(`p${w.pid} got EDEADLK ${w.edeadlk} times but was the victim of ${v} detections`);
    }
  }
  const edeadlk = owners.reduce((n, w) => n + w.edeadlk, 0);
  return {
    strategy: o.strategy, seed: o.seed, cyclic: o.cyclic, nodes, owners: ownersN, crashed, grants, broken, refused, edeadlk,
    cycles, longest_cycle_ns: longest, crash_races: races, false_reports: falses, missed, trace_hash: sim.digest(),
  };
}

export interface SoakOptions {
  readonly strategies: readonly DeadlockStrategy[];
  readonly seeds: number;
  readonly first_seed?: number;
  readonly duration_ns?: number;
  /** Called after each run (progress). */
  readonly onRun?: (r: SoakRunResult) => void;
}

export interface SoakSummary {
  readonly runs: readonly SoakRunResult[];
  readonly false_reports: number;
  readonly missed: number;
  readonly passed: boolean;
}

/** Every strategy over seeds first_seed.., each seed a cyclic and an acyclic workload, every other one with a crash. */
export function soak(o: SoakOptions): SoakSummary {
  const runs: SoakRunResult[] = [];
  const first = o.first_seed ?? 1;
  for (let seed = first; seed < first + o.seeds; seed++) {
    for (const strategy of o.strategies) {
      for (const cyclic of [true, false]) {
        const r = soakRun({ strategy, seed, cyclic, crash: seed % 2 === 0, ...(o.duration_ns !== undefined ? { duration_ns: o.duration_ns } : {}) });
        runs.push(r);
        o.onRun?.(r);
      }
    }
  }
  const false_reports = runs.reduce((n, r) => n + r.false_reports.length, 0);
  const missed = runs.reduce((n, r) => n + r.missed.length, 0);
  return { runs, false_reports, missed, passed: false_reports === 0 && missed === 0 };
}
