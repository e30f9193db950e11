// Hart speed: the compute-bound and memory-bound example ELFs with address translation on (Sv32, default
// TLB), interpreted and with the translator to WebAssembly (--jit on), timed by benny, against the same ELF under qemu-riscv32 and the same C compiled natively with gcc -O2,
// all in the same run. The baselines are rows of their own (qemu's MIPS and time, native time); where
// qemu-riscv32 or the compiler is missing, that row is unavailable with the reason and the rows read
// against it say so. ratio = atoll / baseline (times: above 1, atoll is slower; MIPS: below 1).
// Run: node dist/bench/hart.js [--quick] [--json]; the common runner calls suite(ctx).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../src/machine/session.js';
import type { GuestIO } from '../src/machine/syscalls.js';
import { bennySamples, type BennyCase, type BennyOptions } from './lib/benny-cases.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

export type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'hart';
const ROOT = [fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(new URL('../..', import.meta.url))].find((p) => existsSync(join(p, 'guest/examples')))!;
const EXAMPLES = ['compute', 'memory'] as const;
const QEMU = '/usr/bin/qemu-riscv32';
const quiet: GuestIO = { write: () => {} };
const FULL: BennyOptions = { minSamples: 5, maxTime: 3, initCount: 1 };
const QUICK: BennyOptions = { minSamples: 2, maxTime: 0.1, initCount: 1 };

/** A baseline program to time, or why there is none. */
export type Baseline = { readonly ok: true; readonly run: () => void } | { readonly ok: false; readonly reason: string };

function buildNative(name: string, dir: string): Baseline {
  const out = join(dir, name);
  const r = spawnSync('gcc', ['-O2', '-w', '-I', join(ROOT, 'bench/native'), '-o', out, join(ROOT, 'guest/examples', `${name}.c`)], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `native compiler missing (gcc: ${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `gcc -O2 ${name}.c failed: ${(r.stderr.trim().split('\n')[0] ?? '').slice(0, 200)}` };
  return { ok: true, run: () => runExternal(out, []) };
}

function qemu(elf: string): Baseline {
  return existsSync(QEMU) ? { ok: true, run: () => runExternal(QEMU, [elf]) } : { ok: false, reason: `qemu-riscv32 missing (${QEMU} not found)` };
}

function runExternal(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
}

async function instructionsOf(elf: string): Promise<number> {
  const s = await runProgram(elf, [], {}, quiet, () => 0);
  return s.stats.instructions;
}

/** Seconds per run of atoll, qemu-riscv32 and the native build of one example (null: not measured). */
export interface HartSamples {
  readonly atoll: readonly number[];
  /** The same runs with the translator on (absent: not measured). */
  readonly atoll_jit?: readonly number[];
  readonly qemu: readonly number[] | { readonly reason: string };
  readonly native: readonly number[] | { readonly reason: string };
}

/** The rows of one example: the baselines first (or why they are missing), then atoll read against them. */
export function hartFigures(name: string, instructions: number, s: HartSamples): BenchResult[] {
  const ms = (xs: readonly number[]): number[] => xs.map((sec) => sec * 1e3);
  const mips = (xs: readonly number[]): number[] => xs.map((sec) => instructions / sec / 1e6);
  const extra = { guest_instructions: instructions };
  const base = (c: string, unit: string, got: HartSamples['qemu'], to: (xs: readonly number[]) => number[]): BenchResult =>
    Array.isArray(got)
      ? figure({ suite: SUITE, case: c, unit, extra }, to(got))
      : unavailable({ suite: SUITE, case: c, unit, note: (got as { reason: string }).reason });
  const qemuMips = base(`${name}.elf guest MIPS, qemu-riscv32`, 'MIPS', s.qemu, mips);
  const qemuTime = base(`${name}.elf time, qemu-riscv32`, 'ms', s.qemu, ms);
  const nativeTime = base(`${name} time, native gcc -O2`, 'ms', s.native, ms);
  const missing = (b: BenchResult): string => `no ratio: baseline ${b.suite}/${b.case} unavailable (${b.note ?? 'no figure'})`;
  const atoll = (c: string, unit: string, values: number[], b: BenchResult): BenchResult =>
    withBaseline(figure({ suite: SUITE, case: c, unit, extra }, values), b, missing(b));
  const interpreted = atoll(`${name}.elf guest MIPS (atoll; baseline qemu-riscv32)`, 'MIPS', mips(s.atoll), qemuMips);
  const jit = s.atoll_jit === undefined ? [] : [
    atoll(`${name}.elf guest MIPS (atoll --jit on; baseline qemu-riscv32)`, 'MIPS', mips(s.atoll_jit), qemuMips),
    atoll(`${name}.elf time, atoll --jit on vs qemu-riscv32`, 'ms', ms(s.atoll_jit), qemuTime),
    withBaseline(figure({ suite: SUITE, case: `${name}.elf guest MIPS, atoll --jit on vs the interpreter`, unit: 'MIPS', extra }, mips(s.atoll_jit)), interpreted),
  ];
  return [
    qemuMips, qemuTime, nativeTime,
    interpreted,
    atoll(`${name}.elf time, atoll vs qemu-riscv32`, 'ms', ms(s.atoll), qemuTime),
    atoll(`${name} time, atoll vs native gcc -O2`, 'ms', ms(s.atoll), nativeTime),
    ...jit,
  ];
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
  try {
    for (const name of EXAMPLES) {
      const elf = join(ROOT, 'guest/examples', `${name}.elf`);
      ctx.progress(`  ${SUITE}: ${name}.elf: counting guest instructions`);
      const instructions = await instructionsOf(elf);
      const q = qemu(elf);
      const nat = buildNative(name, dir);
      const cases: BennyCase[] = [
        { name: 'atoll', fn: async () => { await runProgram(elf, [], {}, quiet, () => 0); } },
        { name: 'atoll-jit', fn: async () => { await runProgram(elf, [], { jit: true }, quiet, () => 0); } },
        ...(q.ok ? [{ name: 'qemu', fn: q.run }] : []),
        ...(nat.ok ? [{ name: 'native', fn: nat.run }] : []),
      ];
      const got = await bennySamples(ctx, `${SUITE} ${name}`, cases, ctx.quick ? QUICK : FULL);
      results.push(...hartFigures(name, instructions, {
        atoll: got.get('atoll')!,
        atoll_jit: got.get('atoll-jit')!,
        qemu: q.ok ? got.get('qemu')! : { reason: q.reason },
        native: nat.ok ? got.get('native')! : { reason: nat.reason },
      }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

runWhenInvoked(import.meta.url, 'The hart suite: guest MIPS and run time of guest/examples/{compute,memory}.elf against qemu-riscv32 and gcc -O2.');
