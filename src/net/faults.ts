// Fault scripts: faults at given virtual times, written as text ("at 1s partition a,b|c,d,e") or as
// data. Every applied fault is recorded in the trace as a `fault` event. Grammar, one fault per line,
// '#' starts a comment; times take ns|us|ms|s:
//   at <t> partition <a,b|c,d,...>      at <t> one-way <a,b> -> <c,d>     at <t> heal
//   (groups may be written in braces: partition {a,b}|{c,d,e})
//   at <t> crash|restart|pause|resume|isolate|rejoin <node>
//   at <t> skew <node> <+-duration>     at <t> drift <node> <ppm>
//   at <t> loss|duplicate|reorder <probability>
//   at <t> migrate <pid|@program> <node> [stop|precopy|postcopy]   (a cluster run: a process moves to node)
import type { Simulation } from '../sim/index.js';
import type { LinkParams } from './sim-network.js';

export type Fault =
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly kind: 'one-way'; readonly from: readonly string[]; readonly to: readonly string[] }
  | { readonly kind: 'ring'; readonly blocked: readonly (readonly [string, string])[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'crash' | 'restart' | 'pause' | 'resume' | 'isolate' | 'rejoin'; readonly node: string }
  | { readonly kind: 'skew'; readonly node: string; readonly delta_ns: number }
  | { readonly kind: 'drift'; readonly node: string; readonly ppm: number }
  | { readonly kind: 'link'; readonly params: Partial<Pick<LinkParams, 'loss' | 'duplicate' | 'reorder'>> }
  /** A process (by pid, or the first running one whose program's name ends with `program`) moves to node. */
  | { readonly kind: 'migrate'; readonly pid: number | null; readonly program: string | null; readonly node: string; readonly method: MigrationMethod };

/** How a migration copies the address space (src/ssi/migration.ts). */
export type MigrationMethod = 'stop' | 'precopy' | 'postcopy';
export const MIGRATION_METHODS: readonly MigrationMethod[] = ['stop', 'precopy', 'postcopy'];

export interface ScheduledFault {
  readonly at_ns: number;
  readonly fault: Fault;
}

/** What faults act on (SimCluster implements it). */
export interface FaultTarget {
  readonly sim: Simulation;
  readonly ids: readonly string[];
  readonly net: {
    partition(groups: readonly (readonly string[])[]): void;
    partitionOneWay(from: readonly string[], to: readonly string[]): void;
    block(pairs: readonly (readonly [string, string])[]): void;
    isolate(node: string): void;
    rejoin(node: string): void;
    heal(): void;
    configure(params: Partial<LinkParams>): void;
  };
  crash(id: string): void;
  restart(id: string): void;
  pause(id: string): void;
  resume(id: string): void;
  skew(id: string, delta_ns: number): void;
  drift(id: string, ppm: number): void;
  /** Move a process (a cluster run with machines); absent: the target has no processes to move. */
  migrate?(f: Extract<Fault, { kind: 'migrate' }>): void;
}

export class FaultScriptError extends Error {
  override name = 'FaultScriptError';
}

const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

export function parseDuration(text: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?)(ns|us|ms|s)$/.exec(text.trim());
  if (!m) throw new FaultScriptError(`'${text}' is not a duration (examples: 250ms, 1.5s, -20ms)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

function nodeList(text: string, known: ReadonlySet<string> | undefined): string[] {
  const list = text.replace(/[{}]/g, '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length === 0) throw new FaultScriptError(`empty node list '${text}'`);
  if (known) for (const n of list) if (!known.has(n)) throw new FaultScriptError(`unknown node '${n}'`);
  return list;
}

/** Parse a fault script; `nodes` (when given) validates node names. */
export function parseFaultScript(text: string, nodes?: readonly string[]): ScheduledFault[] {
  const known = nodes ? new Set(nodes) : undefined;
  const out: ScheduledFault[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    try {
      out.push(parseLine(line, known));
    } catch (err) {
      throw new FaultScriptError(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

function parseLine(line: string, known: ReadonlySet<string> | undefined): ScheduledFault {
  const words = line.split(/\s+/);
  if (words[0] !== 'at' || words.length < 3) throw new FaultScriptError(`expected 'at <time> <fault> ...', got '${line}'`);
  const at_ns = parseDuration(words[1]!);
  if (at_ns < 0) throw new FaultScriptError('time must be >= 0');
  const kind = words[2]!;
  const args = words.slice(3);
  const need = (n: number): void => {
    if (args.length !== n) throw new FaultScriptError(`'${kind}' takes ${n} argument(s)`);
  };
  switch (kind) {
    case 'partition':
      need(1);
      return { at_ns, fault: { kind, groups: args[0]!.split('|').map((g) => nodeList(g, known)) } };
    case 'one-way': {
      const rest = args.join(' ').split('->');
      if (rest.length !== 2) throw new FaultScriptError("one-way needs '<from> -> <to>'");
      return { at_ns, fault: { kind, from: nodeList(rest[0]!, known), to: nodeList(rest[1]!, known) } };
    }
    case 'heal':
      need(0);
      return { at_ns, fault: { kind } };
    case 'crash': case 'restart': case 'pause': case 'resume': case 'isolate': case 'rejoin':
      need(1);
      return { at_ns, fault: { kind, node: nodeList(args[0]!, known)[0]! } };
    case 'skew':
      need(2);
      return { at_ns, fault: { kind, node: nodeList(args[0]!, known)[0]!, delta_ns: parseDuration(args[1]!) } };
    case 'drift': {
      need(2);
      const ppm = Number(args[1]);
      if (!Number.isFinite(ppm)) throw new FaultScriptError(`'${args[1]}' is not a ppm number`);
      return { at_ns, fault: { kind, node: nodeList(args[0]!, known)[0]!, ppm } };
    }
    case 'loss': case 'duplicate': case 'reorder': {
      need(1);
      const p = Number(args[0]);
      if (!(p >= 0 && p <= 1)) throw new FaultScriptError(`'${args[0]}' is not a probability in [0, 1]`);
      return { at_ns, fault: { kind: 'link', params: { [kind]: p } } };
    }
    case 'migrate': {
      if (args.length !== 2 && args.length !== 3) throw new FaultScriptError("'migrate' takes <pid|@program> <node> [stop|precopy|postcopy]");
      const who = args[0]!;
      const pid = /^\d+$/.test(who) ? Number(who) : null;
      if (pid === null && !(who.startsWith('@') && who.length > 1)) throw new FaultScriptError(`'${who}' is neither a pid nor @program`);
      const method = (args[2] ?? 'stop') as MigrationMethod;
      if (!MIGRATION_METHODS.includes(method)) throw new FaultScriptError(`'${args[2]}' is not a migration method (${MIGRATION_METHODS.join(', ')})`);
      return { at_ns, fault: { kind, pid, program: pid === null ? who.slice(1) : null, node: nodeList(args[1]!, known)[0]!, method } };
    }
    default:
      throw new FaultScriptError(`unknown fault '${kind}'`);
  }
}

/** Apply one fault now and record it in the trace. */
export function applyFault(target: FaultTarget, f: Fault): void {
  target.sim.record('fault', JSON.parse(JSON.stringify(f)) as Record<string, never>);
  switch (f.kind) {
    case 'partition': target.net.partition(f.groups); break;
    case 'one-way': target.net.partitionOneWay(f.from, f.to); break;
    case 'ring': target.net.block(f.blocked); break;
    case 'heal': target.net.heal(); break;
    case 'isolate': target.net.isolate(f.node); break;
    case 'rejoin': target.net.rejoin(f.node); break;
    case 'crash': target.crash(f.node); break;
    case 'restart': target.restart(f.node); break;
    case 'pause': target.pause(f.node); break;
    case 'resume': target.resume(f.node); break;
    case 'skew': target.skew(f.node, f.delta_ns); break;
    case 'drift': target.drift(f.node, f.ppm); break;
    case 'link': target.net.configure(f.params); break;
    case 'migrate':
      if (target.migrate === undefined) throw new FaultScriptError('a migrate fault needs a cluster run (machines with processes)');
      target.migrate(f);
      break;
  }
}

/** Schedule every fault of a script on the target's simulator. */
export function scheduleFaults(target: FaultTarget, script: readonly ScheduledFault[]): void {
  for (const s of script) target.sim.at(Math.max(s.at_ns, target.sim.now_ns), () => applyFault(target, s.fault));
}

/** A time as the grammar writes it: whole ms when it is one, else ns. */
function durationText(ns: number): string {
  return ns % 1e6 === 0 ? `${ns / 1e6}ms` : `${ns}ns`;
}

/** One scheduled fault as a script line ("at 1200ms crash n2"); parseFaultScript reads it back as it was. */
export function formatFault(s: ScheduledFault): string {
  const f = s.fault;
  const at = `at ${durationText(s.at_ns)}`;
  switch (f.kind) {
    case 'partition': return `${at} partition ${f.groups.map((g) => g.join(',')).join('|')}`;
    case 'one-way': return `${at} one-way ${f.from.join(',')} -> ${f.to.join(',')}`;
    case 'ring': throw new FaultScriptError("a 'ring' fault has no script form (it is the nemesis's)");
    case 'heal': return `${at} heal`;
    case 'skew': return `${at} skew ${f.node} ${f.delta_ns >= 0 ? '+' : '-'}${durationText(Math.abs(f.delta_ns))}`;
    case 'drift': return `${at} drift ${f.node} ${f.ppm}`;
    case 'link': return Object.entries(f.params).map(([k, p]) => `${at} ${k} ${p}`).join('\n');
    case 'migrate': return `${at} migrate ${f.pid !== null ? f.pid : `@${f.program}`} ${f.node} ${f.method}`;
    default: return `${at} ${f.kind} ${f.node}`;
  }
}

/** A fault script, one fault a line. */
export function formatFaultScript(script: readonly ScheduledFault[]): string {
  return script.map((s) => formatFault(s) + '\n').join('');
}
