// `atoll kill [--signal SIG] PID --cluster <cluster.json>`: send a signal (default SIGTERM) to a process of a real
// cluster, wherever it runs: the first node that answers routes it to the pid's node.
import { flagNumber, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { InputError, UsageError } from '../../base/index.js';
import { SIGNAL_NUMBER } from '../../machine/index.js';
import { operatorClient } from './ps.js';

export const COMMAND: CommandSpec = {
  name: 'kill',
  summary: 'Send a signal to a process of a real cluster, wherever it runs.',
  operands: '<pid>',
  flags: {
    cluster: { kind: 'string', value: '<cluster.json>', help: 'cluster config file (JSON) whose nodes run the machine service' },
    signal: { kind: 'string', value: '<name|number>', help: 'the signal: TERM, SIGKILL, 9, ... (default TERM)' },
    timeout: { kind: 'integer', value: '<ms>', help: 'how long to wait for each node (default 2000)' },
  },
};

const ERRNO: Readonly<Record<number, string>> = { 3: 'no such process', 22: 'invalid signal', 110: 'timed out', 113: 'its node cannot be reached', 1: 'not permitted' };

export function signalNumber(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 0 && n <= 64) return n;
  }
  const name = (text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`) as keyof typeof SIGNAL_NUMBER;
  const n = Object.hasOwn(SIGNAL_NUMBER, name) ? SIGNAL_NUMBER[name] : undefined;
  if (n === undefined) throw new UsageError(`--signal ${text}: not a signal (a name such as TERM or KILL, or a number 0..64)`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const [pidText, extra] = args.positionals;
  if (pidText === undefined) throw new UsageError('which process? give its pid: atoll kill <pid> --cluster <cluster.json>');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  if (!/^\d+$/.test(pidText) || Number(pidText) < 1 || Number(pidText) > 0x7fff_ffff) throw new UsageError(`'${pidText}' is not a pid (1..2147483647)`);
  const sig = signalNumber(flagString(args, 'signal') ?? 'TERM');
  const client = operatorClient(args, flagString(args, 'cluster'));
  await client.start();
  try {
    const r = await client.kill(Number(pidText), sig, flagNumber(args, 'timeout') ?? 2000);
    if (r === null) throw new InputError('no node of the cluster answered');
    if (r < 0) throw new InputError(`kill ${pidText}: ${ERRNO[-r] ?? `error ${-r}`}`);
    return 0;
  } finally {
    await client.close();
  }
}
