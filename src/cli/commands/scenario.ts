// `atoll scenario <name> [flags]`: runs a deterministic cluster scenario from the registry below.
// A scenario is one line in SCENARIOS; its module is loaded on demand.
import { formatFlagHelp, parseArgs } from '../../base/index.js';
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
};

function usage(): string {
  const list = Object.entries(SCENARIOS).map(([n, s]) => `  ${n.padEnd(16)} ${s.summary}`).join('\n');
  return `usage: atoll scenario <name> [options]\n\nscenarios:\n${list}\n\n'atoll scenario <name> --help' shows its options.\n`;
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const ref = ownEntry(SCENARIOS, name);
  if (!ref) throw new UsageError(`unknown scenario '${name}' (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const entry = await ref.load();
  if (rest.includes('--help')) {
    process.stdout.write(`usage: atoll scenario ${name} [options]\n${entry.summary}\n\n${formatFlagHelp(entry.flags)}\n`);
    return 0;
  }
  const args = parseArgs(rest, entry.flags);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  return entry.run(args, (text) => process.stdout.write(text));
}
