// The daemon claim: a request served through a user-level daemon costs 3σ + 2c more than the kernel doing
// the work in one system call. Natively: a client asks a daemon over pipes, the daemon makes the call
// (getppid) and replies, against the client making the call itself; the measured difference is set beside
// 3σ + 2c from σ (null call) and c (pipe ring of 2 on one CPU) measured in this same run. The daemon is a
// process (as a real daemon is; c from a ring of processes) and, for comparison, a thread.
// In the emulated node the daemon is a thread of the client's process (processes share no memory yet, so
// the futex hand-off needs one address space): client -> daemon thread -> getpid -> reply, against the
// client's own getpid, beside 3σ + 2c from the emulator's σ (kernel-served ecall) and c (kernel switch).
import { loadNative } from '../src/native/index.js';
import type { Members, NativeAddon } from '../src/native/index.js';
import { collect, figure, median, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { perOp } from './lib/emulated.js';

const SUITE = 'daemon';

async function nativeFigures(a: NativeAddon, members: Members, sigma: number, samples: number, iterations: number, ctx: SuiteContext): Promise<BenchResult[]> {
  const who = members === 'processes' ? 'process' : 'thread';
  ctx.progress(`  ${SUITE}: native c (pipe ring of 2 ${members}, one CPU)`);
  const pipePairs: number[] = [];
  const c = median(await collect(samples, 1, () => {
    const r = a.contextSwitch(2, iterations, 'pipe', true, members);
    pipePairs.push(r.overhead_ns);
    return r.switch_ns;
  }));
  const pipePair = median(pipePairs);
  ctx.progress(`  ${SUITE}: native client -> daemon ${who} -> call, against the direct call`);
  const direct: number[] = [], viaDaemon: number[] = [], diff: number[] = [];
  let pinned = true;
  await collect(samples, 1, () => {
    const r = a.daemonRoundTrip(iterations, true, members);
    direct.push(r.direct_ns); viaDaemon.push(r.daemon_ns); diff.push(r.difference_ns); pinned &&= r.pinned;
    return r.difference_ns;
  });
  const keep = (xs: number[]): number[] => xs.slice(xs.length - samples); // drop the warm-up sample
  const modelFig = figure({
    suite: SUITE, case: `native model 3σ+2c (${who} daemon)`, unit: 'ns',
    note: 'computed from σ and c measured in this run',
    extra: { sigma_ns: sigma, c_ns: c },
  }, [3 * sigma + 2 * c]);
  return [
    figure({ suite: SUITE, case: `native direct call (${who} daemon run)`, unit: 'ns', extra: { pinned } }, keep(direct)),
    figure({ suite: SUITE, case: `native through a daemon ${who}`, unit: 'ns', extra: { pinned } }, keep(viaDaemon)),
    withBaseline(figure({
      suite: SUITE, case: `native ${who} daemon minus direct (measured)`, unit: 'ns',
      note: 'ratio = measured / (3σ+2c)',
    }, keep(diff)), modelFig),
    modelFig,
    // The path's own accounting: two hops, each a switch plus one pipe write and one read.
    figure({
      suite: SUITE, case: `native path accounting 2c+2(write+read) (${who} daemon)`, unit: 'ns',
      note: 'the same path counted with the measured pipe write+read instead of σ',
      extra: { c_ns: c, pipe_write_read_ns: pipePair },
    }, [2 * c + 2 * pipePair]),
  ];
}

export async function suite(ctx: SuiteContext): Promise<BenchResult[]> {
  const samples = ctx.quick ? 3 : 7;
  const iterations = ctx.quick ? 2_000 : 20_000;
  const native = loadNative();
  const results: BenchResult[] = [];
  if (native.ok) {
    const a = native.addon;
    ctx.progress(`  ${SUITE}: native σ`);
    const sigma = median(await collect(samples, 1, () => a.nullSyscall(iterations * 10).ns));
    for (const members of ['processes', 'threads'] as const) {
      results.push(...await nativeFigures(a, members, sigma, samples, iterations, ctx));
    }
  } else {
    results.push(unavailable({ suite: SUITE, case: 'native daemon minus direct (measured)', unit: 'ns', note: `native baseline missing: ${native.reason}` }));
  }
  results.push(...await emulatedDaemon(ctx, samples));
  return results;
}

/** The emulated node's daemon path against its direct call, beside 3σ + 2c measured in the emulator. */
export async function emulatedDaemon(ctx: SuiteContext, samples: number): Promise<BenchResult[]> {
  const count = ctx.quick ? 20_000 : 200_000;
  ctx.progress(`  ${SUITE}: emulated σ, c, direct call and daemon thread`);
  const sigma = median(await collect(samples, 0, async () => (await perOp('getpid', count, 3)).ns));
  // c: a yield that switches between the two threads, less the ecall it rides on (σ).
  const c = median(await collect(samples, 0, async () => (await perOp('yield2', count, 3)).ns / 2 - sigma));
  const daemon = await collect(samples, 0, async () => (await perOp('daemon', count, 3)).ns);
  const diff = daemon.map((d) => d - sigma);
  const modelFig = figure({
    suite: SUITE, case: 'emulated model 3σ+2c (thread daemon)', unit: 'ns',
    note: 'computed from the emulated σ (kernel-served ecall) and c (thread switch beyond its yield ecall) measured in this run',
    extra: { sigma_ns: sigma, c_ns: c },
  }, [3 * sigma + 2 * c]);
  return [
    figure({ suite: SUITE, case: 'emulated direct call (getpid)', unit: 'ns' }, [sigma]),
    figure({ suite: SUITE, case: 'emulated through a daemon thread', unit: 'ns', note: 'client -> futex wake -> daemon getpid -> futex wake -> client' }, daemon),
    withBaseline(figure({ suite: SUITE, case: 'emulated thread daemon minus direct (measured)', unit: 'ns', note: 'ratio = measured / (3σ+2c)' }, diff), modelFig),
    modelFig,
  ];
}
