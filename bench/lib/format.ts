// Renders a benchmark run as a plain-text table (for a terminal or a log) and as Markdown, and writes
// latest.json and latest.md. Numbers get 3 significant digits; a missing figure shows its reason.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRun } from './runner.js';
import type { BenchResult } from './types.js';

function num(v: number | null): string {
  if (v === null) return '-';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return v.toFixed(0);
  return v.toPrecision(3);
}

function ratio(r: BenchResult): string {
  return r.ratio === null ? '-' : `${r.ratio.toPrecision(3)}x`;
}

interface Row { readonly cells: readonly string[] }

function rows(results: readonly BenchResult[]): Row[] {
  return results.map((r) => ({
    cells: [
      r.suite, r.case,
      r.status === 'ok' ? num(r.median) : 'n/a',
      r.status === 'ok' && r.spread !== null ? `±${num(r.spread)}` : '',
      r.unit,
      r.baseline_case ?? '-',
      ratio(r),
      r.note ?? '',
    ],
  }));
}

const HEADER = ['suite', 'case', 'median', 'spread', 'unit', 'baseline', 'ratio', 'note'];

export function formatTable(run: BenchRun): string {
  const all = [HEADER, ...rows(run.results).map((r) => r.cells)];
  const widths = HEADER.map((_, i) => Math.min(60, Math.max(...all.map((c) => c[i]!.length))));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const native = run.native.loaded ? 'native baseline: loaded' : `native baseline: MISSING (${run.native.reason})`;
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line), '', native, ''].join('\n');
}

export function formatMarkdown(run: BenchRun): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [
    '# Atoll benchmark results', '',
    `${run.date} · Node ${run.host.node} · ${run.host.platform}/${run.host.arch} · ${run.host.cpus} CPUs` +
      `${run.quick ? ' · quick mode (noisy)' : ''}`,
    '',
    run.native.loaded ? 'Native baseline: loaded.' : `Native baseline: **missing** (${esc(run.native.reason ?? '')}).`,
    '',
    'Medians over the samples, spread = median absolute deviation; ratio = median / baseline, both from this run.',
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((h) => (['median', 'spread', 'ratio'].includes(h) ? '---:' : '---')).join(' | ')} |`,
    ...rows(run.results).map((r) => `| ${r.cells.map(esc).join(' | ')} |`),
    '',
    '## Suites', '',
    ...run.suites.map((s) => `- ${s.name}: ${s.status}${s.reason ? ` (${esc(s.reason)})` : ''}, ${s.results} figures, ${s.duration_s.toFixed(1)} s`),
    '',
  ];
  return out.join('\n');
}

/** Write latest.json and latest.md into `dir` (created if needed); returns the two paths. */
export function saveRun(run: BenchRun, dir: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(md, formatMarkdown(run));
  return { json, md };
}
