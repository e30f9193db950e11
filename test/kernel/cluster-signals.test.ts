// Signals across machines, the kernel's side: in cluster mode a kill or tgkill whose target is not on this
// machine, and every group or broadcast kill, is handed to the host (here a service registered for the
// call checks what came and answers, signalling this machine through kernelSignalGroup); the checks that do
// not depend on where the target is stay in the kernel. The host's own deliveries (kernelSignal,
// kernelSignalGroup, kernelThreadSignal) carry the sender's pid and the kill's si_code, on one thread and
// while the harts run on workers.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System, type SystemOptions } from '../../src/machine/system.js';
import type { HostCall } from '../../src/machine/hostcall.js';
import type { RunResult } from '../../src/machine/process.js';
import { SYS } from '../../src/machine/syscalls.js';
import {
  ESRCH, EINVAL, SIGUSR1, SIGUSR2, SIGTERM, SIGNAL_GROUP_ALL, SIGNAL_GROUP_HOST, PROC_BASE, PROC_BYTES, P,
} from '../../src/machine/layout.js';
import { fixture } from './helpers.js';

const image = () => parseElf(new Uint8Array(readFileSync(fixture('cluster'))));

async function machine(mode: string, opts: SystemOptions = {}): Promise<System> {
  const sys = await System.create({ ram_bytes: 16 << 20, ...opts });
  sys.spawn(image(), { argv: ['cluster', mode] });
  return sys;
}

function run(sys: System): { out: string; result: RunResult } {
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 100_000_000);
  expect(r.limited).toBe(false);
  return { out, result: r.results[0]! };
}

/** A kill service as a cluster's host would have it: pid 4242 lives elsewhere, groups are signalled here. */
function serveKills(sys: System, seen: number[][]): void {
  const k = sys.machine.kernel;
  const pgidOf = (proc: number): number => sys.machine.u32(PROC_BASE + proc * PROC_BYTES + P.PGID);
  const remote = (call: HostCall): number => (seen.push([call.nr, ...call.args.slice(0, 3).map((a) => a | 0)]), 0);
  sys.serve(SYS.kill, (call) => {
    remote(call);
    const pid = call.args[0]! | 0, sig = call.args[1]!;
    if (pid > 0) return pid === 4242 ? 0 : -ESRCH;
    const mine = pgidOf(call.proc);
    const pgid = pid === -1 ? SIGNAL_GROUP_ALL : pid === 0 ? (mine === 0 ? SIGNAL_GROUP_HOST : mine) : -pid;
    const n = k.kernelSignalGroup(pgid, sig, call.pid, pid === -1 ? call.pid : 0);
    return n > 0 ? 0 : -ESRCH;
  });
  for (const nr of [SYS.tkill, SYS.tgkill]) {
    sys.serve(nr, (call) => {
      remote(call);
      const tid = nr === SYS.tkill ? call.args[0]! : call.args[1]!;
      return tid === 4242 ? 0 : -ESRCH;
    });
  }
}

describe('kills across machines (cluster mode)', () => {
  it('targets elsewhere and group kills go to the host; bad signals and local targets stay in the kernel', async () => {
    const sys = await machine('kill');
    sys.machine.kernel.kernelSetCluster(1);
    const seen: number[][] = [];
    serveKills(sys, seen);
    const { out, result } = run(sys);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    const mine = out.split('\n').filter((l) => !l.startsWith('child:')).join('\n');
    expect(mine).toBe([
      'parent 1 child 2',
      'sys_kill(4242, 0) = 0',
      'sys_kill(4243, SIGUSR1) = -3',
      'sys_kill(4242, 65) = -22',
      'sys_kill(0, SIGUSR2) = 0',
      'parent: signal 12 from 1 code 0', // the host signalled the caller's group, the caller included
      'sys_kill(-77, SIGTERM) = -3',
      'sys_kill(-0x7fffffff - 1, SIGTERM) = -3',
      'sys_tgkill(me, child, 0) = -3', // the tid is here, in another process
      'sys_kill(-1, SIGUSR1) = 0',
      'sys_tgkill(4242, 4242, SIGUSR1) = 0',
      'sys_tkill(4244, SIGUSR1) = -3',
      'sys_tgkill(me, 4245, 65) = -22',
      'sys_kill(me, 0) = 0',
      'sys_tkill(sys_gettid(), 0) = 0',
      'child status 5',
      '',
    ].join('\n'));
    expect(out).toContain('child: signal 10 from 1 code 0\n'); // the broadcast reached the child, from the caller
    const u = (x: number): number => x | 0;
    expect(seen).toEqual([
      [SYS.kill, 4242, 0, 0], [SYS.kill, 4243, SIGUSR1, 0], [SYS.kill, 0, SIGUSR2, 0], [SYS.kill, u(-77), SIGTERM, 0],
      [SYS.kill, -1, SIGUSR1, 0], [SYS.tgkill, 4242, 4242, SIGUSR1], [SYS.tkill, 4244, SIGUSR1, 0],
    ]);
  });

  it('off (the default), every kill is served in the kernel as before and none reaches the host', async () => {
    const sys = await machine('kill');
    const seen: number[][] = [];
    serveKills(sys, seen);
    const { out, result } = run(sys);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(seen).toEqual([]);
    expect(out).toContain('sys_kill(4242, 0) = -3\n');
    expect(out).toContain('sys_kill(4242, 65) = -3\n'); // no such process comes before a bad signal, as Linux
    expect(out).toContain('sys_kill(0, SIGUSR2) = 0\nparent: signal 12 from 1 code 0\n');
    expect(out).toContain('sys_kill(-1, SIGUSR1) = 0\n');
    expect(out).toContain('sys_tgkill(4242, 4242, SIGUSR1) = -3\n');
    expect(out).toContain('child: signal 10 from 1 code 0\n');
  });
});

