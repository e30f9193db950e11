// The daemon claim: a request served through a user-level daemon process costs 3σ + 2c more than the kernel
// doing the work in one system call (σ: a null system call, c: a context switch). Measured twice, each
// beside 3σ + 2c from σ and c of this same run (the syscall and context-switch suites' figures when they
// ran before this suite, else measured here):
// - in the emulated node: guest/ipc/client.elf asks guest/ipc/daemon.elf, another process of the node,
//   over the kernel's IPC (ipc_call; the daemon's ipc_recv, getpid, ipc_reply), against the client's own
//   getpid; both on one hart, timed in host ns;
// - natively: a client asks a daemon over two pipes, the daemon makes the call (getppid) and replies,
//   against the client making the call itself (daemon as a forked process and as a thread).
// The emulated thread variant (client and daemon threads of one process, a futex hand-off) is kept beside
// it: the same path without the address-space change.
import { loadNative } from '../src/native/index.js';
import type { Members, NativeAddon } from '../src/native/index.js';
import { collect, figure, median, unavailable, withBaseline } from './lib/stats.js';
import type { BenchResult, SuiteContext } from './lib/types.js';
import { fastest, ipcFastest, perOp } from './lib/emulated.js';
import { ringCaseName } from './context-switch.js';
import { runWhenInvoked } from './lib/direct.js';

const SUITE = 'daemon';

/** The median of an earlier figure of this run, by suite and case; undefined when it did not run or has none. */
function earlierMedian(ctx: SuiteContext, suite: string, name: string): BenchResult | undefined {
  const r = (ctx.earlier?.() ?? []).find((x) => x.suite === suite && x.case === name);
  return r && r.status === 'ok' && r.median !== null ? r : undefined;
}

