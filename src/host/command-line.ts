// The flag parser every atoll command shares, on commander: a command's FlagSpecs (or CommandSpec, in
// src/base) is the one definition of what its parser accepts and what its help lists. Declared flags only,
// typed values, `-h`/`--help` everywhere, and one UsageError (exit 2) that names the bad flag and, when a known
// one is close, suggests it. With `stopAtPositional`, options end at the first operand, so
// `atoll run prog.elf --x -h` passes `--x -h` to the guest. Node only (commander), hence in src/host.
import { Command, CommanderError, Option } from 'commander';
import {
  UsageError, ownEntry, parseInteger, parseSize, PLACEHOLDERS,
  type CommandSpec, type FlagSpec, type FlagSpecs, type FlagValue, type ParsedArgs,
} from '../base/index.js';

function typedValue(name: string, spec: FlagSpec, text: string | undefined): string | number | boolean {
  if (spec.kind === 'boolean') return true;
  if (text === undefined) throw new UsageError(`--${name} needs a value`);
  if (spec.kind === 'integer') return parseInteger(text, name);
  if (spec.kind === 'size') return parseSize(text, name);
  return text;
}

interface Built {
  readonly cmd: Command;
  readonly flags: Map<string, FlagValue>;
}

/** The commander command of a spec; its option events fill `flags` with typed values, in argv order. */
function build(spec: CommandSpec): Built {
  const flags = new Map<string, FlagValue>();
  const entries = Object.entries(spec.flags).filter(([name]) => name !== 'help');
  const cmd = new Command(spec.name ? `atoll ${spec.name}` : 'atoll')
    .usage(`${entries.length > 0 ? '[options]' : ''}${spec.operands ? ` ${spec.operands}` : ''}`.trim())
    .description(spec.summary)
    .helpOption('-h, --help', 'show this help')
    .argument('[operands...]')
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .action(() => {});
  if (spec.stopAtPositional) cmd.passThroughOptions();
  for (const [name, s] of entries) {
    const placeholder = s.kind === 'boolean' ? '' : ` ${s.value ?? PLACEHOLDERS[s.kind]}`;
    cmd.addOption(new Option(`--${name}${placeholder}`, s.help));
    cmd.on(`option:${name}`, (text: string | undefined) => {
      const value = typedValue(name, s, text);
      if (s.repeat) {
        const list = (flags.get(name) as (string | number)[] | undefined) ?? [];
        list.push(value as string | number);
        flags.set(name, list as FlagValue);
      } else {
        if (flags.has(name)) throw new UsageError(`--${name} given twice`);
        flags.set(name, value);
      }
    });
  }
  return { cmd, flags };
}

/** The quoted word of a commander message ("error: unknown option '--x'") and its "(Did you mean y?)". */
function quoted(message: string): { word: string; suggestion: string | undefined } {
  return { word: /'([^']*)'/.exec(message)?.[1] ?? '', suggestion: /Did you mean (\S+)\?/.exec(message)?.[1] };
}

/** A commander parse error as one line in atoll's words. */
function usageMessage(err: CommanderError, specs: FlagSpecs): string {
  const { word, suggestion } = quoted(err.message);
  if (err.code === 'commander.unknownOption') {
    const eq = word.indexOf('=');
    const head = eq < 0 ? '' : word.slice(2, eq);
    if (word.startsWith('--') && head && ownEntry(specs, head)?.kind === 'boolean') return `--${head} takes no value`;
    if (!word.startsWith('--')) return `unknown flag '${word}' (flags are spelled --name; -h is --help)`;
    if (suggestion) return `unknown flag '${word}' (did you mean ${suggestion}?)`;
    const known = Object.keys(specs).filter((k) => k !== 'help').map((k) => `--${k}`).join(', ');
    return `unknown flag '${word}'${known ? ` (known: ${known})` : ''}`;
  }
  if (err.code === 'commander.optionMissingArgument') return `${/--[\w-]+/.exec(word)?.[0] ?? word} needs a value`;
  return err.message.replace(/^error: /, '');
}

/** Parse a command's argv against its spec. Throws UsageError; a help request sets `help` (nothing is printed). */
export function parseCommand(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const { cmd, flags } = build(spec);
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed') {
      flags.set('help', true);
      return { flags, positionals: [], help: true };
    }
    throw new UsageError(usageMessage(err, spec.flags));
  }
  return { flags, positionals: [...cmd.args], help: false };
}

/**
 * parseCommand, answering a help request itself: prints the command's help on stdout and returns undefined
 * (the command then exits 0), else the parsed arguments.
 */
export function parseOrHelp(argv: readonly string[], spec: CommandSpec): ParsedArgs | undefined {
  const p = parseCommand(argv, spec);
  if (!p.help) return p;
  process.stdout.write(commandHelp(spec));
  return undefined;
}

/** parseCommand for a bare set of flags (scenarios, benchmarks). */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, opts: { stopAtPositional?: boolean } = {}): ParsedArgs {
  return parseCommand(argv, { name: '', summary: '', flags: specs, stopAtPositional: opts.stopAtPositional });
}

/** The help of a command: usage line, summary, every flag of its spec with its placeholder, then its notes. */
export function commandHelp(spec: CommandSpec): string {
  const text = build(spec).cmd.helpInformation();
  return spec.notes ? `${text}\n${spec.notes.replace(/\n*$/, '\n')}` : text;
}

/** The options section of a command's help, for commands that write their own usage lines. */
export function formatFlagHelp(specs: FlagSpecs): string {
  const text = build({ name: '', summary: '', flags: specs }).cmd.helpInformation();
  const at = text.indexOf('Options:\n');
  return (at < 0 ? text : text.slice(at + 'Options:\n'.length)).replace(/\n+$/, '');
}

/** The candidate closest to a mistyped `word`, by commander's own suggestion (edit distance, as for commands). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const probe = new Command('probe').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  for (const c of candidates) probe.command(c).action(() => {});
  try {
    probe.parse([word], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return quoted(err.message).suggestion;
  }
  return undefined;
}

/** "unknown scenario 'x' (did you mean y?)" or "unknown scenario 'x' (known: a, b)". */
export function unknownName(what: string, word: string, candidates: readonly string[]): string {
  const hint = didYouMean(word, candidates);
  return `unknown ${what} '${word}' (${hint ? `did you mean ${hint}?` : `known: ${candidates.join(', ')}`})`;
}
