// `atoll ps --cluster <cluster.json>`: every process of a real cluster's machines (pid, ppid, node, state,
// program), asked of every node that runs one; a node that does not answer within a second or two is named.
import { flagBool, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { InputError, UsageError } from '../../base/index.js';
import { ConfigError } from '../../cluster/index.js';
import { loadClusterConfig } from '../../services/index.js';
import { OperatorClient } from '../../ssi/index.js';

export const COMMAND: CommandSpec = {
  name: 'ps',
  summary: 'List every process of a real cluster\'s machines (pid, ppid, node, state, program).',
  flags: {
    cluster: { kind: 'string', value: '<cluster.json>', help: 'cluster config file (JSON) whose nodes run the machine service' },
    json: { kind: 'boolean', help: 'print one JSON object' },
  },
};

export function operatorClient(args: { positionals: readonly string[] }, path: string | undefined): OperatorClient {
  if (!path) throw new UsageError('--cluster <cluster.json> is required');
  let client: OperatorClient;
  try {
    client = new OperatorClient(loadClusterConfig(path), process.pid);
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(`${path}: ${err.message}`);
    throw new InputError((err as Error).message);
  }
  if (client.nodes.length === 0) throw new InputError(`${path}: no node runs the machine service`);
  void args;
  return client;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const client = operatorClient(args, flagString(args, 'cluster'));
  await client.start();
  try {
    const all = await client.ps();
    const rows = all.flatMap((n) => (n.processes ?? []).map((p) => ({ ...p, node: n.node }))).sort((a, b) => a.pid - b.pid);
    const silent = all.filter((n) => n.processes === null).map((n) => n.node);
    if (flagBool(args, 'json')) {
      process.stdout.write(JSON.stringify({ processes: rows, unanswered: silent }) + '\n');
    } else {
      const w = (s: string | number, n: number): string => String(s).padStart(n);
      process.stdout.write(`${w('PID', 8)} ${w('PPID', 8)} ${'NODE'.padEnd(6)} ${'STATE'.padEnd(8)} PROGRAM\n`);
      for (const r of rows) process.stdout.write(`${w(r.pid, 8)} ${w(r.ppid, 8)} ${r.node.padEnd(6)} ${r.state.padEnd(8)} ${r.program}\n`);
      if (silent.length > 0) process.stderr.write(`atoll ps: no answer from ${silent.join(', ')}\n`);
    }
    return silent.length > 0 ? 1 : 0;
  } finally {
    await client.close();
  }
}
