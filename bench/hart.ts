// Hart speed: the compute-bound and memory-bound example ELFs with translation on (Sv32, default TLB),
// timed by benny, against the same ELF under qemu-riscv32 and the same C compiled natively with gcc,
// all in the same run. Results are {suite, case, unit, median, baseline, ratio}; ratio = atoll / baseline
// for times (above 1: atoll is slower) and atoll / baseline for MIPS. Run: node dist/bench/hart.js
import b from 'benny';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../src/machine/session.js';
import type { GuestIO } from '../src/machine/syscalls.js';
import type { PlainFigure as BenchResult } from './lib/types.js';

export type { PlainFigure as BenchResult } from './lib/types.js';

const ROOT = [fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(new URL('../..', import.meta.url))].find((p) => existsSync(join(p, 'guest/examples')))!;
const EXAMPLES = ['compute', 'memory'] as const;
const QEMU = '/usr/bin/qemu-riscv32';
const quiet: GuestIO = { write: () => {} };
const CASE_OPTIONS = { minSamples: 5, maxTime: 3, initCount: 1 };

function buildNative(name: string, dir: string): string | null {
  const out = join(dir, name);
  const r = spawnSync('gcc', ['-O2', '-w', '-I', join(ROOT, 'bench/native'), '-o', out, join(ROOT, 'guest/examples', `${name}.c`)], { encoding: 'utf8' });
  return r.status === 0 ? out : null;
}

function runExternal(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
}

async function instructionsOf(elf: string): Promise<number> {
  const s = await runProgram(elf, [], {}, quiet, () => 0);
  return s.stats.instructions;
}

export async function benchHart(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
  for (const name of EXAMPLES) {
    const elf = join(ROOT, 'guest/examples', `${name}.elf`);
    const instructions = await instructionsOf(elf);
    const native = buildNative(name, dir);
    const cases = [
      b.add(`atoll ${name}.elf`, async () => { await runProgram(elf, [], {}, quiet, () => 0); }, CASE_OPTIONS),
      ...(existsSync(QEMU) ? [b.add(`qemu-riscv32 ${name}.elf`, () => runExternal(QEMU, [elf]), CASE_OPTIONS)] : []),
      ...(native ? [b.add(`native gcc -O2 ${name}.c`, () => runExternal(native, []), CASE_OPTIONS)] : []),
    ];
    const summary = await b.suite(`hart ${name}`, ...cases, b.cycle());
    const median = (prefix: string): number | null => summary.results.find((r) => r.name.startsWith(prefix))?.details.median ?? null;
    const atoll = median('atoll')!;
    const qemu = median('qemu');
    const nat = median('native');
    const mips = instructions / atoll / 1e6;
    results.push({ suite: 'hart', case: `${name}.elf guest MIPS (atoll; baseline qemu-riscv32)`, unit: 'MIPS', median: mips, baseline: qemu ? instructions / qemu / 1e6 : null, ratio: qemu ? mips / (instructions / qemu / 1e6) : null });
    results.push({ suite: 'hart', case: `${name}.elf time, atoll vs qemu-riscv32`, unit: 'ms', median: atoll * 1e3, baseline: qemu === null ? null : qemu * 1e3, ratio: qemu ? atoll / qemu : null });
    results.push({ suite: 'hart', case: `${name} time, atoll vs native gcc -O2`, unit: 'ms', median: atoll * 1e3, baseline: nat === null ? null : nat * 1e3, ratio: nat ? atoll / nat : null });
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await benchHart();
  console.table(results.map((r) => ({ ...r, median: +r.median.toFixed(1), baseline: r.baseline === null ? null : +r.baseline.toFixed(1), ratio: r.ratio === null ? null : +r.ratio.toFixed(2) })));
}
