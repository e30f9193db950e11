// Running one program end to end on a fresh machine: parse the ELF, create the machine, load the process, run
// it, and collect the statistics the CLI prints (human or JSON). Wall time is measured by the caller's
// clock (a parameter), so this module reads no clock itself.
import { formatJitStats, type JitStats } from './jit/index.js';
import { InputError } from '../base/index.js';
import { parseElf } from '../elf/index.js';
import { readProgram } from './program-file.js';
import { LOAD_END } from './layout.js';
import { SIGNAL_NUMBER, type RunResult } from './process.js';
import type { GuestIO } from './syscalls.js';
import { System, type SystemOptions } from './system.js';
import { formatKernelStats, type KernelStats } from './kstats.js';

export interface RunStats {
  readonly instructions: number;
  readonly wall_ms: number;
  readonly mips: number;
  readonly virtual_time_ns: number;
  readonly tlb: { readonly entries: number; readonly ways: number; readonly hits: number; readonly misses: number; readonly walks: number; readonly flushes: number; readonly hit_rate: number };
  readonly page_faults: number;
  readonly timer_interrupts: number;
  readonly kernel: KernelStats;
  /** The translator's counters when it was on (under --threaded, the workers' together: each has its own translations). */
  readonly jit?: JitStats;
}

export interface SessionResult {
  /** The first program's result (what `atoll run` exits with). */
  readonly result: RunResult;
  /** Every program's, in the order given. */
  readonly results: RunResult[];
  /** The exit status a shell would see: the guest's code, or 128 + signal. */
  readonly exit_code: number;
  readonly stats: RunStats;
}

export { readProgram, PROGRAM_BYTES_MAX } from './program-file.js';

export function exitCodeOf(r: RunResult): number {
  if (r.kind === 'exit') return r.code;
  if (r.kind === 'fault' || r.kind === 'killed') return 128 + SIGNAL_NUMBER[r.signal];
  return 124;
}

/** One line for a process killed by a signal (null for an exit, and for SIGPIPE, as a shell would). */
export function faultLine(r: RunResult, who = 'guest'): string | null {
  if (r.kind === 'killed') return r.signal === 'SIGPIPE' ? null : `${who} killed by ${r.signal} (signal ${SIGNAL_NUMBER[r.signal]}): ${r.reason}`;
  if (r.kind !== 'fault') return null;
  const hex = (x: number): string => '0x' + (x >>> 0).toString(16).padStart(8, '0');
  const head = `${who} killed by ${r.signal} (signal ${SIGNAL_NUMBER[r.signal]}): ${r.fault}`;
  // For an illegal instruction the trap value is the instruction word itself, not an address.
  if (r.signal === 'SIGILL') return `${head}: instruction word ${hex(r.address)}, pc ${hex(r.pc)}`;
  return `${head} at address ${hex(r.address)}, pc ${hex(r.pc)}`;
}

/**
 * The exit status of a run of several processes: the first process's, unless it exited 0 and another
 * process died by a signal; then 128 + the first such signal, so a crash anywhere is never reported as success.
 */
export function exitCodeOfAll(results: readonly RunResult[]): number {
  const first = exitCodeOf(results[0]!);
  if (first !== 0) return first;
  const died = results.find((r) => r.kind === 'fault' || r.kind === 'killed');
  return died ? exitCodeOf(died) : 0;
}

export interface ProgramSpec {
  readonly path: string;
  readonly args: readonly string[];
  /** The environment strings ("NAME=value") the process starts with (default none). */
  readonly envp?: readonly string[];
}

/** Run one program on a fresh machine (the shape `atoll run prog.elf args...` always had). */
export function runProgram(
  path: string, args: readonly string[], opts: SystemOptions, io: GuestIO, clock_ms: () => number,
  max_instructions = Infinity, log: (line: string) => void = () => {},
): Promise<SessionResult> {
  return runPrograms([{ path, args }], opts, io, clock_ms, max_instructions, log);
}

/** Run several programs, each its own process, on one fresh machine; deterministic unless opts.threaded. */
export async function runPrograms(
  programs: readonly ProgramSpec[], opts: SystemOptions, io: GuestIO, clock_ms: () => number,
  max_instructions = Infinity, log: (line: string) => void = () => {},
): Promise<SessionResult> {
  if (programs.length === 0) throw new InputError('no program to run');
  const images = programs.map((p) => parseElf(readProgram(p.path), { userEnd: LOAD_END }));
  const sys = await System.create(opts);
  images.forEach((image, i) => sys.spawn(image, { argv: [programs[i]!.path, ...programs[i]!.args], envp: programs[i]!.envp, name: programs[i]!.path, seed: (opts.seed ?? 1) + i }));
  const t0 = clock_ms();
  const run = opts.threaded ? await sys.runThreaded(log) : sys.run(io, log, max_instructions);
  const wall_ms = clock_ms() - t0;
  const results = run.results.map((r): RunResult => r ?? { kind: 'limit', instructions: 0n });
  const machine = sys.machine;
  let instructions = 0, hits = 0, misses = 0, walks = 0, flushes = 0, page_faults = 0, timer_interrupts = 0;
  let virtual_ns = 0n;
  for (let h = 0; h < machine.harts; h++) {
    const s = machine.stats(h);
    instructions += Number(s.instructions);
    hits += Number(s.tlb.hits); misses += Number(s.tlb.misses); walks += Number(s.tlb.walks); flushes += Number(s.tlb.flushes);
    page_faults += Number(s.page_faults); timer_interrupts += Number(s.timer_interrupts);
    if (machine.time_ns(h) > virtual_ns) virtual_ns = machine.time_ns(h);
  }
  const s0 = machine.stats(0);
  const lookups = hits + misses;
  return {
    result: results[0]!,
    results,
    exit_code: exitCodeOfAll(results),
    stats: {
      instructions, wall_ms, mips: wall_ms > 0 ? instructions / wall_ms / 1000 : 0,
      virtual_time_ns: Number(virtual_ns),
      tlb: { entries: s0.tlb.entries, ways: s0.tlb.ways, hits, misses, walks, flushes, hit_rate: lookups > 0 ? hits / lookups : 1 },
      page_faults, timer_interrupts, kernel: sys.stats(),
      ...(machine.jitOn() ? { jit: machine.jit.stats() } : {}),
    },
  };
}

export function formatStats(s: RunStats): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return [
    `instructions ${n(s.instructions)} in ${s.wall_ms.toFixed(1)} ms: ${s.mips.toFixed(1)} MIPS (virtual time ${(s.virtual_time_ns / 1e6).toFixed(3)} ms)`,
    `TLB ${s.tlb.entries} entries x ${s.tlb.ways} ways: hit rate ${(100 * s.tlb.hit_rate).toFixed(3)}% (${n(s.tlb.hits)} hits, ${n(s.tlb.misses)} misses), ${n(s.tlb.walks)} walks, ${n(s.tlb.flushes)} flushes`,
    `page faults ${n(s.page_faults)}, timer interrupts ${n(s.timer_interrupts)}`,
    formatKernelStats(s.kernel),
    ...(s.jit !== undefined ? [formatJitStats(s.jit)] : []),
  ].join('\n');
}
