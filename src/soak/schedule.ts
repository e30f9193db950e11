// The soak's random fault schedule for one seed: clock drift and link trouble for the whole fault phase,
// a nemesis on the servers (halves, majority rings, kills, pauses, clock skew), leader kills, crash
// storms (at most a minority down at once), crashes right after a node persisted a promise, one-way cuts,
// and membership changes with leader transfers. Every choice comes from the seed's `soak` stream, drawn in
// event order, so the same seed gives the same schedule.
import { Nemesis } from '../net/index.js';
import { maxFailures } from '../raft/index.js';
import type { Prng } from '../sim/index.js';
import type { KvHost } from '../kv/index.js';
import { MS, type RaftSim } from '../scenarios/index.js';

export interface FaultPlan {
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly drift_ppm_max: number;
  readonly membership: boolean;
  /** The fault phase ends here (virtual ns). */
  readonly fault_end_ns: number;
}

/** What the schedule did, counted as it happens. */
export class FaultCounts {
  crashes = 0;
  nemesis = 0;
  reconfigurations = 0;
  oneWayCuts = 0;
  /** Set once the schedule runs: crash `id` soon after it persisted a vote or entries (if allowed now). */
  crashAfterPersist: ((id: string) => void) | null = null;
}

export function scheduleRandomFaults(rs: RaftSim, rng: Prng, plan: FaultPlan, counts: FaultCounts): void {
  const { cluster, servers } = rs;
  const sim = cluster.sim;
  const faultEnd = plan.fault_end_ns;
  const quiet = (margin_ms: number): boolean => sim.now_ns >= faultEnd - margin_ms * MS;
  const up = (id: string): boolean => cluster.node(id).status === 'up';
  const downCount = (): number => servers.filter((id) => cluster.node(id).status === 'down').length;
  /** Crash a server now and start it again after `restart_ms` (unless something else did). */
  const bounce = (id: string, restart_ms: number): void => {
    counts.crashes++;
    cluster.crash(id);
    sim.after(restart_ms * MS, () => {
      if (cluster.node(id).status === 'down') cluster.start(id);
    });
  };
  const upLeader = (): [string, KvHost] | undefined =>
    [...rs.live.entries()].find(([id, s]) => s.raft.role === 'leader' && up(id));

  for (const id of servers) cluster.drift(id, rng.int(-plan.drift_ppm_max, plan.drift_ppm_max));
  cluster.net.configure({ loss: plan.loss, duplicate: plan.duplicate, reorder: plan.reorder });
  const nemesis = new Nemesis(cluster, {
    rng: rng.split('nemesis'), kinds: ['halves', 'ring', 'kill', 'pause', 'kill', 'skew'], interval_ns: 400 * MS,
    stop_ns: faultEnd, nodes: servers,
  });
  sim.at(faultEnd, () => { counts.nemesis = nemesis.applied.length; });

  const killLeader = (): void => {
    if (quiet(500)) return;
    const leader = upLeader();
    if (leader) bounce(leader[0], rng.int(50, 600));
    sim.after(rng.int(800, 2000) * MS, killLeader);
  };
  sim.after(rng.int(500, 1500) * MS, killLeader);

  // Crash storms: short crashes of random nodes, so that elections happen with voters that lost
  // everything they had not synced.
  const storm = (): void => {
    if (quiet(500)) return;
    if (downCount() < maxFailures(servers.length)) {
      const id = rng.pick(servers);
      if (up(id)) bounce(id, rng.int(5, 300));
    }
    sim.after(rng.int(50, 400) * MS, storm);
  };
  sim.after(rng.int(100, 500) * MS, storm);

  counts.crashAfterPersist = (id: string): void => {
    if (quiet(500)) return;
    if (downCount() >= maxFailures(servers.length)) return;
    // After the Ready's messages left (same instant, later event), before anything else happens.
    sim.after(0, () => {
      if (up(id)) bounce(id, rng.int(1, 50));
    });
  };

  // One-way cuts: a random group stops hearing another (replies still flow), for a while.
  const oneWay = (): void => {
    if (quiet(500)) return;
    const shuffled = rng.shuffle(servers);
    const k = rng.int(1, servers.length - 1);
    cluster.net.partitionOneWay(shuffled.slice(0, k), shuffled.slice(k));
    counts.oneWayCuts++;
    sim.after(rng.int(100, 800) * MS, () => cluster.net.heal());
    sim.after(rng.int(1000, 3000) * MS, oneWay);
  };
  sim.after(rng.int(500, 2000) * MS, oneWay);

  if (plan.membership) scheduleReconfigurations(rs, rng, faultEnd, counts, upLeader);
}

/**
 * Membership changes and leader transfers, one server at a time: remove a voter, add it back as a
 * learner, promote it once it has caught up; or hand leadership to another voter.
 */
function scheduleReconfigurations(
  rs: RaftSim, rng: Prng, faultEnd: number, counts: FaultCounts,
  upLeader: () => [string, KvHost] | undefined,
): void {
  const sim = rs.cluster.sim;
  const removed: string[] = [];
  const reconfigure = (): void => {
    if (sim.now_ns >= faultEnd - 1000 * MS) return;
    const lead = upLeader();
    if (lead) {
      const [leadId, sv] = lead;
      const conf = sv.raft.confState();
      const roll = rng.int(0, 2);
      let did = '';
      if (conf.learners.length > 0) {
        if (sv.raft.proposeConfChange({ kind: 'add-voter', node: conf.learners[0]! }).ok) did = `promote ${conf.learners[0]}`;
      } else if (removed.length > 0 && roll > 0) {
        if (sv.raft.proposeConfChange({ kind: 'add-learner', node: removed[0]! }).ok) did = `add learner ${removed.shift()}`;
      } else if (roll === 0) {
        const to = rng.pick(conf.voters.filter((v) => v !== leadId));
        if (to !== undefined && sv.transferLeader(to)) did = `transfer to ${to}`;
      } else if (conf.voters.length > 3 && removed.length === 0) {
        const victim = rng.pick(conf.voters.filter((v) => v !== leadId));
        if (victim !== undefined && sv.raft.proposeConfChange({ kind: 'remove', node: victim }).ok) {
          removed.push(victim);
          did = `remove ${victim}`;
        }
      }
      sv.processReady();
      if (did !== '') {
        counts.reconfigurations++;
        sim.record('soak.reconfigure', { leader: leadId, what: did });
      }
    }
    sim.after(rng.int(300, 1500) * MS, reconfigure);
  };
  sim.after(rng.int(500, 1500) * MS, reconfigure);
}
