// Process migration (src/ssi/migration.ts), in simulation: guest/cluster/dirty_heap (a heap of PAGES pages, each
// holding data, written at RATE pages per virtual ms) moved n1 -> n2 over a simulated 1 Gbit/s link by
// stop-and-copy, pre-copy and post-copy. For each: downtime (stop to running there), total time, bytes and pages
// sent, pages sent again, in virtual time; stop-and-copy's downtime on the same heap is the baseline. The cases:
// a 64 MiB heap at a modest rate (10 pages/ms, 40 MB/s) for the three methods; pre-copy against the dirty rate (1,
// 10, 50 pages/ms); post-copy's downtime against the heap's size (4, 16, 64 MiB). Each run checks the heap's
// final sum against the run without a move (a move that lost or garbled a page fails the suite). And the wall
// cost of simulating one move of a 4 MiB heap (benny), pre-copy and post-copy against stop-and-copy.
// Run: npm run build && node dist/bench/migration.js [--json] [--quick]
import { fileURLToPath } from 'node:url';
import type { MigrationMethod } from '../src/net/index.js';
import { parseFaultScript } from '../src/net/index.js';
import { runCluster, type MigrationFigures } from '../src/ssi/index.js';
import { bennySamples } from './lib/benny-cases.js';
import { runWhenInvoked } from './lib/direct.js';
import { figure, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';

const SUITE = 'migration.sim';
const ELF = fileURLToPath(new URL('../../guest/cluster/dirty_heap.elf', import.meta.url));
const MIB_PAGES = 256;
/** RAM of each machine: the heap's 64 MiB, its page tables and the kernel's own. */
const RAM_BYTES = 96 * 1024 * 1024;
/** The move starts once the heap is filled: its page faults take about 0.2 ms of virtual time each. */
const moveAtMs = (pages: number): number => Math.ceil(200 + pages * 0.21);
/** How long the guest keeps writing: past the longest move (pre-copy's 8 rounds of a 64 MiB heap at 50 pages/ms). */
const WRITE_MS = 8000;

interface Moved { readonly f: MigrationFigures; readonly sum: string }

function sumOf(stdout: string): string {
  const m = /sum ([0-9a-f]{8})/.exec(stdout);
  if (m === null) throw new Error(`dirty_heap printed no sum: ${stdout.slice(-200)}`);
  return m[1]!;
}

/** One run of dirty_heap: moved once its heap is filled, by method (null: not moved); its figures and final sum. */
async function runHeap(pages: number, rate: number, method: MigrationMethod | null, writeMs = WRITE_MS, moveAt = moveAtMs(pages)): Promise<Moved | { sum: string }> {
  const r = await runCluster({
    seed: 1, nodes: 2, machine: { ram_bytes: RAM_BYTES },
    programs: [{ node: 'n1', path: ELF, args: [String(pages), String(rate), String(writeMs)] }],
    faults: method === null ? [] : parseFaultScript(`at ${moveAt}ms migrate @dirty_heap.elf n2 ${method}\n`, ['n1', 'n2']),
  });
  const p = r.processes[0];
  if (r.end !== 'ended' || p === undefined || p.exit_code !== 0) throw new Error(`dirty_heap ${pages} ${rate} (${method ?? 'no move'}) did not end well: ${r.end}, ${p?.stderr ?? ''}`);
  const sum = sumOf(p.stdout);
  if (method === null) return { sum };
  const f = r.migrations[0];
  if (f === undefined || !f.ok) throw new Error(`dirty_heap ${pages} ${rate}: the ${method} move failed: ${f?.error ?? 'none happened'}`);
  if (p.moves.join() !== 'n2') throw new Error(`dirty_heap ${pages} ${rate}: moved to ${p.moves.join(', ')}, not n2`);
  return { f, sum };
}

export async function suite(ctx: SuiteContext = { quick: false, progress: () => {} }): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const sums = new Map<string, string>();
  const move = async (pages: number, rate: number, method: MigrationMethod): Promise<MigrationFigures> => {
    const key = `${pages} ${rate}`;
    if (!sums.has(key)) sums.set(key, (await runHeap(pages, rate, null)).sum);
    const r = await runHeap(pages, rate, method) as Moved;
    if (r.sum !== sums.get(key)) throw new Error(`dirty_heap ${key} moved by ${method}: sum ${r.sum}, without a move ${sums.get(key)}`);
    return r.f;
  };
  const ms = (ns: number): number => ns / 1e6;
  const add = (name: string, f: MigrationFigures, base?: BenchResult): BenchResult => {
    const down = withBaseline(figure({ suite: SUITE, case: `${name}: downtime`, unit: 'virtual ms' }, [ms(f.downtime_ns)]), base);
    out.push(down,
      figure({ suite: SUITE, case: `${name}: total time`, unit: 'virtual ms' }, [ms(f.total_ns)]),
      figure({ suite: SUITE, case: `${name}: bytes sent`, unit: 'MB' }, [f.bytes / 1e6]),
      { ...figure({ suite: SUITE, case: `${name}: pages sent`, unit: 'pages' }, [f.pages]), extra: { pages_resent: f.pages_resent, rounds: f.rounds, pages_faulted: f.pages_faulted, pages_pushed: f.pages_pushed } });
    return down;
  };

  const big = ctx.quick ? 16 : 64;
  ctx.progress(`${SUITE}: a ${big} MiB heap at 10 pages/ms, three methods`);
  const stop = add(`${big} MiB, 10 pages/ms, stop-and-copy`, await move(big * MIB_PAGES, 10, 'stop'));
  add(`${big} MiB, 10 pages/ms, pre-copy`, await move(big * MIB_PAGES, 10, 'precopy'), stop);
  add(`${big} MiB, 10 pages/ms, post-copy`, await move(big * MIB_PAGES, 10, 'postcopy'), stop);

  ctx.progress(`${SUITE}: pre-copy against the dirty rate`);
  for (const rate of ctx.quick ? [50] : [1, 50]) {
    const s = add(`${big} MiB, ${rate} pages/ms, stop-and-copy`, await move(big * MIB_PAGES, rate, 'stop'));
    add(`${big} MiB, ${rate} pages/ms, pre-copy`, await move(big * MIB_PAGES, rate, 'precopy'), s);
  }

  ctx.progress(`${SUITE}: post-copy's downtime against the heap's size`);
  const small = add('4 MiB, 10 pages/ms, post-copy', await move(4 * MIB_PAGES, 10, 'postcopy'));
  if (!ctx.quick) add('16 MiB, 10 pages/ms, post-copy', await move(16 * MIB_PAGES, 10, 'postcopy'), small);
  out.push(withBaseline(figure({ suite: SUITE, case: `${big} MiB, 10 pages/ms, post-copy: downtime against 4 MiB's`, unit: 'virtual ms' }, [out.find((r) => r.case === `${big} MiB, 10 pages/ms, post-copy: downtime`)!.median!]), small));

  ctx.progress(`${SUITE}: wall time to simulate one move of a 4 MiB heap`);
  const once = (method: MigrationMethod) => async (): Promise<void> => { await runHeap(4 * MIB_PAGES, 10, method, 400); };
  const got = await bennySamples(ctx, SUITE, [
    { name: 'stop', fn: once('stop') }, { name: 'precopy', fn: once('precopy') }, { name: 'postcopy', fn: once('postcopy') },
  ], ctx.quick ? { minSamples: 2, maxTime: 0.5 } : { minSamples: 5, maxTime: 3 });
  const wall = (name: string): BenchResult => figure({ suite: SUITE, case: `wall ms to simulate a run with one ${name} move of 4 MiB`, unit: 'ms' }, got.get(name)!.map((s) => s * 1000));
  const w = wall('stop');
  out.push(w, withBaseline(wall('precopy'), w), withBaseline(wall('postcopy'), w));
  return out;
}

runWhenInvoked(import.meta.url, 'The migration suite: downtime, total time, bytes and pages of stop-and-copy, pre-copy and post-copy for a 64 MiB heap written at a set rate over a simulated 1 Gbit/s link, pre-copy against the dirty rate, post-copy against the heap size.');
