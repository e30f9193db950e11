// The fault-injection harness for Raft: a simulated raft-kv cluster (src/cluster on src/sim) under a
// seeded nemesis (partitions, majority rings, one-way cuts, crashes with restarts, pauses, clock steps,
// leader kills, membership changes, leader transfers), message loss,
// duplication and reordering, and clock drift, with clients recording a history. Safety is checked on
// every Ready of every node (SafetyChecker) and after every simulator event; after the faults stop the
// cluster must elect a leader and complete client requests within a bound (liveness); the history goes to
// the linearizability checker. Same seed, same run: a failure prints the command that replays it.
// CLI: `npm run soak -- --seeds N` or `--seed S` (this file's main).
import { pathToFileURL } from 'node:url';
import { SimCluster, type SimNodeSpec } from '../cluster/sim-cluster.js';
import { Prng } from '../sim/index.js';
import { Nemesis } from '../net/nemesis.js';
import { parseFaultScript, scheduleFaults } from '../net/faults.js';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { checkHistory, HistoryRecorder, type CheckVerdict } from '../check/index.js';
import { RaftKvService, RAFT_KV_SERVICE } from './service.js';
import { KvClientService, KV_CLIENT_SERVICE } from './kv-client.js';
import { SafetyChecker } from './invariants.js';
import { maxFailures } from './quorum.js';
import type { RaftKvServer } from './server.js';
import { parseArgs, flagBool, flagNumber, flagString, type FlagSpecs } from '../base/index.js';
import { InputError, UsageError } from '../base/index.js';

function openTrace(file: string): number {
  try {
    return openSync(file, 'w');
  } catch (err) {
    throw new InputError(`cannot write the trace to ${file}: ${(err as Error).message}`);
  }
}

