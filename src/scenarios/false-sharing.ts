// `atoll scenario false-sharing [--nodes N] [--n N] [--plain] [--seed S] [--json]`: false sharing made visible on
// distributed shared memory (docs/dsm.md). guest/cluster/false_share on n1 counts x and on n2 counts y, N times
// each, in the region "fs" that IVY keeps coherent over the cluster's network. Two layouts: "same" (x and y in
// one page: every write takes the page from the other node, though they never touch the same word) and
// "padded" (a page each: the pages stay where they are written). Per layout: increments per virtual second
// (2N over the slower process's loop time), ownership transfers, pages sent and invalidations of the counters'
// pages, faults, and the padded/same ratio. Checks: each counter ends at N exactly, the padded layout moves no
// counter page after its first fault, the same-page layout moves it many times. JSON carries trace_hash.
import { flagBool, flagNumber, UsageError, type ParsedArgs } from '../base/index.js';
import { createSha256 } from '../sim/index.js';
import { runCluster, type ClusterRunResult } from '../ssi/index.js';
import { loadClusterGuest, type ClusterGuest } from './cluster-guest.js';
import type { ScenarioEntry } from './types.js';

export const FALSE_SHARING_LAYOUTS = ['same', 'padded'] as const;
export type FalseSharingLayout = (typeof FALSE_SHARING_LAYOUTS)[number];
const N_DEFAULT = 200_000;
const N_MAX = 1_000_000;
const NODES_MAX = 8;
/** The same-page layout must move the counters' page at least this often to count as shown (it moves about once per 2 ms of
 * virtual time with 1 ms links: the holder runs on until the request reaches it, so 200000 increments move it ~10 times). */
const SAME_TRANSFERS_MIN = 4;
/** Offsets of the counters' pages in the region (the barrier is on page 8192). */
const COUNTER_PAGES = [0, 4096];

export interface LayoutRun {
  readonly layout: FalseSharingLayout;
  /** The final count each process printed (x on n1, y on n2); null when it printed none. */
  readonly x: number | null;
  readonly y: number | null;
  /** The slower process's increment loop, virtual ns. */
  readonly loop_ns: number;
  readonly increments_per_s: number;
  /** Over every node of the region "fs". */
  readonly ownership_transfers: number;
  readonly invalidations: number;
  readonly faults: number;
  readonly messages: number;
  /** Of the counters' pages only (the barrier's page left out). */
  readonly counter_pages_sent: number;
  readonly counter_invalidations: number;
  readonly virtual_ns: number;
  readonly trace_hash: string;
  readonly exits_ok: boolean;
}

export interface FalseSharingReport {
  readonly scenario: 'false-sharing';
  readonly seed: number;
  readonly nodes: number;
  readonly n: number;
  readonly mode: 'amo' | 'plain';
  readonly runs: readonly LayoutRun[];
  /** increments_per_s of padded over same. */
  readonly ratio: number;
  /** sha256 over the runs' trace digests, same then padded. */
  readonly trace_hash: string;
  readonly checks: Readonly<Record<string, boolean>>;
  readonly passed: boolean;
}

/** "x: 2000 (3097200 ns)" of the process counting `which`. */
function parseCount(r: ClusterRunResult, which: 'x' | 'y'): { count: number; ns: number } | null {
  for (const p of r.processes) {
    const m = new RegExp(`^${which}: (\\d+) \\((\\d+) ns\\)$`, 'm').exec(p.stdout);
    if (m) return { count: Number(m[1]), ns: Number(m[2]) };
  }
  return null;
}

async function runLayout(guest: ClusterGuest, layout: FalseSharingLayout, opts: { n: number; nodes: number; seed: number; mode: 'amo' | 'plain' }): Promise<LayoutRun> {
  const args = (w: string): string[] => [w, layout, String(opts.n), opts.mode];
  const r = await runCluster({
    seed: opts.seed, nodes: opts.nodes,
    programs: [{ node: 'n1', path: guest.path, bytes: guest.bytes, args: args('x') }, { node: 'n2', path: guest.path, bytes: guest.bytes, args: args('y') }],
  });
  const x = parseCount(r, 'x'), y = parseCount(r, 'y');
  const regions = r.dsm.flatMap((d) => d.regions.filter((g) => g.name === 'fs'));
  const sum = (f: (g: (typeof regions)[number]) => number): number => regions.reduce((a, g) => a + f(g), 0);
  const counterPages = regions.flatMap((g) => g.per_page.filter((p) => COUNTER_PAGES.includes(p.offset)));
  const loop_ns = Math.max(x?.ns ?? 0, y?.ns ?? 0);
  return {
    layout, x: x?.count ?? null, y: y?.count ?? null, loop_ns,
    increments_per_s: loop_ns > 0 ? (2 * opts.n) / (loop_ns / 1e9) : 0,
    ownership_transfers: sum((g) => g.counters.ownership_transfers), invalidations: sum((g) => g.counters.invalidations),
    faults: sum((g) => g.counters.read_faults + g.counters.write_faults), messages: sum((g) => g.counters.messages_sent),
    counter_pages_sent: counterPages.reduce((a, p) => a + p.pages_sent, 0), counter_invalidations: counterPages.reduce((a, p) => a + p.invalidations, 0),
    virtual_ns: r.virtual_ns, trace_hash: r.trace_hash,
    exits_ok: r.end === 'ended' && r.processes.length === 2 && r.processes.every((p) => p.exit_code === 0),
  };
}

