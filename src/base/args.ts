// A small, strict flag parser shared by every atoll command: declared flags only, typed values,
// one UsageError that names the bad flag. Positional arguments stop at the first one when `stopAtPositional`
// is set, so `atoll run prog.elf --x` passes `--x` to the guest.
import { UsageError } from './errors.js';

export type FlagKind = 'boolean' | 'string' | 'integer' | 'size';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Allow the flag to be given more than once; values are collected in order. */
  readonly repeat?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValue = boolean | string | number | string[] | number[];

export interface ParsedArgs {
  readonly flags: Map<string, FlagValue>;
  readonly positionals: string[];
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** Parse "64M", "512KiB", "1048576" into bytes. */
export function parseSize(text: string, flag = 'size'): number {
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
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

export function parseArgs(argv: readonly string[], specs: FlagSpecs, opts: { stopAtPositional?: boolean } = {}): ParsedArgs {
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) {
        throw new UsageError(`unknown flag '${arg}' (flags are spelled --name)`);
      }
      positionals.push(arg);
      if (opts.stopAtPositional) { positionals.push(...argv.slice(i + 1)); break; }
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = ownEntry(specs, name);
    if (!spec) {
      const known = Object.keys(specs).map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown flag '--${name}'${known ? ` (known: ${known})` : ''}`);
    }
    let value: FlagValue;
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      value = true;
    } else {
      let text: string;
      if (eq >= 0) text = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`--${name} needs a value`);
        text = next;
        i++;
      }
      value = spec.kind === 'integer' ? parseInteger(text, name) : spec.kind === 'size' ? parseSize(text, name) : text;
    }
    if (spec.repeat) {
      const list = (flags.get(name) as (string | number)[] | undefined) ?? [];
      list.push(value as string | number);
      flags.set(name, list as FlagValue);
    } else {
      if (flags.has(name)) throw new UsageError(`--${name} given twice`);
      flags.set(name, value);
    }
  }
  return { flags, positionals };
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

export function formatFlagHelp(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, s]) => `  --${name}${s.kind === 'boolean' ? '' : ` <${s.kind}>`}`.padEnd(28) + s.help)
    .join('\n');
}

/** `record[key]` when key is the record's own property, else undefined: user-given names never reach the
 * prototype (`toString`, `__proto__`, `constructor`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
