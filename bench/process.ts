// Unix process costs, as lmbench measures them, native and emulated: fork+exit+wait (lat_proc fork),
// fork+exec+wait of a do-nothing program (lat_proc exec), a byte bounced between two processes over two
// pipes (lat_pipe, ns per hop) and the bandwidth of one pipe (bw_pipe, ns per byte, 64 KiB writes). The
// native figures come from the addon (forked from a driver thread of this Node process, so a fork copies
// Node's page tables: a large process, as lmbench's own would be after loading); the emulated ones run
// bench/guest/pbench.elf on a fresh one-hart machine whose root is the package, timing the run loop only.
// Each emulated row carries the native figure of the same run as its baseline.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNative, nativeTruePath } from '../src/native/index.js';
import { parseElf, type ElfImage } from '../src/elf/index.js';
import { System } from '../src/machine/system.js';
import { collect, figure, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { packageRoot } from './lib/kernel-wasm.js';
import { runWhenInvoked } from './lib/direct.js';

const SUITE = 'process';
/** pbench's path inside the machine's root (the package). */
const PBENCH = 'bench/guest/pbench.elf';

type Mode = 'fork' | 'exec' | 'pingpong' | 'bw';

let image: ElfImage | undefined;
function pbenchImage(): ElfImage {
  if (image) return image;
  const path = join(packageRoot(), PBENCH);
  if (!existsSync(path)) throw new Error(`${PBENCH} not found at ${path}`);
  image = parseElf(new Uint8Array(readFileSync(path)));
  return image;
}

/** Host ns of one pbench run (the run loop only); throws unless it exits 0. */
async function pbench(mode: Mode | 'true', count: number): Promise<number> {
  const sys = await System.create({ ram_bytes: 64 << 20, harts: 1, root: packageRoot() });
  sys.spawn(pbenchImage(), { argv: [PBENCH, mode, String(count), PBENCH], name: 'pbench' });
  const t0 = performance.now();
  const r = sys.run({ write: () => undefined }, () => undefined);
  const ns = (performance.now() - t0) * 1e6;
  const res = r.results[0];
  if (res?.kind !== 'exit' || res.code !== 0) throw new Error(`pbench ${mode} ${count} did not exit 0: ${JSON.stringify(res)}`);
  return ns;
}

/** ns per operation of `mode`, the fastest of `tries` runs less a run that does nothing. */
async function perOp(mode: Mode, count: number, tries: number, perUnit: number): Promise<number> {
  let best = Infinity, idle = Infinity;
  for (let i = 0; i < tries; i++) {
    best = Math.min(best, await pbench(mode, count));
    idle = Math.min(idle, await pbench('true', 0));
  }
  return Math.max(0, best - idle) / (count * perUnit);
}

interface Case { readonly mode: Mode; readonly name: string; readonly unit: string; readonly native: () => number; readonly count: number; readonly perUnit: number }

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const samples = ctx.quick ? 3 : 5;
  const scale = ctx.quick ? 1 : 5;
  const native = loadNative();
  const truePath = nativeTruePath();
  const cases: Case[] = [
    { mode: 'fork', name: 'fork+exit+wait', unit: 'ns', count: 200 * scale, perUnit: 1, native: () => ok(native).forkWait(200 * scale).ns },
    { mode: 'exec', name: 'fork+exec+wait', unit: 'ns', count: 50 * scale, perUnit: 1, native: () => ok(native).forkWait(50 * scale, truePath).ns },
    { mode: 'pingpong', name: 'pipe ping-pong (lat_pipe, per hop)', unit: 'ns', count: 2_000 * scale, perUnit: 2, native: () => ok(native).pipePingPong(2_000 * scale).ns },
    // pbench's count is KiB; ns per byte.
    { mode: 'bw', name: 'pipe bandwidth (bw_pipe, 64 KiB writes, per byte)', unit: 'ns/byte', count: 4096 * scale, perUnit: 1024, native: () => ok(native).pipeBandwidth(4096 * scale * 1024, 65536).ns },
  ];
  const results: BenchResult[] = [];
  for (const c of cases) {
    let base: BenchResult | undefined;
    if (native.ok && (c.mode !== 'exec' || existsSync(truePath))) {
      ctx.progress(`  ${SUITE}: native ${c.name}`);
      base = figure({ suite: SUITE, case: `native ${c.name}`, unit: c.unit }, await collect(samples, 1, c.native));
      results.push(base);
    } else {
      const why = native.ok ? `${truePath} is missing (npm run build:native)` : native.reason;
      results.push(unavailable({ suite: SUITE, case: `native ${c.name}`, unit: c.unit, note: `native baseline missing: ${why}` }));
    }
    ctx.progress(`  ${SUITE}: emulated ${c.name}`);
    const v = await collect(samples, 0, () => perOp(c.mode, c.count, 2, c.perUnit));
    results.push(withBaseline(figure({ suite: SUITE, case: `emulated ${c.name}`, unit: c.unit, extra: { operations_per_run: c.count } }, v), base, 'native baseline missing'));
  }
  return results;
}

function ok(n: ReturnType<typeof loadNative>) {
  if (!n.ok) throw new Error(n.reason);
  return n.addon;
}

runWhenInvoked(import.meta.url, 'The process suite: fork+exit+wait, fork+exec+wait, pipe ping-pong and pipe bandwidth, native and emulated.');
