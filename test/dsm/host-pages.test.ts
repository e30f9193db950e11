// Host-kept pages (assembly/hostpage.ts, src/machine/host-pages.ts): the kernel mechanism DSM and post-copy
// migration stand on, driven by a host that keeps the pages' bytes in a Map. A fault on an absent or read-only
// page reaches the host, the thread waits while others run, the answer installs the bytes and the access runs
// again; a revocation shoots the TLBs down so the next access faults; an answer of failure is SIGBUS.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import { LATER, type HostCall, type HostAnswer } from '../../src/machine/hostcall.js';
import { HostPages, pageFaultOf, PAGE_LOST, PAGE_SERVED, type PageFault, type PageProt } from '../../src/machine/host-pages.js';
import { SYS, PAGE_BYTES, TS_HOSTCALL } from '../../src/machine/abi.js';
import type { RunResult } from '../../src/machine/process.js';

const ELF = parseElf(new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/dsm/pages.elf'))));

/** The host's copy of page i of the guest's area: word j is 1000 i + j. */
function hostCopy(i: number): Uint8Array {
  const b = new Uint8Array(PAGE_BYTES);
  const v = new DataView(b.buffer);
  for (let j = 0; j < PAGE_BYTES / 4; j++) v.setInt32(j * 4, 1000 * i + j, true);
  return b;
}
const word = (b: Uint8Array, j: number): number => new DataView(b.buffer, b.byteOffset).getInt32(j * 4, true);

interface Host {
  sys: System;
  pages: HostPages;
  faults: PageFault[];
  /** page address -> the host's bytes of it (a page absent here) */
  kept: Map<number, Uint8Array>;
  area: number;
}

interface Options {
  harts?: number;
  /** answer faults this many slices later (0: at once, in the drain) */
  later?: number;
  /** steps of the guest's test hook, after the default handling */
  step?: (host: Host, step: number, call: HostCall) => HostAnswer | void;
  /** a fault's answer, instead of installing the kept bytes */
  fault?: (host: Host, f: PageFault) => HostAnswer | null;
  others?: string[][];
}

/** The default service of a fault: the kept bytes (or zeros for a page never kept), writable on a write. */
function serve(host: Host, f: PageFault): HostAnswer {
  const prot: PageProt = f.access === 'write' ? 'write' : 'read';
  if (f.had === 'none') host.pages.install(f.proc, f.page, host.kept.get(f.page) ?? null, prot);
  else host.pages.protect(f.proc, f.page, prot);
  return PAGE_SERVED;
}

async function run(mode: string, opts: Options = {}): Promise<{ out: string; results: (RunResult | null)[]; host: Host }> {
  const sys = await System.create({ ram_bytes: 16 << 20, harts: opts.harts ?? 1, seed: 3, quantum_instructions: 3_000 });
  const host: Host = { sys, pages: new HostPages(sys.machine), faults: [], kept: new Map(), area: 0 };
  sys.spawn(ELF, { argv: ['pages', mode], name: 'pages' });
  for (const argv of opts.others ?? []) sys.spawn(ELF, { argv, name: argv[0]! });
  const pending: { id: number; f: PageFault; slice: number }[] = [];
  let slices = 0;
  const answer = (f: PageFault): HostAnswer => (opts.fault?.(host, f) ?? serve(host, f));
  sys.serve(SYS.host_page, (call) => {
    const f = pageFaultOf(call);
    host.faults.push(f);
    if (!opts.later) return answer(f);
    pending.push({ id: call.id, f, slice: slices });
    return LATER;
  });
  sys.hostcalls.onSlice(() => {
    slices++;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (slices - p.slice < opts.later!) continue;
      pending.splice(i--, 1);
      const a = answer(p.f);
      if (a === LATER) continue;
      if (typeof a === 'number') sys.hostcalls.ring.complete(p.id, a);
      else sys.hostcalls.ring.answer(p.id, a);
    }
  });
  sys.serve(SYS.test_hook, (call) => {
    const step = call.args[0]!;
    if (step === 1) {
      host.area = call.args[1]! >>> 0;
      for (let i = 0; i < 3; i++) {
        const va = host.area + i * PAGE_BYTES;
        expect(word(host.pages.revoke(call.proc, va, 'none'), 0)).toBe(i); // the guest's own store, read back
        host.kept.set(va, hostCopy(i));
      }
    }
    return opts.step?.(host, step, call) ?? 0;
  });
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 50_000_000);
  expect(r.limited).toBe(false);
  return { out, results: r.results, host };
}

/** Read mode: page 2 starts as a read-only copy; step 2 revokes page 1 and changes word 8 of the host's copy. */
const readSteps = (host: Host, step: number, call: HostCall): void => {
  if (step === 1) host.pages.install(call.proc, host.area + 2 * PAGE_BYTES, host.kept.get(host.area + 2 * PAGE_BYTES)!, 'read');
  if (step === 2) {
    const va = host.area + PAGE_BYTES;
    const bytes = host.pages.revoke(call.proc, va, 'none');
    expect(word(bytes, 7)).toBe(42); // the guest's store reached the frame before the host took it back
    new DataView(bytes.buffer).setInt32(8 * 4, 99, true);
    host.kept.set(va, bytes);
  }
};

const brief = (host: Host): string[] => host.faults.filter((f) => f.page >= host.area && f.page < host.area + 3 * PAGE_BYTES)
  .map((f) => `${(f.page - host.area) / PAGE_BYTES} ${f.access} ${f.had}`);

