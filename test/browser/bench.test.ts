// The browser benchmark suite (bench/browser.ts): where Chromium is missing the runner reports it skipped,
// neither ran nor failed, with the reason; and its rows read the page's guest MIPS against Node's from the
// same samples (ratio = page / Node), every row complete. No timing is asserted: the samples here are given.
import { afterEach, describe, expect, it } from 'vitest';
import { runBench } from '../../bench/index.js';
import { browserFigures, missingPrerequisite, WORKLOADS, type RunSample } from '../../bench/browser.js';
import { resultProblem } from '../../bench/lib/types.js';

const saved = process.env['ATOLL_CHROMIUM'];
afterEach(() => {
  if (saved === undefined) delete process.env['ATOLL_CHROMIUM'];
  else process.env['ATOLL_CHROMIUM'] = saved;
});

describe('the browser benchmark suite', () => {
  it('is skipped, not failed, where Chromium is missing, and says why', async () => {
    process.env['ATOLL_CHROMIUM'] = '/nonexistent/chromium';
    const lines: string[] = [];
    const run = await runBench({ only: ['browser'], quick: true, progress: (l) => lines.push(l) });
    expect(run.suites).toMatchObject([{ name: 'browser', status: 'skipped', results: 0 }]);
    expect(run.suites[0]!.reason).toMatch(/^skipped: \/nonexistent\/chromium is missing/);
    expect(run.results).toMatchObject([{ suite: 'browser', status: 'unavailable', median: null }]);
    expect(run.results[0]!.note).toMatch(/chromium is missing/);
    expect(lines.join('\n')).toMatch(/browser: skipped: \/nonexistent\/chromium is missing/);
  }, 60_000);

  it('names what is missing: the browser, or the built page', () => {
    expect(missingPrerequisite('/nonexistent/chromium')).toMatch(/is missing/);
    expect(missingPrerequisite(process.execPath, '/nonexistent-package')).toMatch(/the page is not built .*npm run build:browser/);
  });

  it('reads the page\'s guest MIPS against Node\'s from the same run', () => {
    const w = WORKLOADS.find((x) => x.harts === 2)!;
    const node: RunSample[] = [{ instructions: 3e8, wall_ms: 1000 }, { instructions: 3e8, wall_ms: 1200 }, { instructions: 3e8, wall_ms: 1100 }];
    const page: RunSample[] = [{ instructions: 3e8, wall_ms: 1500 }, { instructions: 3e8, wall_ms: 2000 }, { instructions: 2e8, wall_ms: 1000 }];
    const rows = browserFigures(w, w.args.full, '1.2.3', node, page);
    for (const r of rows) expect(resultProblem(r), r.case).toBeNull();
    const [base, inPage] = rows;
    expect(base).toMatchObject({ suite: 'browser', unit: 'MIPS', median: 3e8 / 1100 / 1000, samples: 3, baseline_case: null, ratio: null });
    expect(inPage).toMatchObject({ median: 200, samples: 3, baseline_case: `browser/${base!.case}`, baseline: base!.median });
    expect(inPage!.ratio).toBeCloseTo(200 / (3e8 / 1100 / 1000), 12);
    expect(inPage!.case).toContain('2 harts');
    expect(inPage!.extra).toMatchObject({ runtime: 'Chromium 1.2.3', guest_instructions_median: 3e8 });
  });
});
