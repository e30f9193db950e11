// `atoll scenario <name> [flags]`: runs a deterministic cluster scenario from the registry below.
// A scenario is one line in SCENARIOS; its module (and with it its flags) is loaded on demand.
import { type CommandSpec } from '../../base/index.js';
import { commandHelp, parseCommand, unknownName, parseOrHelp } from '../../host/index.js';
import { UsageError, ownEntry } from '../../base/index.js';
import type { ScenarioEntry } from '../../scenarios/index.js';

interface ScenarioRef {
  readonly summary: string;
  readonly load: () => Promise<ScenarioEntry>;
}

export const SCENARIOS: Record<string, ScenarioRef> = {
  swarm: {
    summary: 'robot swarm: exactly-once RPC commands and in-order telemetry over a lossy network',
    load: async () => (await import('../../scenarios/swarm-cli.js')).swarmScenario,
  },
  'leader-crash': {
    summary: 'crash the Raft leader repeatedly under client load; time each re-election',
    load: async () => (await import('../../scenarios/leader-crash.js')).leaderCrashScenario,
  },
  'raft-partition': {
    summary: 'cut the Raft leader off with a minority; the majority elects, the old side rejoins cleanly',
    load: async () => (await import('../../scenarios/raft-partition.js')).raftPartitionScenario,
  },
  quorum: {
    summary: 'N=5 register: W1 on {S1,S2,S3}, W2 on {S3,S4,S5}, S3 orders them; quorums that miss each other fail the checker',
    load: async () => (await import('../../scenarios/quorum.js')).quorumScenario,
  },
  cap: {
    summary: 'CAP on a quorum register: N=6 split 3|3, N=5 split 3|2, consistency first and availability first',
    load: async () => (await import('../../scenarios/cap.js')).capScenario,
  },
  geo: {
    summary: 'geo store: 3 centres x 3 replicas, LOCAL_QUORUM, WAN cut and heal; latency per centre, availability, sessions, convergence',
    load: async () => (await import('../../scenarios/geo.js')).geoScenario,
  },
  deadlock: {
    summary: 'distributed deadlock: a ring of 3 processes on 3 nodes under each strategy (edge chasing, collector, order, wait-die), the phantom',
    load: async () => (await import('../../scenarios/deadlock.js')).deadlockScenario,
  },
  migrate: {
    summary: 'process migration: a memory-busy worker moves across 3 nodes with a drifting clock; stop-and-copy, pre-copy and post-copy side by side',
    load: async () => (await import('../../scenarios/migrate.js')).migrateScenario,
  },
  'false-sharing': {
    summary: 'false sharing on distributed shared memory: two counters in one page vs padded apart, kept coherent by IVY across nodes',
    load: async () => (await import('../../scenarios/false-sharing.js')).falseSharingScenario,
  },
};

export const COMMAND: CommandSpec = {
  name: 'scenario',
  summary: 'Run a deterministic cluster scenario (same seed, same trace).',
  operands: '<name> [options]',
  get notes() {
    const list = Object.entries(SCENARIOS).map(([n, s]) => `  ${n.padEnd(16)} ${s.summary}`).join('\n');
    return `scenarios:\n${list}\n\n'atoll scenario <name> --help' shows its options.`;
  },
  flags: {},
};

/** A scenario's command: its flags are the scenario's own, the same ones its help lists. */
export function scenarioCommand(name: string, entry: ScenarioEntry): CommandSpec {
  return { name: `scenario ${name}`, summary: entry.summary, flags: entry.flags };
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('-')) {
    const p = parseCommand(name === undefined ? [] : argv, COMMAND);
    process.stdout.write(commandHelp(COMMAND));
    return p.help ? 0 : 2;
  }
  const ref = ownEntry(SCENARIOS, name);
  if (!ref) throw new UsageError(unknownName('scenario', name, Object.keys(SCENARIOS)));
  const spec = scenarioCommand(name, await ref.load());
  const args = parseOrHelp(rest, spec);
  if (!args) return 0;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  return (await ref.load()).run(args, (text) => process.stdout.write(text));
}