describe('host-kept pages', () => {
  for (const [harts, later] of [[1, 0], [1, 3], [2, 0], [2, 2]] as const) {
    it(`faults fetch the host's bytes, stores and AMOs take write permission, a revoked page faults again (${harts} hart(s), answers ${later ? `${later} slices later` : 'at once'})`, async () => {
      const { out, results, host } = await run('read', { harts, later, step: readSteps });
      expect(out).toBe('read: 5 1007 3023\nwrote: 42 2000, again 5\nafter revoke: 42 99\n');
      expect(results[0]).toEqual({ kind: 'exit', code: 0 });
      expect(brief(host)).toEqual(['0 read none', '1 read none', '1 write read', '2 write read', '1 read none']);
      expect(host.faults.every((f) => f.pid === 1 && f.tid === 1)).toBe(true);
      expect(host.pages.faults(0)).toBe(5n);
      expect(host.sys.stats().frames_used).toBe(0); // the frames of host-kept pages went back with the process
    });
  }

  it('the same seed gives the same faults at the same virtual times', async () => {
    const a = await run('read', { harts: 2, later: 2, step: readSteps });
    const b = await run('read', { harts: 2, later: 2, step: readSteps });
    const trace = (h: Host): string[] => h.faults.map((f) => `${f.page} ${f.access} ${f.hart} ${f.mtime}`);
    expect(trace(b.host)).toEqual(trace(a.host));
  });

  it('a page the host says is lost kills its process with SIGBUS; another process runs on', async () => {
    for (const later of [0, 2]) {
      const { out, results } = await run('lost', { later, fault: () => PAGE_LOST, others: [['pages', 'nosys']] });
      expect(out.split('\n').sort()).toEqual(['', 'lost: before', 'nosys: -38']); // two processes: either order
      expect(results[0]).toMatchObject({ kind: 'killed', signal: 'SIGBUS' });
      expect((results[0] as { reason: string }).reason).toMatch(/^page lost: the host could not give the page at 0x/);
      expect(results[1]).toEqual({ kind: 'exit', code: 0 });
    }
  });

  it('a SIGBUS handler gets the lost page with BUS_ADRERR', async () => {
    for (const later of [0, 2]) {
      const { out, results } = await run('handler', { later, fault: () => PAGE_LOST });
      expect(out).toBe('lost: before\nhandler: signal 7, code 2, at the page 1\n');
      expect(results[0]).toEqual({ kind: 'exit', code: 3 });
    }
  });

  it('while a thread waits for its page the other threads of the process run', async () => {
    let held: PageFault | null = null;
    let blocked = false;
    const { out, results, host } = await run('threads', {
      fault: (_h, f) => { held = f; return LATER; },
      step: (h, step) => {
        if (step !== 4 || held === null) return;
        blocked = h.sys.machine.kernel.threadState(held.thread) === TS_HOSTCALL;
        serve(h, held);
        h.sys.hostcalls.ring.complete(held.id, PAGE_SERVED);
      },
    });
    expect(out).toBe('threads: 3 after the helper ran 50 times\n');
    expect(results[0]).toEqual({ kind: 'exit', code: 0 });
    expect(blocked).toBe(true);
    expect(brief(host)).toEqual(['0 read none']);
  });

  it('with every page the host\'s, a fault on a page with no PTE goes to the host too', async () => {
    let fresh = 0;
    const { out, results, host } = await run('fresh', {
      step: (h, step, call) => {
        if (step !== 3) return;
        fresh = call.args[1]! >>> 0;
        const a = new Uint8Array(PAGE_BYTES), b = new Uint8Array(PAGE_BYTES);
        new DataView(a.buffer).setInt32(0, 0xabc, true);
        new DataView(b.buffer).setInt32(4, 0xdef, true);
        h.kept.set(fresh, a).set(fresh + PAGE_BYTES, b);
        h.pages.all(call.proc, true);
      },
    });
    expect(out).toBe('fresh: abc def\nfresh: 7\n');
    expect(results[0]).toEqual({ kind: 'exit', code: 0 });
    const ours = host.faults.filter((f) => f.page === fresh || f.page === fresh + PAGE_BYTES).map((f) => `${f.page - fresh} ${f.access} ${f.had}`);
    expect(ours).toEqual(['0 read none', '4096 read none', '0 write read']);
  });

  it('a guest cannot make the page-fault host call itself', async () => {
    const { out, host } = await run('nosys');
    expect(out).toBe('nosys: -38\n');
    expect(host.faults).toEqual([]);
  });

  it('bad requests of the host are one clear error and change nothing', async () => {
    const sys = await System.create({ ram_bytes: 16 << 20 });
    const pages = new HostPages(sys.machine);
    expect(() => pages.frame(3, 0x20000)).toThrow(/process slot 3 failed/);
    sys.spawn(ELF, { argv: ['pages', 'nosys'], name: 'pages' });
    expect(() => pages.protect(0, 0x9000_0000, 'read')).toThrow(/outside user space/);
    expect(() => pages.frame(0, 0x5000_0000)).toThrow(/no page there/);
    expect(() => pages.install(0, 0x5000_0000, new Uint8Array(7), 'read')).toThrow(/4096 bytes, not 7/);
    expect(sys.machine.kernel.hostPageSet(0, 0x5000_0000, 4)).toBeLessThan(0); // W without R
  });
});
