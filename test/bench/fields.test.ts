// Every benchmark row carries median, spread, min, max, samples and baseline_case, or a note saying why
// not; the runner reports a row that has neither as malformed, and a baseline_case must name a figure of
// the same run. Checked on quick runs of fast suites and on the figure-building code of the hart, cluster
// and Raft suites (without running their heavy parts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, type BenchResult, type SuiteContext } from '../../bench/index.js';
import { hartFigures } from '../../bench/hart.js';
import { simBenchmarks } from '../../bench/cluster.js';
import { electionBenchmarks, readBenchmarks } from '../../bench/raft.js';
import { resultProblem } from '../../bench/lib/types.js';

const FIGURES = ['median', 'spread', 'min', 'max', 'samples', 'baseline_case'] as const;

/** The contract a script relies on, stated apart from the runner's own check. */
function expectComplete(r: BenchResult): void {
  const where = `${r.suite}/${r.case}`;
  for (const k of FIGURES) expect(Object.keys(r), where).toContain(k);
  if (r.note !== undefined && r.note.trim() !== '') return;
  expect(r.status, where).toBe('ok');
  for (const k of ['median', 'spread', 'min', 'max'] as const) expect(Number.isFinite(r[k]), `${where}: ${k}`).toBe(true);
  expect(r.samples, where).toBeGreaterThanOrEqual(1);
  expect(r.min!, where).toBeLessThanOrEqual(r.median!);
  expect(r.median!, where).toBeLessThanOrEqual(r.max!);
  if (r.baseline_case === null) expect([r.baseline, r.ratio], where).toEqual([null, null]);
  else expect(r.ratio, where).toBeCloseTo(r.median! / r.baseline!, 9);
}

function expectBaselinesInRun(rows: readonly BenchResult[]): void {
  const names = new Set(rows.map((r) => `${r.suite}/${r.case}`));
  for (const r of rows) {
    if (r.baseline_case === null) continue;
    expect(names.has(r.baseline_case), `${r.suite}/${r.case} -> ${r.baseline_case}`).toBe(true);
    expect(rows.find((b) => `${b.suite}/${b.case}` === r.baseline_case)!.median).toBe(r.baseline);
  }
}

const quiet: SuiteContext = { quick: true, progress: () => {} };

describe('benchmark rows carry every figure or a note', () => {
  it('every row of quick syscall and context-switch runs is complete or says why not', async () => {
    const run = await runBench({ only: ['syscall', 'context-switch'], quick: true, progress: () => {} });
    expect(run.suites.map((s) => s.status)).toEqual(['ran', 'ran']);
    expect(run.results.length).toBeGreaterThan(4);
    for (const r of run.results) expectComplete(r);
    expectBaselinesInRun(run.results);
  }, 120_000);

  it('hart: with qemu-riscv32 and the compiler missing, the baselines are unavailable rows and the ratios say so', () => {
    const rows = hartFigures('compute', 1e9, {
      atoll: [2.0, 2.2, 2.1], qemu: { reason: 'qemu-riscv32 missing (/usr/bin/qemu-riscv32 not found)' }, native: { reason: 'native compiler missing (gcc: spawn gcc ENOENT)' },
    });
    for (const r of rows) expectComplete(r);
    expect(rows.filter((r) => r.status === 'unavailable').map((r) => r.note)).toEqual([
      expect.stringMatching(/qemu-riscv32 missing/), expect.stringMatching(/qemu-riscv32 missing/), expect.stringMatching(/compiler missing/),
    ]);
    const mips = rows.find((r) => r.case === 'compute.elf guest MIPS (atoll; baseline qemu-riscv32)')!;
    expect(mips).toMatchObject({ status: 'ok', median: 1e9 / 2.1 / 1e6, samples: 3, ratio: null, baseline_case: null });
    expect(mips.note).toMatch(/no ratio: baseline hart\/compute.elf guest MIPS, qemu-riscv32 unavailable \(qemu-riscv32 missing/);
    expect(rows.find((r) => r.case === 'compute time, atoll vs native gcc -O2')!.note).toMatch(/compiler missing/);
  });

  it('hart: with both baselines measured, each atoll row is read against its baseline row', () => {
    const rows = hartFigures('memory', 1e8, { atoll: [1, 1.2, 1.1], qemu: [0.1, 0.12, 0.11], native: [0.05, 0.05, 0.06] });
    for (const r of rows) expectComplete(r);
    expectBaselinesInRun(rows);
    expect(rows.find((r) => r.case === 'memory.elf time, atoll vs qemu-riscv32')).toMatchObject({
      baseline_case: 'hart/memory.elf time, qemu-riscv32', median: 1100, spread: 100, min: 1000, max: 1200,
    });
  });

  it('cluster: the simulator rows come from benny\'s samples with their baselines', async () => {
    const rows = await simBenchmarks(quiet);
    for (const r of rows) expectComplete(r);
    expectBaselinesInRun(rows);
    expect(rows.every((r) => r.samples >= 2)).toBe(true);
  }, 60_000);

  it('raft: read latencies and elections carry their samples; the timeout they are read against is a row', () => {
    const rows = [...readBenchmarks(), ...electionBenchmarks(2)];
    for (const r of rows) expectComplete(r);
    expectBaselinesInRun(rows);
    expect(rows.find((r) => r.case === 'election after leader crash, 3 nodes, p99')!.note).toMatch(/p99 of the \d+ samples/);
  }, 60_000);
});

describe('the runner refuses rows without their figures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-bench-fields-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bare.js'), `export async function suite() { return [{ suite: 'bare', case: 'x', unit: 'ns', median: 1, baseline: null, ratio: null }]; }\n`);
  writeFileSync(join(dir, 'noted.js'), `export async function suite() { return [{ suite: 'noted', case: 'x', unit: 'ns', median: 1, baseline: null, ratio: null, note: 'one value, taken once' }]; }\n`);
  writeFileSync(join(dir, 'dangling.js'), `export async function suite() { return [{ suite: 'dangling', case: 'x', unit: 'ns', median: 2, spread: 0, min: 2, max: 2, samples: 1, baseline_case: 'dangling/nowhere', baseline: 1, ratio: 2 }]; }\n`);

  it('reports a row with neither the figures nor a note as malformed, and one with a note as fine', async () => {
    const run = await runBench({ only: ['bare', 'noted', 'dangling'], quick: true, progress: () => {}, from: { dir, ext: '.js' } });
    const by = Object.fromEntries(run.suites.map((s) => [s.name, s]));
    expect(by['bare']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/malformed.*no 'spread', 'min', 'max', 'samples', 'baseline_case' and no note/) });
    expect(by['noted']).toMatchObject({ status: 'ran' });
    expect(by['dangling']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/baseline_case 'dangling\/nowhere' names no figure of this run/) });
  });

  it('states the same rule in resultProblem', () => {
    expect(resultProblem({ suite: 's', case: 'c', unit: 'ns', median: 1, spread: 0, min: 1, max: 1, samples: 1, baseline_case: null, baseline: null, ratio: null })).toBeNull();
    expect(resultProblem({ suite: 's', case: 'c', unit: 'ns', median: 1, spread: 0, min: 1, max: 1, samples: 1, baseline_case: null, baseline: 2, ratio: 0.5 })).toMatch(/without 'baseline_case'/);
    expect(resultProblem({ suite: 's', case: 'c', unit: 'ns', median: null, samples: 0 })).toMatch(/no 'median'/);
    expect(resultProblem({ suite: 's', case: 'c', unit: 'ns', median: null, samples: 0, note: 'not measured: no addon' })).toBeNull();
  });
});