function extraNumber(r: BenchResult | undefined, key: string): number | undefined {
  const v = r?.extra?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** The model figure 3σ+2c and the measured difference read against it (ratio = measured / model). */
function modelPair(label: string, diff: readonly number[], sigma: number, c: number, source: string, extra: Record<string, number | string> = {}, measuredExtra?: Record<string, number>): BenchResult[] {
  const modelFig = figure({
    suite: SUITE, case: `${label} model 3σ+2c`, unit: 'ns',
    note: `σ and c measured in this run (${source})`,
    extra: { sigma_ns: sigma, c_ns: c, ...extra },
  }, [3 * sigma + 2 * c]);
  return [
    withBaseline(figure({
      suite: SUITE, case: `${label} minus direct (measured)`, unit: 'ns', note: 'ratio = measured / (3σ+2c)',
      ...(measuredExtra ? { extra: measuredExtra } : {}),
    }, diff), modelFig),
    modelFig,
  ];
}

async function nativeFigures(ctx: SuiteContext, a: NativeAddon, members: Members, sigma: number, sigmaSource: string, samples: number, iterations: number): Promise<BenchResult[]> {
  const who = members === 'processes' ? 'process' : 'thread';
  // c: the context-switch suite's pipe ring of 2 on one CPU (processes or threads) when it ran, else here.
  const ring = earlierMedian(ctx, 'context-switch', ringCaseName({ channel: 'pipe', ring: 2, pin: true, members }));
  let c: number, pipePair: number, cSource: string;
  if (ring && extraNumber(ring, 'last_channel_overhead_ns') !== undefined) {
    c = ring.median!;
    pipePair = extraNumber(ring, 'last_channel_overhead_ns')!;
    cSource = `c from context-switch/${ring.case}`;
  } else {
    ctx.progress(`  ${SUITE}: native c (pipe ring of 2 ${members}, one CPU)`);
    const pairs: number[] = [];
    c = median(await collect(samples, 1, () => {
      const r = a.contextSwitch(2, iterations, 'pipe', true, members);
      pairs.push(r.overhead_ns);
      return r.switch_ns;
    }));
    pipePair = median(pairs);
    cSource = `c from a pipe ring of 2 ${members} measured by this suite`;
  }
  ctx.progress(`  ${SUITE}: native client -> daemon ${who} -> call, against the direct call`);
  const direct: number[] = [], viaDaemon: number[] = [], diff: number[] = [];
  let pinned = true;
  await collect(samples, 1, () => {
    const r = a.daemonRoundTrip(iterations, true, members);
    direct.push(r.direct_ns); viaDaemon.push(r.daemon_ns); diff.push(r.difference_ns); pinned &&= r.pinned;
    return r.difference_ns;
  });
  const keep = (xs: number[]): number[] => xs.slice(xs.length - samples); // drop the warm-up sample
  return [
    figure({ suite: SUITE, case: `native direct call (${who} daemon run)`, unit: 'ns', extra: { pinned } }, keep(direct)),
    figure({ suite: SUITE, case: `native through a daemon ${who}`, unit: 'ns', extra: { pinned } }, keep(viaDaemon)),
    ...modelPair(`native ${who} daemon`, keep(diff), sigma, c, `${sigmaSource}; ${cSource}`),
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
    const earlierSigma = earlierMedian(ctx, 'syscall', 'native null syscall (getppid)');
    let sigma: number, source: string;
    if (earlierSigma) {
      sigma = earlierSigma.median!;
      source = 'σ from syscall/native null syscall (getppid)';
    } else {
      ctx.progress(`  ${SUITE}: native σ`);
      sigma = median(await collect(samples, 1, () => a.nullSyscall(iterations * 10).ns));
      source = 'σ from getppid measured by this suite';
    }
    for (const members of ['processes', 'threads'] as const) {
      results.push(...await nativeFigures(ctx, a, members, sigma, source, samples, iterations));
    }
  } else {
    results.push(unavailable({ suite: SUITE, case: 'native daemon minus direct (measured)', unit: 'ns', note: `native baseline missing: ${native.reason}` }));
  }
  results.push(...await emulatedDaemon(ctx, samples));
  return results;
}

const EMU_SIGMA_CASE = 'emulated ecall round trip (kernel-served getpid)';
const emuSwitchCase = (members: Members): string => `emulated kernel switch (yield ring of 2 ${members}, one hart)`;

/**
 * The emulator's σ (a kernel-served getpid beyond the guest loop) and c for `members` (a sched_yield that
 * switches, per switch, less the ecall it rides on, σ): from the syscall and context-switch suites of this
 * run when they ran, else measured here the same way.
 */
async function emulatedSigmaC(ctx: SuiteContext, samples: number, count: number, members: Members): Promise<{ sigma: number; c: number; yield_switch_ns: number; source: string }> {
  const s = earlierMedian(ctx, 'syscall', EMU_SIGMA_CASE);
  const sw = earlierMedian(ctx, 'context-switch', emuSwitchCase(members));
  let sigma: number, ring: number;
  const sources: string[] = [];
  if (s) { sigma = s.median!; sources.push(`σ from syscall/${EMU_SIGMA_CASE}`); }
  else {
    ctx.progress(`  ${SUITE}: emulated σ (kernel-served getpid)`);
    sigma = median(await collect(samples, 0, async () => (await perOp('getpid', count, 3)).ns));
    sources.push('σ from getpid measured by this suite');
  }
  if (sw) { ring = sw.median!; sources.push(`c from context-switch/${sw.case} minus σ`); }
  else {
    ctx.progress(`  ${SUITE}: emulated c (yield ring of 2 ${members})`);
    // yield2: two threads, each iteration of the guest loop is two switches.
    ring = median(await collect(samples, 0, async () =>
      members === 'threads' ? (await perOp('yield2', count, 3)).ns / 2 : await perOpProcesses(count)));
    sources.push(`c from a yield ring of 2 ${members} measured by this suite, minus σ`);
  }
  return { sigma, c: ring - sigma, yield_switch_ns: ring, source: sources.join('; ') };
}

/** Host ns per switch of two kbench processes yielding to each other on one hart. */
async function perOpProcesses(count: number): Promise<number> {
  const loop = await fastest('loop', count, 3);
  const two = await fastest('yield1', count, 3, 2);
  return (two.wall_ns - 2 * loop.wall_ns) / two.context_switches;
}

/** The emulated node's daemon paths against the direct call, beside 3σ + 2c measured in the emulator. */
export async function emulatedDaemon(ctx: SuiteContext, samples: number): Promise<BenchResult[]> {
  const count = ctx.quick ? 5_000 : 50_000;
  const out: BenchResult[] = [];

  // The daemon process: two processes of one node over the kernel's IPC.
  const pc = await emulatedSigmaC(ctx, samples, count * 4, 'processes');
  ctx.progress(`  ${SUITE}: emulated client -> daemon process (kernel IPC) -> getpid, against the direct call`);
  const direct: number[] = [], viaDaemon: number[] = [], diff: number[] = [], nsPerInstr: number[] = [];
  let directInstr = 0, daemonInstr = 0, switches = 0;
  await collect(samples, 0, async () => {
    const one = await ipcFastest('loop', 1, 3);
    const loop = await ipcFastest('loop', count, 3);
    // Host ns per guest instruction of plain user code (the loop beyond a run of one iteration).
    nsPerInstr.push((loop.wall_ns - one.wall_ns) / (loop.instructions - one.instructions));
    const d = await ipcFastest('direct', count, 3);
    const v = await ipcFastest('daemon', count, 3);
    direct.push((d.wall_ns - loop.wall_ns) / count);
    viaDaemon.push((v.wall_ns - loop.wall_ns) / count);
    diff.push((v.wall_ns - d.wall_ns) / count);
    directInstr = (d.instructions - loop.instructions) / count;
    daemonInstr = (v.instructions - loop.instructions) / count;
    switches = (v.context_switches - d.context_switches) / count;
    return 0;
  });
  out.push(
    figure({
      suite: SUITE, case: 'emulated direct call (getpid, daemon process run)', unit: 'ns',
      extra: { guest_instructions_per_call: directInstr },
    }, direct),
    figure({
      suite: SUITE, case: 'emulated through a daemon process (kernel IPC)', unit: 'ns',
      note: 'client ipc_call -> daemon ipc_recv, getpid, ipc_reply -> client; one hart',
      extra: { guest_instructions_per_request: daemonInstr, context_switches_per_request: switches },
    }, viaDaemon),
  );
  // The user-level work the daemon path adds (the daemon's loop, the call wrappers), in host ns: guest
  // instructions beyond the direct call times the host ns of a plain user instruction.
  const userNs = (daemonInstr - directInstr) * median(nsPerInstr);
  // What each of the three IPC calls costs if the two switches cost c each and the user work as measured.
  const ipcCall = (median(diff) - 2 * pc.c - userNs) / 3;
  out.push(
    ...modelPair('emulated process daemon', diff, pc.sigma, pc.c, pc.source, { yield_switch_ns: pc.yield_switch_ns },
      { implied_ipc_call_ns: ipcCall, implied_ipc_call_over_sigma: ipcCall / pc.sigma, user_work_ns: userNs }),
    figure({
      suite: SUITE, case: 'emulated path accounting 2c+3σ+user work (process daemon)', unit: 'ns',
      note: 'the model plus the guest instructions the path adds (daemon loop, wrappers) at the measured host ns per guest instruction',
      extra: {
        c_ns: pc.c, sigma_ns: pc.sigma, user_instructions_per_request: daemonInstr - directInstr,
        ns_per_guest_instruction: median(nsPerInstr), user_work_ns: userNs,
      },
    }, [2 * pc.c + 3 * pc.sigma + userNs]),
  );

  // The thread variant: client and daemon threads of one process, a futex hand-off each way.
  const tc = await emulatedSigmaC(ctx, samples, count * 4, 'threads');
  ctx.progress(`  ${SUITE}: emulated client -> daemon thread (futex) -> getpid, against the direct call`);
  const tDaemon = await collect(samples, 0, async () => (await perOp('daemon', count, 3)).ns);
  out.push(
    figure({ suite: SUITE, case: 'emulated through a daemon thread (futex)', unit: 'ns', note: 'client -> futex wake -> daemon getpid -> futex wake -> client' }, tDaemon),
    ...modelPair('emulated thread daemon', tDaemon.map((d) => d - tc.sigma), tc.sigma, tc.c, tc.source, { yield_switch_ns: tc.yield_switch_ns }),
  );
  return out;
}

runWhenInvoked(import.meta.url, 'The daemon suite: a request through a daemon against the direct call, beside 3σ+2c from σ and c of the same run.');
