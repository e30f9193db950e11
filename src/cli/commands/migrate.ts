// `atoll migrate PID NODE [--method stop|precopy|postcopy] --cluster <cluster.json>`: move a running process of a
// real cluster to another node. The node whose machine runs it (found by asking every node) carries out the move
// and answers once it has an outcome: the figures (downtime, total time, bytes, pages), or why the process runs on
// where it was.
import { flagBool, flagNumber, flagString, InputError, UsageError, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { MIGRATION_METHODS, type MigrationMethod } from '../../net/index.js';
import { migrationText } from '../../ssi/index.js';
import { operatorClient } from './ps.js';

export const COMMAND: CommandSpec = {
  name: 'migrate',
  summary: 'Move a running process of a real cluster to another node; it keeps its pid, files and clock.',
  operands: '<pid> <node>',
  flags: {
    cluster: { kind: 'string', value: '<cluster.json>', help: 'cluster config file (JSON) whose nodes run the machine service' },
    method: { kind: 'string', value: '<stop|precopy|postcopy>', help: 'how the memory crosses (default stop)' },
    timeout: { kind: 'integer', value: '<ms>', help: 'how long to wait for the move to end (default 10000)' },
    json: { kind: 'boolean', help: 'print the migration\'s figures as one JSON object' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const [pidText, node, extra] = args.positionals;
  if (pidText === undefined || node === undefined) throw new UsageError('which process, and where to? atoll migrate <pid> <node> --cluster <cluster.json>');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  if (!/^\d+$/.test(pidText) || Number(pidText) < 1 || Number(pidText) > 0x7fff_ffff) throw new UsageError(`'${pidText}' is not a pid (1..2147483647)`);
  const method = (flagString(args, 'method') ?? 'stop') as MigrationMethod;
  if (!MIGRATION_METHODS.includes(method)) throw new UsageError(`--method ${method}: not a method (${MIGRATION_METHODS.join(', ')})`);
  const timeout = flagNumber(args, 'timeout') ?? 10_000;
  if (!Number.isInteger(timeout) || timeout < 1) throw new UsageError(`--timeout ${timeout}: give milliseconds, 1 or more`);
  const client = operatorClient(args, flagString(args, 'cluster'));
  if (!client.nodes.includes(node)) throw new InputError(`the cluster has no node ${node} that runs a machine (${client.nodes.join(', ')})`);
  await client.start();
  try {
    const pid = Number(pidText);
    const r = await client.migrate(pid, node, method, timeout);
    if (r === null) throw new InputError(`migrate ${pid}: no answer within ${timeout} ms (the move may still end; atoll ps tells where it runs)`);
    if (typeof r === 'string') throw new InputError(`migrate ${pid}: ${r}`);
    if (flagBool(args, 'json')) process.stdout.write(JSON.stringify(r) + '\n');
    else if (r.ok) process.stdout.write(`moved ${r.pid} ${r.from} -> ${r.to} (${r.method}): ${migrationText(r)}\n`);
    if (!r.ok) throw new InputError(`migrate ${pid}: ${r.error ?? 'refused'}; it runs on ${r.from}`);
    return 0;
  } finally {
    await client.close();
  }
}