export async function runFalseSharing(opts: { n: number; nodes: number; seed: number; mode: 'amo' | 'plain' }): Promise<FalseSharingReport> {
  const guest = await loadClusterGuest('false_share');
  if (guest === null) throw new UsageError('guest/cluster/false_share.elf is not built (make -C guest/libc)');
  const runs: LayoutRun[] = [];
  for (const layout of FALSE_SHARING_LAYOUTS) runs.push(await runLayout(guest, layout, opts));
  const [same, padded] = runs as [LayoutRun, LayoutRun];
  const checks = {
    counts_exact: runs.every((x) => x.x === opts.n && x.y === opts.n && x.exits_ok),
    padded_counters_stay: padded.counter_pages_sent === 0 && padded.counter_invalidations === 0,
    same_page_moves: same.counter_pages_sent >= SAME_TRANSFERS_MIN,
  };
  const h = createSha256();
  for (const x of runs) h.update(x.trace_hash);
  return {
    scenario: 'false-sharing', seed: opts.seed, nodes: opts.nodes, n: opts.n, mode: opts.mode, runs,
    ratio: same.increments_per_s > 0 ? padded.increments_per_s / same.increments_per_s : 0,
    trace_hash: h.hexDigest(), checks, passed: Object.values(checks).every(Boolean),
  };
}

/** The report as `atoll scenario false-sharing` prints it without --json. */
export function falseSharingText(r: FalseSharingReport): string {
  const lines = [
    `false-sharing: x on n1 and y on n2, ${r.n} ${r.mode === 'amo' ? 'AMO' : 'plain load/store'} increments each, region "fs" kept coherent by IVY over ${r.nodes} nodes (1 ms links); seed ${r.seed}`,
    '',
    'layout   x        y        incr/virtual s   transfers   counter pages sent   invalidations   faults   messages',
  ];
  for (const x of r.runs) {
    lines.push(`${x.layout.padEnd(8)} ${String(x.x ?? '-').padEnd(8)} ${String(x.y ?? '-').padEnd(8)} ${Math.round(x.increments_per_s).toString().padStart(14)}   ` +
      `${String(x.ownership_transfers).padStart(9)}   ${String(x.counter_pages_sent).padStart(18)}   ${String(x.invalidations).padStart(13)}   ${String(x.faults).padStart(6)}   ${String(x.messages).padStart(8)}`);
  }
  lines.push('', `padded / same: ${r.ratio.toFixed(1)}x the increments per virtual second`,
    `checks: ${Object.entries(r.checks).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}`,
    `trace: sha256 ${r.trace_hash}`, r.passed ? 'PASS' : 'FAIL');
  return lines.join('\n') + '\n';
}

export const falseSharingScenario: ScenarioEntry = {
  summary: 'false sharing on distributed shared memory: two counters in one page vs padded apart, kept coherent by IVY across 2 nodes',
  flags: {
    nodes: { kind: 'integer', help: `nodes of the cluster (2..${NODES_MAX}, default 2; the counters run on n1 and n2, every node manages pages)` },
    n: { kind: 'integer', help: `increments per counter (1..${N_MAX}, default ${N_DEFAULT})` },
    plain: { kind: 'boolean', help: 'plain loads and stores instead of AMOs' },
    seed: { kind: 'integer', help: 'seed of the run (default 1)' },
    json: { kind: 'boolean', help: 'print the report as one JSON object' },
  },
  async run(args: ParsedArgs, out: (text: string) => void): Promise<number> {
    const seed = flagNumber(args, 'seed') ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${seed}`);
    const nodes = flagNumber(args, 'nodes') ?? 2;
    if (!Number.isInteger(nodes) || nodes < 2 || nodes > NODES_MAX) throw new UsageError(`--nodes must be 2..${NODES_MAX}, got ${nodes}`);
    const n = flagNumber(args, 'n') ?? N_DEFAULT;
    if (!Number.isInteger(n) || n < 1 || n > N_MAX) throw new UsageError(`--n must be 1..${N_MAX}, got ${n}`);
    const report = await runFalseSharing({ n, nodes, seed, mode: flagBool(args, 'plain') ? 'plain' : 'amo' });
    out(flagBool(args, 'json') ? JSON.stringify(report) + '\n' : falseSharingText(report));
    return report.passed ? 0 : 1;
  },
};
