// The page against Node: guest MIPS of the same guest on the same machine (threaded mode, harts on workers over
// one shared memory, the page's RAM size and root file system) in Debian's Chromium, headless, driven by
// playwright-core (a Web Worker per hart, the page's thread serving host calls) and in this Node process (a
// worker thread per hart, the main thread serving them), in the same run: compute.elf on one hart and
// threads-counter.elf on two. ratio = page / Node (below 1, the page is slower). Page and Node runs alternate so
// that load on the host falls on both alike.
// Why not benny: benny times whole calls of a function, and a call that runs a guest in the page also opens the
// page, fetches the kernel and every prebuilt guest and compiles the kernel in a fresh tab, none of which Node
// pays; the figure wanted is the run's own time, which only the page can read. So each sample is one run timed
// by the machine's own clock (performance.now from the start of System.runThreaded, workers' start included, to
// the last hart's exit), in the page as in Node, after a warm-up run of each, as bench/ssi.ts times its runs.
// Skipped (not failed) where Chromium (/usr/bin/chromium, or ATOLL_CHROMIUM), playwright-core or the built
// page (npm run build:browser) is missing.
// Run: npm run build && node dist/bench/browser.js [--quick] [--json]; the common runner calls suite(ctx).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { parseElf } from '../src/elf/index.js';
import { exitCodeOfAll, layout, PushInput, System, type GuestIO, type RunResult } from '../src/machine/index.js';
import { Vfs } from '../src/vfs/index.js';
import { PAGE_RAM_BYTES } from '../src/browser/machine-run.js';
import { MemoryMount } from '../src/browser/memory-mount.js';
import { packageRoot, startPageServer } from '../src/cli/commands/serve.js';
import { runWhenInvoked } from './lib/direct.js';
import { SuiteSkipped } from './lib/skip.js';
import { figure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

export type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'browser';
/** Debian's chromium; ATOLL_CHROMIUM names another executable (as for test/browser). */
export const CHROMIUM_DEFAULT = '/usr/bin/chromium';
/** The longest one run in the page may take before the suite gives up. */
const PAGE_RUN_TIMEOUT_MS = 300_000;
const SAMPLES = { full: 5, quick: 2 } as const;
const WARMUP_RUNS = 1;

/** A guest of guest/examples run on `harts` harts with the given arguments (full and --quick). */
export interface Workload {
  readonly guest: string;
  readonly harts: number;
  readonly args: { readonly full: readonly string[]; readonly quick: readonly string[] };
}

export const WORKLOADS: readonly Workload[] = [
  { guest: 'compute.elf', harts: 1, args: { full: ['40'], quick: ['8'] } },
  { guest: 'threads-counter.elf', harts: 2, args: { full: ['1000000'], quick: ['100000'] } },
];

/** One run: the instructions retired over all harts and the run's wall time (machine start to last exit). */
export interface RunSample { readonly instructions: number; readonly wall_ms: number }

const quietIO: GuestIO = { write: (_fd, bytes) => bytes.length, isTerminal: () => false };

function chromiumPath(): string {
  return process.env['ATOLL_CHROMIUM'] ?? CHROMIUM_DEFAULT;
}

/** Why the page cannot be measured on this host, or null when it can. */
export function missingPrerequisite(chromium = chromiumPath(), root = packageRoot()): string | null {
  if (!existsSync(chromium)) return `${chromium} is missing (apt-get install chromium, or set ATOLL_CHROMIUM): the page is not measured`;
  if (!existsSync(join(root, 'dist/browser/page.js'))) return `the page is not built (${join(root, 'dist/browser/page.js')} missing: npm run build:browser)`;
  return null;
}

/** The workload on a fresh machine in this process, set up as the page sets up its machine (MachineRun.start). */
async function nodeRun(w: Workload, args: readonly string[], program: Uint8Array): Promise<RunSample> {
  const input = new PushInput();
  const sys = await System.create({
    ram_bytes: PAGE_RAM_BYTES, harts: w.harts, threaded: true, vfs: new Vfs(new MemoryMount(new Map([[w.guest, program]]))), stdin: input,
  });
  sys.spawn(parseElf(program, { userEnd: layout.LOAD_END }), { argv: [w.guest, ...args], envp: [], name: w.guest, seed: 1 });
  const t0 = performance.now();
  const r = await sys.runThreaded(() => undefined, quietIO);
  const wall_ms = performance.now() - t0;
  input.end();
  const code = exitCodeOfAll(r.results.map((x): RunResult => x ?? { kind: 'limit', instructions: 0n }));
  if (code !== 0) throw new Error(`${w.guest} ${args.join(' ')} exited ${code} in Node`);
  let instructions = 0;
  for (let h = 0; h < sys.machine.harts; h++) instructions += Number(sys.machine.stats(h).instructions);
  return { instructions, wall_ms };
}

/** The workload in a fresh tab (the page's own ?run= link); its figures as the page reports them when the run ends. */
async function pageRun(browser: Browser, url: string, w: Workload, args: readonly string[]): Promise<RunSample> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${url}?run=${encodeURIComponent(w.guest)}&harts=${w.harts}&args=${encodeURIComponent(args.join(' '))}`);
    const status = page.locator('#status');
    await page.waitForSelector('#status[data-state=exited], #status[data-state=stopped], #status[data-state=error]', { timeout: PAGE_RUN_TIMEOUT_MS });
    const got = await status.evaluate((e) => {
      const d = (e as HTMLElement).dataset;
      return { state: d['state'], exit: d['exit'], instructions: Number(d['instructions']), wall_ms: Number(d['wallMs']), text: e.textContent ?? '' };
    });
    if (got.state !== 'exited' || got.exit !== '0' || !(got.instructions > 0 && got.wall_ms > 0)) {
      throw new Error(`${w.guest} ${args.join(' ')} in the page: ${got.state}, exit ${got.exit ?? '-'} (${got.text.trim()}${errors.length > 0 ? `; ${errors.join('; ')}` : ''})`);
    }
    return { instructions: got.instructions, wall_ms: got.wall_ms };
  } finally {
    await page.close();
  }
}

const mips = (xs: readonly RunSample[]): number[] => xs.map((s) => s.instructions / s.wall_ms / 1000);

/** The two rows of one workload: Node's guest MIPS (the baseline) and the page's, read against it. */
export function browserFigures(w: Workload, args: readonly string[], browserVersion: string, node: readonly RunSample[], page: readonly RunSample[]): BenchResult[] {
  const what = `${w.guest} on ${w.harts} hart${w.harts === 1 ? '' : 's'}`;
  const median = (xs: readonly RunSample[]): number => [...xs.map((s) => s.instructions)].sort((a, b) => a - b)[xs.length >> 1]!;
  const extra = (xs: readonly RunSample[], runtime: string): Record<string, number | string> => ({
    runtime, guest_args: args.join(' '),
    guest_instructions_median: median(xs),
    wall_ms_min: Math.min(...xs.map((s) => s.wall_ms)),
    wall_ms_max: Math.max(...xs.map((s) => s.wall_ms)),
  });
  const base = figure({ suite: SUITE, case: `${what}: guest MIPS in Node (worker threads)`, unit: 'MIPS', extra: extra(node, `Node ${process.version}`) }, mips(node));
  const inPage = figure({
    suite: SUITE, case: `${what}: guest MIPS in the page (Web Workers)`, unit: 'MIPS', extra: extra(page, `Chromium ${browserVersion}`),
    note: `Chromium ${browserVersion}; ratio = page / Node ${process.version}, same guest, same run`,
  }, mips(page));
  return [base, withBaseline(inPage, base)];
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const missing = missingPrerequisite();
  if (missing !== null) throw new SuiteSkipped(missing);
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw new SuiteSkipped(`playwright-core cannot be loaded (a devDependency: npm ci): ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = packageRoot();
  const server = await startPageServer({ port: 0 });
  let browser: Browser | undefined;
  const out: BenchResult[] = [];
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
    const version = browser.version();
    for (const w of WORKLOADS) {
      const args = ctx.quick ? w.args.quick : w.args.full;
      const program = new Uint8Array(readFileSync(join(root, 'guest/examples', w.guest)));
      const node: RunSample[] = [];
      const page: RunSample[] = [];
      const n = ctx.quick ? SAMPLES.quick : SAMPLES.full;
      for (let round = 1; round <= WARMUP_RUNS + n; round++) {
        const warm = round <= WARMUP_RUNS;
        ctx.progress(`  ${SUITE}: ${w.guest} on ${w.harts} hart${w.harts === 1 ? '' : 's'}: run ${round} of ${WARMUP_RUNS + n}${warm ? ' (warm-up)' : ''}, page then Node`);
        const p = await pageRun(browser, server.url, w, args);
        const q = await nodeRun(w, args, program);
        if (!warm) { page.push(p); node.push(q); }
      }
      out.push(...browserFigures(w, args, version, node, page));
    }
  } finally {
    await browser?.close();
    await server.close();
  }
  return out;
}

runWhenInvoked(import.meta.url, 'The browser suite: guest MIPS in the page (Chromium, headless) against Node, same guests, same run.');
