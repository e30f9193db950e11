// Context-switch cost c, in nanoseconds per switch, measured natively as lmbench's lat_ctx does: a token
// round a ring of 2 and 4 threads over pipes and over futexes, the channel's own cost (the same operations
// in one thread, not blocking) subtracted, all ring members pinned to one CPU where allowed. Rings of
// processes add the address-space switch; the unpinned pipe ring shows what cross-CPU wake-ups cost. The emulated kernel's switch: two threads yielding to each other on one hart, less a yield that does
// not switch, in host ns per switch, with the guest cycles (retired instructions) each switch costs.
import { loadNative } from '../src/native/index.js';
import type { Channel, Members } from '../src/native/index.js';
import { collect, figure, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { fastest } from './lib/emulated.js';
import { runWhenInvoked } from './lib/direct.js';

const SUITE = 'context-switch';

interface RingCase { readonly channel: Channel; readonly ring: number; readonly pin: boolean; readonly members: Members }
const CASES: readonly RingCase[] = [
  { channel: 'pipe', ring: 2, pin: true, members: 'threads' },
  { channel: 'pipe', ring: 4, pin: true, members: 'threads' },
  { channel: 'futex', ring: 2, pin: true, members: 'threads' },
  { channel: 'futex', ring: 4, pin: true, members: 'threads' },
  { channel: 'pipe', ring: 2, pin: true, members: 'processes' },
  { channel: 'futex', ring: 2, pin: true, members: 'processes' },
  { channel: 'pipe', ring: 2, pin: false, members: 'threads' },
];

export function ringCaseName(c: RingCase): string {
  const who = c.members === 'processes' ? ' processes' : '';
  return `native ${c.channel} ring of ${c.ring}${who}${c.pin ? ', one CPU' : ', unpinned'}`;
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const samples = ctx.quick ? 3 : 7;
  const rounds = ctx.quick ? 2_000 : 20_000;
  const native = loadNative();
  const results: BenchResult[] = [];
  if (native.ok) {
    for (const c of CASES) {
      const name = ringCaseName(c);
      ctx.progress(`  ${SUITE}: ${name}`);
      let raw = 0, overhead = 0, pinned = c.pin;
      const v = await collect(samples, 1, () => {
        const r = native.addon.contextSwitch(c.ring, Math.max(1, Math.round(rounds * 2 / c.ring)), c.channel, c.pin, c.members);
        raw = r.hop_raw_ns; overhead = r.overhead_ns; pinned &&= r.pinned;
        return r.switch_ns;
      });
      results.push(figure({
        suite: SUITE, case: name, unit: 'ns',
        extra: { last_hop_raw_ns: raw, last_channel_overhead_ns: overhead, pinned },
      }, v));
    }
    // The pipe ring of two on one CPU is the reference c; the others are read against it.
    const ref = results[0];
    for (let i = 1; i < results.length; i++) results[i] = withBaseline(results[i]!, ref);
  } else {
    results.push(unavailable({ suite: SUITE, case: 'native context switch', unit: 'ns', note: `native baseline missing: ${native.reason}` }));
  }
  results.push(...await emulatedSwitch(ctx, samples, results[0]));
  return results;
}

/**
 * c of the emulated kernel: the host ns of a sched_yield that switches to another thread (two threads of one
 * process) or another process (two processes: satp changes, ASID-tagged TLB kept), beyond the guest loop,
 * per switch. A yield that finds no one else (one thread) is given beside it: the kernel path without the
 * switch proper.
 */
export async function emulatedSwitch(ctx: SuiteContext, samples: number, nativeRef: BenchResult | undefined): Promise<BenchResult[]> {
  const count = ctx.quick ? 50_000 : 500_000;
  const out: BenchResult[] = [];
  for (const members of ['threads', 'processes'] as const) {
    const name = `emulated kernel switch (yield ring of 2 ${members}, one hart)`;
    ctx.progress(`  ${SUITE}: ${name}`);
    let cycles = 0, switches = 0, yieldNs = 0;
    const v = await collect(samples, 0, async () => {
      const loop = await fastest('loop', count, 3);
      const one = await fastest('yield1', count, 3);
      const two = members === 'threads' ? await fastest('yield2', count, 3) : await fastest('yield1', count, 3, 2);
      const loops = members === 'threads' ? count : 2 * count; // guest loop iterations run in `two`
      switches = two.context_switches;
      cycles = (two.instructions - (loop.instructions * loops) / count) / switches;
      yieldNs = (one.wall_ns - loop.wall_ns) / count;
      return (two.wall_ns - (loop.wall_ns * loops) / count) / switches;
    });
    out.push(withBaseline(figure({
      suite: SUITE, case: name, unit: 'ns',
      note: 'host ns per switch (the yield ecall, run queue, register save/restore, satp); the guest retires guest_cycles_per_switch instructions',
      extra: { guest_cycles_per_switch: cycles, switches_last_run: switches, yield_without_switch_ns: yieldNs },
    }, v), nativeRef));
  }
  return out;
}

runWhenInvoked(import.meta.url, "The context-switch suite: native rings of threads and processes over pipes and futexes, and the emulated kernel's switch.");
