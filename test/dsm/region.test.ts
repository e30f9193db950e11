// Named regions of distributed shared memory between the nodes of a cluster run (src/dsm/region.ts): dsm_map's
// refusals, two processes on two nodes counting in one region over the simulated network with exact results,
// the counters' page moving when both words share it and staying when they are padded apart, and one trace
// digest per seed, also when the network reorders and duplicates messages.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCluster, type ClusterRunResult } from '../../src/ssi/index.js';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import type { LinkParams } from '../../src/net/index.js';

const ELF = new URL('../../guest/cluster/false_share.elf', import.meta.url).pathname;

function twoCounters(layout: 'same' | 'padded', n: number, seed: number, mode = 'amo', link?: Partial<LinkParams>): Promise<ClusterRunResult> {
  return runCluster({
    seed, nodes: 2, ...(link ? { link } : {}),
    programs: [{ node: 'n1', path: ELF, args: ['x', layout, String(n), mode] }, { node: 'n2', path: ELF, args: ['y', layout, String(n), mode] }],
  });
}

const counts = (r: ClusterRunResult): string[] => r.processes.map((p) => p.stdout.replace(/ \(\d+ ns\)/, '')).sort();
const fs = (r: ClusterRunResult) => r.dsm.flatMap((d) => d.regions.filter((g) => g.name === 'fs'));
/** Pages of the counters (offsets 0 and 4096) sent between nodes, over every node. */
const counterPagesSent = (r: ClusterRunResult): number =>
  fs(r).flatMap((g) => g.per_page).filter((p) => p.offset < 8192).reduce((a, p) => a + p.pages_sent, 0);

describe('dsm_map', () => {
  it('refuses a second mapping, an empty name, no bytes, too many, a long name and a bad pointer; the region it maps works, and its process does not migrate', async () => {
    const r = await runCluster({ seed: 3, nodes: 2, programs: [{ node: 'n1', path: ELF, args: ['errors'] }] });
    expect(r.end).toBe('ended');
    expect(r.processes[0]!.stdout).toBe([
      'map: ok', 'again: -16', 'empty name: -22', 'no bytes: -22', 'too big: -22', 'long name: -36', 'bad pointer: -14', 'word: 7', 'migrate: -16', '',
    ].join('\n'));
    const region = fs(r);
    expect(region.map((g) => g.pages)).toEqual([1]); // "fs" mapped once; the refused names left no region
    expect(region[0]!.counters.write_faults).toBe(1);
  });

  it('is ENOSYS on a machine outside a cluster', async () => {
    const sys = await System.create({ ram_bytes: 16 << 20, seed: 1 });
    sys.spawn(parseElf(new Uint8Array(readFileSync(ELF))), { argv: ['false_share', 'errors'], name: 'false_share' });
    let out = '';
    const dec = new TextDecoder();
    sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); return b.length; } }, () => undefined);
    expect(out.split('\n')[0]).toBe('map: Function not implemented');
    expect(out).toContain('again: -38');
  });
});

describe('a region shared by two nodes', () => {
  it('counts every increment of both processes exactly, AMO and plain, in one page and padded apart', async () => {
    for (const mode of ['amo', 'plain']) {
      for (const layout of ['same', 'padded'] as const) {
        const r = await twoCounters(layout, 30_000, 1, mode);
        expect(r.end).toBe('ended');
        expect(counts(r)).toEqual(['x: 30000\n', 'y: 30000\n']);
        expect(r.processes.map((p) => p.exit_code)).toEqual([0, 0]);
      }
    }
  }, 60_000);

  it('moves the counters\' page between the nodes when both words share it, and never when they are a page apart', async () => {
    const same = await twoCounters('same', 100_000, 2);
    const padded = await twoCounters('padded', 100_000, 2);
    expect(counterPagesSent(same)).toBeGreaterThan(3);
    expect(counterPagesSent(padded)).toBe(0);
    // Each node faulted on the counters' pages once at least; both managers took part.
    expect(fs(padded).map((g) => g.counters.write_faults > 0)).toEqual([true, true]);
  }, 60_000);

  it('gives the same trace digest for the same seed, and exact counts when the network reorders and duplicates', async () => {
    const a = await twoCounters('same', 20_000, 7);
    const b = await twoCounters('same', 20_000, 7);
    expect(a.trace_hash).toBe(b.trace_hash);
    expect(counts(a)).toEqual(counts(b));
    const rough = await twoCounters('same', 20_000, 7, 'amo', { reorder: 0.3, duplicate: 0.2 });
    expect(counts(rough)).toEqual(['x: 20000\n', 'y: 20000\n']);
    expect(rough.trace_hash).not.toBe(a.trace_hash);
  }, 60_000);
});
