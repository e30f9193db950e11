// Running one program end to end on a fresh node: parse the ELF, create the node, load the process, run
// it, and collect the statistics the CLI prints (human or JSON). Wall time is measured by the caller's
// clock (a parameter), so this module reads no clock itself.
import { readFileSync } from 'node:fs';
import { InputError } from '../cli/errors.js';
import { parseElf } from '../elf/index.js';
import { Node, type NodeOptions } from './node.js';
import { Process, SIGNAL_NUMBER, type RunResult } from './process.js';
import type { GuestIO } from './syscalls.js';

export interface RunStats {
  readonly instructions: number;
  readonly wall_ms: number;
  readonly mips: number;
  readonly virtual_time_ns: number;
  readonly tlb: { readonly entries: number; readonly ways: number; readonly hits: number; readonly misses: number; readonly walks: number; readonly flushes: number; readonly hit_rate: number };
  readonly page_faults: number;
  readonly timer_interrupts: number;
}

export interface SessionResult {
  readonly result: RunResult;
  /** The exit status a shell would see: the guest's code, or 128 + signal. */
  readonly exit_code: number;
  readonly stats: RunStats;
}

export function readProgram(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code ?? String(err)}`);
  }
}

export function exitCodeOf(r: RunResult): number {
  if (r.kind === 'exit') return r.code;
  if (r.kind === 'fault' || r.kind === 'killed') return 128 + SIGNAL_NUMBER[r.signal];
  return 124;
}

export function faultLine(r: RunResult): string | null {
  if (r.kind === 'killed') return null; // as a shell, stay quiet about SIGPIPE
  if (r.kind !== 'fault') return null;
  const hex = (x: number): string => '0x' + (x >>> 0).toString(16).padStart(8, '0');
  return `guest killed by ${r.signal} (signal ${SIGNAL_NUMBER[r.signal]}): ${r.fault} at address ${hex(r.address)}, pc ${hex(r.pc)}`;
}

export async function runProgram(
  path: string, args: readonly string[], node_opts: NodeOptions, io: GuestIO, clock_ms: () => number,
  max_instructions = Infinity,
): Promise<SessionResult> {
  const image = parseElf(readProgram(path));
  const node = await Node.create(node_opts);
  const proc = new Process(node, image, { argv: [path, ...args] });
  const t0 = clock_ms();
  const result = proc.run(io, max_instructions);
  const wall_ms = clock_ms() - t0;
  const s = node.stats(0);
  const instructions = Number(s.instructions);
  const lookups = Number(s.tlb.hits + s.tlb.misses);
  return {
    result,
    exit_code: exitCodeOf(result),
    stats: {
      instructions, wall_ms, mips: wall_ms > 0 ? instructions / wall_ms / 1000 : 0,
      virtual_time_ns: Number(node.time_ns(0)),
      tlb: {
        entries: s.tlb.entries, ways: s.tlb.ways, hits: Number(s.tlb.hits), misses: Number(s.tlb.misses),
        walks: Number(s.tlb.walks), flushes: Number(s.tlb.flushes), hit_rate: lookups > 0 ? Number(s.tlb.hits) / lookups : 1,
      },
      page_faults: Number(s.page_faults), timer_interrupts: Number(s.timer_interrupts),
    },
  };
}

export function formatStats(s: RunStats): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return [
    `instructions ${n(s.instructions)} in ${s.wall_ms.toFixed(1)} ms: ${s.mips.toFixed(1)} MIPS (virtual time ${(s.virtual_time_ns / 1e6).toFixed(3)} ms)`,
    `TLB ${s.tlb.entries} entries x ${s.tlb.ways} ways: hit rate ${(100 * s.tlb.hit_rate).toFixed(3)}% (${n(s.tlb.hits)} hits, ${n(s.tlb.misses)} misses), ${n(s.tlb.walks)} walks, ${n(s.tlb.flushes)} flushes`,
    `page faults ${n(s.page_faults)}, timer interrupts ${n(s.timer_interrupts)}`,
  ].join('\n');
}
