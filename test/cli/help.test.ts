// The command line people and scripts rely on: -h/--help on every command and scenario, --version from
// package.json, did-you-mean for mistyped commands, flags and names, help generated from the same spec the
// parser reads (every flag listed is accepted and every accepted flag is listed), guest words that look like
// flags, and a soak --help that runs nothing. Spawning tests need `npm run build:ts`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ATOLL, ROOT, runProcess } from '../guest/runners.js';
import { UsageError, type CommandSpec } from '../../src/base/index.js';
import { commandHelp, parseCommand } from '../../src/host/index.js';
import { COMMANDS } from '../../src/cli/main.js';
import { SCENARIOS, scenarioCommand } from '../../src/cli/commands/scenario.js';

const atoll = (...args: string[]) => runProcess(process.execPath, [ATOLL, ...args]);
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Every command's spec, and every scenario's. */
async function allSpecs(): Promise<CommandSpec[]> {
  const specs: CommandSpec[] = [];
  for (const name of Object.keys(COMMANDS)) {
    const mod = (await import(`../../src/cli/commands/${name}.ts`)) as { COMMAND: CommandSpec };
    specs.push(mod.COMMAND);
  }
  for (const [name, ref] of Object.entries(SCENARIOS)) specs.push(scenarioCommand(name, await ref.load()));
  return specs;
}

const flagsIn = (help: string): string[] => [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');

describe('help and version', () => {
  it('-h, --help and `help <command>` print the usage of every command and scenario and exit 0', async () => {
    const words = [...Object.keys(COMMANDS).map((c) => [c]), ...Object.keys(SCENARIOS).map((s) => ['scenario', s])];
    for (const w of words) {
      for (const args of [[...w, '-h'], [...w, '--help'], ...(w.length === 1 ? [['help', ...w]] : [])]) {
        const o = await atoll(...args);
        expect(o.status, args.join(' ')).toBe(0);
        expect(o.stdout, args.join(' ')).toMatch(new RegExp(`^Usage: atoll ${w.join(' ')} `));
        expect(o.stderr, args.join(' ')).toBe('');
      }
    }
    const top = await atoll('--help');
    expect(top.status).toBe(0);
    for (const c of Object.keys(COMMANDS)) expect(top.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  }, 120_000);

  it('--version and -V print the version in package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const o = await atoll(flag);
      expect(o.status).toBe(0);
      expect(o.stdout).toBe(`${VERSION}\n`);
    }
  });

  it('the help of every command lists exactly the flags its parser accepts, from one spec, with typed placeholders', async () => {
    for (const spec of await allSpecs()) {
      const help = commandHelp(spec);
      const declared = Object.keys(spec.flags).filter((f) => f !== 'help').map((f) => `--${f}`);
      expect(flagsIn(help).sort(), spec.name).toEqual(declared.sort());
      for (const [name, f] of Object.entries(spec.flags)) {
        const argv = f.kind === 'boolean' ? [`--${name}`] : [`--${name}`, '1'];
        expect(() => parseCommand(argv, spec), `${spec.name} --${name}`).not.toThrow();
      }
      expect(() => parseCommand(['--not-a-flag-of-anything'], spec)).toThrow(UsageError);
    }
    const run = commandHelp((await import('../../src/cli/commands/run.ts')).COMMAND);
    expect(run).toContain('--tlb <entries>x<ways>');
    expect(run).toContain('--ram <size>');
    expect(run).toContain('--seed <n>');
    // the spawned CLI prints the same help the spec makes
    expect(flagsIn((await atoll('demo', '--help')).stdout)).toEqual(['--quick', '--no-cluster']);
  });
});

describe('mistakes get one line, exit 2 and a suggestion', () => {
  it('suggests the command, the flag, the scenario and the cluster action closest to a mistyped one', async () => {
    const cases: [string[], string][] = [
      [['rnu'], "atoll: unknown command 'rnu' (did you mean run?)"],
      [['run', '--stat', 'guest/examples/hello.elf'], "atoll run: unknown flag '--stat' (did you mean --stats?)"],
      [['--verison'], "atoll: unknown flag '--verison' (did you mean --version?)"],
      [['scenario', 'swarn'], "atoll scenario: unknown scenario 'swarn' (did you mean swarm?)"],
      [['cluster', 'stpo'], "atoll cluster: unknown action 'stpo' (did you mean stop?)"],
      [['kv', 'status', '--clustr', 'x.json'], "atoll kv: unknown flag '--clustr' (did you mean --cluster?)"],
      [['zzz', '--help'], `atoll: unknown command 'zzz' (commands: ${Object.keys(COMMANDS).join(', ')})`],
      [['help', 'nope'], `atoll: unknown command 'nope' (did you mean node?)`],
      [['help', 'zzz'], `atoll: unknown command 'zzz' (commands: ${Object.keys(COMMANDS).join(', ')})`],
    ];
    for (const [args, line] of cases) {
      const o = await atoll(...args);
      expect(o.status, args.join(' ')).toBe(2);
      expect(o.stderr, args.join(' ')).toBe(`${line}\n`);
    }
  });
});

describe('atoll run keeps the guest\'s words', () => {
  it('passes everything after the program to the guest, flags and -h included', async () => {
    const o = await atoll('run', 'guest/examples/hello.elf', '--x', '-y', '-h', '--help', '--version');
    expect(o.status).toBe(0);
    expect(o.stdout).toContain('argc=6\nargv[1]=--x\nargv[2]=-y\nargv[3]=-h\nargv[4]=--help\nargv[5]=--version\n');
  });
});

describe('atoll soak --help', () => {
  it('prints the soak flags and runs no seed, through atoll and through npm run soak', async () => {
    const t0 = Date.now();
    const o = await atoll('soak', '--help');
    expect(o.status).toBe(0);
    expect(o.stdout).toMatch(/^Usage: atoll soak /);
    for (const f of ['--seeds', '--seed', '--fault-ms', '--no-membership', '--trace']) expect(o.stdout).toContain(f);
    expect(o.stdout).not.toMatch(/seeds passed|seed \d+:/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const npm = spawnSync('npm', ['run', '--silent', 'soak', '--', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(npm.status).toBe(0);
    expect(npm.stdout).toBe(o.stdout);
  }, 60_000);

  it('refuses a stray argument instead of running', async () => {
    const o = await atoll('soak', 'seeds');
    expect(o.status).toBe(2);
    expect(o.stderr).toBe("atoll soak: unexpected argument 'seeds'\n");
  });
});
