// `atoll demo` (what `npm start` runs): every committed example in guest/examples runs on its own fresh
// machine with its output shown and its statistics after it, then the memory-bound example is replayed under
// three TLB geometries to show what the TLB buys, and two deterministic cluster scenarios close the run (the
// robot swarm over a lossy network, and Raft losing its leader again and again). Without examples, a
// built-in program assembled here runs.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { flagBool, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { UsageError } from '../../base/index.js';
import {
  Machine, Process, System, runProgram, readProgram, bytesInput, faultLine, formatStats, formatKernelStats, exitCodeOf,
  type GuestIO, type ElfImage, type SessionResult,
} from '../../machine/index.js';
import { parseElf } from '../../elf/index.js';
import { run as runScenario } from './scenario.js';

export const COMMAND: CommandSpec = {
  name: 'demo',
  summary: 'Run every example guest on its own machine with its statistics, compare three TLB geometries, then two cluster scenarios.',
  flags: {
    quick: { kind: 'boolean', help: 'skip the TLB geometry comparison' },
    'no-cluster': { kind: 'boolean', help: 'skip the cluster scenarios' },
  },
};

const say = (s: string): void => { writeSync(1, s + '\n'); };
const io: GuestIO = { write: (_fd, b) => { writeSync(1, b); } };
const quiet: GuestIO = { write: () => {} };

function examplesDir(): string | null {
  for (const rel of ['../../../guest/examples', '../../../../guest/examples']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

function summary(s: SessionResult): string {
  const line = faultLine(s.result);
  return (line ? `atoll: ${line}\n` : '') + `exit status ${s.exit_code}\n` + formatStats(s.stats);
}

/** What the demo's shell runs: a pipeline of three, a redirection read back, a listing, a failing command. */
const SHELL_SCRIPT = [
  'echo Atoll runs a shell',
  'echo one two three four | cat | wc -w',
  'echo written to a file > note.txt',
  'cat < note.txt',
  'ls',
  './fault.elf',
  'exit 0',
  '',
].join('\n');

/**
 * Run guest/bin/sh.elf with `script` on its standard input in a scratch root holding copies of guest/bin
 * (as bin/) and examples/fault.elf; its exit status and kernel statistics, indented. The scratch goes after.
 */
async function runShell(guest: string, script: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'atoll-demo-'));
  try {
    mkdirSync(join(root, 'bin'));
    for (const f of readdirSync(join(guest, 'bin')).filter((n) => n.endsWith('.elf'))) copyFileSync(join(guest, 'bin', f), join(root, 'bin', f));
    copyFileSync(join(guest, 'examples', 'fault.elf'), join(root, 'fault.elf'));
    const image = parseElf(readProgram(join(root, 'bin', 'sh.elf')));
    const sys = await System.create({ ram_bytes: 64 << 20, root, stdin: bytesInput(script) });
    sys.spawn(image, { argv: ['bin/sh.elf'], name: 'sh' });
    const r = sys.run(io, () => {});
    const status = r.results[0] ? exitCodeOf(r.results[0]) : 1;
    return `exit status ${status}\n${formatKernelStats(sys.stats())}`.replace(/\n/g, '\n   | ');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** "hello" in five instructions, for a build without the example ELFs. */
function builtin(): ElfImage {
  const msg = new TextEncoder().encode('hello from a program assembled inside atoll\n');
  const words = [
    0x0000_0513 | (1 << 20), // addi a0, x0, 1
    0x0000_0597, // auipc a1, 0 -> a1 = entry
    0x0005_8593 | (28 << 20), // addi a1, a1, 28 (message after the 7 instructions)
    0x0000_0613 | (msg.length << 20), // addi a2, x0, len
    0x0400_0893, // addi a7, x0, 64 (write)
    0x0000_0073, // ecall
    0x05d0_0893, // addi a7, x0, 93 (exit) -- a0 holds the byte count; exit status is len & 255
  ];
  const code = new Uint8Array(words.length * 4 + 4 + msg.length);
  const dv = new DataView(code.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  dv.setUint32(words.length * 4, 0x0000_0073, true); // ecall (exit)
  code.set(msg, words.length * 4 + 4);
  return { entry: 0x1_0000, segments: [{ vaddr: 0x1_0000, memsz: code.length, filesz: code.length, data: code, readable: true, writable: false, executable: true }] };
}

export async function run(argv: string[]): Promise<number> {
  const p = parseOrHelp(argv, COMMAND);
  if (!p) return 0;
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const dir = examplesDir();
  const elfs = dir ? readdirSync(dir).filter((f) => f.endsWith('.elf')).sort() : [];
  const clock = (): number => performance.now();
  if (elfs.length === 0) {
    say('== built-in program (no guest/examples/*.elf in this build)');
    const machine = await Machine.create();
    const r = new Process(machine, builtin(), { argv: ['builtin'] }).run(io);
    say(`exit: ${JSON.stringify(r)}; ${machine.stats(0).instructions} instructions`);
    return 0;
  }
  say(`Atoll: each program below runs on its own emulated RV32IMA machine (Sv32 MMU, TLB, timer) from ${dir}\n`);
  for (const f of elfs) {
    say(`== atoll run ${f}`);
    const s = await runProgram(join(dir!, f), [], {}, io, clock);
    say(summary(s).replace(/^/gm, '   | '));
    say('');
  }
  const shell = join(dir!, '..', 'bin', 'sh.elf');
  if (existsSync(shell)) {
    say('== guest/bin/sh.elf (built with the C library) reads a script on standard input: it forks, execs the');
    say('   programs from the file system (a scratch directory holding bin/ is the guest\'s root), joins them with');
    say('   pipes, redirects to files and waits');
    const status = await runShell(join(dir!, '..'), SHELL_SCRIPT);
    say(`   | ${status}`);
    say('');
  }
  if (!flagBool(p, 'quick') && elfs.includes('memory.elf')) {
    say('== memory.elf under three TLB geometries (same guest, same output)');
    for (const [entries, ways] of [[16, 1], [256, 4], [4096, 16]] as const) {
      const s = await runProgram(join(dir!, 'memory.elf'), [], { tlb_entries: entries, tlb_ways: ways }, quiet, clock);
      const t = s.stats.tlb;
      say(`   ${`${entries}x${ways}`.padEnd(7)} hit rate ${(100 * t.hit_rate).toFixed(2).padStart(6)}%  walks ${t.walks.toLocaleString('en-US').padStart(11)}  ${s.stats.mips.toFixed(0).padStart(4)} MIPS`);
    }
  }
  if (flagBool(p, 'no-cluster')) return 0;
  let status = 0;
  for (const args of [['swarm', '--seed', '1'], ['leader-crash', '--seed', '1']]) {
    say(`\n== atoll scenario ${args.join(' ')}`);
    status = Math.max(status, await runScenario(args));
  }
  return status;
}
