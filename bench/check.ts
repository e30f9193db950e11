// Linearizability checker benchmark: the time to parse and check every Porcupine test history
// (../shared/histories/porcupine, or the few in test/fixtures/porcupine when that is absent), in ms.
// Figures: all histories through benny (warm), the first pass of the run (cold JIT), each format's total,
// and each history's own median over the samples. Every verdict must match verdicts.json or the suite
// fails. Porcupine itself (Go) is not run here: its published figure, about 2 s for all the histories, is
// given as a reference only, in a figure without a measured value.
// Run: npm run build && node dist/bench/index.js check [--quick]
import { join } from 'node:path';
import { checkPorcupineHistory, type PorcupineHistory } from '../src/check/index.js';
import { findPorcupineCorpus, readPorcupineCorpus } from '../src/host/index.js';
import { runInThread } from './lib/benny-cases.js';
import { packageRoot } from './lib/kernel-wasm.js';
import { collect, figure, unavailable } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'check';
const PORCUPINE_PUBLISHED_TOTAL_MS = 2000;
const SAMPLES_FULL = 5;
const SAMPLES_QUICK = 2;

function checkOne(h: PorcupineHistory): number {
  const t0 = performance.now();
  const r = checkPorcupineHistory(h);
  const ms = performance.now() - t0;
  if (r.verdict !== h.expected) throw new Error(`${h.name}: checker says ${r.verdict}, verdicts.json says ${h.expected}`);
  return ms;
}

function checkAll(histories: readonly PorcupineHistory[]): number[] {
  return histories.map(checkOne);
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const found = findPorcupineCorpus(packageRoot());
  const dir = found.dir ?? join(packageRoot(), 'test', 'fixtures', 'porcupine');
  const histories = readPorcupineCorpus(dir);
  const source = found.dir === null ? `the ${histories.length} fixtures only (full set not found in ${found.looked.join(', ')})` : `${histories.length} histories in ${dir}`;
  ctx.progress(`  ${SUITE}: ${source}`);
  const cold = checkAll(histories);
  const coldTotal = cold.reduce((a, b) => a + b, 0);

  const [warm] = await runInThread(ctx, SUITE, [{ case: 'all histories', fn: () => checkAll(histories), opsPerCall: 1 }]);
  const toMs = (v: number | null): number | null => (v === null ? null : v / 1e6);
  const out: BenchResult[] = [{
    ...warm!, unit: 'ms', median: toMs(warm!.median), spread: toMs(warm!.spread), min: toMs(warm!.min), max: toMs(warm!.max),
    note: `parse + check of ${source}, warm (benny)`,
    extra: { histories: histories.length, porcupine_published_total_ms: PORCUPINE_PUBLISHED_TOTAL_MS },
  }];
  out.push(figure({ suite: SUITE, case: 'all histories, first pass (cold JIT)', unit: 'ms', note: 'one sample: the first pass of this run' }, [coldTotal]));

  const perHistory: number[][] = histories.map(() => []);
  await collect(ctx.quick ? SAMPLES_QUICK : SAMPLES_FULL, 0, () => {
    checkAll(histories).forEach((ms, i) => perHistory[i]!.push(ms));
    return 0;
  });
  for (const format of ['jepsen', 'kv'] as const) {
    const idx = histories.map((h, i) => (h.format === format ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const samples = perHistory[0]!.length;
    const totals = Array.from({ length: samples }, (_, s) => idx.reduce((a, i) => a + perHistory[i]![s]!, 0));
    out.push(figure({ suite: SUITE, case: `${format} histories (${idx.length}), total`, unit: 'ms' }, totals));
  }
  histories.forEach((h, i) => {
    out.push(figure({ suite: SUITE, case: `${h.format} ${h.name}`, unit: 'ms', extra: { expected: h.expected } }, perHistory[i]!));
  });
  out.push(unavailable({
    suite: SUITE, case: 'porcupine (Go), all histories', unit: 'ms',
    note: `not measured in this run (no Go here); Porcupine's published figure for all these histories is about ${PORCUPINE_PUBLISHED_TOTAL_MS} ms`,
  }));
  return out;
}
