// The emulated side of the kernel benchmarks: runs bench/guest/kbench.elf on a small fresh machine (one hart,
// deterministic mode) and times the run loop only (machine creation and loading excluded) with the wall clock,
// which is measurement code's privilege. Each figure subtracts the guest's own loop so what remains is the
// kernel path: an ecall served in the kernel or by the host, a context switch, a daemon hand-off.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import type { ElfImage } from '../../src/elf/index.js';

export type KbenchMode = 'loop' | 'getpid' | 'clock' | 'yield1' | 'yield2' | 'daemon';

export interface KbenchRun {
  readonly wall_ns: number;
  readonly instructions: number;
  readonly context_switches: number;
}

let image: ElfImage | undefined;

/** bench/guest/kbench.elf, from bench/lib (sources) or dist/bench/lib (built). */
export function kbenchImage(): ElfImage {
  if (image) return image;
  const paths = ['../guest/kbench.elf', '../../../bench/guest/kbench.elf'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const path = paths.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`kbench.elf not found (looked at ${paths.join(', ')})`);
  image = parseElf(new Uint8Array(readFileSync(path)));
  return image;
}

/** One run of kbench <mode> <count>; throws if the guest does not exit 0. */
export async function kbench(mode: KbenchMode, count: number, processes = 1): Promise<KbenchRun> {
  const sys = await System.create({ ram_bytes: 8 << 20, harts: 1 });
  for (let i = 0; i < processes; i++) sys.spawn(kbenchImage(), { argv: ['kbench', mode, String(count)], name: 'kbench' });
  const t0 = performance.now();
  const r = sys.run({ write: () => undefined }, () => undefined);
  const wall_ns = (performance.now() - t0) * 1e6;
  for (const res of r.results) {
    if (res?.kind !== 'exit' || res.code !== 0) throw new Error(`kbench ${mode} did not exit 0: ${JSON.stringify(res)}`);
  }
  const s = sys.stats();
  return { wall_ns, instructions: s.harts[0]!.instructions, context_switches: s.context_switches };
}

/** The fastest of `tries` runs (a host preemption only ever adds time), after one warm-up run. */
export async function fastest(mode: KbenchMode, count: number, tries: number, processes = 1): Promise<KbenchRun> {
  await kbench(mode, Math.min(count, 10_000), processes);
  let best: KbenchRun | undefined;
  for (let i = 0; i < tries; i++) {
    const r = await kbench(mode, count, processes);
    if (best === undefined || r.wall_ns < best.wall_ns) best = r;
  }
  return best!;
}

/**
 * Host ns per guest loop iteration of `mode` beyond the bare loop (fastest of `tries` each), with the guest
 * instructions per iteration beyond the loop and the context switches of the run.
 */
export async function perOp(mode: KbenchMode, count: number, tries: number): Promise<{ ns: number; guest_instructions: number; switches: number }> {
  const base = await fastest('loop', count, tries);
  const r = await fastest(mode, count, tries);
  return { ns: (r.wall_ns - base.wall_ns) / count, guest_instructions: (r.instructions - base.instructions) / count, switches: r.context_switches };
}

/** What guest/ipc/client.elf does in a timed run: the bare loop, direct getpid calls, or requests to the daemon. */
export type IpcMode = 'loop' | 'direct' | 'daemon';

const ipcImages = new Map<string, ElfImage>();

/** guest/ipc/<name>.elf, from bench/lib (sources) or dist/bench/lib (built). */
export function ipcImage(name: 'daemon' | 'client'): ElfImage {
  const cached = ipcImages.get(name);
  if (cached) return cached;
  const paths = [`../../guest/ipc/${name}.elf`, `../../../guest/ipc/${name}.elf`].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const path = paths.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`guest/ipc/${name}.elf not found (looked at ${paths.join(', ')})`);
  const img = parseElf(new Uint8Array(readFileSync(path)));
  ipcImages.set(name, img);
  return img;
}

/**
 * One run of the daemon process beside `client N mode` on a fresh one-hart machine (deterministic mode); the
 * run loop is timed. Every mode looks the daemon up first and tells it to quit at the end, so the runs
 * differ only by the N iterations. Throws if either process does not exit 0.
 */
export async function ipcRun(mode: IpcMode, count: number): Promise<KbenchRun> {
  const sys = await System.create({ ram_bytes: 8 << 20, harts: 1 });
  sys.spawn(ipcImage('daemon'), { argv: ['daemon'], name: 'daemon' });
  sys.spawn(ipcImage('client'), { argv: ['client', String(count), mode], name: 'client' });
  const t0 = performance.now();
  const r = sys.run({ write: () => undefined }, () => undefined);
  const wall_ns = (performance.now() - t0) * 1e6;
  for (const res of r.results) {
    if (res?.kind !== 'exit' || res.code !== 0) throw new Error(`ipc daemon/client (${mode}) did not exit 0: ${JSON.stringify(res)}`);
  }
  const s = sys.stats();
  return { wall_ns, instructions: s.harts[0]!.instructions, context_switches: s.context_switches };
}

/** The fastest of `tries` runs of ipcRun, after one short warm-up run. */
export async function ipcFastest(mode: IpcMode, count: number, tries: number): Promise<KbenchRun> {
  await ipcRun(mode, Math.min(count, 2_000));
  let best: KbenchRun | undefined;
  for (let i = 0; i < tries; i++) {
    const r = await ipcRun(mode, count);
    if (best === undefined || r.wall_ns < best.wall_ns) best = r;
  }
  return best!;
}
