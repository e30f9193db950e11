// The benchmark runner and `atoll bench`: results carry the fields scripts rely on, every ratio is its
// median over a baseline from the same run, a missing or broken suite is reported instead of crashing,
// and nothing written for a log carries terminal escape codes.
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { discoverSuites, formatMarkdown, formatTable, runBench, saveRun, type BenchRun } from '../../bench/index.js';
import { run as benchCommand } from '../../src/cli/commands/bench.js';
import { UsageError } from '../../src/base/index.js';

const ESC = '\u001b';
const fixtures = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

writeFileSync(join(fixtures, 'good.js'), `export async function suite(ctx) {
  ctx.progress('good: measuring');
  return [
    { suite: 'good', case: 'base', unit: 'ns', median: 10, spread: 0, min: 10, max: 10, samples: 1, baseline_case: null, baseline: null, ratio: null },
    { suite: 'good', case: 'other', unit: 'ns', median: 30, baseline: 10, ratio: 3, note: 'one value, no spread; baseline given by value' },
  ];
}\n`);
writeFileSync(join(fixtures, 'malformed.js'), `export async function suite() { return [{ suite: 'malformed', median: 'fast' }]; }\n`);
writeFileSync(join(fixtures, 'throws.js'), `export async function suite() { throw new Error('suite exploded'); }\n`);
writeFileSync(join(fixtures, 'noisy.js'), `export async function suite() {
  for (let i = 0; i < 3; i++) process.stdout.write('\\u001b[2K\\u001b[1AProgress: 50%\\n  case a:\\n');
  process.stdout.write('done\\n');
  return [{ suite: 'noisy', case: 'x', unit: 'ns', median: 1, spread: 0, min: 1, max: 1, samples: 1, baseline_case: null, baseline: null, ratio: null }];
}\n`);
writeFileSync(join(fixtures, 'named.js'), `export async function hartBench() { return [{ suite: 'named', case: 'x', unit: 'MIPS', median: 5, baseline: 10, ratio: 0.5, note: 'one value; baseline given by value' }]; }\n`);

describe('benchmark runner', () => {
  it('finds the suite modules in bench/ and nothing else (not the runner, not lib/)', () => {
    const names = discoverSuites().map((s) => s.name);
    expect(names.slice(0, 4)).toEqual(['spinlock', 'syscall', 'context-switch', 'daemon']);
    expect(names).not.toContain('index');
    expect(names).not.toContain('lib');
  });

  it('runs good suites, reports malformed, failing and absent ones as unavailable', async () => {
    const progress: string[] = [];
    const run = await runBench({
      only: ['good', 'malformed', 'throws', 'named', 'raft'], quick: true, progress: (l) => progress.push(l),
      from: { dir: fixtures, ext: '.js' },
    });
    const status = Object.fromEntries(run.suites.map((s) => [s.name, s.status]));
    expect(status).toEqual({ good: 'ran', malformed: 'failed', throws: 'failed', named: 'ran', raft: 'skipped' });
    expect(run.suites.find((s) => s.name === 'throws')?.reason).toMatch(/suite exploded/);
    expect(run.suites.find((s) => s.name === 'malformed')?.reason).toMatch(/malformed/);
    expect(run.results.find((r) => r.suite === 'raft')).toMatchObject({ status: 'unavailable', median: null });
    expect(run.results.find((r) => r.case === 'x')).toMatchObject({ median: 5, ratio: 0.5, status: 'ok' });
    expect(progress).toContain('good: measuring');
    expect(progress.join('\n')).not.toContain(ESC);
  });

  it('keeps a suite\'s own stdout drawing off stdout: plain, deduplicated progress lines instead', async () => {
    const progress: string[] = [];
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { written.push(String(c)); return true; });
    try {
      const run = await runBench({ only: ['noisy'], quick: true, progress: (l) => progress.push(l), from: { dir: fixtures, ext: '.js' } });
      expect(run.results.map((r) => r.case)).toEqual(['x']);
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual([]);
    expect(progress.slice(1, -1)).toEqual(['Progress: 50%', '  case a:', 'done']);
    expect(progress.join('\n')).not.toContain(ESC);
  });

  it('refuses an unknown suite name', async () => {
    await expect(runBench({ only: ['nope'], quick: true, progress: () => {}, from: { dir: fixtures, ext: '.js' } }))
      .rejects.toThrow(/unknown suite 'nope'/);
  });

  it('measures the syscall suite with ratios taken from baselines of the same run', async () => {
    const lines: string[] = [];
    const run = await runBench({ only: ['syscall'], quick: true, progress: (l) => lines.push(l) });
    expect(run.suites[0]).toMatchObject({ name: 'syscall', status: 'ran' });
    for (const r of run.results) {
      if (r.baseline_case === null) continue;
      const base = run.results.find((b) => `${b.suite}/${b.case}` === r.baseline_case);
      expect(base?.median).toBe(r.baseline);
      expect(r.ratio).toBeCloseTo(r.median! / r.baseline!, 9);
    }
    // The emulated ecall is measured now (the kernel runs processes); its baseline is the native σ when
    // the addon is built.
    const emulated = run.results.find((r) => r.case === 'emulated ecall round trip (kernel-served getpid)');
    expect(emulated).toMatchObject({ status: 'ok' });
    expect(emulated!.median).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(ESC);
  });

  it('writes latest.json and latest.md without escape codes', async () => {
    const run: BenchRun = await runBench({ only: ['good'], quick: true, progress: () => {}, from: { dir: fixtures, ext: '.js' } });
    const out = mkdtempSync(join(tmpdir(), 'atoll-results-'));
    const saved = saveRun(run, out);
    const json = JSON.parse(readFileSync(saved.json, 'utf8')) as BenchRun;
    expect(json.results.map((r) => r.case)).toEqual(['base', 'other']);
    const md = readFileSync(saved.md, 'utf8');
    expect(md).toContain('| good | other | 30.0 |  | ns | - | 3.00x |');
    expect(md + formatTable(run) + formatMarkdown(run)).not.toContain(ESC);
    rmSync(out, { recursive: true, force: true });
  });
});

describe('atoll bench', () => {
  it('--json prints an array of results with suite, case, unit, median, baseline and ratio', async () => {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    let code: number;
    try {
      code = await benchCommand(['context-switch', '--json', '--quick', '--no-save', '--quiet']);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    const results = JSON.parse(chunks.join('')) as Record<string, unknown>[];
    expect(results.length).toBeGreaterThan(1);
    for (const r of results) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['suite', 'case', 'unit', 'median', 'baseline', 'ratio']));
      expect(r['suite']).toBe('context-switch');
    }
    const c = results.find((r) => r['case'] === 'native pipe ring of 2, one CPU');
    expect(typeof c?.['median']).toBe('number');
  });

  it('says where it could not write the results instead of crashing', async () => {
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(benchCommand(['syscall', '--quick', '--quiet', '--out', '/dev/null/x'])).rejects.toThrow(/cannot write the results into \/dev\/null\/x/);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects an unknown suite with a usage error', async () => {
    await expect(benchCommand(['warp-drive'])).rejects.toThrow(UsageError);
  });
});
