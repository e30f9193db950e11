// `atoll kv put|get|del --cluster <config.json>`: use the replicated key-value store of a real raft-kv
// cluster over the TCP transport (finding the leader, retrying safely). Prints the value for get
// ('(absent)' when missing), 'ok' for put/del; `status` shows each node's role, term, leader and indexes
// (exit 1 when no node leads); --json prints one JSON object. Each invocation is a client of its own
// (`client:<random>`), not a config node, so any number can run at once.
import { flagBool, flagNumber, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { InputError, UsageError } from '../../base/index.js';
import { ConfigError, loadClusterConfig } from '../../cluster/index.js';
import { KvClientError, KvTcpClient, type KvOp, type NodeStatusReport } from '../../kv/index.js';

/** `kv status` asks every node once per round and merges the answers; see collectStatus. */
const STATUS_ROUND_MS = 250;
/** With no answer from any node (all refuse connections), or a leader but a node silent, stop after this. */
const STATUS_SETTLE_MS = 1000;
/** Nodes answer but none leads (an election under way): keep asking up to this long. */
const STATUS_MS_MAX = 5000;

export const COMMAND: CommandSpec = {
  name: 'kv',
  summary: 'Use the replicated key-value store of a real raft-kv cluster: put, get, del, or each node\'s status.',
  operands: 'put <key> <value> | get <key> | del <key> | status',
  flags: {
    cluster: { kind: 'string', value: '<cluster.json>', help: 'cluster config file (JSON) whose nodes run raft-kv' },
    as: { kind: 'string', value: '<id>', help: 'no longer used: every invocation is a client of its own' },
    'timeout-ms': { kind: 'integer', value: '<ms>', help: 'give up after this long (default 10000)' },
    'read-log': { kind: 'boolean', help: 'get through the log instead of ReadIndex' },
    json: { kind: 'boolean', help: 'print one JSON object' },
  },
};

const USAGE = `usage: atoll kv ${COMMAND.operands}  --cluster <config.json>`;

function parseOp(pos: readonly string[]): KvOp | 'status' {
  const [verb, key, value, ...extra] = pos;
  if (verb === undefined) throw new UsageError(`missing operation\n${USAGE}`);
  if (verb === 'status') {
    if (key !== undefined) throw new UsageError(`unexpected argument '${key}'`);
    return 'status';
  }
  if (key === undefined || key === '') throw new UsageError(`${verb}: missing key`);
  if (verb === 'put') {
    if (value === undefined) throw new UsageError('put: missing value');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    return { op: 'put', key, value };
  }
  if (verb === 'get' || verb === 'del') {
    if (value !== undefined) throw new UsageError(`unexpected argument '${value}'`);
    return { op: verb, key };
  }
  throw new UsageError(`unknown operation '${verb}' (put, get, del)`);
}

/**
 * Each node's latest answer, asked in rounds: done once a leader and every node answered; after
 * STATUS_SETTLE_MS when a leader answered or no node did; else (nodes answer, none leads) after budget_ms.
 */
async function collectStatus(client: KvTcpClient, budget_ms: number): Promise<Map<string, NodeStatusReport | null>> {
  const start = Date.now();
  const best = new Map<string, NodeStatusReport | null>();
  for (;;) {
    const round = await client.status(Math.min(STATUS_ROUND_MS, budget_ms));
    for (const [id, s] of round) if (s || !best.get(id)) best.set(id, s);
    const answers = [...best.values()];
    const leader = answers.some((s) => s?.role === 'leader');
    const elapsed = Date.now() - start;
    if (leader && answers.every(Boolean)) return best;
    if (elapsed >= STATUS_SETTLE_MS && (leader || !answers.some(Boolean))) return best;
    if (elapsed >= budget_ms) return best;
  }
}

async function printStatus(client: KvTcpClient, timeout_ms: number, json: boolean): Promise<number> {
  const st = await collectStatus(client, timeout_ms);
  if (json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(st))}\n`);
  } else {
    process.stdout.write('node      role            term   leader    commit   applied  last     keys   voters / learners\n');
    for (const [id, s] of st) {
      if (!s) {
        process.stdout.write(`${id.padEnd(9)} (no answer)\n`);
        continue;
      }
      process.stdout.write(`${id.padEnd(9)} ${s.role.padEnd(15)} ${String(s.term).padStart(4)}   ${(s.lead ?? '-').padEnd(9)} ${String(s.commit).padStart(6)}  ` +
        `${String(s.applied).padStart(7)}  ${String(s.last_index).padStart(6)}  ${String(s.keys).padStart(5)}   ${s.voters.join(',')} / ${s.learners.join(',') || '-'}\n`);
    }
  }
  if ([...st.values()].some((s) => s?.role === 'leader')) return 0;
  process.stderr.write(`atoll kv: no leader answered (${[...st.values()].some(Boolean) ? 'the nodes that answered have none' : 'no node answered'})\n`);
  return 1;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const op = parseOp(args.positionals);
  const cfgPath = flagString(args, 'cluster');
  if (!cfgPath) throw new UsageError('--cluster <config.json> is required');
  const timeout = flagNumber(args, 'timeout-ms') ?? 10_000;
  if (timeout < 1) throw new UsageError('--timeout-ms must be at least 1');
  if (flagString(args, 'as') !== undefined) {
    throw new UsageError('--as is no longer used: each atoll kv process is a client of its own (client:<random>), not a config node; drop the flag');
  }
  let client: KvTcpClient;
  try {
    const config = loadClusterConfig(cfgPath);
    // The session is the client's own random id; the deadline's clock is the wall clock (CLI code may read it).
    client = new KvTcpClient({ config, seed: process.pid, clock_ms: () => Date.now() });
    await client.start();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KvClientError) throw new InputError(`${cfgPath}: ${err.message}`);
    throw new InputError(`cannot start the client: ${(err as Error).message}`);
  }
  try {
    if (op === 'status') return await printStatus(client, Math.min(timeout, STATUS_MS_MAX), flagBool(args, 'json'));
    const value = await client.run(op, timeout, flagBool(args, 'read-log') ? 'log' : 'index');
    if (flagBool(args, 'json')) process.stdout.write(`${JSON.stringify({ op: op.op, key: op.key, ok: true, value, leader: client.leader })}\n`);
    else process.stdout.write(op.op === 'get' ? `${value ?? '(absent)'}\n` : 'ok\n');
    return 0;
  } catch (err) {
    if (err instanceof KvClientError) throw new InputError(err.message);
    throw err;
  } finally {
    await client.close();
  }
}