function readScript(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read fault script ${file}: ${(err as Error).message}`);
  }
}

export interface SoakOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly clients?: number;
  /** Virtual milliseconds of faults. */
  readonly fault_ms?: number;
  /** After faults stop: a leader and a completed request per client within this many virtual ms. */
  readonly liveness_ms?: number;
  readonly loss?: number;
  readonly duplicate?: number;
  readonly reorder?: number;
  readonly drift_ppm_max?: number;
  readonly snapshot_entries?: number;
  readonly lease_reads?: boolean;
  /** Membership changes and leader transfers during the fault phase (default true). */
  readonly membership?: boolean;
  /**
   * A fault script (src/net/faults.ts grammar, servers named n1..nN) replacing the random nemesis, leader
   * kills, crash storms, link faults and drift. The fault phase lasts until its last fault (at least fault_ms).
   */
  readonly fault_script?: string;
  /** Receives every trace line of the run (network, faults, nodes, Raft role changes, client operations). */
  readonly trace_sink?: (line: string) => void;
}

export interface SoakResult {
  readonly seed: number;
  readonly profile: { readonly pre_vote: boolean; readonly check_quorum: boolean; readonly latency_max_ms: number };
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly liveness: { readonly ok: boolean; readonly recovered_ms: number | null };
  readonly history: { readonly ops: number; readonly completed: number; readonly unknown: number; readonly verdict: CheckVerdict };
  readonly stats: {
    readonly elections: number; readonly commits: number; readonly messages: number; readonly faults: number;
    readonly crashes: number; readonly snapshots_installed: number; readonly service_errors: number;
    readonly reconfigurations: number;
  };
  readonly trace_digest: string;
  readonly replay: string;
}

const MS = 1_000_000;

function defaults(o: SoakOptions): Required<Omit<SoakOptions, 'trace_sink'>> {
  return {
    seed: o.seed, nodes: o.nodes ?? 5, clients: o.clients ?? 3, fault_ms: o.fault_ms ?? 20_000,
    liveness_ms: o.liveness_ms ?? 5_000, loss: o.loss ?? 0.05, duplicate: o.duplicate ?? 0.03, reorder: o.reorder ?? 0.05,
    drift_ppm_max: o.drift_ppm_max ?? 50_000, snapshot_entries: o.snapshot_entries ?? 40, lease_reads: o.lease_reads ?? false,
    fault_script: o.fault_script ?? '', membership: o.membership ?? true,
  };
}

export function replayCommand(o: SoakOptions): string {
  const d = defaults({ seed: 0 });
  const parts = [`npm run soak -- --seed ${o.seed}`];
  const f = defaults(o);
  if (f.nodes !== d.nodes) parts.push(`--nodes ${f.nodes}`);
  if (f.clients !== d.clients) parts.push(`--clients ${f.clients}`);
  if (f.fault_ms !== d.fault_ms) parts.push(`--fault-ms ${f.fault_ms}`);
  if (f.lease_reads) parts.push('--lease-reads');
  if (!f.membership) parts.push('--no-membership');
  if (f.fault_script !== '') parts.push('--faults <the same script file>');
  return parts.join(' ');
}

export function runSoak(opts: SoakOptions): SoakResult {
  const o = defaults(opts);
  const servers = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
  const clients = Array.from({ length: o.clients }, (_, i) => `c${i + 1}`);
  let simNow = (): number => 0;
  const checker = new SafetyChecker(() => simNow());
  const recorder = new HistoryRecorder();
  const liveServers = new Map<string, RaftKvServer>();
  let snapshotsInstalled = 0;
  let clientsActive = true;
  const clientServices = new Map<string, KvClientService>();
  // Each seed also draws a profile, so the seeds cover configurations, not only schedules.
  const profileRng = new Prng(o.seed).split('soak-profile');
  const profile = {
    pre_vote: profileRng.chance(0.7),
    check_quorum: profileRng.chance(0.7),
    latency_max_ms: profileRng.pick([8, 8, 30, 60]),
  };

  const specs: SimNodeSpec[] = [
    ...servers.map((id) => ({
      id,
      services: {
        [RAFT_KV_SERVICE]: () => new RaftKvService({
          voters: servers, snapshot_entries: o.snapshot_entries, lease_reads: o.lease_reads,
          pre_vote: profile.pre_vote, check_quorum: o.lease_reads || profile.check_quorum,
          onStart: (s) => liveServers.set(id, s),
          observe: (s, rd) => {
            if (rd.snapshot) snapshotsInstalled++;
            if (rd.softState) recordTrace('raft.state', { node: s.id, role: rd.softState.role, term: s.raft.term, lead: rd.softState.lead });
            checker.observe(s.id, s.raft, rd);
            // Targeted crashes: right after a node persisted a vote or acknowledged entries, so that what
            // it promised must come back from storage.
            if (crashAfterPersist && (rd.hardState?.vote || rd.entries.length > 0) && crashRng.chance(0.03)) crashAfterPersist(id);
          },
        }),
      },
    })),
    ...clients.map((id) => ({
      id,
      services: {
        [KV_CLIENT_SERVICE]: () => {
          const c = new KvClientService({ servers, recorder, now: () => simNow(), active: () => clientsActive });
          clientServices.set(id, c);
          return c;
        },
      },
    })),
  ];
  const crashRng = new Prng(o.seed).split('soak-targeted-crash');
  let recordTrace = (_ev: string, _fields: Record<string, string | number | null>): void => {};
  let crashAfterPersist: ((id: string) => void) | null = null;
  const cluster = new SimCluster({
    seed: o.seed, nodes: specs, trace: opts.trace_sink ? { keep_max_lines: 0, sink: opts.trace_sink } : { keep_max_lines: 0 },
    link: { latency: { kind: 'uniform', min_ns: 1 * MS, max_ns: profile.latency_max_ms * MS }, loss: 0, duplicate: 0, reorder: 0 },
  });
  const sim = cluster.sim;
  simNow = () => sim.now_ns;
  recordTrace = (ev, fields) => sim.record(ev, fields);
  const rng = sim.rng.split('soak');
  const script = o.fault_script === '' ? null : parseFaultScript(o.fault_script, servers);
  const faultEnd = Math.max(o.fault_ms * MS, ...(script ?? []).map((f) => f.at_ns + 1));
  let crashes = 0;
  let nemesisFaults = 0;
  let reconfigurations = 0;
  let oneWayCuts = 0;
  if (script) {
    scheduleFaults(cluster, script);
    nemesisFaults = script.length;
  } else {
    randomFaults();
  }

  function randomFaults(): void {
    for (const id of servers) cluster.drift(id, rng.int(-o.drift_ppm_max, o.drift_ppm_max));
    // Faults: link trouble for the whole phase, a nemesis on the servers, and leader kills.
    cluster.net.configure({ loss: o.loss, duplicate: o.duplicate, reorder: o.reorder });
    const nemesis = new Nemesis(cluster, {
      rng: rng.split('nemesis'), kinds: ['halves', 'ring', 'kill', 'pause', 'kill', 'skew'], interval_ns: 400 * MS,
      stop_ns: faultEnd, nodes: servers,
    });
    sim.at(faultEnd, () => { nemesisFaults = nemesis.applied.length; });
    const killLeader = (): void => {
      if (sim.now_ns >= faultEnd - 500 * MS) return;
      const leader = [...liveServers.entries()].find(([id, s]) => s.raft.role === 'leader' && cluster.node(id).status === 'up');
      if (leader) {
        const [id] = leader;
        crashes++;
        cluster.crash(id);
        sim.after(rng.int(50, 600) * MS, () => {
          if (cluster.node(id).status === 'down') cluster.start(id);
        });
      }
      sim.after(rng.int(800, 2000) * MS, killLeader);
    };
    sim.after(rng.int(500, 1500) * MS, killLeader);
    // Crash storms: short crashes of random nodes (at most a minority down at once), so that elections
    // happen with voters that lost everything they had not synced.
    const storm = (): void => {
      if (sim.now_ns >= faultEnd - 500 * MS) return;
      const down = servers.filter((id) => cluster.node(id).status === 'down').length;
      if (down < maxFailures(servers.length)) {
        const id = rng.pick(servers);
        if (cluster.node(id).status === 'up') {
          crashes++;
          cluster.crash(id);
          sim.after(rng.int(5, 300) * MS, () => {
            if (cluster.node(id).status === 'down') cluster.start(id);
          });
        }
      }
      sim.after(rng.int(50, 400) * MS, storm);
    };
    sim.after(rng.int(100, 500) * MS, storm);
    crashAfterPersist = (id: string): void => {
      if (sim.now_ns >= faultEnd - 500 * MS) return;
      const down = servers.filter((x) => cluster.node(x).status === 'down').length;
      if (down >= maxFailures(servers.length)) return;
      // After the Ready's messages left (same instant, later event), before anything else happens.
      sim.after(0, () => {
        if (cluster.node(id).status !== 'up') return;
        crashes++;
        cluster.crash(id);
        sim.after(rng.int(1, 50) * MS, () => {
          if (cluster.node(id).status === 'down') cluster.start(id);
        });
      });
    };
    // One-way cuts: a random group stops hearing another (replies still flow), for a while.
    const oneWay = (): void => {
      if (sim.now_ns >= faultEnd - 500 * MS) return;
      const shuffled = rng.shuffle(servers);
      const k = rng.int(1, servers.length - 1);
      const from = shuffled.slice(0, k);
      const to = shuffled.slice(k);
      cluster.net.partitionOneWay(from, to);
      oneWayCuts++;
      sim.after(rng.int(100, 800) * MS, () => cluster.net.heal());
      sim.after(rng.int(1000, 3000) * MS, oneWay);
    };
    sim.after(rng.int(500, 2000) * MS, oneWay);
    // Membership changes and leader transfers, one server at a time: remove a voter, add it back as a
    // learner, promote it once it has caught up; or hand leadership to another voter.
    const removed: string[] = [];
    const reconfigure = (): void => {
      if (sim.now_ns >= faultEnd - 1000 * MS) return;
      const lead = [...liveServers.entries()].find(([id, sv]) => sv.raft.role === 'leader' && cluster.node(id).status === 'up');
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
          reconfigurations++;
          sim.record('soak.reconfigure', { leader: leadId, what: did });
        }
      }
      sim.after(rng.int(300, 1500) * MS, reconfigure);
    };
    if (o.membership) sim.after(rng.int(500, 1500) * MS, reconfigure);
  }

  const broken = (): boolean => checker.violations.length > 0 || cluster.serviceErrors > 0;
  sim.run({ until_ns: faultEnd, stop_when: broken });

  // Faults stop: heal, restore links, bring every node back.
  let recovered_ms: number | null = null;
  if (!broken()) {
    cluster.net.heal();
    cluster.net.configure({ loss: 0, duplicate: 0, reorder: 0 });
    for (const id of servers) {
      const n = cluster.node(id);
      if (n.status === 'paused') n.resume();
      if (n.status === 'down') n.start();
    }
    const healedAt = sim.now_ns;
    const baseline = new Map([...clientServices].map(([id, c]) => [id, c.completed]));
    const live = (): boolean => {
      const leaders = servers.filter((id) => cluster.node(id).status === 'up' && liveServers.get(id)?.raft.role === 'leader');
      if (leaders.length !== 1) return false;
      return [...clientServices].every(([id, c]) => c.completed > (baseline.get(id) ?? 0));
    };
    const r = sim.run({ until_ns: healedAt + o.liveness_ms * MS, stop_when: () => broken() || live() });
    if (r.reason === 'condition' && live()) recovered_ms = Math.round((sim.now_ns - healedAt) / MS);
    // Let the clients finish what they started, then check the history.
    clientsActive = false;
    sim.run({ until_ns: sim.now_ns + 4_000 * MS, stop_when: broken });
  }

  const ops = recorder.all();
  const verdict = broken() ? 'unknown' : checkHistory(ops).verdict;
  const violations = [...checker.violations];
  if (cluster.serviceErrors > 0) violations.push(`${cluster.serviceErrors} service error(s): a node threw (see the trace's service.error)`);
  if (verdict === 'illegal') violations.push('the client history is not linearizable');
  if (!broken() && recovered_ms === null) violations.push(`liveness: no leader serving every client within ${o.liveness_ms} ms after faults stopped`);
  const completed = ops.filter((x) => x.ret !== null).length;
  return {
    seed: o.seed,
    profile,
    ok: violations.length === 0 && verdict === 'ok',
    violations,
    liveness: { ok: recovered_ms !== null, recovered_ms },
    history: { ops: ops.length, completed, unknown: ops.length - completed, verdict },
    stats: {
      elections: checker.elections, commits: checker.commits, messages: cluster.net.stats.sent,
      faults: nemesisFaults + crashes + oneWayCuts, crashes, snapshots_installed: snapshotsInstalled, service_errors: cluster.serviceErrors,
      reconfigurations,
    },
    trace_digest: sim.trace.digest(),
    replay: replayCommand(opts),
  };
}

const FLAGS: FlagSpecs = {
  seeds: { kind: 'integer', help: 'run seeds 1..N (default 20)' },
  'first-seed': { kind: 'integer', help: 'start the seed range here (default 1)' },
  seed: { kind: 'integer', help: 'run (replay) exactly this seed' },
  nodes: { kind: 'integer', help: 'raft nodes (default 5)' },
  clients: { kind: 'integer', help: 'clients (default 3)' },
  'fault-ms': { kind: 'integer', help: 'virtual ms of faults per seed (default 20000)' },
  'lease-reads': { kind: 'boolean', help: 'serve gets by leader lease instead of ReadIndex' },
  'no-membership': { kind: 'boolean', help: 'no membership changes or leader transfers' },
  faults: { kind: 'string', help: 'a fault script file (servers n1..nN) instead of the random nemesis' },
  json: { kind: 'boolean', help: 'one JSON result per line' },
  trace: { kind: 'string', help: 'write the run\'s trace (JSON lines) to this file (with --seed)' },
  help: { kind: 'boolean', help: 'show this help' },
};

export async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS);
  if (flagBool(p, 'help')) {
    process.stdout.write(`usage: npm run soak -- [--seeds N | --seed S] [options]\n${Object.entries(FLAGS).map(([k, s]) => `  --${k.padEnd(12)} ${s.help}`).join('\n')}\n`);
    }
  const one = flagNumber(p, 'seed');
  const first = flagNumber(p, 'first-seed') ?? 1;
  const count = flagNumber(p, 'seeds') ?? 20;
  const seeds = one !== undefined ? [one] : Array.from({ length: count }, (_, i) => first + i);
  const base = {
    nodes: flagNumber(p, 'nodes'), clients: flagNumber(p, 'clients'), fault_ms: flagNumber(p, 'fault-ms'),
    lease_reads: flagBool(p, 'lease-reads'),
    membership: !flagBool(p, 'no-membership'),
    fault_script: readScript(flagString(p, 'faults')),
  };
  const json = flagBool(p, 'json');
  const tracePath = flagString(p, 'trace');
  if (tracePath !== undefined && one === undefined) throw new UsageError('--trace needs --seed (one run)');
  const traceFd = tracePath === undefined ? undefined : openTrace(tracePath);
  let failed = 0;
  for (const seed of seeds) {
    const r = runSoak({ seed, ...base, ...(traceFd !== undefined ? { trace_sink: (l: string) => { writeSync(traceFd, `${l}\n`); } } : {}) });
    if (traceFd !== undefined) closeSync(traceFd);
    if (!r.ok) failed++;
    if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      process.stdout.write(
        `seed ${seed}: ${r.ok ? 'ok' : 'FAIL'}  ops ${r.history.ops} (${r.history.unknown} unknown) ${r.history.verdict}` +
        `  elections ${r.stats.elections} commits ${r.stats.commits} faults ${r.stats.faults} reconf ${r.stats.reconfigurations} snapshots ${r.stats.snapshots_installed}` +
        `  recovered ${r.liveness.recovered_ms ?? '-'} ms\n`);
      for (const v of r.violations) process.stdout.write(`  ${v}\n`);
      if (!r.ok) process.stdout.write(`  replay: ${r.replay}\n`);
    }
  }
  if (!json) process.stdout.write(`${seeds.length - failed}/${seeds.length} seeds passed\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof InputError ? 1 : 2;
  });
}
