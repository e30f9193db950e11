// What a command line is made of, without the parser: a command's FlagSpecs (or CommandSpec) is the one
// definition of what its parser accepts and what its help lists; ParsedArgs and its typed accessors are what
// code reads. The parser itself, on commander (Node only), is src/host/command-line.ts, so this folder stays
// loadable in a browser.
import { UsageError } from './errors.js';

export type FlagKind = 'boolean' | 'string' | 'integer' | 'size';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Allow the flag to be given more than once; values are collected in order. */
  readonly repeat?: boolean;
  /** The value's placeholder in help and errors, e.g. `<entries>x<ways>` (default by kind: <size>, <n>, <text>). */
  readonly value?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** One command of the CLI: its usage line, its summary and its flags, from which both parser and help are made. */
export interface CommandSpec {
  /** The words after `atoll`: 'run', 'scenario swarm'. */
  readonly name: string;
  readonly summary: string;
  /** What follows `[options]` in the usage line: `<program.elf> [args...]`. */
  readonly operands?: string;
  readonly flags: FlagSpecs;
  /** Options end at the first operand; everything after it, even `--x` or `-h`, is an operand. */
  readonly stopAtPositional?: boolean;
  /** Text printed after the options (verbs, suites, examples). */
  readonly notes?: string;
}

export type FlagValue = boolean | string | number | string[] | number[];

export interface ParsedArgs {
  readonly flags: Map<string, FlagValue>;
  readonly positionals: string[];
  /** `-h` or `--help` was given (before any operand, with stopAtPositional); flags.get('help') is true too. */
  readonly help?: boolean;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** The placeholder of a flag's value in help and errors, by kind. */
export const PLACEHOLDERS: Readonly<Record<FlagKind, string>> = { boolean: '', string: '<text>', integer: '<n>', size: '<size>' };

/** Parse "64M", "512KiB", "1048576" into bytes. */
export function parseSize(text: string, flag = 'size'): number {
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? ownEntry(SIZE_UNITS, m[2]!.toLowerCase()) : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`--${flag}: '${text}' is not a size (examples: 64M, 512K, 1G, 1048576)`);
  }
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`--${flag}: '${text}' is too large`);
  return bytes;
}

export function parseInteger(text: string, flag: string): number {
  if (!/^-?(0x[0-9a-fA-F]+|\d+)$/.test(text.trim())) {
    throw new UsageError(`--${flag}: '${text}' is not an integer`);
  }
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${flag}: '${text}' is out of range`);
  return n;
}

/** Typed accessors over ParsedArgs.flags. */
export function flagBool(p: ParsedArgs, name: string): boolean {
  return p.flags.get(name) === true;
}
export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
export function flagNumber(p: ParsedArgs, name: string): number | undefined {
  const v = p.flags.get(name);
  return typeof v === 'number' ? v : undefined;
}

/** `record[key]` when key is the record's own property, else undefined: user-given names never reach the
 * prototype (`toString`, `__proto__`, `constructor`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
