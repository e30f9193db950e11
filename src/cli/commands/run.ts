// `atoll run [options] <program.elf> [args...] [-- <program.elf> [args...]]...`: run static RV32 programs,
// each as its own process, on one fresh machine. The guest's stdout and stderr pass through unchanged and atoll
// exits with the first program's status (128 + signal after a kill, with one line on stderr), or, when the first
// exited 0, 128 + the signal of the first other process that died by one. Flags come
// before the first program. Several programs: `atoll run a.elf b.elf` (every word ends in .elf, no args) or
// groups separated by `--`; a lone program whose own arguments end in .elf takes a trailing `--`. The guests' file
// system is a host directory (--root, default the current directory) and their stdin is atoll's.
import { statSync, writeFileSync } from 'node:fs';
import { flagBool, flagNumber, flagString, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { UsageError, InputError } from '../../base/index.js';
import {
  runPrograms, faultLine, formatStats, stdio, layout, KERNEL_LOCK_KINDS, type ProgramSpec, type KernelLockKind, type SchedPolicy,
} from '../../machine/index.js';

const { TLB_ENTRIES_DEFAULT, TLB_WAYS_DEFAULT, HARTS_MAX, PROCS_MAX, RAM_BYTES_MAX } = layout;

/**
 * Guest RAM of `atoll run` unless --ram says otherwise: the most a machine takes, so a program's break can
 * grow about as far as under qemu-user (whose heap stops near 1 GiB, below its stack). Frames are
 * handed out on demand and untouched RAM costs the host nothing, so a small program pays nothing for it.
 */
const RUN_RAM_BYTES_DEFAULT = RAM_BYTES_MAX;

export { stdio };

export const COMMAND: CommandSpec = {
  name: 'run',
  summary: 'Run static RV32 programs, each as its own process, on one fresh machine; exit with the first one\'s status.',
  operands: '<program.elf> [args...] [-- <program.elf> [args...]]...',
  stopAtPositional: true,
  notes: 'Flags come before the first program; every word after it goes to the guest. Several programs:\n`atoll run a.elf b.elf` (every word ends in .elf) or groups separated by `--`.',
  flags: {
    ram: { kind: 'size', value: '<size>', help: 'guest RAM (default and most 1008M; a multiple of 4K)' },
    tlb: { kind: 'string', value: '<entries>x<ways>', help: `TLB geometry; x<ways> may be left out (default ${TLB_ENTRIES_DEFAULT}x${TLB_WAYS_DEFAULT})` },
    harts: { kind: 'integer', value: '<k>', help: `harts of the machine (1..${HARTS_MAX}, default 1)` },
    threaded: { kind: 'boolean', help: 'run each hart on its own worker thread (default: deterministic, one thread)' },
    jit: { kind: 'string', value: '<on|off>', help: 'translate hot loops to WebAssembly (default off); same output, instret and statistics either way' },
    quantum: { kind: 'integer', help: 'instructions per scheduling quantum (default 100000)' },
    sched: { kind: 'string', value: '<policy>', help: 'scheduling policy: rr (round-robin, default) or mlfq' },
    seed: { kind: 'integer', help: 'seed of the deterministic hart interleaving and AT_RANDOM (default 1)' },
    'kernel-lock': { kind: 'string', value: '<kind>', help: 'spinlock kind of the kernel\'s own locks: tas, ttas (default) or ticket' },
    root: { kind: 'string', value: '<dir>', help: 'host directory that is the guests\' root file system (default: the current directory); nothing outside it is reachable' },
    klog: { kind: 'boolean', help: 'print the kernel log (refused clone flags, OOM kills, deadlocks) on stderr as it happens' },
    stats: { kind: 'boolean', help: 'print instructions, MIPS, TLB, context switches, locks and per-process figures on stderr' },
    'stats-json': { kind: 'string', value: '<file.json>', help: 'write the same statistics as JSON to a file' },
  },
};

/** Kernel log lines kept for --stats and --stats-json. */
const KERNEL_LOG_LINES_MAX = 1000;

const USAGE = `usage: atoll run [options] ${COMMAND.operands}`;

export function parseTlb(text: string): { entries: number; ways: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--tlb: '${text}' is not <entries>[x<ways>] (example: 256x4)`);
  const entries = Number(m[1]);
  const ways = m[2] === undefined ? Math.min(TLB_WAYS_DEFAULT, entries) : Number(m[2]);
  return { entries, ways };
}

/** Split the words after the flags into programs (see the module comment). */
export function splitPrograms(words: readonly string[]): ProgramSpec[] {
  if (!words.includes('--')) {
    if (words.length >= 2 && words.every((w) => w.endsWith('.elf'))) return words.map((path) => ({ path, args: [] }));
    const [path, ...args] = words;
    return path === undefined ? [] : [{ path, args }];
  }
  const groups: string[][] = [[]];
  for (const w of words) {
    if (w === '--') groups.push([]);
    else groups[groups.length - 1]!.push(w);
  }
  return groups.filter((g) => g.length > 0).map(([path, ...args]) => ({ path: path!, args }));
}

function parseSched(text: string | undefined): SchedPolicy | undefined {
  if (text === undefined) return undefined;
  if (text !== 'rr' && text !== 'mlfq') throw new UsageError(`--sched: '${text}' is not a policy (rr or mlfq)`);
  return text;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseOrHelp(argv, COMMAND);
  if (!p) return 0;
  // Like qemu-user and execve, each guest starts with atoll's own environment (in its order).
  const envp = Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const programs = splitPrograms(p.positionals).map((g) => ({ ...g, envp }));
  if (programs.length === 0) throw new UsageError(`missing the program to run (${USAGE})`);
  if (programs.length > PROCS_MAX) throw new UsageError(`${programs.length} programs given; a machine runs at most ${PROCS_MAX} processes`);
  const tlbText = flagString(p, 'tlb');
  const tlb = tlbText === undefined ? undefined : parseTlb(tlbText);
  const ram = flagNumber(p, 'ram');
  const harts = flagNumber(p, 'harts');
  if (harts !== undefined && (harts < 1 || harts > HARTS_MAX)) throw new UsageError(`--harts: ${harts} is outside 1..${HARTS_MAX}`);
  const quantum = flagNumber(p, 'quantum');
  if (quantum !== undefined && (quantum < 1 || quantum > 1e9)) throw new UsageError(`--quantum: ${quantum} is outside 1..1000000000 instructions`);
  const seed = flagNumber(p, 'seed');
  if (seed !== undefined && (seed < 0 || seed > 0xffff_ffff)) throw new UsageError(`--seed: ${seed} is outside 0..4294967295`);
  const sched = parseSched(flagString(p, 'sched'));
  const threaded = flagBool(p, 'threaded');
  const jit = parseJit(flagString(p, 'jit'));
  const lockText = flagString(p, 'kernel-lock');
  if (lockText !== undefined && !Object.hasOwn(KERNEL_LOCK_KINDS, lockText)) throw new UsageError(`--kernel-lock: '${lockText}' is not a lock kind (tas, ttas or ticket)`);
  const kernel_lock = lockText as KernelLockKind | undefined;
  const root = flagString(p, 'root') ?? process.cwd();
  try {
    if (!statSync(root).isDirectory()) throw new UsageError(`--root: '${root}' is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--root: cannot use '${root}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // The kernel log is the machine's dmesg: kept out of the guest's stderr (so it matches Linux's) unless --klog;
  // --stats and --stats-json carry it.
  const klog = flagBool(p, 'klog');
  const kernel_log: string[] = [];
  const log = (line: string): void => {
    if (kernel_log.length < KERNEL_LOG_LINES_MAX) kernel_log.push(line);
    if (klog) process.stderr.write(`atoll: ${line}\n`);
  };
  let session;
  try {
    session = await runPrograms(programs, {
      ram_bytes: ram ?? RUN_RAM_BYTES_DEFAULT, tlb_entries: tlb?.entries, tlb_ways: tlb?.ways, harts, quantum_instructions: quantum, sched, seed, threaded, kernel_lock, root, jit,
    }, stdio, () => performance.now(), Infinity, log);
  } catch (err) {
    // Configuration the kernel or machine refuses is a usage problem when it came from a flag.
    if (err instanceof InputError && /RAM size|TLB/.test(err.message) && (ram !== undefined || tlb !== undefined)) throw new UsageError(err.message);
    throw err;
  }
  session.results.forEach((r, i) => {
    const who = programs.length === 1 ? 'guest' : `process ${i + 1} (${programs[i]!.path})`;
    const line = faultLine(r, who);
    if (line !== null) process.stderr.write(`atoll: ${line}\n`);
  });
  if (flagBool(p, 'stats')) {
    const lines = [formatStats(session.stats), `kernel log: ${kernel_log.length} lines`, ...kernel_log.map((l) => `  ${l}`)];
    process.stderr.write(lines.join('\n').replace(/^/gm, 'atoll: ') + '\n');
  }
  const jsonPath = flagString(p, 'stats-json');
  if (jsonPath !== undefined) {
    const body = { program: programs[0]!.path, programs: programs.map((g) => g.path), exit_code: session.exit_code, ...session.stats, kernel_log };
    try {
      writeFileSync(jsonPath, JSON.stringify(body, null, 2) + '\n');
    } catch (err) {
      throw new InputError(`--stats-json: cannot write '${jsonPath}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return session.exit_code;
}

function parseJit(text: string | undefined): boolean {
  if (text === undefined || text === 'off') return false;
  if (text === 'on') return true;
  throw new UsageError(`--jit: '${text}' is not on or off`);
}
