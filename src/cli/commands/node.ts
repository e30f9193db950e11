// `atoll node --config <cluster.json> --id <name>`: runs one real node (its services over TCP) until
// SIGINT/SIGTERM, or until stdin closes with --stop-on-stdin-close (how `atoll cluster up` ties its
// children's lives to its own). Prints one "listening" line on stdout; logs go to stderr.
import { flagBool, flagNumber, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { InputError, UsageError } from '../../base/index.js';
import { ConfigError, RealNode, type HostClock } from '../../cluster/index.js';
import { SERVICES, loadClusterConfig } from '../../services/index.js';

export const COMMAND: CommandSpec = {
  name: 'node',
  summary: 'Run one real node (its services over TCP) until SIGINT or SIGTERM; prints one "listening" line.',
  flags: {
    config: { kind: 'string', value: '<cluster.json>', help: 'cluster config file (JSON)' },
    id: { kind: 'string', value: '<id>', help: 'this node\'s id in the config' },
    seed: { kind: 'integer', help: 'seed for this node\'s random streams (default: derived from the id)' },
    'stop-on-stdin-close': { kind: 'boolean', help: 'stop when stdin reaches end of file' },
  },
};

/** The host's clocks: the one place a real node reads wall time. */
const hostClock: HostClock = {
  physical_ns: () => Date.now() * 1e6,
  monotonic_ns: () => Number(process.hrtime.bigint()),
};

function seedFromId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const configPath = flagString(args, 'config');
  const id = flagString(args, 'id');
  if (!configPath) throw new UsageError('--config <cluster.json> is required');
  if (!id) throw new UsageError('--id <name> is required');
  let node: RealNode;
  try {
    const config = loadClusterConfig(configPath);
    node = new RealNode({
      config, id, registry: SERVICES, clock: hostClock, seed: flagNumber(args, 'seed') ?? seedFromId(id),
      log: (line) => process.stderr.write(`${id}: ${line}\n`),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(`${configPath}: ${err.message}`);
    throw new InputError((err as Error).message);
  }
  // Signals are handled before anything is printed: whoever reads the "listening" line may signal at once.
  let stopping = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => { resolveDone = r; });
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${id}: stopping (${why})\n`);
    const finish = (code: number): void => {
      process.stdin.destroy(); // let the event loop end
      resolveDone(code);
    };
    node.stop().then(() => finish(0), () => finish(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  if (flagBool(args, 'stop-on-stdin-close')) {
    process.stdin.on('data', () => {});
    process.stdin.once('end', () => stop('stdin closed'));
    process.stdin.once('error', () => stop('stdin error'));
  }
  let addr;
  try {
    addr = await node.start();
  } catch (err) {
    stopping = true;
    await node.stop().catch(() => undefined);
    process.stdin.destroy();
    throw new InputError(`cannot listen: ${(err as Error).message}`);
  }
  if (!stopping) {
    process.stdout.write(`node ${id} listening on ${addr.host}:${addr.port} (services: ${[...node.services.keys()].join(', ') || 'none'})\n`);
  }
  return done;
}