describe('the host delivers signals from elsewhere', () => {
  it('kernelSignal and kernelThreadSignal carry the sender\'s pid and si_code; bad arguments are refused', async () => {
    const sys = await machine('sigwait');
    const k = sys.machine.kernel;
    let slices = 0;
    sys.hostcalls.onSlice(() => {
      slices++;
      if (slices === 3) expect(k.kernelSignal(1, SIGUSR1, 4242)).toBe(0);
      if (slices === 5) expect(k.kernelThreadSignal(1, 1, SIGUSR2, 777)).toBe(0);
    });
    expect(k.kernelSignal(99, SIGUSR1, 5)).toBe(-ESRCH);
    expect(k.kernelSignal(1, 65, 5)).toBe(-EINVAL);
    expect(k.kernelSignal(0, SIGUSR1, 5)).toBe(-EINVAL);
    expect(k.kernelSignal(1, 0, 5)).toBe(0);
    expect(k.kernelThreadSignal(2, 1, SIGUSR1, 5)).toBe(-ESRCH); // tid 1 is not in process 2
    expect(k.kernelThreadSignal(0, 1, 0, 5)).toBe(0);
    expect(k.kernelThreadSignal(0, 0, SIGUSR1, 5)).toBe(-EINVAL);
    expect(k.kernelThreadSignal(1, 1, 65, 5)).toBe(-EINVAL);
    expect(k.kernelSignalGroup(SIGNAL_GROUP_HOST, 0, 5, 0)).toBe(1);
    expect(k.kernelSignalGroup(SIGNAL_GROUP_HOST, 0, 5, 1)).toBe(0); // excluded
    expect(k.kernelSignalGroup(SIGNAL_GROUP_ALL, 0, 5, 0)).toBe(0); // pid 1 never takes a broadcast
    expect(k.kernelSignalGroup(7, 0, 5, 0)).toBe(0);
    expect(k.kernelSignalGroup(SIGNAL_GROUP_HOST, 65, 5, 0)).toBe(-EINVAL);
    const { out, result } = run(sys);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(out).toBe('waiting 1\nsigwait: signal 10 from 4242 code 0\nsigwait: signal 12 from 777 code -6\n');
  });

  it('in cluster mode a machine whose threads all wait for signals is not declared deadlocked', async () => {
    const lone = await machine('sigwait');
    expect(run(lone).result).toMatchObject({ kind: 'killed', signal: 'SIGKILL' }); // a lone machine's deadlock
    const sys = await machine('sigwait');
    const k = sys.machine.kernel;
    k.kernelSetCluster(1);
    let slices = 0;
    sys.hostcalls.onSlice(() => {
      if (++slices !== 40) return;
      expect(k.kernelStuck()).toBe(0);
      expect(k.kernelSignal(1, SIGUSR1, 4242)).toBe(0);
      expect(k.kernelSignal(1, SIGUSR2, 4242)).toBe(0);
    });
    expect(run(sys).result).toEqual({ kind: 'exit', code: 0 });
    expect(slices).toBeGreaterThan(40);
  });

  it('a signal whose default action ends the process ends it, as a kill would', async () => {
    const sys = await machine('sigwait');
    const k = sys.machine.kernel;
    let slices = 0;
    sys.hostcalls.onSlice(() => { if (++slices === 4) expect(k.kernelSignal(1, SIGTERM, 4242)).toBe(0); });
    const { out, result } = run(sys);
    expect(out).toBe('waiting 1\n');
    expect(result).toMatchObject({ kind: 'killed', signal: 'SIGTERM' });
    expect(sys.stats().frames_used).toBe(0);
  });

  it('threaded: the main thread signals a guest that waits on a worker hart', async () => {
    const sys = await machine('sigwait', { harts: 2, threaded: true });
    const k = sys.machine.kernel;
    k.kernelSetCluster(1); // a guest waiting for a signal from elsewhere is not a deadlock there
    const sent: number[] = [];
    const timer = setInterval(() => {
      if (k.threadState(0) !== 4) return; // until the guest waits in rt_sigsuspend (TS_SLEEP), handlers in place
      sent.push(k.kernelSignal(1, SIGUSR1, 4242), k.kernelThreadSignal(1, 1, SIGUSR2, 777));
    }, 1);
    const r = await sys.runThreaded(() => undefined).finally(() => clearInterval(timer));
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.slice(0, 2)).toEqual([0, 0]);
  });
});
