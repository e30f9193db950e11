// PID leases (assembly/pidlease.ts): every pid and tid comes from a current range and at most one spare
// the host installs; with both used up fork and clone fail with -EAGAIN and the machine goes on, and the
// host cannot load a process. A lone machine still numbers from 1.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System, type SystemOptions } from '../../src/machine/system.js';
import type { RunResult } from '../../src/machine/process.js';
import { InputError } from '../../src/base/index.js';
import { fixture } from './helpers.js';

const image = () => parseElf(new Uint8Array(readFileSync(fixture('cluster'))));

async function machine(opts: SystemOptions = {}): Promise<System> {
  return System.create({ ram_bytes: 16 << 20, ...opts });
}

function run(sys: System): { out: string; results: (RunResult | null)[] } {
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 100_000_000);
  expect(r.limited).toBe(false);
  return { out, results: r.results };
}

const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

describe('pid leases', () => {
  it('a lone machine numbers pids and tids from 1, as before', async () => {
    const sys = await machine();
    sys.spawn(image(), { argv: ['cluster', 'pids', '2'] });
    const { out, results } = run(sys);
    expect(out).toBe(lines('pid 1', 'child 2', 'child 3', 'thread 4'));
    expect(results[0]).toEqual({ kind: 'exit', code: 0 });
  });

  it('from a leased range: getpid is its start, the children follow, then fork fails with EAGAIN and the machine goes on', async () => {
    const sys = await machine();
    const k = sys.machine.kernel;
    k.kernelPidClear();
    expect(k.kernelPidsLeft()).toBe(0);
    expect(k.kernelPidLease(90210, 4)).toBe(0);
    expect(k.kernelPidsLeft()).toBe(4);
    sys.spawn(image(), { argv: ['cluster', 'pids', '5'] });
    expect(k.kernelPidsLeft()).toBe(3);
    const { out, results } = run(sys);
    expect(out).toBe(lines('pid 90210', 'child 90211', 'child 90212', 'child 90213', 'fork -11', 'fork -11', 'thread -11'));
    expect(results[0]).toEqual({ kind: 'exit', code: 0 });
    expect(k.kernelPidsLeft()).toBe(0);
    expect(sys.stats().frames_used).toBe(0);
  });

  it('the spare range takes over when the current one runs out', async () => {
    const sys = await machine();
    const k = sys.machine.kernel;
    k.kernelPidClear();
    expect(k.kernelPidLease(90210, 2)).toBe(0);
    expect(k.kernelPidLease(7, 1)).toBe(-1); // a spare is installed already
    sys.spawn(image(), { argv: ['cluster', 'pids', '5'] }); // the spare became current for it
    expect(k.kernelPidsLeft()).toBe(1);
    expect(k.kernelPidLease(500, 3)).toBe(0);
    expect(k.kernelPidsLeft()).toBe(4);
    const { out } = run(sys);
    expect(out).toBe(lines('pid 90210', 'child 90211', 'child 500', 'child 501', 'child 502', 'fork -11', 'thread -11'));
  });

  it('refuses an empty range, pid 0, and ranges past 31 bits', async () => {
    const k = (await machine()).machine.kernel;
    k.kernelPidClear();
    expect(k.kernelPidLease(100, 0)).toBe(-1);
    expect(k.kernelPidLease(0, 5)).toBe(-1);
    expect(k.kernelPidLease(0x7fff_ffff, 2)).toBe(-1);
    expect(k.kernelPidLease(0xffff_fff0, 0x20)).toBe(-1); // wraps around 32 bits
    expect(k.kernelPidsLeft()).toBe(0);
    expect(k.kernelPidLease(0x7fff_fffe, 2)).toBe(0); // ids up to 0x7fff_ffff
    expect(k.kernelPidsLeft()).toBe(2);
  });

  it('loading a process with no pid left is one clear error, and its memory goes back', async () => {
    const sys = await machine();
    sys.machine.kernel.kernelPidClear();
    const used = sys.machine.kernel.framesUsed();
    expect(() => sys.spawn(image(), { argv: ['cluster', 'pids', '1'] })).toThrow(InputError);
    expect(() => sys.spawn(image(), { argv: ['cluster', 'pids', '1'] })).toThrow(/no process id is left on this machine/);
    expect(sys.machine.kernel.framesUsed()).toBe(used);
    expect(sys.machine.kernel.kernelPidLease(40, 1)).toBe(0);
    expect(sys.spawn(image(), { argv: ['cluster', 'pids', '1'] }).pid).toBe(40);
  });

  it('threaded, two processes forking at once on two harts share one range without a duplicate', async () => {
    const sys = await machine({ harts: 2, threaded: true });
    const k = sys.machine.kernel;
    k.kernelPidClear();
    expect(k.kernelPidLease(1000, 20)).toBe(0);
    sys.spawn(image(), { argv: ['cluster', 'pids', '12'] });
    sys.spawn(image(), { argv: ['cluster', 'pids', '12'] });
    const r = await sys.runThreaded(() => undefined);
    expect(r.results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
    const tids = sys.stats().threads.map((t) => t.tid);
    expect(tids).toHaveLength(20); // the two loaded processes and the 18 children the range had room for
    expect(new Set(tids).size).toBe(20);
    for (const tid of tids) expect(tid >= 1000 && tid < 1020).toBe(true);
    expect(k.kernelPidsLeft()).toBe(0);
  });
});
