// Parsers for the two history formats of Porcupine's test data: Jepsen's etcd logs (a register with read,
// write and cas, one `INFO jepsen.util - <process> <type> <f> <value>` line per event) and the key-value
// logs (one EDN map per line: `{:process 3, :type :ok, :f :append, :key "1", :value "x 3 0 y"}`). Time is
// the line number. `:fail` means the operation surely did not take effect: it is dropped. `:info`, or no
// completion at all, means the outcome is unknown: the operation stays, with ret = null. Also: reading
// a directory of such histories with their expected verdicts (the test and the bench use it).
import { InputError } from '../base/index.js';
import { checkOperations, type CheckOptions, type ModelCheckResult } from './linearizability.js';
import type { Operation } from './model.js';
import { kvModel, registerModel, type KvInput, type KvOutput, type RegisterInput, type RegisterOutput } from './models.js';

export interface ParsedHistory<I, O> {
  readonly ops: Operation<I, O>[];
  /** Operations that ended in `:fail` (dropped). */
  readonly failed: number;
  /** Operations with an unknown outcome (`:info`, or never completed). */
  readonly unknown: number;
}

type EventType = 'invoke' | 'ok' | 'fail' | 'info';

interface Open<I> { readonly input: I; readonly call: number }

/** Pairs each process's invocation with its completion; `output` turns a completion's value into the output. */
class Pairing<I, O> {
  readonly ops: Operation<I, O>[] = [];
  failed = 0;
  unknown = 0;
  private readonly open = new Map<string, Open<I>>();

  constructor(private readonly source: string) {}

  event(line: number, process: string, type: EventType, input: () => I, output: (input: I) => O): void {
    const o = this.open.get(process);
    if (type === 'invoke') {
      if (o) throw new InputError(`${this.source}:${line}: process ${process} invokes again while its operation from line ${o.call} is open`);
      this.open.set(process, { input: input(), call: line });
      return;
    }
    if (!o) throw new InputError(`${this.source}:${line}: process ${process} completes an operation it never invoked`);
    this.open.delete(process);
    if (type === 'fail') { this.failed++; return; }
    if (type === 'info') { this.unknown++; this.ops.push({ client: process, input: o.input, output: undefined, call: o.call, ret: null }); return; }
    this.ops.push({ client: process, input: o.input, output: output(o.input), call: o.call, ret: line });
  }

  finish(): ParsedHistory<I, O> {
    for (const [process, o] of this.open) {
      this.unknown++;
      this.ops.push({ client: process, input: o.input, output: undefined, call: o.call, ret: null });
    }
    this.open.clear();
    return { ops: this.ops, failed: this.failed, unknown: this.unknown };
  }
}

const JEPSEN_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;
const CAS_VALUE = /^\[\s*(-?\d+)\s+(-?\d+)\s*\]$/;

function jepsenNumber(text: string, where: string): number {
  if (!/^-?\d+$/.test(text)) throw new InputError(`${where}: expected a number, found '${text}'`);
  return Number(text);
}

/** Jepsen's etcd register logs (read, write, cas of small integers; `nil` is a register never written). */
export function parseJepsenLog(text: string, source = 'jepsen log'): ParsedHistory<RegisterInput, RegisterOutput> {
  const p = new Pairing<RegisterInput, RegisterOutput>(source);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const m = JEPSEN_LINE.exec(line);
    if (!m) throw new InputError(`${source}:${i + 1}: not a jepsen.util event line: '${line.slice(0, 80)}'`);
    const [, process, type, f, value] = m as unknown as [string, string, EventType, 'read' | 'write' | 'cas', string];
    const where = `${source}:${i + 1}`;
    const input = (): RegisterInput => {
      if (f === 'read') return { op: 'read' };
      if (f === 'write') return { op: 'write', value: jepsenNumber(value, where) };
      const c = CAS_VALUE.exec(value);
      if (!c) throw new InputError(`${where}: expected [from to] for a cas, found '${value}'`);
      return { op: 'cas', from: Number(c[1]), to: Number(c[2]) };
    };
    const output = (inp: RegisterInput): RegisterOutput => {
      if (inp.op !== f) throw new InputError(`${where}: process ${process} completes a ${f}, but invoked a ${inp.op}`);
      if (f === 'read') return value === 'nil' ? null : jepsenNumber(value, where);
      return f === 'cas' ? true : null;
    };
    p.event(i + 1, process, type, input, output);
  }
  return p.finish();
}

const KV_LINE = /^\{:process\s+(\d+),\s*:type\s+:(invoke|ok|fail|info),\s*:f\s+:(get|put|append),\s*:key\s+"((?:[^"\\]|\\.)*)",\s*:value\s+(nil|"(?:[^"\\]|\\.)*")\s*\}$/;

const ednString = (quoted: string): string => quoted.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));

/** Porcupine's key-value logs (get, put, append; a key never written reads as the empty string). */
export function parseKvLog(text: string, source = 'kv log'): ParsedHistory<KvInput, KvOutput> {
  const p = new Pairing<KvInput, KvOutput>(source);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const m = KV_LINE.exec(line);
    if (!m) throw new InputError(`${source}:${i + 1}: not a key-value event map: '${line.slice(0, 80)}'`);
    const [, process, type, f, keyText, valueText] = m as unknown as [string, string, EventType, KvInput['op'], string, string];
    const key = ednString(`"${keyText}"`);
    const value = valueText === 'nil' ? null : ednString(valueText);
    const where = `${source}:${i + 1}`;
    const input = (): KvInput => (f === 'get' ? { op: 'get', key } : { op: f, key, value: value ?? '' });
    const output = (inp: KvInput): KvOutput => {
      if (inp.op !== f || inp.key !== key) throw new InputError(`${where}: process ${process} completes ${f} ${key}, but invoked ${inp.op} ${inp.key}`);
      return f === 'get' ? (value ?? '') : null;
    };
    p.event(i + 1, process, type, input, output);
  }
  return p.finish();
}

// --- a directory of Porcupine histories with their verdicts ---------------------------------------------

export type PorcupineFormat = 'jepsen' | 'kv';

export interface PorcupineHistory {
  /** The file name without its extension (`etcd_002`, `c50-bad`): the key in verdicts.json. */
  readonly name: string;
  readonly format: PorcupineFormat;
  readonly path: string;
  readonly text: string;
  readonly expected: 'ok' | 'illegal';
}

/** Parses and checks one history with its format's model. */
export function checkPorcupineHistory(h: PorcupineHistory, options: CheckOptions = {}): ModelCheckResult<unknown, unknown> {
  if (h.format === 'jepsen') return checkOperations(registerModel, parseJepsenLog(h.text, h.path).ops, options) as ModelCheckResult<unknown, unknown>;
  return checkOperations(kvModel, parseKvLog(h.text, h.path).ops, options) as ModelCheckResult<unknown, unknown>;
}
